import type { ObjectId } from 'mongodb';
import type { Database } from '../db/database.ts';
import type { ItemDoc } from '../db/documents.ts';

/**
 * Gold answers set in bulk (dataset imports): the server's items module (gold-labels) and the
 * workers' dataset-import job both write them through here.
 */
export const goldAnswers = {
  setMany: (db: Database, projectId: ObjectId, answers: readonly { id: ObjectId; gold: NonNullable<ItemDoc['gold']> }[]) =>
    answers.length === 0
      ? Promise.resolve(null)
      : db.items.bulkWrite(
          answers.map((a) => ({ updateOne: { filter: { _id: a.id, projectId }, update: { $set: { gold: a.gold, isGold: true } } } })),
          { ordered: false },
        ),
  /** Takes back answers an import set on items that had none before (a cancelled or failed gold import). */
  unsetMany: (db: Database, projectId: ObjectId, ids: readonly ObjectId[]) =>
    ids.length === 0
      ? Promise.resolve(null)
      : db.items.updateMany({ _id: { $in: [...ids] }, projectId }, { $unset: { gold: '' }, $set: { isGold: false } }),
  /** The project's gold count, counted again from its items (idempotent, whatever ran before). */
  async recount(db: Database, projectId: ObjectId): Promise<number> {
    const n = await db.items.countDocuments({ projectId, isGold: true });
    await db.projects.updateOne({ _id: projectId }, { $set: { 'counts.gold': n } });
    return n;
  },
};
