import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import type { AnnotationDoc } from '@labelwork/engine';

/**
 * A submitted annotation document as the annotations writer stores it (for tests that write the
 * collection directly): fresh ids, slot `<item>-0`, no regions unless given; `over` replaces any field.
 */
export function annotationDoc(over: Partial<AnnotationDoc> = {}): AnnotationDoc {
  const projectId = over.projectId ?? new ObjectId();
  const itemId = over.itemId ?? new ObjectId();
  const at = over.createdAt ?? new Date();
  return {
    _id: new ObjectId(),
    schemaVersion: 1,
    projectId,
    itemId,
    userId: new ObjectId(),
    slot: `${itemId.toHexString()}-0`,
    submissionId: randomUUID(),
    leaseId: `${projectId.toHexString()}.${randomUUID()}`,
    gold: false,
    regions: [],
    version: 1,
    status: 'submitted',
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}
