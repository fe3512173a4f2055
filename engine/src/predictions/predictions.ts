import { MongoBulkWriteError, type ObjectId } from 'mongodb';
import type { Region } from '@labelwork/core';
import { isDuplicateKey, type Database } from '../db/database.ts';
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
 * Region ids are made unique and prefixed (PREDICTION_REGION_PREFIX). Each batch is inserted
 * unordered first and only the ones already there are replaced (deleted and inserted again): an
 * upsert costs ~20× an insert on FerretDB (a 1M-box import's 10,000 predictions), and a first run
 * has nothing to replace.
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
    const docs = predictions.slice(i, i + BATCH).map((p): PredictionDoc => ({
      _id: `${source.id}:${p.itemId.toHexString()}`,
      schemaVersion: 1,
      projectId,
      itemId: p.itemId,
      source,
      regions: p.regions.map((r, j) => ({ ...r, id: `${PREDICTION_REGION_PREFIX}${j + 1}` })),
      score: p.score ?? null,
      createdAt: now,
    }));
    if (docs.length === 0) continue;
    // The same item twice in one call: the later one wins, as with replacements.
    const byId = new Map(docs.map((d) => [d._id, d]));
    const unique = [...byId.values()];
    const existing = await insertNew(db, unique);
    if (existing.length) {
      // Replaced as one delete and one insert: on FerretDB each write that names one _id scans the
      // collection (a re-stored batch of 256 took over 20 s as replaceOnes, 0.4 s like this).
      await db.predictions.deleteMany({ _id: { $in: existing.map((d) => d._id) } });
      // A second writer of the same source (a stalled job's old worker) may have stored one meanwhile: it stays.
      await insertNew(db, existing);
    }
    stored += docs.length;
  }
  return stored;
}

/** Inserts the documents unordered and returns the ones whose _id was already stored (others' errors throw). */
async function insertNew(db: Pick<Database, 'predictions'>, docs: PredictionDoc[]): Promise<PredictionDoc[]> {
  try {
    await db.predictions.insertMany(docs, { ordered: false });
    return [];
  } catch (e) {
    if (!(e instanceof MongoBulkWriteError) || !isDuplicateKey(e)) throw e;
    const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    return errors.map((w) => docs[w.index]!);
  }
}

/** The newest prediction for an item (what an annotator starts from), or null. */
export function latestPrediction(db: Pick<Database, 'predictions'>, itemId: ObjectId): Promise<PredictionDoc | null> {
  return db.predictions.find({ itemId }).sort({ createdAt: -1 }).limit(1).next();
}

/**
 * Whether a project has any prediction: the annotator's next task looks up its item's prediction only
 * when it does, so a project without predictions pays no database read on that path.
 */
export async function projectHasPredictions(db: Pick<Database, 'predictions'>, projectId: ObjectId): Promise<boolean> {
  return (await db.predictions.findOne({ projectId }, { projection: { _id: 1 } })) !== null;
}

/** A project's predictions from one source (a cursor: runs can be large). */
export function predictionsOfSource(db: Pick<Database, 'predictions'>, projectId: ObjectId, sourceId: string) {
  return db.predictions.find({ projectId, 'source.id': sourceId });
}

/** How many predictions one source has stored (a run's final count). */
export function countPredictionsOfSource(db: Pick<Database, 'predictions'>, projectId: ObjectId, sourceId: string): Promise<number> {
  return db.predictions.countDocuments({ projectId, 'source.id': sourceId });
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

/** Each item's newest scored prediction's score (items without one are absent), for uncertainty ordering. */
export async function latestScores(db: Pick<Database, 'predictions'>, itemIds: readonly ObjectId[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const docs = db.predictions
    .find({ itemId: { $in: [...itemIds] }, score: { $ne: null } }, { projection: { itemId: 1, score: 1, createdAt: 1 } })
    .sort({ createdAt: -1 });
  for await (const d of docs) {
    const id = d.itemId.toHexString();
    if (!out.has(id) && typeof d.score === 'number') out.set(id, d.score);
  }
  return out;
}
