import { ObjectId } from 'mongodb';
import { pyramidJob, type TileManifest } from '@labelwork/core';
import { tilePyramids, type ItemDoc, type PyramidDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';

/**
 * Records a queued pyramid for every imported raster image above IMAGE_TILES_MIN_SIDE (SVG draws
 * at any size without one). Called before the items become visible, so a visible large item
 * always has its pyramid's state; the jobs are queued by `queuePyramids` once the import stands.
 */
export async function recordPyramids(ctx: AppContext, docs: ItemDoc[]): Promise<ObjectId[]> {
  const pyramids = tilePyramids.forItems(docs, ctx.config.IMAGE_TILES_MIN_SIDE, new Date(ctx.now()));
  await tilePyramids.queue(ctx.db, pyramids);
  return pyramids.map((p) => p._id);
}

/** Queues the build of each pyramid (one job per image; a repeated call adds nothing). */
export async function queuePyramids(ctx: AppContext, fileIds: ObjectId[]): Promise<void> {
  for (const id of fileIds) {
    const job = pyramidJob(id.toHexString());
    await ctx.queues.export.add(job.name, job.data, job.opts);
  }
}

/**
 * Queues the builds of recorded pyramids; if they cannot be queued, each is marked failed (its item
 * then shows the whole image) and what was stored stands.
 */
export async function startPyramids(ctx: AppContext, fileIds: ObjectId[]): Promise<void> {
  await queuePyramids(ctx, fileIds).catch(async (e: unknown) => {
    ctx.log.error('queueing tile pyramids failed', { err: e });
    for (const id of fileIds)
      await tilePyramids.finish(ctx.db, id, 'failed', new Date(ctx.now()), { error: 'not queued' }).catch(() => undefined);
  });
}

export function toManifest(p: PyramidDoc): TileManifest {
  return {
    fileId: p._id.toHexString(),
    status: p.status,
    width: p.width,
    height: p.height,
    tileSize: p.tileSize,
    levels: p.levels,
    format: p.format,
    done: p.done,
    total: p.total,
  };
}
