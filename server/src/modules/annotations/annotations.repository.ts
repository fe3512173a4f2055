import type { ObjectId } from 'mongodb';
import type { Database } from '../../infra/mongo.ts';

export const annotationsRepo = {
  byId: (db: Database, id: ObjectId) => db.annotations.findOne({ _id: id }),
  /** Optimistic update: applies only if the stored version is `version`; null when it moved on. */
  updateIfVersion: (db: Database, id: ObjectId, version: number, set: Record<string, unknown>) =>
    db.annotations.findOneAndUpdate({ _id: id, version, status: 'submitted' }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }),
  list: (db: Database, projectId: ObjectId, filter: { itemId?: ObjectId; userId?: ObjectId }, limit: number) =>
    db.annotations.find({ projectId, ...filter }).limit(limit).toArray(),
};
