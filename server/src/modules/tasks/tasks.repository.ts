import type { ObjectId } from 'mongodb';
import {
  isDuplicateKey,
  type AgreementDoc,
  type Database,
  type DraftDoc,
  type QueueBatchDoc,
  type QueueDoc,
  type SkipDoc,
} from '@labelwork/engine';

/**
 * Mongo access of the assignment engine. On the hot path only inserts and small collections are
 * touched: on FerretDB 1.24 every filtered read or update scans its collection (see docs/assignment.md).
 */

export const DEFAULT_SETTINGS = { paused: false, autoQueue: false, goldWarmup: 0, spread: 50 } as const;

export const queuesRepo = {
  byProject: (db: Database, projectId: ObjectId) => db.queues.findOne({ _id: projectId }),
  /** Creates the settings document if missing (first writer wins). */
  async ensure(db: Database, projectId: ObjectId, now: Date): Promise<QueueDoc> {
    const found = await db.queues.findOne({ _id: projectId });
    if (found) return found;
    const doc: QueueDoc = { _id: projectId, schemaVersion: 1, ...DEFAULT_SETTINGS, version: 1, createdAt: now, updatedAt: now };
    try {
      await db.queues.insertOne(doc);
      return doc;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return (await db.queues.findOne({ _id: projectId })) ?? doc;
    }
  },
  update: (db: Database, projectId: ObjectId, set: Partial<QueueDoc>) =>
    db.queues.findOneAndUpdate({ _id: projectId }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }),
  /** Projects with queued work, to open their queues (and stalled checkers) at start. */
  all: (db: Database) => db.queues.find({}).project<{ _id: ObjectId }>({ _id: 1 }).toArray(),
};

export const batchesRepo = {
  insert: (db: Database, doc: QueueBatchDoc) => db.queueBatches.insertOne(doc),
};

export const assignmentsRepo = {
  recent: (db: Database, projectId: ObjectId, limit: number) => db.assignments.find({ projectId }).sort({ at: -1 }).limit(limit).toArray(),
};

export const draftsRepo = {
  key: (userId: ObjectId | string, itemId: ObjectId | string) => `${String(userId)}:${String(itemId)}`,
  get: (db: Database, userId: ObjectId, itemId: ObjectId) => db.drafts.findOne({ _id: draftsRepo.key(userId, itemId) }),
  /**
   * Idempotent upsert. Two concurrent upserts of a new draft can both try the insert (MongoDB and
   * FerretDB alike), and the loser gets a duplicate key: by then the document exists, so it is
   * retried once as a plain replace.
   */
  async save(db: Database, doc: DraftDoc): Promise<void> {
    try {
      await db.drafts.replaceOne({ _id: doc._id }, doc, { upsert: true });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      await db.drafts.replaceOne({ _id: doc._id }, doc);
    }
  },
  remove: (db: Database, userId: ObjectId, itemId: ObjectId) => db.drafts.deleteOne({ _id: draftsRepo.key(userId, itemId) }),
  byProject: (db: Database, projectId: ObjectId) => db.drafts.find({ projectId }).limit(5000).toArray(),
  /** Every draft of a project (a cursor). */
  allOfProject: (db: Database, projectId: ObjectId) => db.drafts.find({ projectId }),
  /** Drafts of a project with a region of one of these labels. */
  withLabels: (db: Database, projectId: ObjectId, labels: string[]) => db.drafts.find({ projectId, 'regions.label': { $in: labels } }),
  /** Replaces a draft's regions if it was not saved again since `savedAt`; false otherwise. */
  async replaceRegions(db: Database, id: string, savedAt: Date, regions: DraftDoc['regions']): Promise<boolean> {
    const r = await db.drafts.updateOne({ _id: id, savedAt }, { $set: { regions } });
    return r.matchedCount === 1;
  },
};

export const skipsRepo = {
  /** Records a skip; skipping an item twice keeps the first record. */
  async insert(db: Database, doc: SkipDoc): Promise<void> {
    try {
      await db.skips.insertOne(doc);
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
    }
  },
};

export const agreementsRepo = {
  item: (db: Database, itemId: ObjectId) => db.agreements.findOne({ _id: `item:${itemId.toHexString()}` }),
  projectHistory: (db: Database, projectId: ObjectId, limit: number) =>
    db.agreements.find({ projectId, scope: 'project' }).sort({ at: -1 }).limit(limit).toArray() as Promise<
      Extract<AgreementDoc, { scope: 'project' }>[]
    >,
};
