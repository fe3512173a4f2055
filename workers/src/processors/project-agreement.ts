import { UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  DOMAIN_EVENTS,
  ProjectAgreementJobData,
  projectAgreement,
  projectKeys,
  type ItemQualityRow,
  type ProjectAgreementPayload,
} from '@labelwork/core';
import { agreementRunTimeOps } from '@labelwork/core';
import type { WorkerContext } from '../context.ts';
import { execEngineOps } from '@labelwork/engine';
import { putQualityResult, type AgreementDoc } from '@labelwork/engine';
import { appendDomainEvent, domainEventIdOf } from '@labelwork/engine';

/**
 * Project-level agreement (per tool and per annotator pair) from the stored item results, added to
 * the project's time series (`project:<projectId>:<at>`). Scheduled debounced by item completions.
 */
export async function projectAgreementProcessor(w: WorkerContext, job: Job): Promise<ProjectAgreementPayload> {
  const parsed = ProjectAgreementJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`bad project-agreement payload: ${parsed.error.issues[0]?.message}`);
  const projectId = new ObjectId(parsed.data.projectId);
  const started = performance.now();
  const rows = (await w.db.agreements.find({ projectId, scope: 'item' }).toArray()) as Extract<AgreementDoc, { scope: 'item' }>[];
  const result = projectAgreement(rows as ItemQualityRow[]);
  const at = new Date(w.now());
  await putQualityResult(w.db, {
    _id: `project:${parsed.data.projectId}:${at.getTime()}`,
    schemaVersion: 1,
    scope: 'project',
    projectId,
    at,
    ...result,
  });
  await w.db.projects.updateOne({ _id: projectId, 'counts.done': { $lt: rows.length } }, { $set: { 'counts.done': rows.length } });
  const payload: ProjectAgreementPayload = {
    projectId: parsed.data.projectId,
    at: at.toISOString(),
    items: result.items,
    byTool: Object.fromEntries(Object.entries(result.byTool).map(([t, v]) => [t, v?.value ?? null])),
  };
  await execEngineOps(w.redis, agreementRunTimeOps(projectKeys(w.config.REDIS_PREFIX, parsed.data.projectId), performance.now() - started));
  await appendDomainEvent(w.redis, w.config.REDIS_PREFIX, {
    type: DOMAIN_EVENTS.projectAgreementUpdated,
    eventId: domainEventIdOf(job),
    at: w.now(),
    data: payload,
  });
  return payload;
}
