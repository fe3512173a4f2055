import type { AnyBulkWriteOperation, ObjectId } from 'mongodb';
import type { Region } from '@labelwork/core';
import type { Database } from '../db/database.ts';
import type { PredictionDoc, PredictionSource } from '../db/predictions.ts';

/**
 * The one owner of predictions (model runs and dataset imports both store through it; the tasks
 * module reads through it to pre-fill an annotator's workspace).
 */

/** Region ids of a prediction are prefixed so they never collide with the annotator's own. */
export const PREDICTION_REGION_PREFIX = 'pred-';

export interface NewPrediction {
  itemId: ObjectId;
  regions: readonly Region[];
  score?: number | null;
}

const BATCH = 1000;

/**
 * Stores one source's predictions for many items, in bulk batches. Idempotent: storing the same
 * (source, item) again replaces it, so a resumed or retried run leaves one prediction per item.
 * Region ids are made unique and prefixed (PREDICTION_REGION_PREFIX).
 */
export async function putPredictions(
  db: Pick<Database, 'predictions'>,
  projectId: ObjectId,
  source: PredictionSource,
  predictions: readonly NewPrediction[],
  now: Date = new Date(),
): Promise<number> {
  let stored = 0;
  for (let i = 0; i < predictions.length; i += BATCH) {
    const ops: AnyBulkWriteOperation<PredictionDoc>[] = predictions.slice(i, i + BATCH).map((p) => {
      const doc: PredictionDoc = {
        _id: `${source.id}:${p.itemId.toHexString()}`,
        schemaVersion: 1,
        projectId,
        itemId: p.itemId,
        source,
        regions: p.regions.map((r, j) => ({ ...r, id: `${PREDICTION_REGION_PREFIX}${j + 1}` })),
        score: p.score ?? null,
        createdAt: now,
      };
      return { replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } };
    });
    if (ops.length) await db.predictions.bulkWrite(ops, { ordered: false });
    stored += ops.length;
  }
  return stored;
}

/** The newest prediction for an item (what an annotator starts from), or null. */
export function latestPrediction(db: Pick<Database, 'predictions'>, itemId: ObjectId): Promise<PredictionDoc | null> {
  return db.predictions.find({ itemId }).sort({ createdAt: -1 }).limit(1).next();
}

/** A project's predictions from one source (a cursor: runs can be large). */
export function predictionsOfSource(db: Pick<Database, 'predictions'>, projectId: ObjectId, sourceId: string) {
  return db.predictions.find({ projectId, 'source.id': sourceId });
}

/** Every prediction of a project (a cursor), e.g. for exports and model-quality figures. */
export function predictionsOfProject(db: Pick<Database, 'predictions'>, projectId: ObjectId) {
  return db.predictions.find({ projectId });
}

/** Removes one source's predictions (an import undone, a run discarded); returns how many. */
export async function deletePredictionsOfSource(db: Pick<Database, 'predictions'>, projectId: ObjectId, sourceId: string): Promise<number> {
  return (await db.predictions.deleteMany({ projectId, 'source.id': sourceId })).deletedCount;
}

/** Removes the predictions of items that are being deleted. */
export async function deletePredictionsOfItems(db: Pick<Database, 'predictions'>, itemIds: readonly ObjectId[]): Promise<number> {
  return (await db.predictions.deleteMany({ itemId: { $in: [...itemIds] } })).deletedCount;
}
