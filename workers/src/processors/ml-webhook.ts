import { DelayedError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  buildLsAnnotationWebhook,
  buildLsLabelConfig,
  DOMAIN_EVENT_GROUPS,
  DOMAIN_EVENTS,
  ML_JOBS,
  ML_MEDIA_TTL_S,
  ML_NATIVE_PROTOCOL,
  ML_WEBHOOK_ATTEMPTS,
  ML_WEBHOOK_BACKOFF_MS,
  ML_WEBHOOK_LOG_LINES,
  ML_WEBHOOK_TIMEOUT_MS,
  mlLogLine,
  MlWebhookJob,
  mlWebhookJobId,
  type DomainEvent,
  type NativeWebhookRequest,
  type Region,
  SwrCache,
} from '@labelwork/core';
import {
  BackendUnavailableError,
  lsIntId,
  mlMediaSecret,
  mlWebhookGeneration,
  startDomainEventConsumer,
  OutboundError,
  sendAnnotationWebhook,
  signedMediaUrl,
  throughBreaker,
  type Database,
  type MlLogEntry,
} from '@labelwork/engine';
import type { WorkerContext } from '../context.ts';
import { breakerDepsOf } from '@labelwork/engine';

/**
 * Annotation webhooks (online learning). The `ml-webhooks` consumer group of the domain-event
 * stream turns each `annotation.saved` event into one `ml-webhook` job per backend attached to the
 * project with its webhook on (gold answers are not sent); the job posts ANNOTATION_CREATED /
 * ANNOTATION_UPDATED to the backend's /webhook in its protocol, through the guarded outbound client,
 * with retries and exponential backoff. Nothing of this runs in the submit request: a backend that
 * is down delays only its own webhook. Outcomes go to the attachment's counters and log (the
 * project's Models panel).
 */

/** The consumer group's handler: queues the webhooks of one event (idempotent: job ids name backend, annotation version and action). */
export async function queueAnnotationWebhooks(w: WorkerContext, ml: Queue, event: DomainEvent): Promise<number> {
  if (event.type !== DOMAIN_EVENTS.annotationSaved || event.data.gold) return 0;
  const d = event.data;
  const backends = await webhookTargets(w, d.projectId);
  for (const backendId of backends) {
    const data: MlWebhookJob = {
      projectId: d.projectId,
      backendId: backendId.toHexString(),
      annotationId: d.annotationId,
      version: d.version,
      action: d.action === 'created' ? 'ANNOTATION_CREATED' : 'ANNOTATION_UPDATED',
      ...(d.reviewId ? { reviewId: d.reviewId } : {}),
    };
    await ml.add(ML_JOBS.webhook, data, {
      jobId: mlWebhookJobId(data),
      attempts: ML_WEBHOOK_ATTEMPTS,
      backoff: { type: 'exponential', delay: ML_WEBHOOK_BACKOFF_MS },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }
  return backends.length;
}

/** How long a project's webhook targets are kept even when the generation has not moved (a change made around the server, such as a database restore). */
const WEBHOOK_TARGETS_MAX_AGE_MS = 30_000;

/**
 * The process's cache of webhook targets (built by app.ts, kept in `ctx.state.webhookTargets`),
 * keyed `<generation>:<projectId>`: the server moves the generation after every attach, detach and
 * webhook switch (engine `markMlWebhooksChanged`), so a change is seen by the next annotation, and
 * between changes every annotation costs one Redis GET instead of a query (at 250 annotations a
 * second, bench:assign, that query was most of what the database was asked).
 */
export function webhookTargetsCache(db: Database, now: () => number): SwrCache<ObjectId[]> {
  return new SwrCache(
    now,
    WEBHOOK_TARGETS_MAX_AGE_MS,
    WEBHOOK_TARGETS_MAX_AGE_MS,
    async (key) => {
      const projectId = key.slice(key.indexOf(':') + 1);
      const attachments = await db.mlAttachments
        .find({ projectId: new ObjectId(projectId), 'webhook.enabled': true }, { projection: { backendId: 1 } })
        .toArray();
      return attachments.map((a) => a.backendId);
    },
    { maxEntries: 2_000 },
  );
}

/** The backends a project's saved annotations go to. The generation is read before the attachments, so a change made during the read is seen next time. */
async function webhookTargets(w: WorkerContext, projectId: string): Promise<ObjectId[]> {
  const generation = await mlWebhookGeneration(w.redis, w.config.REDIS_PREFIX);
  return w.state.webhookTargets.get(`${generation}:${projectId}`);
}

/** Logs an attempt on the attachment; `count` is what the webhook ended as (failed: given up after its last attempt). */
async function logWebhook(w: WorkerContext, attachmentId: string, line: MlLogEntry, count: 'sent' | 'failed' | null): Promise<void> {
  const at = new Date(w.now());
  await w.db.mlAttachments.updateOne(
    { _id: attachmentId, webhook: { $exists: true } },
    {
      ...(count ? { $inc: { [`webhook.${count}`]: 1 } } : {}),
      $set: { 'webhook.lastAt': at, 'webhook.lastError': count === 'sent' ? null : line.message },
      $push: { 'webhook.log': { $each: [{ ...line, at }], $slice: -ML_WEBHOOK_LOG_LINES } },
    },
  );
}

/** One webhook to one backend. Skips (done) when the webhook was turned off, the backend detached or the annotation deleted. */
export async function mlWebhookProcessor(w: WorkerContext, job: Job): Promise<{ sent: boolean; reason?: string }> {
  const parsed = MlWebhookJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('bad ml-webhook payload');
  const j = parsed.data;
  const projectId = new ObjectId(j.projectId);
  const backendId = new ObjectId(j.backendId);
  const attachmentId = `${projectId}:${backendId}`;
  const [attachment, backend, project, annotation] = await Promise.all([
    w.db.mlAttachments.findOne({ _id: attachmentId }),
    w.db.mlBackends.findOne({ _id: backendId }),
    w.db.projects.findOne({ _id: projectId }),
    w.db.annotations.findOne({ _id: new ObjectId(j.annotationId) }),
  ]);
  if (!attachment?.webhook?.enabled || !backend) return { sent: false, reason: 'webhook off or backend detached' };
  if (!project || !annotation || annotation.gold) return { sent: false, reason: 'annotation gone' };
  const item = await w.db.items.findOne({ _id: annotation.itemId });
  if (!item) return { sent: false, reason: 'item gone' };
  let regions: Region[] = annotation.regions;
  if (j.reviewId) {
    const verdict = await w.db.reviews.findOne({ _id: new ObjectId(j.reviewId) });
    if (verdict && 'fixedRegions' in verdict && verdict.fixedRegions) regions = verdict.fixedRegions;
  }
  const pid = project._id.toHexString();
  let data: { image: string; width: number; height: number } | { text: string };
  if (item.kind === 'image' && item.image) {
    const exp = Math.floor(w.now() / 1000) + ML_MEDIA_TTL_S;
    const url = signedMediaUrl(attachment.webhook.mediaBase, await mlMediaSecret(w.db), item.image.fileId.toHexString(), pid, exp);
    data = { image: url, width: item.image.width, height: item.image.height };
  } else data = { text: item.text ?? '' };
  const what = { action: j.action, seq: item.seq, annotation: j.annotationId.slice(-6), version: j.version };
  let body: unknown;
  if (backend.protocol === 'labelwork') {
    const native: NativeWebhookRequest = {
      protocol: ML_NATIVE_PROTOCOL,
      action: j.action,
      project: pid,
      task: { id: item.seq, data },
      annotation: {
        id: j.annotationId,
        version: annotation.version,
        regions,
        completedBy: annotation.userId.toHexString(),
        createdAt: annotation.createdAt.toISOString(),
        updatedAt: annotation.updatedAt.toISOString(),
      },
    };
    body = native;
  } else {
    const [annId, userId] = await Promise.all([lsIntId(w.db, 'annotation', annotation._id), lsIntId(w.db, 'user', annotation.userId)]);
    body = buildLsAnnotationWebhook({
      action: j.action,
      kind: project.kind,
      labelSchema: project.labelSchema,
      project: {
        id: Number(attachment.lsProject.split('.')[0]),
        title: project.name,
        labelConfig: buildLsLabelConfig(project.kind, project.labelSchema).xml,
      },
      task: { id: item.seq, data: 'text' in data ? { text: data.text } : { image: data.image } },
      extent: 'text' in data ? { text: data.text } : { width: data.width, height: data.height },
      annotation: {
        id: annId,
        regions,
        completedBy: userId,
        createdAt: annotation.createdAt.toISOString(),
        updatedAt: annotation.updatedAt.toISOString(),
        leadTimeS: annotation.durationMs !== undefined ? annotation.durationMs / 1000 : null,
      },
    });
  }
  const attempt = job.attemptsMade + 1;
  try {
    await throughBreaker(breakerDepsOf(w), backend._id.toHexString(), ML_WEBHOOK_TIMEOUT_MS + 5000, () =>
      sendAnnotationWebhook(backend, body, ML_WEBHOOK_TIMEOUT_MS),
    );
  } catch (e) {
    if (e instanceof BackendUnavailableError) {
      // The backend's breaker is open: wait for it without spending an attempt.
      await logWebhook(w, attachmentId, mlLogLine('info', { code: 'webhook.waiting', params: { ...what, until: e.retryAt } }), null);
      await job.moveToDelayed(Math.max(e.retryAt, Date.now() + 100), job.token);
      throw new DelayedError();
    }
    const message = e instanceof Error ? e.message : String(e);
    const final = attempt >= (job.opts.attempts ?? 1) || (e instanceof OutboundError && e.reason === 'address_refused');
    await logWebhook(
      w,
      attachmentId,
      final
        ? mlLogLine('error', { code: 'webhook.gaveUp', params: { ...what, detail: message } })
        : mlLogLine('error', { code: 'webhook.retrying', params: { ...what, attempt, detail: message } }),
      final ? 'failed' : null,
    );
    if (e instanceof OutboundError && e.reason === 'address_refused') throw new UnrecoverableError(message);
    throw e;
  }
  await logWebhook(w, attachmentId, mlLogLine('info', { code: 'webhook.sent', params: { ...what, attempt } }), 'sent');
  return { sent: true };
}

/** Joins the `ml-webhooks` consumer group: each annotation.saved event (appended by the servers) becomes webhook jobs, at least once. */
export async function startAnnotationWebhooks(w: WorkerContext, ml: Queue): Promise<{ stop(): Promise<void> }> {
  const consumer = await startDomainEventConsumer(
    { redis: w.redis, prefix: w.config.REDIS_PREFIX, log: w.log },
    {
      group: DOMAIN_EVENT_GROUPS.mlWebhooks,
      handle: async (event) => {
        await queueAnnotationWebhooks(w, ml, event);
      },
    },
  );
  return { stop: () => consumer.close() };
}
