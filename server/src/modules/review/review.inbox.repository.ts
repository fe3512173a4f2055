import type { ObjectId } from 'mongodb';
import type { Database, InboxDoc } from '@labelwork/engine';

/** Mongo access of the annotator's inbox (the `inbox` collection; only review.inbox.ts calls this). */
export const inboxRepo = {
  /** Stores an entry once: its `_id` is the verdict's or comment's id, so a second write changes nothing. */
  put: (db: Database, doc: InboxDoc) => db.inbox.updateOne({ _id: doc._id }, { $setOnInsert: doc }, { upsert: true }).then(() => undefined),
  /** Unread first, then newest first. */
  page: (db: Database, userId: ObjectId, skip: number, limit: number) =>
    db.inbox.find({ userId }).sort({ read: 1, at: -1, _id: -1 }).skip(skip).limit(limit).toArray(),
  total: (db: Database, userId: ObjectId) => db.inbox.countDocuments({ userId }),
  unread: (db: Database, userId: ObjectId) => db.inbox.countDocuments({ userId, read: false }),
  byId: (db: Database, userId: ObjectId, id: ObjectId) => db.inbox.findOne({ _id: id, userId }),
  /** Marks one entry read (the first time only); false when it is not the user's or already read. */
  markRead: (db: Database, userId: ObjectId, id: ObjectId, at: Date) =>
    db.inbox.updateOne({ _id: id, userId, read: false }, { $set: { read: true, readAt: at } }).then((r) => r.modifiedCount > 0),
  markAllRead: (db: Database, userId: ObjectId, at: Date) =>
    db.inbox.updateMany({ userId, read: false }, { $set: { read: true, readAt: at } }).then((r) => r.modifiedCount),
  /** What names an item: its file name or its text. */
  itemNaming: (db: Database, itemId: ObjectId) =>
    db.items.findOne({ _id: itemId }, { projection: { _id: 1, text: 1, 'image.name': 1 } }) as Promise<{
      text?: string;
      image?: { name?: string };
    } | null>,
};
