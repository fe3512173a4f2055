import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Router } from 'express';
import multer from 'multer';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, requireAuth, requireRole } from '../../http/middleware.ts';
import { ObjectId } from 'mongodb';
import { loadProject } from '../access/index.ts';
import { startPyramids } from '../items/index.ts';
import { restoreBackup } from './backup-restore.ts';
import { writeBackup } from './backup-write.ts';

function uploadDir(configured: string): string {
  const dir = path.join(configured || os.tmpdir(), 'labelwork-restores');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
const noProject = () => new AppError('NOT_FOUND', 'no such project');

/**
 * Whole-project backups (admins only): the backup is streamed as the response (a zip built while
 * it downloads, nothing kept on the server); a restore is an upload that becomes a new project.
 */
export function backupsRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  const admin = requireRole('admin');
  const upload = multer({
    storage: multer.diskStorage({ destination: uploadDir(ctx.config.UPLOAD_DIR) }),
    limits: { fileSize: ctx.config.MAX_UPLOAD_BYTES, files: 1, fields: 0 },
  });

  r.post('/projects/:id/backup', admin, async (req, res) => {
    const id = idParam(req, 'id', noProject());
    const project = await loadProject(ctx, me(req), id, 'manage');
    const stamp = new Date().toISOString().slice(0, 10);
    const name = `${project.name}-backup-${stamp}.zip`;
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="backup.zip"; filename*=UTF-8''${encodeURIComponent(name)}`);
    try {
      const summary = await writeBackup(ctx.db, id, res);
      ctx.log.info('project backed up', { projectId: id.toHexString(), by: me(req).username, bytes: summary.bytes });
    } catch (e) {
      // Headers are gone: the cut-off download has no central directory, so no restore accepts it.
      ctx.log.warn('backup failed', { projectId: id.toHexString(), err: e });
      res.destroy();
    }
  });

  r.post('/backups/restore', admin, (req, res, next) => {
    upload.single('file')(
      req,
      res,
      (err: unknown) =>
        void (async () => {
          if (err) return next(err);
          const f = req.file;
          try {
            if (!f) throw new AppError('VALIDATION_FAILED', 'no file was uploaded (field "file")');
            const summary = await restoreBackup(ctx.db, f.path, {
              owner: me(req),
              workDir: uploadDir(ctx.config.UPLOAD_DIR),
              tilesMinSide: ctx.config.IMAGE_TILES_MIN_SIDE,
            });
            await startPyramids(
              ctx,
              summary.pyramids.map((id) => new ObjectId(id)),
            );
            ctx.log.info('backup restored', { projectId: summary.project.id, by: me(req).username, placeholders: summary.placeholders });
            res.status(201).json(summary);
          } catch (e) {
            next(e);
          } finally {
            if (f) await rm(f.path, { force: true });
          }
        })(),
    );
  });
  return r;
}
