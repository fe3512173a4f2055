/**
 * The database: every collection, its document type (documents.ts) and its indexes, declared once
 * here for server and workers alike. Write to the MongoDB subset FerretDB 1.24 also supports.
 */
import {
  GridFSBucket,
  MongoBulkWriteError,
  MongoClient,
  MongoServerError,
  type Collection,
  type Db,
  type ReadPreferenceMode,
} from 'mongodb';
import type {
  AgreementDoc,
  AnnotationDoc,
  AssignmentEventDoc,
  AuditDoc,
  CounterDoc,
  DraftDoc,
  ImportDoc,
  InboxDoc,
  ItemDoc,
  ProjectDoc,
  QueueBatchDoc,
  QueueDoc,
  ReviewDoc,
  SkipDoc,
  UserDoc,
} from './documents.ts';
import { ensurePredictionIndexes, predictionCollections, type PredictionCollections } from './predictions.ts';
import { datasetCollections, ensureDatasetIndexes, type DatasetCollections } from './datasets.ts';
import { ensureMlIndexes, mlCollections, type MlCollections } from './ml.ts';
import { datasetImportCollections, ensureDatasetImportIndexes, type DatasetImportCollections } from './dataset-imports.ts';
import { certificationCollections, ensureCertificationIndexes, type CertificationCollections } from './certification.ts';
import { ensureTileIndexes, tileCollections, type TileCollections } from './tiles.ts';

/**
 * The core collections. A feature with collections of its own declares them in
 * engine/src/db/<feature>.ts — doc types, an interface of its collections, a function building them
 * from the Db and one creating its indexes — and adds them in the three places marked FEATURES below.
 */
export interface CoreCollections {
  users: Collection<UserDoc>;
  projects: Collection<ProjectDoc>;
  items: Collection<ItemDoc>;
  imports: Collection<ImportDoc>;
  audit: Collection<AuditDoc>;
  counters: Collection<CounterDoc>;
  assignments: Collection<AssignmentEventDoc>;
  annotations: Collection<AnnotationDoc>;
  drafts: Collection<DraftDoc>;
  skips: Collection<SkipDoc>;
  agreements: Collection<AgreementDoc>;
  queues: Collection<QueueDoc>;
  queueBatches: Collection<QueueBatchDoc>;
  reviews: Collection<ReviewDoc>;
  inbox: Collection<InboxDoc>;
  files: GridFSBucket;
}

/** Every collection, with the client. One object per process, built in the composition root. */
export interface Database
  extends
    CoreCollections,
    DatasetCollections,
    DatasetImportCollections,
    MlCollections,
    PredictionCollections,
    CertificationCollections,
    TileCollections /* FEATURES: , FooCollections */ {
  client: MongoClient;
  db: Db;
  /** Options for dashboard reads (aggregates a lead looks at): a replica set may serve them from a secondary. */
  dashboardReads: { readPreference: ReadPreferenceMode };
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Connection pool size (default 50: the server; workers use fewer). */
  maxPoolSize?: number;
  /** Create the indexes (default true; idempotent, safe with several processes starting at once). */
  ensureIndexes?: boolean;
  /** Write concern `w` ('majority' on a replica set: a write survives the primary's loss); default the server's. */
  writeConcern?: 'majority' | number;
  /** Where dashboard reads go (default primary; 'secondaryPreferred' takes them off a replica set's primary). */
  dashboardReadPreference?: ReadPreferenceMode;
}

function coreCollections(db: Db): CoreCollections {
  return {
    users: db.collection<UserDoc>('users'),
    projects: db.collection<ProjectDoc>('projects'),
    items: db.collection<ItemDoc>('items'),
    imports: db.collection<ImportDoc>('imports'),
    audit: db.collection<AuditDoc>('audit'),
    counters: db.collection<CounterDoc>('counters'),
    assignments: db.collection<AssignmentEventDoc>('assignments'),
    annotations: db.collection<AnnotationDoc>('annotations'),
    drafts: db.collection<DraftDoc>('drafts'),
    skips: db.collection<SkipDoc>('skips'),
    agreements: db.collection<AgreementDoc>('agreements'),
    queues: db.collection<QueueDoc>('queues'),
    queueBatches: db.collection<QueueBatchDoc>('queueBatches'),
    reviews: db.collection<ReviewDoc>('reviews'),
    inbox: db.collection<InboxDoc>('inbox'),
    files: new GridFSBucket(db, { bucketName: 'files' }),
  };
}

/** Connects and (unless told not to) makes sure every index exists. */
export async function connectDatabase(url: string, dbName: string, options: ConnectOptions = {}): Promise<Database> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 10_000,
    maxPoolSize: options.maxPoolSize ?? 50,
    // A write interrupted by a replica-set election is retried once by the driver (on a single server a no-op).
    retryWrites: true,
    ...(options.writeConcern !== undefined ? { writeConcern: { w: options.writeConcern } } : {}),
  });
  await client.connect();
  const db = client.db(dbName);
  const database: Database = {
    client,
    db,
    dashboardReads: { readPreference: options.dashboardReadPreference ?? 'primary' },
    ...coreCollections(db),
    ...datasetCollections(db),
    ...datasetImportCollections(db),
    ...mlCollections(db),
    ...predictionCollections(db),
    ...certificationCollections(db),
    ...tileCollections(db),
    // FEATURES: ...fooCollections(db),
    close: () => client.close(),
  };
  if (options.ensureIndexes !== false) {
    await ensureIndexes(database);
    await ensureDatasetIndexes(database);
    await ensureDatasetImportIndexes(database);
    await ensureMlIndexes(database);
    await ensurePredictionIndexes(database);
    await ensureCertificationIndexes(database);
    await ensureTileIndexes(database);
    // FEATURES: await ensureFooIndexes(database);
  }
  return database;
}

async function ensureIndexes(d: CoreCollections): Promise<void> {
  await d.users.createIndex({ usernameLower: 1 }, { unique: true, name: 'username_unique' });
  await d.projects.createIndex({ ownerId: 1, status: 1 }, { name: 'owner_status' });
  await d.projects.createIndex({ memberIds: 1 }, { name: 'members' });
  await d.items.createIndex({ projectId: 1, seq: 1 }, { name: 'project_seq' });
  await d.imports.createIndex({ projectId: 1, status: 1 }, { name: 'project_status' });
  await d.items.createIndex({ importId: 1 }, { name: 'import' });
  await d.items.createIndex({ projectId: 1, sha256: 1 }, { name: 'project_sha256' });
  await d.imports.createIndex({ projectId: 1, createdAt: -1 }, { name: 'project_created' });
  await d.audit.createIndex({ at: -1 }, { name: 'at' });
  await d.audit.createIndex({ targetType: 1, targetId: 1, at: -1 }, { name: 'target' });
  // Assignment engine: uniqueness is what makes submits idempotent and exact (see docs/assignment.md).
  await d.annotations.createIndex({ submissionId: 1 }, { unique: true, name: 'submission_unique' });
  await d.annotations.createIndex({ slot: 1 }, { unique: true, name: 'slot_unique' });
  await d.annotations.createIndex({ itemId: 1, userId: 1 }, { unique: true, name: 'item_user_unique' });
  await d.annotations.createIndex({ projectId: 1, userId: 1 }, { name: 'project_user' });
  await d.skips.createIndex({ userId: 1, itemId: 1 }, { unique: true, name: 'user_item_unique' });
  await d.skips.createIndex({ projectId: 1 }, { name: 'project' });
  await d.drafts.createIndex({ projectId: 1 }, { name: 'project' });
  await d.assignments.createIndex({ projectId: 1, at: -1 }, { name: 'project_at' });
  await d.assignments.createIndex({ leaseId: 1 }, { name: 'lease' });
  await d.agreements.createIndex({ projectId: 1, scope: 1, at: -1 }, { name: 'project_scope_at' });
  await d.queueBatches.createIndex({ projectId: 1 }, { name: 'project' });
  await d.reviews.createIndex({ projectId: 1, at: -1 }, { name: 'project_at' });
  await d.reviews.createIndex({ annotatorId: 1, at: -1 }, { name: 'annotator_at' });
  // The inbox lists a user's entries unread first, then newest first, and counts the unread ones.
  await d.inbox.createIndex({ userId: 1, read: 1, at: -1 }, { name: 'user_read_at' });
}

/** Reserves `n` consecutive numbers of a named sequence; returns the first. */
export async function reserveSeq(d: Database, name: string, n: number): Promise<number> {
  const r = await d.counters.findOneAndUpdate({ _id: name }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after' });
  if (!r) throw new Error(`counter ${name} not returned`);
  return r.seq - n + 1;
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

/** Stores a quality result under its unique `_id`: insert, or replace when a retry or a recompute finds it there. */
export async function putQualityResult(d: Pick<CoreCollections, 'agreements'>, doc: AgreementDoc): Promise<void> {
  try {
    await d.agreements.insertOne(doc);
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    await d.agreements.replaceOne({ _id: doc._id }, doc);
  }
}
