import { Router } from 'express';
import { z } from 'zod';
import { DraftInput, QueueItemsInput, QueueSettingsPatch, ReassignInput, SkipInput, SubmitInput } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth, requireRole } from '../../http/middleware.ts';
import { assignItem, reassignLease, requeueLease } from './tasks.leases.ts';
import { queueItems } from './tasks.queueing.ts';
import { giveBack, heartbeat, nextTask, saveDraft } from './tasks.service.ts';
import { submitTask } from './tasks.submit.ts';
import {
  itemProgress,
  liveLeases,
  maintenanceStatus,
  projectAgreementHistory,
  projectDrafts,
  queueOverview,
  setPaused,
  startMaintenance,
  updateSettings,
} from './tasks.admin.ts';

const forbidden = () => new AppError('FORBIDDEN', 'you have no access to this project');
const lead = requireRole('admin', 'lead');
const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const ItemParam = z.string().regex(/^[0-9a-f]{24}$/);

function leaseParam(v: unknown): string {
  if (typeof v !== 'string') throw new AppError('NOT_FOUND', 'no such lease');
  return v;
}

function itemParam(v: unknown): string {
  const r = ItemParam.safeParse(v);
  if (!r.success) throw new AppError('NOT_FOUND', 'no such item');
  return r.data;
}

/** Annotator task API (next, heartbeat, draft, submit, skip, release) and the lead's queue admin. */
export function tasksRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);

  // Annotators
  r.post('/projects/:id/tasks/next', async (req, res) => {
    res.json({ task: await nextTask(ctx, me(req), idParam(req, 'id', forbidden())) });
  });
  r.post('/tasks/:leaseId/heartbeat', async (req, res) => {
    res.json(await heartbeat(ctx, me(req), leaseParam(req.params.leaseId)));
  });
  r.put('/tasks/:leaseId/draft', async (req, res) => {
    res.json(await saveDraft(ctx, me(req), leaseParam(req.params.leaseId), parseBody(DraftInput, req.body).regions));
  });
  r.post('/tasks/:leaseId/submit', async (req, res) => {
    const out = await submitTask(ctx, me(req), leaseParam(req.params.leaseId), parseBody(SubmitInput, req.body));
    res.status(out.duplicate ? 200 : 201).json(out);
  });
  r.post('/tasks/:leaseId/skip', async (req, res) => {
    await giveBack(ctx, me(req), leaseParam(req.params.leaseId), parseBody(SkipInput, req.body));
    res.json({ ok: true });
  });
  r.post('/tasks/:leaseId/release', async (req, res) => {
    await giveBack(ctx, me(req), leaseParam(req.params.leaseId), null);
    res.json({ ok: true });
  });

  // Leads
  r.post('/tasks/:leaseId/requeue', lead, async (req, res) => {
    await requeueLease(ctx, me(req), leaseParam(req.params.leaseId));
    res.json({ ok: true });
  });
  r.post('/tasks/:leaseId/reassign', lead, async (req, res) => {
    res.json(await reassignLease(ctx, me(req), leaseParam(req.params.leaseId), parseBody(ReassignInput, req.body).userId));
  });
  r.get('/projects/:id/queue', lead, async (req, res) => {
    res.json(await queueOverview(ctx, me(req), idParam(req, 'id', forbidden())));
  });
  r.patch('/projects/:id/queue', lead, async (req, res) => {
    res.json({ settings: await updateSettings(ctx, me(req), idParam(req, 'id', forbidden()), parseBody(QueueSettingsPatch, req.body)) });
  });
  r.post('/projects/:id/queue/items', lead, async (req, res) => {
    res.json(await queueItems(ctx, me(req), idParam(req, 'id', forbidden()), parseBody(QueueItemsInput, req.body)));
  });
  r.post('/projects/:id/queue/pause', lead, async (req, res) => {
    res.json({ counts: await setPaused(ctx, me(req), idParam(req, 'id', forbidden()), true) });
  });
  r.post('/projects/:id/queue/resume', lead, async (req, res) => {
    res.json({ counts: await setPaused(ctx, me(req), idParam(req, 'id', forbidden()), false) });
  });
  r.get('/projects/:id/queue/items/:itemId', lead, async (req, res) => {
    res.json(await itemProgress(ctx, me(req), idParam(req, 'id', forbidden()), itemParam(req.params.itemId)));
  });
  r.post('/projects/:id/queue/items/:itemId/assign', lead, async (req, res) => {
    res.json(
      await assignItem(
        ctx,
        me(req),
        idParam(req, 'id', forbidden()),
        itemParam(req.params.itemId),
        parseBody(ReassignInput, req.body).userId,
      ),
    );
  });
  r.get('/projects/:id/queue/leases', lead, async (req, res) => {
    res.json({ leases: await liveLeases(ctx, me(req), idParam(req, 'id', forbidden())) });
  });
  r.get('/projects/:id/drafts', lead, async (req, res) => {
    res.json({ drafts: await projectDrafts(ctx, me(req), idParam(req, 'id', forbidden())) });
  });
  r.get('/projects/:id/agreement', lead, async (req, res) => {
    const { limit } = parseBody(HistoryQuery, req.query);
    res.json(await projectAgreementHistory(ctx, me(req), idParam(req, 'id', forbidden()), limit));
  });
  r.post('/projects/:id/queue/requeue-all', lead, async (req, res) => {
    res.status(202).json(await startMaintenance(ctx, me(req), idParam(req, 'id', forbidden()), 'requeue-all'));
  });
  r.post('/projects/:id/queue/recompute', lead, async (req, res) => {
    res.status(202).json(await startMaintenance(ctx, me(req), idParam(req, 'id', forbidden()), 'recompute-project'));
  });
  r.get('/projects/:id/queue/jobs/:jobId', lead, async (req, res) => {
    res.json(await maintenanceStatus(ctx, me(req), idParam(req, 'id', forbidden()), String(req.params.jobId)));
  });
  return r;
}
