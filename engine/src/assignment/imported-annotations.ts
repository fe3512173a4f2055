import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ObjectId } from 'mongodb';
import {
  JOB_NAMES,
  QUALITY_JOB_OPTS,
  importedAnnotationOps,
  itemAgreementJobId,
  replicaJob,
  replicaJobId,
  type ImportSkipReason,
  type ItemAgreementJobData,
  type ProjectKeys,
  type Region,
} from '@labelwork/core';
import { annotationsRepo } from '../annotations/annotations.ts';
import { isDuplicateKey, type Database } from '../db/database.ts';
import type { AnnotationDoc } from '../db/documents.ts';
import { execEngineOps } from './engine-state.ts';

/** What filling replica slots with imported annotations needs: the project's engine keys and queues. */
export interface SlotFillDeps {
  db: Database;
  redis: Redis;
  keys: ProjectKeys;
  /** The project's annotate queue (its replica jobs). */
  queue: Queue;
  /** The quality queue (item agreement). */
  quality: Queue;
}

/** One annotation of an import as finished annotations: `line` numbers it within its import (idempotency). */
export interface ImportedAnnotation {
  line: number;
  itemId: ObjectId;
  userId: ObjectId;
  regions: Region[];
}

export type SlotFill =
  { line: number; stored: true; annotation: AnnotationDoc } | { line: number; stored: false; reason: ImportSkipReason };

/** The filled-slot marker lives as long as a submit's does. */
const MARKER_TTL_S = 7 * 24 * 3600;

/** The submission id of an import line: a retry of the same import finds it instead of storing it twice. */
export const importSubmissionId = (importId: string, line: number) => `import:${importId}:${line}`;

/**
 * Stores an imported annotation as a submitted annotation of its user, filling a free replica slot
 * of its item as a submit would: never beyond the item's overlap k (the queued k, else the project's),
 * never a second annotation by the same user, never on a gold item, never a slot someone holds a lease
 * on. Order as a submit's, so a crash anywhere resumes: the filled marker (a fetch of the slot's job
 * then settles it), the annotation (through the one writer; its submission id is per import line, so a
 * retry finds it), the waiting replica job removed through BullMQ's `Queue.remove`, the Redis
 * bookkeeping (idempotent), and the item's agreement once it has k annotations (idempotent by job id).
 */
export async function fillSlotWithImport(
  deps: SlotFillDeps,
  project: { _id: ObjectId; overlap: number; guideline?: { slug: string; version: string } | null },
  importId: string,
  a: ImportedAnnotation,
  now: Date,
): Promise<SlotFill> {
  const { db, redis, keys } = deps;
  const itemId = a.itemId.toHexString();
  const submissionId = importSubmissionId(importId, a.line);
  const existing = await annotationsRepo.list(db, project._id, { itemId: a.itemId }, 10_000);
  const mine = existing.find((e) => e.submissionId === submissionId);
  const queuedK = await redis.hget(keys.queued, itemId);
  const k = queuedK !== null ? Number(queuedK) || project.overlap : project.overlap;
  if (mine) {
    // A retry: the annotation is in; finish what may not be.
    await settle(deps, project._id, mine, queuedK !== null, k);
    return { line: a.line, stored: true, annotation: mine };
  }
  const item = await db.items.findOne({ _id: a.itemId, projectId: project._id }, { projection: { isGold: 1 } });
  if (!item || item.isGold) return { line: a.line, stored: false, reason: 'gold_item' };
  if (existing.some((e) => e.userId.equals(a.userId))) return { line: a.line, stored: false, reason: 'already_annotated' };
  const ordinary = existing.filter((e) => !e.gold);
  if (ordinary.length >= k) return { line: a.line, stored: false, reason: 'item_full' };
  const taken = new Set(existing.map((e) => e.slot));
  for (let r = 0; r < k; r++) {
    const slot = replicaJobId(itemId, r);
    if (taken.has(slot)) continue;
    if (queuedK !== null && (await redis.hget(keys.holders, slot)) !== null) continue;
    await redis.set(keys.filled(slot), submissionId, 'EX', MARKER_TTL_S);
    const doc: AnnotationDoc = {
      _id: new ObjectId(),
      schemaVersion: 1,
      projectId: project._id,
      itemId: a.itemId,
      userId: a.userId,
      slot,
      submissionId,
      leaseId: importLeaseId(importId),
      gold: false,
      regions: a.regions,
      version: 1,
      status: 'submitted',
      ...(project.guideline ? { guidelineVersion: `${project.guideline.slug}@${project.guideline.version}` } : {}),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await annotationsRepo.insert(db, doc);
    } catch (e) {
      await redis.del(keys.filled(slot));
      if (!isDuplicateKey(e)) throw e;
      const again = await annotationsRepo.bySubmission(db, submissionId);
      if (again) {
        await settle(deps, project._id, again, queuedK !== null, k);
        return { line: a.line, stored: true, annotation: again };
      }
      // Someone submitted meanwhile: their slot or their annotation of the item.
      const now2 = await annotationsRepo.list(db, project._id, { itemId: a.itemId }, 10_000);
      if (now2.some((x) => x.userId.equals(a.userId))) return { line: a.line, stored: false, reason: 'already_annotated' };
      if (now2.filter((x) => !x.gold).length >= k) return { line: a.line, stored: false, reason: 'item_full' };
      taken.add(slot);
      continue;
    }
    await settle(deps, project._id, doc, queuedK !== null, k);
    return { line: a.line, stored: true, annotation: doc };
  }
  return { line: a.line, stored: false, reason: 'item_busy' };
}

/** After the annotation is stored: its replica job out of the queue, the engine's bookkeeping, agreement at k. */
async function settle(deps: SlotFillDeps, projectId: ObjectId, doc: AnnotationDoc, queued: boolean, k: number): Promise<void> {
  const { redis, keys } = deps;
  const itemId = doc.itemId.toHexString();
  // A job someone leased meanwhile stays: its submit finds the slot filled (their work becomes a draft).
  if (queued && (await deps.queue.getJob(doc.slot))) await deps.queue.remove(doc.slot);
  const res = (await redis
    .pipeline(
      importedAnnotationOps(keys, itemId, doc.userId.toHexString(), {
        annotationId: doc._id.toHexString(),
        regions: doc.regions,
        version: doc.version,
      }).map((o) => [...o]),
    )
    .exec()) ?? [[null, 0]];
  if (res[0]?.[0]) throw res[0][0];
  const count = Number(res[0]?.[1] ?? 0);
  if (count >= k) {
    const data: ItemAgreementJobData = { projectId: projectId.toHexString(), itemId, k, fromDb: true };
    await deps.quality.add(JOB_NAMES.itemAgreement, data, { jobId: itemAgreementJobId(itemId), ...QUALITY_JOB_OPTS });
  }
  await execEngineOps(redis, [['del', keys.filled(doc.slot)]]);
}

/** The lease id an import's annotations carry (no lease: the import filled their slots). */
export const importLeaseId = (importId: string) => `import:${importId}`;

const UNDO_IMPORTED = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and string.find(cur, ARGV[4], 1, true) then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HINCRBY', KEYS[3], 'done', -1); redis.call('HINCRBY', KEYS[4], 'done', -1)
end
redis.call('SREM', KEYS[2], ARGV[2])
return 0
`;

/**
 * Undoes an import of finished annotations that failed part-way (all or nothing): every annotation
 * it stored is removed, its slot's hand-off, exclusion and counters are taken back, and the replica
 * job is put up again for items in the queue. `beforeWithdraw` runs for each annotation before it
 * goes (the caller records the durable `annotation.withdrawn` event there, so what was routed for
 * it — review tasks — is taken back too, even after a crash mid-way). Returns how many annotations went.
 */
export async function withdrawImportedAnnotations(
  deps: SlotFillDeps,
  projectId: ObjectId,
  importId: string,
  beforeWithdraw?: (annotation: { _id: ObjectId; itemId: ObjectId }) => Promise<void>,
): Promise<number> {
  const { db, redis, keys } = deps;
  const docs = await annotationsRepo.ofImport(db, projectId, importLeaseId(importId));
  for (const d of docs) {
    if (beforeWithdraw) await beforeWithdraw(d);
    const itemId = d.itemId.toHexString();
    const userId = d.userId.toHexString();
    await execEngineOps(redis, [
      [
        'eval',
        UNDO_IMPORTED,
        4,
        keys.itemAnnotations(itemId),
        keys.excluded(userId),
        keys.user(userId),
        keys.stats,
        userId,
        itemId,
        '',
        d._id.toHexString(),
      ],
    ]);
    await annotationsRepo.deleteImported(db, d._id, importLeaseId(importId));
    const k = await redis.hget(keys.queued, itemId);
    const r = Number(d.slot.slice(d.slot.lastIndexOf('-') + 1));
    if (k !== null && Number.isInteger(r) && !(await redis.sismember(keys.complete, itemId))) {
      const job = replicaJob(projectId.toHexString(), { itemId, r, k: Number(k), priority: 50 });
      await deps.queue.add(job.name, job.data, job.opts);
    }
  }
  return docs.length;
}
