import { ObjectId } from 'mongodb';
import {
  assistLabels,
  buildLsAssistContext,
  buildLsLabelConfig,
  buildNativeAssistContext,
  ML_ASSIST_PER_MINUTE,
  ML_MEDIA_TTL_S,
  type AssistInput,
  type AssistReply,
} from '@labelwork/core';
import {
  BackendUnavailableError,
  mlMediaSecret,
  OutboundError,
  predictBatch,
  signedMediaUrl,
  throughBreaker,
  type MlBackendDoc,
  type UserDoc,
} from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { heldLeaseItem } from '../tasks/index.ts';
import { breakerDepsOf } from '@labelwork/engine';
import { mlRepo } from './ml.repository.ts';

/** Assist calls per user and minute, counted in Redis (all server processes share it). */
async function rateLimit(ctx: AppContext, user: UserDoc): Promise<void> {
  const now = ctx.now();
  const key = `${ctx.config.REDIS_PREFIX}:rl:ml-assist:${user._id.toHexString()}:${Math.floor(now / 60_000)}`;
  const n = await ctx.redis.incr(key);
  if (n === 1) await ctx.redis.expire(key, 61);
  if (n > ML_ASSIST_PER_MINUTE)
    throw new AppError('RATE_LIMITED', 'too many assistance requests; wait a moment', {
      retryAfterS: 60 - Math.floor((now % 60_000) / 1000),
    });
}

/** The interactive backends attached to a project (what the workspace offers the Assist tool for), by name. */
export async function interactiveBackends(ctx: AppContext, projectId: ObjectId): Promise<{ id: string; name: string }[]> {
  const attached = new Set((await mlRepo.attachments(ctx.db, projectId)).map((a) => a.backendId.toHexString()));
  return (await mlRepo.backends(ctx.db))
    .filter((b) => b.interactive && attached.has(b._id.toHexString()))
    .map((b) => ({ id: b._id.toHexString(), name: b.name }));
}

/** The interactive backend to ask: the one named, else the first attached one by name. */
async function interactiveBackend(ctx: AppContext, projectId: ObjectId, backendId?: string) {
  const attachments = await mlRepo.attachments(ctx.db, projectId);
  const backends = (await mlRepo.backends(ctx.db)).filter(
    (b) => b.interactive && attachments.some((a) => a.backendId.equals(b._id)) && (!backendId || b._id.toHexString() === backendId),
  );
  const backend = backends[0];
  if (!backend) throw new AppError('ML_NO_INTERACTIVE_BACKEND', 'no interactive model backend is attached to this project');
  return { backend, attachment: attachments.find((a) => a.backendId.equals(backend._id))! };
}

function assistError(e: unknown, b: MlBackendDoc, timeoutMs: number): AppError {
  if (e instanceof BackendUnavailableError)
    return new AppError(
      'ML_BACKEND_CIRCUIT_OPEN',
      `${b.name} failed repeatedly; not asked again until ${new Date(e.retryAt).toISOString()}`,
      {
        backend: b.name,
        retryAt: new Date(e.retryAt).toISOString(),
      },
    );
  if (!(e instanceof OutboundError)) return e instanceof AppError ? e : new AppError('ML_BACKEND_UNAVAILABLE', String(e));
  if (e.reason === 'timeout')
    return new AppError('ML_ASSIST_TIMEOUT', `${b.name} did not answer within ${timeoutMs} ms`, { backend: b.name, timeoutMs });
  if (e.reason === 'address_refused') return new AppError('ML_ADDRESS_REFUSED', e.message);
  if (e.reason === 'bad_json' || e.reason === 'too_large')
    return new AppError('ML_ASSIST_BAD_REPLY', e.message, { backend: b.name, reason: e.reason });
  return new AppError('ML_BACKEND_UNAVAILABLE', e.message, { backend: b.name, reason: e.reason, status: e.status });
}

/**
 * Interactive assistance: the holder of a lease on an image item sends a hint (a positive point or
 * a rough box, in pixels) and a label; an interactive backend attached to the project gets one
 * `/predict` task with the hint as `params.context` (Label Studio's smart-tool shape, or the native
 * one), within ML_ASSIST_TIMEOUT_MS. Its reply goes through the same validation as pre-annotation
 * and comes back in pixels: the editor adds the regions as ordinary, editable ones. Nothing is
 * stored here.
 */
export async function assistOnLease(
  ctx: AppContext,
  user: UserDoc,
  leaseId: string,
  input: AssistInput,
  mediaBase: string,
): Promise<AssistReply> {
  const { project, itemId } = await heldLeaseItem(ctx, user, leaseId);
  if (project.kind !== 'image') throw new AppError('VALIDATION_FAILED', 'assistance works on image items');
  if (!assistLabels(project.labelSchema).includes(input.label))
    throw new AppError('VALIDATION_FAILED', `"${input.label}" is not a box or polygon label of this project`);
  await rateLimit(ctx, user);
  const { backend, attachment } = await interactiveBackend(ctx, project._id, input.backendId);
  const item = await mlRepo.item(ctx.db, new ObjectId(itemId));
  if (!item?.image) throw new AppError('NOT_FOUND', 'the item of this task no longer exists');
  const { width, height } = item.image;
  const context =
    backend.protocol === 'labelwork'
      ? buildNativeAssistContext(input.hint, input.label, project.labelSchema, { width, height })
      : buildLsAssistContext(input.hint, input.label, buildLsLabelConfig('image', project.labelSchema), project.labelSchema, {
          width,
          height,
        });
  if (!context) throw new AppError('VALIDATION_FAILED', 'the hint lies outside the image');
  const pid = project._id.toHexString();
  const expSec = Math.floor(ctx.now() / 1000) + ML_MEDIA_TTL_S;
  const url = signedMediaUrl(mediaBase, await mlMediaSecret(ctx.db), item.image.fileId.toHexString(), pid, expSec);
  const timeoutMs = Math.min(ctx.config.ML_ASSIST_TIMEOUT_MS, backend.timeoutMs);
  let reply;
  try {
    // Through the backend's circuit breaker: while it is open the annotator gets an answer at once.
    reply = await throughBreaker(breakerDepsOf(ctx), backend._id.toHexString(), timeoutMs + 1000, () =>
      predictBatch(backend, {
        kind: 'image',
        labelSchema: project.labelSchema,
        projectId: pid,
        lsProject: attachment.lsProject,
        modelVersion: attachment.modelVersion,
        tasks: [{ id: item.seq, data: { image: url, width, height }, extent: { kind: 'image', width, height } }],
        context,
        timeoutMs,
      }),
    );
  } catch (e) {
    throw assistError(e, backend, timeoutMs);
  }
  if (!reply.ok)
    throw new AppError('ML_ASSIST_BAD_REPLY', `${backend.name}'s reply was refused: ${reply.error.reason}: ${reply.error.message}`, {
      backend: backend.name,
      reason: reply.error.reason,
    });
  const p = reply.predictions[0]!;
  // Only region tools the hint can stand for; choices a backend adds on the side are not this tool's.
  const regions = p.regions.filter((r) => r.type === 'bbox' || r.type === 'polygon');
  return { regions, backend: backend.name, modelVersion: p.modelVersion ?? attachment.modelVersion, ms: Math.round(reply.ms) };
}
