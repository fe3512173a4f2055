import { UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import { MaintenanceJobData, type Region } from '@labelwork/core';
import type { WorkerContext } from '../context.ts';
import { putQualityResult, type AgreementDoc } from '@labelwork/engine';
import { projectAgreementProcessor } from './project-agreement.ts';
import { boundedItemQuality } from './item-agreement.ts';

/**
 * Recomputes the quality of every complete item of a project from the annotations in MongoDB
 * (after a metric change or edits), then the project agreement. Idempotent: results replace results.
 */
export async function recomputeProjectProcessor(w: WorkerContext, job: Job): Promise<{ items: number }> {
  const parsed = MaintenanceJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('bad recompute payload');
  const projectId = new ObjectId(parsed.data.projectId);
  const project = await w.db.projects.findOne({ _id: projectId });
  if (!project) throw new UnrecoverableError('the project no longer exists');
  const items = (await w.db.agreements.find({ projectId, scope: 'item' }).toArray()) as Extract<AgreementDoc, { scope: 'item' }>[];
  const byItem = new Map<string, { annotatorId: string; annotationId: ObjectId; regions: Region[] }[]>();
  for await (const a of w.db.annotations.find({ projectId, gold: false })) {
    const list = byItem.get(a.itemId.toHexString()) ?? [];
    list.push({ annotatorId: a.userId.toHexString(), annotationId: a._id, regions: a.regions });
    byItem.set(a.itemId.toHexString(), list);
  }
  let n = 0;
  for (const it of items) {
    const list = byItem.get(it.itemId.toHexString()) ?? [];
    if (!list.length) continue;
    const { quality, approximate } = boundedItemQuality(w, list, project.labelSchema);
    await putQualityResult(w.db, {
      _id: it._id,
      schemaVersion: 1,
      scope: 'item',
      projectId,
      itemId: it.itemId,
      at: new Date(w.now()),
      k: it.k,
      annotationIds: list.map((a) => a.annotationId),
      ...quality,
      ...(approximate ? { approximate } : {}),
    });
    n++;
    if (n % 100 === 0) await job.updateProgress({ done: n, items: items.length });
  }
  await projectAgreementProcessor(w, { data: { projectId: parsed.data.projectId } } as Job);
  return { items: n };
}
