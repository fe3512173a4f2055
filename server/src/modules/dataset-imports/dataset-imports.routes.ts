import { Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { ConfirmImportInput, DATASET_FORMATS, ImportAs, withoutUnsafeNameChars } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth, requireRole } from '../../http/middleware.ts';
import { loadProject } from '../access/index.ts';
import { cancelDatasetImport, confirmDatasetImport, previewDatasetImport, replanDatasetImport, toView } from './dataset-imports.service.ts';
import { datasetImportsRepo } from './dataset-imports.repository.ts';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const PreviewFields = z.strictObject({
  format: z.enum(DATASET_FORMATS),
  as: ImportAs,
  annotator: z.string().trim().min(1).max(80).optional(),
});
function uploadDir(configured: string): string {
  const dir = path.join(configured || os.tmpdir(), 'labelwork-dataset-imports');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
const forbidden = () => new AppError('FORBIDDEN', 'you have no access to this project');
const noImport = () => new AppError('NOT_FOUND', 'no such dataset import');

/** Dataset imports: existing annotations into a project, previewed then confirmed (leads and admins). */
export function datasetImportsRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  const upload = multer({
    // One file, streamed to a temp file (never held in memory); the file size limit caps it.
    storage: multer.diskStorage({ destination: uploadDir(ctx.config.UPLOAD_DIR) }),
    limits: { fileSize: ctx.config.MAX_UPLOAD_BYTES, files: 1, fields: 10 },
  });

  r.post('/projects/:id/dataset-imports', requireRole('admin', 'lead'), async (req, res, next) => {
    // Access first, so an outsider cannot make us store an upload.
    const project = await loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'manage');
    upload.single('file')(
      req,
      res,
      (err: unknown) =>
        void (async () => {
          if (err) return next(err);
          const f = req.file;
          try {
            if (!f) throw new AppError('VALIDATION_FAILED', 'no file was uploaded (field "file")');
            const fields = parseBody(PreviewFields, req.body);
            const name = withoutUnsafeNameChars(Buffer.from(f.originalname, 'latin1').toString('utf8'));
            const view = await previewDatasetImport(ctx, me(req), project, {
              file: { path: f.path, name },
              format: fields.format,
              as: fields.as,
              ...(fields.annotator ? { annotator: fields.annotator } : {}),
            });
            res.status(201).json({ import: view });
          } catch (e) {
            next(e);
          } finally {
            if (f) await rm(f.path, { force: true });
          }
        })(),
    );
  });

  const session = async (req: Parameters<Parameters<Router['get']>[1]>[0]) => {
    const project = await loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'manage');
    const doc = await datasetImportsRepo.byId(ctx.db, project._id, idParam(req, 'importId', noImport()));
    if (!doc) throw noImport();
    return { project, doc };
  };

  r.get('/projects/:id/dataset-imports/:importId', requireRole('admin', 'lead'), async (req, res) => {
    const { doc } = await session(req);
    res.json({ import: toView(doc) });
  });

  r.post('/projects/:id/dataset-imports/:importId/plan', requireRole('admin', 'lead'), async (req, res) => {
    const { project, doc } = await session(req);
    const { mapping } = parseBody(ConfirmImportInput, req.body);
    res.json({ import: await replanDatasetImport(ctx, project, doc, mapping) });
  });

  r.post('/projects/:id/dataset-imports/:importId/confirm', requireRole('admin', 'lead'), async (req, res) => {
    const { project, doc } = await session(req);
    const { mapping, annotators } = parseBody(ConfirmImportInput, req.body);
    const view = await confirmDatasetImport(ctx, me(req), project, doc, mapping, annotators);
    res.status(view.status === 'running' ? 202 : 200).json({ import: view });
  });

  r.post('/projects/:id/dataset-imports/:importId/cancel', requireRole('admin', 'lead'), async (req, res) => {
    const { project, doc } = await session(req);
    res.json({ import: await cancelDatasetImport(ctx, me(req), project, doc) });
  });
  return r;
}
