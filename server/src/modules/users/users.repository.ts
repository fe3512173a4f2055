import type { ObjectId } from 'mongodb';
import { isDuplicateKey, type Database, type UserDoc } from '@labelwork/engine';

export const usersRepo = {
  byId: (db: Database, id: ObjectId) => db.users.findOne({ _id: id }),
  byUsername: (db: Database, username: string) => db.users.findOne({ usernameLower: username.toLowerCase() }),
  list: (db: Database) => db.users.find({}).sort({ usernameLower: 1 }).limit(5000).toArray(),
  byIds: (db: Database, ids: ObjectId[]) => db.users.find({ _id: { $in: ids } }).toArray(),
  anyAdmin: (db: Database) => db.users.findOne({ role: 'admin' }),
  /** Inserts; returns false when the username is taken (unique index, enforced on insert). */
  async insert(db: Database, doc: UserDoc): Promise<boolean> {
    try {
      await db.users.insertOne(doc);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  },
  /** Inserts many new users at once (unordered; a taken username fails the call). */
  insertMany: async (db: Pick<Database, 'users'>, docs: UserDoc[]): Promise<void> => {
    if (docs.length) await db.users.insertMany(docs, { ordered: false });
  },
  /** Sets the level only if the user is still at `from` (null when not). */
  setLevelIf: (db: Database, id: ObjectId, from: UserDoc['level'], to: UserDoc['level'], at: Date) =>
    db.users.findOneAndUpdate({ _id: id, level: from }, { $set: { level: to, updatedAt: at } }, { returnDocument: 'after' }),
  update: (db: Database, id: ObjectId, set: Partial<UserDoc>) =>
    db.users.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }),
};
