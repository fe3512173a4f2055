import type { ObjectId } from 'mongodb';
import type { AgreementDoc, Database, ReviewDoc } from '@labelwork/engine';

/** Mongo access of review: inserts on the verdict path, small filtered reads for the views. */
export const reviewsRepo = {
  insert: (db: Database, docs: ReviewDoc[]) => (docs.length ? db.reviews.insertMany(docs).then(() => undefined) : Promise.resolve()),
  commentsOf: (db: Database, annotationId: ObjectId) =>
    db.reviews.find({ annotationId, type: 'comment' }).sort({ at: 1 }).limit(500).toArray() as Promise<
      Extract<ReviewDoc, { type: 'comment' }>[]
    >,
  /** Verdicts and comments on a user's work after `since` (a reconnecting client's catch-up). */
  inbox: (db: Database, annotatorId: ObjectId, since: Date, limit: number) =>
    db.reviews
      .find({ annotatorId, at: { $gt: since } })
      .sort({ at: 1 })
      .limit(limit)
      .toArray(),
  verdictsOf: (db: Database, projectId: ObjectId, filter: { annotationId?: ObjectId; annotatorId?: ObjectId }, limit: number) =>
    db.reviews
      .find({ projectId, type: 'verdict', ...filter })
      .sort({ at: -1 })
      .limit(limit)
      .toArray() as Promise<Extract<ReviewDoc, { type: 'verdict' }>[]>,
  itemQuality: (db: Database, itemId: ObjectId) =>
    db.agreements.findOne({ _id: `item:${itemId.toHexString()}` }) as Promise<Extract<AgreementDoc, { scope: 'item' }> | null>,
};
