import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth, requireRole } from '../../http/middleware.ts';
import { loadProject } from '../access/index.ts';
import { filesRepo, importsRepo, itemsRepo } from './items.repository.ts';
import { deleteItems, importImages, importText, setGold, toItem } from './items.service.ts';
import { removeUploads, tempDiskStorage, uploadsOf } from './upload-storage.ts';
import { DecodeSlots } from './image-probe.ts';
import { AnnotationContent, ItemStatus, withoutUnsafeNameChars } from '@labelwork/core';
import { ObjectId } from 'mongodb';
import { pyramidLevels } from '@labelwork/core';
import { tilePyramids } from '@labelwork/engine';
import { toManifest } from './tile-pyramids.ts';

const PageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => (v ? v : undefined)),
  status: ItemStatus.optional(),
  importId: z
    .string()
    .regex(/^[0-9a-f]{24}$/)
    .optional(),
});
const DeleteBody = z.object({
  ids: z
    .array(z.string().regex(/^[0-9a-f]{24}$/))
    .min(1)
    .max(500),
});
const TextFormat = z.object({ format: z.enum(['jsonl', 'csv']).optional(), duplicates: z.enum(['skip', 'import']).default('skip') });
const ImageFields = z.object({ duplicates: z.enum(['skip', 'import']).default('skip') });
const tileIndex = z.coerce.number().int().min(0).max(100_000);
const TileParams = z.object({ level: tileIndex, col: tileIndex, row: tileIndex });
const forbidden = () => new AppError('FORBIDDEN', 'you have no access to this project');

/** Multer gives latin1-decoded names; browsers send UTF-8. */
const fileName = (n: string) => withoutUnsafeNameChars(Buffer.from(n, 'latin1').toString('utf8'));

export function itemsRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  // Images are streamed to temp files (hashed on the way) with a cap on the whole request.
  const images = multer({
    storage: tempDiskStorage(ctx.config.UPLOAD_DIR, ctx.config.MAX_UPLOAD_BYTES),
    limits: { fileSize: ctx.config.MAX_IMAGE_BYTES, files: ctx.config.MAX_UPLOAD_FILES, fields: 10 },
  });
  // Decoding children at once for this server process (built with the app, like its other state).
  const decodeSlots = new DecodeSlots(ctx.config.IMAGE_DECODE_CONCURRENCY);
  const textFile = multer({ storage: multer.memoryStorage(), limits: { fileSize: ctx.config.MAX_IMPORT_BYTES, files: 1, fields: 10 } });

  r.post('/projects/:id/items/images', requireRole('admin', 'lead'), async (req, res, next) => {
    // Access is checked before the body is read, so an outsider cannot make us buffer uploads.
    const project = await loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'manage');
    images.array('files')(
      req,
      res,
      (err: unknown) =>
        void (async () => {
          if (err) return next(err);
          const files = uploadsOf(req);
          try {
            const { duplicates } = parseBody(ImageFields, req.body);
            const result = await importImages(ctx, me(req), project, files, duplicates, decodeSlots);
            res.status(result.created ? 201 : 200).json(result);
          } catch (e) {
            next(e);
          } finally {
            await removeUploads(files);
          }
        })(),
    );
  });

  r.post('/projects/:id/items/text', requireRole('admin', 'lead'), async (req, res, next) => {
    const project = await loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'manage');
    textFile.single('file')(
      req,
      res,
      (err: unknown) =>
        void (async () => {
          if (err) return next(err);
          try {
            const f = req.file;
            if (!f) throw new AppError('VALIDATION_FAILED', 'no file was uploaded (field "file")');
            const name = fileName(f.originalname);
            const { format: declared, duplicates } = parseBody(TextFormat, req.body);
            const format = declared ?? (/\.csv$/i.test(name) ? 'csv' : /\.jsonl?$/i.test(name) || /\.ndjson$/i.test(name) ? 'jsonl' : null);
            if (!format) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'text imports must be .jsonl or .csv (or say format=jsonl|csv)');
            const result = await importText(ctx, me(req), project, name, f.buffer, format, duplicates);
            res.status(result.created ? 201 : 200).json(result);
          } catch (e) {
            next(e);
          }
        })(),
    );
  });

  r.get('/projects/:id/items', requireRole('admin', 'lead'), async (req, res) => {
    const project = await loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'manage');
    const { page, pageSize, q, status, importId } = parseBody(PageQuery, req.query);
    const filter = { ...(q ? { q } : {}), ...(status ? { status } : {}), ...(importId ? { importId: new ObjectId(importId) } : {}) };
    const { docs, total } = await itemsRepo.page(ctx.db, project._id, (page - 1) * pageSize, pageSize, filter);
    const tiles = await tilePyramids.states(
      ctx.db,
      docs.flatMap((d) => (d.image ? [d.image.fileId] : [])),
    );
    const items = docs.map((d) => {
      const p = d.image && tiles.get(d.image.fileId.toHexString());
      return p ? { ...toItem(d), tiles: p } : toItem(d);
    });
    // Unfiltered, the count kept on the project answers (counting items is a scan on FerretDB).
    res.json({ items, total: total ?? project.counts.items, page, pageSize });
  });

  r.post('/projects/:id/items/delete', requireRole('admin', 'lead'), async (req, res) => {
    const project = await loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'manage');
    const { ids } = parseBody(DeleteBody, req.body);
    res.json(
      await deleteItems(
        ctx,
        me(req),
        project,
        [...new Set(ids)].map((i) => new ObjectId(i)),
      ),
    );
  });

  r.get('/projects/:id/imports', requireRole('admin', 'lead'), async (req, res) => {
    const project = await loadProject(ctx, me(req), idParam(req, 'id', forbidden()), 'manage');
    const list = await importsRepo.list(ctx.db, project._id);
    res.json({
      imports: list.map((i) => ({
        id: i._id.toHexString(),
        kind: i.kind,
        fileName: i.fileName,
        status: i.status,
        total: i.total,
        done: i.done,
        error: i.error,
        createdAt: i.createdAt.toISOString(),
      })),
    });
  });

  r.get('/items/:id', requireRole('admin', 'lead'), async (req, res) => {
    const notFound = new AppError('FORBIDDEN', 'you have no access to this item');
    const item = await itemsRepo.byId(ctx.db, idParam(req, 'id', notFound));
    if (!item) throw notFound;
    await loadProject(ctx, me(req), item.projectId, 'manage');
    res.json({ item: toItem(item) });
  });

  r.put('/items/:id/gold', requireRole('admin', 'lead'), async (req, res) => {
    const notFound = new AppError('FORBIDDEN', 'you have no access to this item');
    const item = await itemsRepo.byId(ctx.db, idParam(req, 'id', notFound));
    if (!item) throw notFound;
    const project = await loadProject(ctx, me(req), item.projectId, 'manage');
    const body = parseBody(z.object({ gold: AnnotationContent.nullable() }), req.body);
    res.json({ item: await setGold(ctx, me(req), project, item, body.gold) });
  });

  /** The stored file `:id` if the user may view its project (annotators need images to label), else FORBIDDEN. */
  const viewableFile = async (req: Request) => {
    const denied = new AppError('FORBIDDEN', 'you have no access to this file');
    const id = idParam(req, 'id', denied);
    const info = await filesRepo.info(ctx.db, id);
    const projectId = info?.metadata?.projectId;
    if (!info || !(projectId instanceof ObjectId)) throw denied;
    await loadProject(ctx, me(req), projectId, 'view').catch(() => {
      throw denied;
    });
    return { id, info };
  };

  // Image bytes for anyone who may view the project.
  r.get('/files/:id', async (req, res, next) => {
    const { id, info } = await viewableFile(req);
    const mime = String(info.metadata?.mime ?? 'application/octet-stream');
    res.setHeader('Content-Type', mime);
    // <img> and fetch ignore this; opening an SVG (or anything not a plain raster) as a page downloads it instead.
    const raster = ['image/png', 'image/jpeg', 'image/webp'].includes(mime);
    res.setHeader(
      'Content-Disposition',
      `${raster ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(String((info as { filename?: string }).filename ?? 'file'))}`,
    );
    res.setHeader('Content-Length', String(info.length));
    res.setHeader('Cache-Control', 'private, max-age=86400, immutable');
    // An SVG opened directly must not run anything even if a check were missed.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    filesRepo.stream(ctx.db, id).on('error', next).pipe(res);
  });

  // A large image's tile pyramid (docs/tile-pyramids.md), with the same access as the image itself.
  r.get('/files/:id/tiles', async (req, res) => {
    const { id } = await viewableFile(req);
    const pyramid = await tilePyramids.byFileId(ctx.db, id);
    if (!pyramid) throw new AppError('NOT_FOUND', 'this image has no tile pyramid');
    // The status changes while the pyramid is built.
    res.setHeader('Cache-Control', 'private, no-cache');
    res.json({ manifest: toManifest(pyramid) });
  });

  r.get('/files/:id/tiles/:level/:col/:row', async (req, res) => {
    const { id } = await viewableFile(req);
    const { level, col, row } = parseBody(TileParams, req.params);
    const pyramid = await tilePyramids.byFileId(ctx.db, id);
    if (!pyramid) throw new AppError('NOT_FOUND', 'this image has no tile pyramid');
    if (pyramid.status !== 'ready')
      throw new AppError('CONFLICT', 'the tiles of this image are still being built', { status: pyramid.status });
    const size = pyramidLevels(pyramid.width, pyramid.height, pyramid.tileSize)[level];
    if (!size || col >= size.cols || row >= size.rows)
      throw new AppError('NOT_FOUND', 'no such tile', { levels: pyramid.levels, ...(size ? { cols: size.cols, rows: size.rows } : {}) });
    const tile = await tilePyramids.tile(ctx.db, id, level, col, row);
    if (!tile) throw new AppError('NOT_FOUND', 'no such tile');
    // A ready pyramid's tiles never change: the browser keeps them, and asks again only with the ETag.
    const etag = `"${createHash('sha256').update(tile).digest('base64url').slice(0, 22)}"`;
    res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
    res.setHeader('ETag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', pyramid.format === 'png' ? 'image/png' : 'image/jpeg');
    res.setHeader('Content-Length', String(tile.length));
    res.end(tile);
  });
  return r;
}
