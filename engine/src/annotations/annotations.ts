import type { ObjectId } from 'mongodb';
import { DOMAIN_EVENTS, type Annotation, type AnnotationStatus } from '@labelwork/core';
import type { AnnotationDoc } from '../db/documents.ts';
import type { Database } from '../db/database.ts';
import { appendDomainEvent } from '../events/domain-events.ts';

/**
 * The one writer of the annotations collection: the server's tasks module inserts submissions,
 * its annotations and review modules edit and set verdicts, and imports of finished annotations
 * insert, all through this object. Others only read.
 */
export const annotationsRepo = {
  insert: (db: Database, doc: AnnotationDoc) => db.annotations.insertOne(doc),
  /** A restored backup's annotations (a new project's, ids already remapped), and their removal when the restore fails. */
  insertRestored: (db: Database, docs: AnnotationDoc[]) => db.annotations.insertMany(docs, { ordered: true }),
  deleteOfProject: (db: Database, projectId: ObjectId) => db.annotations.deleteMany({ projectId }),
  /** The annotations an import of finished annotations stored (their lease id names the import). */
  ofImport: (db: Database, projectId: ObjectId, importLeaseId: string) =>
    db.annotations.find({ projectId, leaseId: importLeaseId }).toArray(),
  /** Removes one imported annotation again (its import failed: all or nothing). */
  deleteImported: (db: Database, id: ObjectId, importLeaseId: string) => db.annotations.deleteOne({ _id: id, leaseId: importLeaseId }),
  bySubmission: (db: Database, submissionId: string) => db.annotations.findOne({ submissionId }),
  bySlot: (db: Database, slot: string) => db.annotations.findOne({ slot }),
  byId: (db: Database, id: ObjectId) => db.annotations.findOne({ _id: id }),
  /** Optimistic update: applies only if the stored version is `version` and the status `status`; null otherwise. */
  updateIfVersion: (db: Database, id: ObjectId, version: number, set: Record<string, unknown>, status: AnnotationStatus = 'submitted') =>
    db.annotations.findOneAndUpdate({ _id: id, version, status }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }),
  /** Records a review verdict's outcome (the version is unchanged: the regions are). */
  setStatus: (db: Database, id: ObjectId, status: AnnotationStatus, at: Date) =>
    db.annotations.updateOne({ _id: id }, { $set: { status, updatedAt: at } }),
  /** How many annotations each of these items has (items with none are absent). */
  async countByItems(db: Database, projectId: ObjectId, itemIds: ObjectId[]): Promise<Map<string, number>> {
    const docs = await db.annotations
      .find({ projectId, itemId: { $in: itemIds } })
      .project<{ itemId: ObjectId }>({ itemId: 1 })
      .toArray();
    const out = new Map<string, number>();
    for (const d of docs) out.set(d.itemId.toHexString(), (out.get(d.itemId.toHexString()) ?? 0) + 1);
    return out;
  },
  list: (db: Database, projectId: ObjectId, filter: { itemId?: ObjectId; userId?: ObjectId }, limit: number) =>
    db.annotations
      .find({ projectId, ...filter })
      .limit(limit)
      .toArray(),
  /** Every annotation of a project (a cursor: projects can be large). */
  allOfProject: (db: Database, projectId: ObjectId) => db.annotations.find({ projectId }),
  /** Annotations of a project with a region of one of these labels. */
  withLabels: (db: Database, projectId: ObjectId, labels: string[]) => db.annotations.find({ projectId, 'regions.label': { $in: labels } }),
  /** Replaces the regions if the version is still `version` (whatever the status), bumping it; null otherwise. */
  replaceRegions: (db: Database, id: ObjectId, version: number, regions: AnnotationDoc['regions'], at: Date) =>
    db.annotations.findOneAndUpdate(
      { _id: id, version },
      { $set: { regions, updatedAt: at }, $inc: { version: 1 } },
      { returnDocument: 'after' },
    ),
};

/** An annotation as the API returns it. */
export function toAnnotation(d: AnnotationDoc): Annotation {
  return {
    id: d._id.toHexString(),
    projectId: d.projectId.toHexString(),
    itemId: d.itemId.toHexString(),
    userId: d.userId.toHexString(),
    submissionId: d.submissionId,
    regions: d.regions,
    version: d.version,
    status: d.status,
    ...(d.durationMs !== undefined ? { durationMs: d.durationMs } : {}),
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/**
 * Records that an annotation was submitted (`created`) or its regions changed (`updated`: the
 * author's edit or rework, a reviewer's fix with `reviewId`) as an `annotation.saved` domain event,
 * for the workers (model-backend webhooks). One Redis append, nothing else: whatever acts on it
 * runs later in the workers, so no backend can slow or fail the write. The event id names the
 * annotation's version, so recording the same change twice (a retried submit) is deduplicated by
 * consumers.
 */
export async function recordAnnotationSaved(
  redis: Parameters<typeof appendDomainEvent>[0],
  prefix: string,
  ann: Pick<AnnotationDoc, '_id' | 'projectId' | 'itemId' | 'version' | 'gold'>,
  action: 'created' | 'updated',
  at: number,
  reviewId?: string,
): Promise<void> {
  const annotationId = ann._id.toHexString();
  await appendDomainEvent(redis, prefix, {
    type: DOMAIN_EVENTS.annotationSaved,
    eventId: `annotation:${annotationId}:${ann.version}:${action}${reviewId ? `:${reviewId}` : ''}`,
    at,
    data: {
      projectId: ann.projectId.toHexString(),
      itemId: ann.itemId.toHexString(),
      annotationId,
      version: ann.version,
      action,
      gold: ann.gold,
      ...(reviewId ? { reviewId } : {}),
    },
  });
}

export { AnnotationInserts, ANNOTATION_INSERT_BATCH_MAX } from './annotation-inserts.ts';
