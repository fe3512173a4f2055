import { Router } from 'express';
import { CreateSnapshotInput, RestoreSnapshotInput, StartExportInput } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth, requireRole } from '../../http/middleware.ts';
import { loadProject } from '../access/index.ts';
import { datasetsRepo } from './datasets.repository.ts';
import { getSnapshotRestore, startSnapshotRestore } from './snapshot-restore-job.ts';
import {
  cancelExport,
  createSnapshot,
  diffSnapshots,
  exportFile,
  exportView,
  getExport,
  getSnapshot,
  snapshotView,
  startExport,
} from './datasets.service.ts';

const forbidden = () => new AppError('FORBIDDEN', 'you have no access to this project');
const noExport = () => new AppError('NOT_FOUND', 'no such export');
const noSnapshot = () => new AppError('NOT_FOUND', 'no such snapshot');

/** Dataset exports (worker jobs, downloaded as a zip) and snapshots (frozen versions): leads and admins of the project. */
export function datasetsRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  const lead = requireRole('admin', 'lead');
  const project = (req: Parameters<Parameters<Router['get']>[1]>[0]) =>
    loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'manage');

  r.post('/projects/:id/exports', lead, async (req, res) => {
    const p = await project(req);
    res.status(201).json({ export: await startExport(ctx, me(req), p, parseBody(StartExportInput, req.body)) });
  });
  r.get('/projects/:id/exports', lead, async (req, res) => {
    const p = await project(req);
    res.json({ exports: (await datasetsRepo.exportsOf(ctx.db, p._id, 100)).map(exportView) });
  });
  r.get('/projects/:id/exports/:exportId', lead, async (req, res) => {
    const p = await project(req);
    res.json({ export: exportView(await getExport(ctx, p, idParam(req, 'exportId', noExport()))) });
  });
  r.post('/projects/:id/exports/:exportId/cancel', lead, async (req, res) => {
    const p = await project(req);
    res.json({ export: await cancelExport(ctx, me(req), p, idParam(req, 'exportId', noExport())) });
  });
  r.get('/projects/:id/exports/:exportId/download', lead, async (req, res, next) => {
    const p = await project(req);
    const { doc, fileId } = await exportFile(ctx, p, idParam(req, 'exportId', noExport()));
    const name = doc.fileName ?? 'export.zip';
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="export.zip"; filename*=UTF-8''${encodeURIComponent(name)}`);
    if (doc.bytes !== null) res.setHeader('Content-Length', String(doc.bytes));
    const stream = ctx.db.files.openDownloadStream(fileId);
    stream.on('error', (e) => (res.headersSent ? res.destroy(e) : next(e)));
    stream.pipe(res);
  });

  r.post('/projects/:id/snapshots', lead, async (req, res) => {
    const p = await project(req);
    res.status(201).json({ snapshot: await createSnapshot(ctx, me(req), p, parseBody(CreateSnapshotInput, req.body)) });
  });
  r.get('/projects/:id/snapshots', lead, async (req, res) => {
    const p = await project(req);
    res.json({ snapshots: (await datasetsRepo.snapshotsOf(ctx.db, p._id)).map(snapshotView) });
  });
  r.get('/projects/:id/snapshots/:snapshotId', lead, async (req, res) => {
    const p = await project(req);
    res.json({ snapshot: snapshotView(await getSnapshot(ctx, p, idParam(req, 'snapshotId', noSnapshot()))) });
  });
  r.post('/projects/:id/snapshots/:snapshotId/restore', lead, async (req, res) => {
    const p = await project(req);
    const input = parseBody(RestoreSnapshotInput, req.body);
    res.status(202).json({ restore: await startSnapshotRestore(ctx, me(req), p, idParam(req, 'snapshotId', noSnapshot()), input) });
  });
  r.get('/projects/:id/snapshots/:snapshotId/restores/:restoreId', lead, async (req, res) => {
    const p = await project(req);
    const restoreId = idParam(req, 'restoreId', new AppError('NOT_FOUND', 'no such restore'));
    res.json({ restore: await getSnapshotRestore(ctx, p, idParam(req, 'snapshotId', noSnapshot()), restoreId) });
  });
  r.get('/projects/:id/snapshots/:snapshotId/diff/:otherId', lead, async (req, res) => {
    const p = await project(req);
    const changelog = await diffSnapshots(ctx, p, idParam(req, 'snapshotId', noSnapshot()), idParam(req, 'otherId', noSnapshot()));
    res.json({ changelog });
  });
  return r;
}
