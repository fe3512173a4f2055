import type { ObjectId } from 'mongodb';
import type { Database } from '@labelwork/engine';

/** Reads of the workers' gold results for the staying-certified check. */
export const goldResultsRepo = {
  /** Everyone with a gold result on a project (one read of the project's gold results, only their user ids). */
  async answerers(db: Database, projectId: ObjectId): Promise<ObjectId[]> {
    const docs = await db.agreements.find({ scope: 'gold', projectId }).project<{ userId: ObjectId }>({ _id: 0, userId: 1 }).toArray();
    const users = new Map<string, ObjectId>();
    for (const d of docs) users.set(d.userId.toHexString(), d.userId);
    return [...users.values()];
  },
};
