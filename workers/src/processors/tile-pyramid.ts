import { createWriteStream } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import sharp from 'sharp';
import { DOMAIN_EVENTS, PYRAMID_MAX_PIXELS, TilePyramidJobData, pyramidLevels, type PyramidStatus } from '@labelwork/core';
import { appendDomainEvent, tilePyramids, type PyramidDoc } from '@labelwork/engine';
import type { WorkerContext } from '../context.ts';
import { scratchDir } from '../infra/scratch.ts';

/** Progress events are informative: at most one per this interval, the final one always. */
const PROGRESS_EVERY_MS = 500;
/** Tiles stored in GridFS at once. */
const STORE_CONCURRENCY = 8;

function progressReporter(w: WorkerContext, p: PyramidDoc) {
  let last = 0;
  return async (status: PyramidStatus, done: number, force = false): Promise<void> => {
    const now = w.now();
    if (!force && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    if (status === 'building') await tilePyramids.progress(w.db, p._id, done).catch(() => undefined);
    await appendDomainEvent(w.redis, w.config.REDIS_PREFIX, {
      type: DOMAIN_EVENTS.tilesProgress,
      eventId: `tiles:${p._id.toHexString()}:${status}:${done}:${now}`,
      at: now,
      data: {
        projectId: p.projectId.toHexString(),
        itemId: p.itemId.toHexString(),
        fileId: p._id.toHexString(),
        status,
        done,
        total: p.total,
      },
    }).catch((err: unknown) => w.log.warn('tiles progress event not sent', { err }));
  };
}

/** Files under the deep-zoom directory so far (tiles libvips has written). */
async function countTiles(dir: string): Promise<number> {
  let n = 0;
  for (const level of await readdir(dir).catch(() => [] as string[])) {
    if (!/^\d+$/.test(level)) continue;
    n += (await readdir(path.join(dir, level)).catch(() => [] as string[])).length;
  }
  return n;
}

/**
 * Builds one image's tile pyramid (docs/tile-pyramids.md): the original is copied from GridFS to a
 * temp file, libvips cuts the deep-zoom tiles (streaming: memory stays bounded whatever the size,
 * and `limitInputPixels` keeps the import's pixel limit), and the tiles are stored in the `tiles`
 * bucket. Progress — half for cutting, half for storing — goes to the pyramid document and, as
 * `tiles:progress`, to the project room. A retry starts over (`start` removes earlier tiles).
 */
export async function tilePyramidProcessor(w: WorkerContext, job: Job): Promise<{ status: string; tiles?: number }> {
  const parsed = TilePyramidJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('bad tile-pyramid job payload');
  const fileId = new ObjectId(parsed.data.fileId);
  const pyramid = await tilePyramids.byFileId(w.db, fileId);
  if (!pyramid || pyramid.status === 'ready') return { status: pyramid?.status ?? 'missing' };
  const report = progressReporter(w, pyramid);
  const tmp = await scratchDir('tiles');
  try {
    const original = path.join(tmp, 'original');
    await pipeline(w.db.files.openDownloadStream(fileId), createWriteStream(original, { mode: 0o600 }));
    sharp.cache(false);
    const input = () => sharp(original, { limitInputPixels: PYRAMID_MAX_PIXELS, sequentialRead: true }).rotate();
    const meta = await input().metadata();
    const format = meta.hasAlpha ? 'png' : 'jpeg';
    await tilePyramids.start(w.db, fileId, format);
    await report('building', 0, true);
    const total = pyramid.total;
    const out = path.join(tmp, 'p.dz');
    const dir = path.join(tmp, 'p_files');
    const encoded = format === 'png' ? input().png({ compressionLevel: 6 }) : input().jpeg({ quality: 80, mozjpeg: false });
    const cutting = encoded.tile({ size: pyramid.tileSize, overlap: 0, layout: 'dz', depth: 'onetile' }).toFile(out);
    const watch = setInterval(() => {
      void countTiles(dir).then((n) => report('building', Math.floor(Math.min(n, total) / 2)));
    }, PROGRESS_EVERY_MS);
    try {
      await cutting;
    } finally {
      clearInterval(watch);
    }
    const levels = pyramidLevels(pyramid.width, pyramid.height, pyramid.tileSize);
    const ext = format === 'png' ? 'png' : 'jpeg';
    const todo = levels.flatMap((l) =>
      Array.from({ length: l.cols * l.rows }, (_, i) => ({ level: l.level, col: i % l.cols, row: Math.floor(i / l.cols) })),
    );
    if (todo.length !== total) throw new Error(`expected ${total} tiles, the pyramid has ${todo.length}`);
    let stored = 0;
    let next = 0;
    const store = async () => {
      while (next < todo.length) {
        const t = todo[next++]!;
        const data = await readFile(path.join(dir, String(t.level), `${t.col}_${t.row}.${ext}`));
        await tilePyramids.putTile(w.db, fileId, t.level, t.col, t.row, data);
        stored++;
        await report('building', Math.floor((total + stored) / 2));
      }
    };
    await Promise.all(Array.from({ length: STORE_CONCURRENCY }, store));
    await tilePyramids.finish(w.db, fileId, 'ready', new Date(w.now()), { done: total });
    await report('ready', total, true);
    return { status: 'ready', tiles: total };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** After the last attempt failed: the pyramid says so (its item falls back to the full image). */
export async function tilePyramidFailed(w: WorkerContext, job: Job, err: Error): Promise<void> {
  const parsed = TilePyramidJobData.safeParse(job.data);
  if (!parsed.success) return;
  const fileId = new ObjectId(parsed.data.fileId);
  const pyramid = await tilePyramids.byFileId(w.db, fileId);
  if (!pyramid || pyramid.status === 'ready') return;
  await tilePyramids.finish(w.db, fileId, 'failed', new Date(w.now()), { error: err.message.slice(0, 300) });
  await progressReporter(w, pyramid)('failed', pyramid.done, true);
}
