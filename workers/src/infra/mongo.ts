import { MongoBulkWriteError, MongoClient, MongoServerError, type Collection, type Db, type ObjectId } from 'mongodb';
import type { AnnotationContent, ItemQuality, LabelSchema, ProjectAgreement, Region, Tool } from '@labelwork/core';

/**
 * The workers' view of the collections they use: the fields they read or write, in the shapes the
 * server stores (server/src/infra/mongo.ts is the full definition; the server creates the indexes).
 */
export interface ProjectRow {
  _id: ObjectId;
  labelSchema: LabelSchema;
  overlap: number;
  counts: { items: number; gold: number; done: number };
}

export interface ItemRow {
  _id: ObjectId;
  projectId: ObjectId;
  kind: 'image' | 'text';
  text?: string;
  textLength?: number;
  image?: { fileId: ObjectId; name: string; mime: string; width: number; height: number };
  meta?: Record<string, unknown>;
  gold?: AnnotationContent;
  isGold: boolean;
  status: string;
  annotationCount: number;
  importId: ObjectId;
  completedAt?: Date;
}

export interface AnnotationRow {
  _id: ObjectId;
  projectId: ObjectId;
  itemId: ObjectId;
  userId: ObjectId;
  slot: string;
  gold: boolean;
  regions: Region[];
  version: number;
}

/**
 * Set on an item result whose polygon IoUs were not all exact: `raster` (costly pairs measured on a
 * grid), `boxes` (too many pairs, or polygon IoU failed: polygons compared as their bounding boxes).
 */
export interface QualityApproximation {
  method: 'raster' | 'boxes';
  polygonPairs: number;
  reason: string;
}

export type AgreementRow =
  | ({
      _id: string;
      schemaVersion: 1;
      scope: 'item';
      projectId: ObjectId;
      itemId: ObjectId;
      at: Date;
      k: number;
      annotationIds: ObjectId[];
      approximate?: QualityApproximation;
    } & ItemQuality)
  | {
      _id: string;
      schemaVersion: 1;
      scope: 'gold';
      projectId: ObjectId;
      itemId: ObjectId;
      userId: ObjectId;
      annotationId: ObjectId;
      at: Date;
      value: number | null;
      byTool: Partial<Record<Tool, number | null>>;
    }
  | ({ _id: string; schemaVersion: 1; scope: 'project'; projectId: ObjectId; at: Date } & ProjectAgreement);

export interface QueueBatchRow {
  _id: ObjectId;
  projectId: ObjectId;
  itemIds: ObjectId[];
  k: number;
  priority: number;
}

export interface SkipRow {
  _id: ObjectId;
  projectId: ObjectId;
  itemId: ObjectId;
  userId: ObjectId;
}

export interface WorkerDb {
  client: MongoClient;
  db: Db;
  projects: Collection<ProjectRow>;
  items: Collection<ItemRow>;
  imports: Collection<{ _id: ObjectId; projectId: ObjectId; status: string }>;
  annotations: Collection<AnnotationRow>;
  agreements: Collection<AgreementRow>;
  queueBatches: Collection<QueueBatchRow>;
  skips: Collection<SkipRow>;
  close(): Promise<void>;
}

export async function connectWorkerDb(url: string, name: string): Promise<WorkerDb> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 20 });
  await client.connect();
  const db = client.db(name);
  return {
    client,
    db,
    projects: db.collection('projects'),
    items: db.collection('items'),
    imports: db.collection('imports'),
    annotations: db.collection('annotations'),
    agreements: db.collection('agreements'),
    queueBatches: db.collection('queueBatches'),
    skips: db.collection('skips'),
    close: () => client.close(),
  };
}

/**
 * A unique-index violation: E11000 on MongoDB; FerretDB also answers 11000, sometimes with a
 * generic message. For an unordered bulk insert: every write that failed was one.
 */
export function isDuplicateKey(e: unknown): boolean {
  if (e instanceof MongoBulkWriteError) {
    const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    return errors.length > 0 && errors.every((x) => x.code === 11000 || /duplicate key/i.test(x.errmsg ?? ''));
  }
  return e instanceof MongoServerError && (e.code === 11000 || /duplicate key/i.test(e.message));
}

/** Stores a result under its unique `_id`: insert, or replace when a retry or a recompute finds it there. */
export async function putResult(db: WorkerDb, doc: AgreementRow): Promise<void> {
  try {
    await db.agreements.insertOne(doc);
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    await db.agreements.replaceOne({ _id: doc._id }, doc);
  }
}
