import type { ObjectId, UpdateFilter } from 'mongodb';
import type { Database } from '../db/database.ts';
import type { ItemDoc } from '../db/documents.ts';

type GoldAnswer = NonNullable<ItemDoc['gold']>;

/** Puts an item's gold answer from before back (none: the item is no longer gold). */
function restore(before: GoldAnswer | null): UpdateFilter<ItemDoc> {
  if (before) return { $set: { gold: before, isGold: true }, $unset: { goldBefore: '' } };
  return { $set: { isGold: false }, $unset: { gold: '', goldBefore: '' } };
}

/**
 * Gold answers set in bulk (dataset imports): the server's items module (gold-labels) and the
 * workers' dataset-import job both write them through here.
 */
export const goldAnswers = {
  /**
   * Sets the answers on those of the items that belong to the project. With `importId` (a gold
   * import), each item's answer from before is kept first in `goldBefore` — once per import, so a
   * retried batch keeps the answer from before the import, not the import's own — for `takeBack`.
   * Items are read once with the project in the filter and then written by `_id` alone: FerretDB
   * scans the collection for every update whose filter has more than `_id` (830 ms per item at 2,500 items).
   */
  async setMany(db: Database, projectId: ObjectId, answers: readonly { id: ObjectId; gold: GoldAnswer }[], importId?: string) {
    if (answers.length === 0) return null;
    const owned = await db.items
      .find({ _id: { $in: answers.map((a) => a.id) }, projectId })
      .project<Pick<ItemDoc, '_id' | 'gold' | 'goldBefore'>>({ _id: 1, gold: 1, goldBefore: 1 })
      .toArray();
    const byId = new Map(owned.map((d) => [d._id.toHexString(), d]));
    const keep = importId ? owned.filter((d) => d.goldBefore?.importId !== importId) : [];
    if (keep.length)
      await db.items.bulkWrite(
        keep.map((d) => ({
          updateOne: { filter: { _id: d._id }, update: { $set: { goldBefore: { importId: importId!, gold: d.gold ?? null } } } },
        })),
        { ordered: false },
      );
    const mine = answers.filter((a) => byId.has(a.id.toHexString()));
    return mine.length === 0
      ? null
      : db.items.bulkWrite(
          mine.map((a) => ({ updateOne: { filter: { _id: a.id }, update: { $set: { gold: a.gold, isGold: true } } } })),
          { ordered: false },
        );
  },
  /** A cancelled or failed gold import: every item it touched gets its answer from before back (or none, as before). */
  async takeBack(db: Database, projectId: ObjectId, importId: string): Promise<number> {
    const touched = await db.items
      .find({ projectId, 'goldBefore.importId': importId })
      .project<Pick<ItemDoc, '_id' | 'goldBefore'>>({ _id: 1, goldBefore: 1 })
      .toArray();
    for (let i = 0; i < touched.length; i += 500)
      await db.items.bulkWrite(
        touched.slice(i, i + 500).map((d) => ({
          updateOne: {
            filter: { _id: d._id },
            update: restore(d.goldBefore?.gold ?? null),
          },
        })),
        { ordered: false },
      );
    return touched.length;
  },
  /** A finished gold import: the answers from before are no longer needed. */
  settle: (db: Database, projectId: ObjectId, importId: string) =>
    db.items.updateMany({ projectId, 'goldBefore.importId': importId }, { $unset: { goldBefore: '' } }),
  /** The project's gold count, counted again from its items (idempotent, whatever ran before). */
  async recount(db: Database, projectId: ObjectId): Promise<number> {
    const n = await db.items.countDocuments({ projectId, isGold: true });
    await db.projects.updateOne({ _id: projectId }, { $set: { 'counts.gold': n } });
    return n;
  },
};
