import type { ObjectId } from 'mongodb';
import type { Database, ItemDoc } from '@labelwork/engine';

/** The items module's access to gold answers by label (label merges). */
export const goldLabelsRepo = {
  goldItems: (db: Database, projectId: ObjectId) => db.items.find({ projectId, gold: { $exists: true } }, { projection: { gold: 1 } }),
  withLabels: (db: Database, projectId: ObjectId, labels: string[]) =>
    db.items.find({ projectId, 'gold.regions.label': { $in: labels } }, { projection: { gold: 1 } }),
  replaceGold: (db: Database, id: ObjectId, gold: NonNullable<ItemDoc['gold']>) => db.items.updateOne({ _id: id }, { $set: { gold } }),
};
