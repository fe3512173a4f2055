import type { ObjectId } from 'mongodb';
import type { AnnotationStatus } from '@labelwork/core';
import type { Database } from '../../infra/mongo.ts';

export const annotationsRepo = {
  byId: (db: Database, id: ObjectId) => db.annotations.findOne({ _id: id }),
  /** Optimistic update: applies only if the stored version is `version` and the status `status`; null otherwise. */
  updateIfVersion: (db: Database, id: ObjectId, version: number, set: Record<string, unknown>, status: AnnotationStatus = 'submitted') =>
    db.annotations.findOneAndUpdate({ _id: id, version, status }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }),
  /** Records a review verdict's outcome (the version is unchanged: the regions are). */
  setStatus: (db: Database, id: ObjectId, status: AnnotationStatus, at: Date) =>
    db.annotations.updateOne({ _id: id }, { $set: { status, updatedAt: at } }),
  list: (db: Database, projectId: ObjectId, filter: { itemId?: ObjectId; userId?: ObjectId }, limit: number) =>
    db.annotations.find({ projectId, ...filter }).limit(limit).toArray(),
};
