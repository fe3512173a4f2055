import { UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import { GoldScoreJobData, goldScore, goldScoredOps, projectKeys, type AnnotationContent } from '@labelwork/core';
import type { WorkerContext } from '../context.ts';
import { projectOf } from '../infra/project-cache.ts';
import { putQualityResult } from '@labelwork/engine';
import { execEngineOps } from '@labelwork/engine';

/**
 * Scores a gold annotation against the gold answer (core's `goldScore`), stores it under
 * `gold:<annotationId>` and adds it to the annotator's accuracy once (a Redis set guards retries).
 */
export async function goldScoreProcessor(w: WorkerContext, job: Job): Promise<{ value: number | null }> {
  const parsed = GoldScoreJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`bad gold-score payload: ${parsed.error.issues[0]?.message}`);
  const d = parsed.data;
  const project = await projectOf(w, d.projectId);
  if (!project) throw new UnrecoverableError('the project no longer exists');
  const keys = projectKeys(w.config.REDIS_PREFIX, d.projectId);
  let gold: AnnotationContent | undefined;
  const cached = await w.redis.get(keys.goldAnswer(d.itemId));
  if (cached) gold = JSON.parse(cached) as AnnotationContent;
  else gold = (await w.db.items.findOne({ _id: new ObjectId(d.itemId) }))?.gold;
  if (!gold) throw new UnrecoverableError('the item has no gold answer');
  const score = goldScore(gold.regions, d.regions, project.labelSchema);
  await putQualityResult(w.db, {
    _id: `gold:${d.annotationId}`,
    schemaVersion: 1,
    scope: 'gold',
    projectId: new ObjectId(d.projectId),
    itemId: new ObjectId(d.itemId),
    userId: new ObjectId(d.userId),
    annotationId: new ObjectId(d.annotationId),
    at: new Date(w.now()),
    value: score.value,
    byTool: score.byTool,
  });
  if (score.value !== null) await execEngineOps(w.redis, goldScoredOps(keys, d.userId, d.annotationId, score.value));
  return { value: score.value };
}
