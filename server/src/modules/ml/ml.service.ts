import { ObjectId } from 'mongodb';
import {
  ML_JOBS,
  mlLogLine,
  mlRunJobId,
  modelQuality,
  type MlBackendInput,
  type MlBackendView,
  type MlRunView,
  type ModelQuality,
  type ModelQualityItem,
  type Region,
} from '@labelwork/core';
import {
  breakerViewOf,
  checkBackendHealth,
  finishCancelledRun,
  markMlWebhooksChanged,
  OutboundError,
  predictionsOfProject,
  recordBackendSuccess,
  reserveSeq,
  resolveBackendAddress,
  setupBackend,
  trainBackend,
  type MlBackendDoc,
  type ProjectDoc,
  type UserDoc,
} from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { breakerDepsOf } from '@labelwork/engine';
import { backendView, mlRepo, runView, webhookView } from './ml.repository.ts';

/** After every write that can change which backends a project's annotations go to (the workers' webhook targets). */
const webhooksChanged = (ctx: AppContext) => markMlWebhooksChanged(ctx.redis, ctx.config.REDIS_PREFIX);

/** An outbound failure as an API error: a refused address is the admin's to fix, anything else the backend's. */
function outboundError(e: unknown): AppError {
  if (e instanceof OutboundError) {
    if (e.reason === 'address_refused' || e.reason === 'bad_url')
      return new AppError(e.reason === 'bad_url' ? 'VALIDATION_FAILED' : 'ML_ADDRESS_REFUSED', e.message);
    return new AppError('ML_BACKEND_UNAVAILABLE', e.message, { reason: e.reason, status: e.status });
  }
  return e instanceof AppError ? e : new AppError('ML_BACKEND_UNAVAILABLE', e instanceof Error ? e.message : String(e));
}

/** Admin: registers a backend after checking its address and its /health (refused unless UP). */
export async function registerBackend(ctx: AppContext, user: UserDoc, input: MlBackendInput): Promise<MlBackendView> {
  try {
    await resolveBackendAddress(input.url, input.allowPrivate);
  } catch (e) {
    throw outboundError(e);
  }
  const doc: MlBackendDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    ...input,
    health: { status: 'unknown', checkedAt: null, modelVersion: null, error: null },
    createdBy: user._id,
    createdAt: new Date(ctx.now()),
  };
  doc.health = await checkBackendHealth(doc, new Date(ctx.now()));
  if (doc.health.status !== 'up') throw new AppError('ML_BACKEND_UNAVAILABLE', doc.health.error ?? 'the backend is not up');
  try {
    await mlRepo.insertBackend(ctx.db, doc);
  } catch (e) {
    if (e instanceof Error && /duplicate key|E11000/i.test(e.message))
      throw new AppError('CONFLICT', `a backend named "${input.name}" exists`);
    throw e;
  }
  await audit(
    ctx,
    user._id,
    'ml.backend.register',
    { type: 'mlBackend', id: doc._id },
    { name: doc.name, url: doc.url, allowPrivate: doc.allowPrivate },
  );
  return viewOf(ctx, doc);
}

export async function removeBackend(ctx: AppContext, user: UserDoc, id: ObjectId): Promise<void> {
  const b = await mlRepo.backend(ctx.db, id);
  if (!b) throw new AppError('NOT_FOUND', 'no such backend');
  await mlRepo.detachEverywhere(ctx.db, id);
  await webhooksChanged(ctx);
  await mlRepo.deleteBackend(ctx.db, id);
  await audit(ctx, user._id, 'ml.backend.remove', { type: 'mlBackend', id }, { name: b.name });
}

/** A backend with its circuit breaker's state. */
async function viewOf(ctx: AppContext, b: MlBackendDoc): Promise<MlBackendView> {
  return backendView(b, await breakerViewOf(breakerDepsOf(ctx), b._id.toHexString()));
}

export async function listBackends(ctx: AppContext): Promise<MlBackendView[]> {
  return Promise.all((await mlRepo.backends(ctx.db)).map((b) => viewOf(ctx, b)));
}

export async function refreshHealth(ctx: AppContext, id: ObjectId): Promise<MlBackendView> {
  const b = await mlRepo.backend(ctx.db, id);
  if (!b) throw new AppError('NOT_FOUND', 'no such backend');
  b.health = await checkBackendHealth(b, new Date(ctx.now()));
  await mlRepo.setHealth(ctx.db, id, b.health);
  // A backend that answers /health UP closes its circuit breaker (the check is its probe).
  if (b.health.status === 'up') await recordBackendSuccess(breakerDepsOf(ctx), b._id.toHexString());
  return viewOf(ctx, b);
}

/** The project's integer id as Label Studio backends expect it (`task['id']`-style caches key on it), reused across backends. */
async function lsProjectOf(ctx: AppContext, project: ProjectDoc): Promise<string> {
  const existing = (await mlRepo.attachments(ctx.db, project._id))[0];
  if (existing) return existing.lsProject;
  const n = await reserveSeq(ctx.db, 'ml-ls-project', 1);
  return `${n}.${Math.floor(project.createdAt.getTime() / 1000)}`;
}

/** Lead: attaches a backend to the project and runs its /setup with the project's label config. */
export async function attachBackend(ctx: AppContext, user: UserDoc, project: ProjectDoc, backendId: ObjectId) {
  const b = await mlRepo.backend(ctx.db, backendId);
  if (!b) throw new AppError('NOT_FOUND', 'no such backend');
  const lsProject = await lsProjectOf(ctx, project);
  let modelVersion: string | null;
  try {
    modelVersion = await setupBackend(b, {
      kind: project.kind,
      labelSchema: project.labelSchema,
      projectId: project._id.toHexString(),
      lsProject,
    });
  } catch (e) {
    throw outboundError(e);
  }
  const before = await mlRepo.attachment(ctx.db, project._id, b._id);
  await mlRepo.putAttachment(ctx.db, {
    ...(before?.webhook ? { webhook: before.webhook } : {}),
    _id: `${project._id}:${b._id}`,
    projectId: project._id,
    backendId: b._id,
    lsProject,
    modelVersion,
    setupError: null,
    attachedBy: user._id,
    attachedAt: new Date(ctx.now()),
  });
  await webhooksChanged(ctx);
  await audit(ctx, user._id, 'ml.attach', { type: 'project', id: project._id }, { backendId: b._id.toHexString(), modelVersion });
  return projectMl(ctx, project);
}

/**
 * Lead: turns the annotation webhook of an attached backend on or off. When on, every submitted
 * annotation of the project (and every later change) is sent to the backend's /webhook by the
 * workers; `mediaBase` is the origin the backend fetches the task's signed image from.
 */
export async function setWebhook(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  backendId: ObjectId,
  enabled: boolean,
  mediaBase: string,
) {
  const attachment = await mlRepo.attachment(ctx.db, project._id, backendId);
  if (!attachment) throw new AppError('CONFLICT', 'attach the backend to the project first');
  await mlRepo.setWebhook(ctx.db, attachment, enabled, ctx.config.PUBLIC_URL || mediaBase);
  await webhooksChanged(ctx);
  await audit(ctx, user._id, 'ml.webhook', { type: 'project', id: project._id }, { backendId: backendId.toHexString(), enabled });
  return projectMl(ctx, project);
}

export async function detachBackend(ctx: AppContext, user: UserDoc, project: ProjectDoc, backendId: ObjectId) {
  await mlRepo.detach(ctx.db, project._id, backendId);
  await webhooksChanged(ctx);
  await audit(ctx, user._id, 'ml.detach', { type: 'project', id: project._id }, { backendId: backendId.toHexString() });
  return projectMl(ctx, project);
}

/** The project's Models panel: every backend (attached or not), its attachment, and the recent runs. */
export async function projectMl(ctx: AppContext, project: ProjectDoc) {
  const [backends, attachments, runs] = await Promise.all([
    mlRepo.backends(ctx.db),
    mlRepo.attachments(ctx.db, project._id),
    mlRepo.runs(ctx.db, project._id),
  ]);
  const byBackend = new Map(attachments.map((a) => [a.backendId.toHexString(), a]));
  return {
    backends: await Promise.all(
      backends.map(async (b) => {
        const a = byBackend.get(b._id.toHexString());
        return {
          ...(await viewOf(ctx, b)),
          attached: a ? { modelVersion: a.modelVersion, attachedAt: a.attachedAt.toISOString(), webhook: webhookView(a) } : null,
        };
      }),
    ),
    runs: runs.map(runView),
  };
}

/** Lead: starts a pre-annotation run of an attached backend over every item (one active run per backend and project). */
export async function startRun(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  backendId: ObjectId,
  mediaBase: string,
): Promise<MlRunView> {
  const attachment = await mlRepo.attachment(ctx.db, project._id, backendId);
  if (!attachment) throw new AppError('CONFLICT', 'attach the backend to the project first');
  const active = await mlRepo.activeRun(ctx.db, project._id, backendId);
  if (active) return runView(active);
  const now = new Date(ctx.now());
  const run = {
    _id: new ObjectId(),
    schemaVersion: 1 as const,
    projectId: project._id,
    backendId,
    status: 'queued' as const,
    mediaBase,
    total: await mlRepo.itemCount(ctx.db, project._id),
    done: 0,
    cursorSeq: 0,
    stored: 0,
    refusedBatches: 0,
    modelVersion: attachment.modelVersion,
    log: [{ at: now, ...mlLogLine('info', { code: 'run.started', params: { user: user.username } }) }],
    cancelRequested: false,
    error: null,
    createdBy: user._id,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
  };
  await mlRepo.insertRun(ctx.db, run);
  await ctx.queues.ml.add(
    ML_JOBS.predictRun,
    { runId: run._id.toHexString() },
    {
      jobId: mlRunJobId(run._id.toHexString()),
      attempts: 6,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: 100,
      removeOnFail: 100,
    },
  );
  await audit(
    ctx,
    user._id,
    'ml.run.start',
    { type: 'project', id: project._id },
    { runId: run._id.toHexString(), backendId: backendId.toHexString() },
  );
  return runView(run);
}

/**
 * Lead: cancels a run. The flag is what a worker holding the run sees (at its next commit, or before
 * it would retry a failed batch). A run job no worker holds — waiting for a worker, or delayed for a
 * retry's backoff or an open breaker's wait, which can be minutes — is removed from the queue here
 * (BullMQ refuses, atomically, while a worker holds the job's lock) and the run ends at once, with
 * the predictions it stored so far kept.
 */
export async function cancelRun(ctx: AppContext, project: ProjectDoc, runId: ObjectId): Promise<MlRunView> {
  await mlRepo.requestCancel(ctx.db, project._id, runId);
  let run = await mlRepo.run(ctx.db, project._id, runId);
  if (!run) throw new AppError('NOT_FOUND', 'no such run');
  if (run.status === 'queued' || run.status === 'running') {
    const removed = await ctx.queues.ml.remove(mlRunJobId(runId.toHexString()));
    if (removed === 1) {
      await finishCancelledRun(ctx.db, run, new Date(ctx.now()));
      run = (await mlRepo.run(ctx.db, project._id, runId)) ?? run;
    }
  }
  return runView(run);
}

export interface ModelVersionQuality extends ModelQuality {
  modelVersion: string | null;
  backend: string;
}

/**
 * Model quality per model version (core's `modelQuality`): the project's model predictions against
 * each item's final answer — the consensus when the quality job made one, else the item's single
 * annotation (rejected work left out). Items without a final answer yet are not counted.
 */
export async function projectModelQuality(ctx: AppContext, project: ProjectDoc): Promise<ModelVersionQuality[]> {
  const groups = new Map<string, { modelVersion: string | null; backend: string; items: ModelQualityItem[] }>();
  const flush = async (batch: { itemId: ObjectId; regions: Region[]; key: string }[]) => {
    const ids = [...new Map(batch.map((b) => [b.itemId.toHexString(), b.itemId])).values()];
    const [agreements, annotations] = await Promise.all([mlRepo.consensusOf(ctx.db, ids), mlRepo.annotationsOf(ctx.db, project._id, ids)]);
    const finals = new Map<string, Region[]>();
    for (const a of agreements) if (a.scope === 'item') finals.set(a.itemId.toHexString(), a.consensus.regions);
    const byItem = new Map<string, Region[][]>();
    for (const a of annotations) {
      if (a.status === 'rejected') continue;
      const list = byItem.get(a.itemId.toHexString()) ?? [];
      list.push(a.regions);
      byItem.set(a.itemId.toHexString(), list);
    }
    for (const [id, list] of byItem) if (!finals.has(id) && list.length === 1) finals.set(id, list[0]!);
    for (const b of batch) {
      const final = finals.get(b.itemId.toHexString());
      if (final) groups.get(b.key)!.items.push({ predicted: b.regions, final });
    }
  };
  let batch: { itemId: ObjectId; regions: Region[]; key: string }[] = [];
  for await (const p of predictionsOfProject(ctx.db, project._id)) {
    if (p.source.kind !== 'model') continue;
    const key = `${p.source.name}\u0000${p.source.modelVersion ?? ''}`;
    if (!groups.has(key)) groups.set(key, { modelVersion: p.source.modelVersion ?? null, backend: p.source.name, items: [] });
    batch.push({ itemId: p.itemId, regions: p.regions, key });
    if (batch.length >= 500) {
      await flush(batch);
      batch = [];
    }
  }
  await flush(batch);
  return [...groups.values()].map((g) => ({ modelVersion: g.modelVersion, backend: g.backend, ...modelQuality(g.items) }));
}

/** Lead: asks an attached backend to train (START_TRAINING webhook); answers what the backend said. */
export async function trainAttached(ctx: AppContext, user: UserDoc, project: ProjectDoc, backendId: ObjectId): Promise<unknown> {
  const [b, attachment] = await Promise.all([mlRepo.backend(ctx.db, backendId), mlRepo.attachment(ctx.db, project._id, backendId)]);
  if (!b || !attachment) throw new AppError('CONFLICT', 'attach the backend to the project first');
  let result: unknown;
  try {
    result = await trainBackend(b, {
      kind: project.kind,
      labelSchema: project.labelSchema,
      projectId: project._id.toHexString(),
      lsProject: attachment.lsProject,
    });
  } catch (e) {
    throw outboundError(e);
  }
  await audit(ctx, user._id, 'ml.train', { type: 'project', id: project._id }, { backendId: backendId.toHexString() });
  return result;
}
