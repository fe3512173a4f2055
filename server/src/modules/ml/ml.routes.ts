import { Router, type Request } from 'express';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { AssistInput, MlBackendInput } from '@labelwork/core';
import { mlMediaSecret, verifyMediaSignature } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth, requireRole } from '../../http/middleware.ts';
import { loadProject } from '../access/index.ts';
import { mlRepo } from './ml.repository.ts';
import {
  attachBackend,
  cancelRun,
  detachBackend,
  listBackends,
  projectMl,
  projectModelQuality,
  refreshHealth,
  registerBackend,
  removeBackend,
  setWebhook,
  startRun,
  trainAttached,
} from './ml.service.ts';
import { assistOnLease, interactiveBackends } from './ml.assist.ts';

const BackendRef = z.object({ backendId: z.string().regex(/^[0-9a-f]{24}$/) });
const WebhookInput = BackendRef.extend({ enabled: z.boolean() });
const notFound = () => new AppError('NOT_FOUND', 'no such backend');
const forbidden = () => new AppError('FORBIDDEN', 'you have no access to this project');

/** The origin backends fetch signed media from: PUBLIC_URL when set, else the one the lead's browser used. */
function mediaBase(ctx: AppContext, req: Request): string {
  return ctx.config.PUBLIC_URL || `${req.protocol}://${req.get('host') ?? `${ctx.config.HOST}:${ctx.config.PORT}`}`;
}

/** Media for model backends: no session, a signature instead (engine/src/ml/media-url.ts). Mounted before the session middleware. */
export function mlMediaRoutes(ctx: AppContext): Router {
  const r = Router();
  r.get('/ml/media/:fileId', async (req, res, next) => {
    // The signature is the caller's only credential: without a valid one the caller is not authenticated.
    const denied = new AppError('UNAUTHENTICATED', 'the media link is invalid or has expired');
    const fileId = idParam(req, 'fileId', denied);
    const q = z.object({ p: z.string().regex(/^[0-9a-f]{24}$/), e: z.coerce.number().int(), s: z.string().max(100) }).safeParse(req.query);
    if (!q.success) throw denied;
    const secret = await mlMediaSecret(ctx.db);
    if (!verifyMediaSignature(secret, fileId.toHexString(), q.data.p, q.data.e, q.data.s, Math.floor(ctx.now() / 1000))) throw denied;
    const info = await mlRepo.fileInfo(ctx.db, fileId);
    const owner = info?.metadata?.projectId;
    if (!info || !(owner instanceof ObjectId) || owner.toHexString() !== q.data.p) throw denied;
    res.setHeader('Content-Type', String(info.metadata?.mime ?? 'application/octet-stream'));
    res.setHeader('Content-Length', String(info.length));
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    mlRepo.fileStream(ctx.db, fileId).on('error', next).pipe(res);
  });
  return r;
}

/**
 * Interactive assistance for annotators (their routes must come before routers that end in a
 * managers-only `use`): the holder of a lease asks an interactive backend to turn a hint into regions.
 */
export function mlAssistRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  r.get('/projects/:id/ml/assist', async (req, res) => {
    const project = await loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'view');
    res.json({ backends: await interactiveBackends(ctx, project._id) });
  });
  r.post('/tasks/:leaseId/assist', async (req, res) => {
    const leaseId = z.string().min(1).max(200).safeParse(req.params.leaseId);
    if (!leaseId.success) throw new AppError('NOT_FOUND', 'no such lease');
    res.json(await assistOnLease(ctx, me(req), leaseId.data, parseBody(AssistInput, req.body), mediaBase(ctx, req)));
  });
  return r;
}

/** Model backends (admins register them) and a project's Models panel (its leads attach backends and run pre-annotation). */
export function mlRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);

  r.get('/ml/backends', requireRole('admin'), async (_req, res) => {
    res.json({ backends: await listBackends(ctx) });
  });
  r.post('/ml/backends', requireRole('admin'), async (req, res) => {
    res.status(201).json({ backend: await registerBackend(ctx, me(req), parseBody(MlBackendInput, req.body)) });
  });
  r.delete('/ml/backends/:id', requireRole('admin'), async (req, res) => {
    await removeBackend(ctx, me(req), idParam(req, 'id', notFound()));
    res.json({ ok: true });
  });
  r.post('/ml/backends/:id/health', requireRole('admin'), async (req, res) => {
    res.json({ backend: await refreshHealth(ctx, idParam(req, 'id', notFound())) });
  });

  const managed = async (req: Request) => loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'manage');
  r.get('/projects/:id/ml', requireRole('admin', 'lead'), async (req, res) => {
    res.json(await projectMl(ctx, await managed(req)));
  });
  r.get('/projects/:id/ml/quality', requireRole('admin', 'lead'), async (req, res) => {
    res.json({ versions: await projectModelQuality(ctx, await managed(req)) });
  });
  r.post('/projects/:id/ml/attach', requireRole('admin', 'lead'), async (req, res) => {
    const project = await managed(req);
    const { backendId } = parseBody(BackendRef, req.body);
    res.json(await attachBackend(ctx, me(req), project, new ObjectId(backendId)));
  });
  r.post('/projects/:id/ml/detach', requireRole('admin', 'lead'), async (req, res) => {
    const project = await managed(req);
    const { backendId } = parseBody(BackendRef, req.body);
    res.json(await detachBackend(ctx, me(req), project, new ObjectId(backendId)));
  });
  r.post('/projects/:id/ml/train', requireRole('admin', 'lead'), async (req, res) => {
    const project = await managed(req);
    const { backendId } = parseBody(BackendRef, req.body);
    res.json({ result: await trainAttached(ctx, me(req), project, new ObjectId(backendId)) });
  });
  r.post('/projects/:id/ml/webhook', requireRole('admin', 'lead'), async (req, res) => {
    const project = await managed(req);
    const { backendId, enabled } = parseBody(WebhookInput, req.body);
    res.json(await setWebhook(ctx, me(req), project, new ObjectId(backendId), enabled, mediaBase(ctx, req)));
  });
  r.post('/projects/:id/ml/runs', requireRole('admin', 'lead'), async (req, res) => {
    const project = await managed(req);
    const { backendId } = parseBody(BackendRef, req.body);
    res.status(202).json({ run: await startRun(ctx, me(req), project, new ObjectId(backendId), mediaBase(ctx, req)) });
  });
  r.post('/projects/:id/ml/runs/:runId/cancel', requireRole('admin', 'lead'), async (req, res) => {
    const project = await managed(req);
    res.json({ run: await cancelRun(ctx, project, idParam(req, 'runId', new AppError('NOT_FOUND', 'no such run'))) });
  });
  return r;
}
