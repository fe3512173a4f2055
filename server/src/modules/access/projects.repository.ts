import type { Filter, ObjectId, UpdateFilter } from 'mongodb';
import type { ProjectStatus } from '@labelwork/core';
import type { Database, ProjectDoc } from '@labelwork/engine';

export const projectsRepo = {
  byId: (db: Database, id: ObjectId) => db.projects.findOne({ _id: id }),
  list(db: Database, scope: { userId: ObjectId; all: boolean }, status: ProjectStatus | 'all') {
    const f: Filter<ProjectDoc> = {};
    if (status !== 'all') f.status = status;
    if (!scope.all) f.$or = [{ ownerId: scope.userId }, { memberIds: scope.userId }];
    return db.projects.find(f).sort({ createdAt: -1 }).limit(2000).toArray();
  },
  insert: (db: Database, doc: ProjectDoc) => db.projects.insertOne(doc),
  /** Applies an update only if the stored version is `version`; null when it moved on (or is gone). */
  updateIfVersion: (db: Database, id: ObjectId, version: number, update: UpdateFilter<ProjectDoc>) =>
    db.projects.findOneAndUpdate({ _id: id, version }, { ...update, $inc: { version: 1 } }, { returnDocument: 'after' }),
  update: (db: Database, id: ObjectId, update: UpdateFilter<ProjectDoc>) =>
    db.projects.findOneAndUpdate({ _id: id }, { ...update, $inc: { version: 1 } }, { returnDocument: 'after' }),
  incCounts: (db: Database, id: ObjectId, inc: { items?: number; gold?: number; done?: number }) => {
    const $inc: Record<string, number> = {};
    for (const [k, v] of Object.entries(inc)) if (v) $inc[`counts.${k}`] = v;
    return db.projects.updateOne({ _id: id }, { $inc });
  },
};
