import type { ObjectId } from 'mongodb';
import { goldAnswers, type Database, type ItemDoc } from '@labelwork/engine';

/** The items module's access to gold answers by label (label merges). */
export const goldLabelsRepo = {
  goldItems: (db: Database, projectId: ObjectId) => db.items.find({ projectId, gold: { $exists: true } }, { projection: { gold: 1 } }),
  withLabels: (db: Database, projectId: ObjectId, labels: string[]) =>
    db.items.find({ projectId, 'gold.regions.label': { $in: labels } }, { projection: { gold: 1 } }),
  replaceGold: (db: Database, id: ObjectId, gold: NonNullable<ItemDoc['gold']>) => db.items.updateOne({ _id: id }, { $set: { gold } }),
  /** Sets the gold answers of many items of one project in one unordered bulk write (through the engine's gold-answers writer). */
  setGoldMany: (db: Database, projectId: ObjectId, answers: readonly { id: ObjectId; gold: NonNullable<ItemDoc['gold']> }[]) =>
    goldAnswers.setMany(db, projectId, answers),
};
