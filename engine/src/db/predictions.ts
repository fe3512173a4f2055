/**
 * Predictions: regions proposed for an item by a model run or an imported dataset, shown to
 * annotators as pre-filled regions to accept or edit. Written only through
 * engine/src/predictions/predictions.ts.
 */
import type { Collection, Db, ObjectId } from 'mongodb';
import type { Region } from '@labelwork/core';

/** Where a prediction came from: a model run (backend + model version) or a dataset import. */
export interface PredictionSource {
  kind: 'model' | 'import';
  /** The run's or the import's id: one prediction per (source, item). */
  id: string;
  /** Shown to people: the backend's or the file's name. */
  name: string;
  modelVersion?: string;
}

export interface PredictionDoc {
  /** `<source.id>:<itemId>`: storing the same source's prediction for an item again replaces it (a resumed run adds no duplicate). */
  _id: string;
  schemaVersion: 1;
  projectId: ObjectId;
  itemId: ObjectId;
  source: PredictionSource;
  regions: Region[];
  /** The model's confidence for the whole item (0..1), when it gave one. */
  score: number | null;
  createdAt: Date;
}

export interface PredictionCollections {
  predictions: Collection<PredictionDoc>;
}

export function predictionCollections(db: Db): PredictionCollections {
  return { predictions: db.collection<PredictionDoc>('predictions') };
}

export async function ensurePredictionIndexes(d: PredictionCollections): Promise<void> {
  await d.predictions.createIndex({ itemId: 1, createdAt: -1 }, { name: 'item_created' });
  await d.predictions.createIndex({ projectId: 1, 'source.id': 1 }, { name: 'project_source' });
}
