import { ObjectId } from 'mongodb';
import { TILE_SIZE, TILES_JOBS, needsPyramid, pyramidLevels, pyramidTileCount, type TileManifest } from '@labelwork/core';
import { tilePyramids, type ItemDoc, type PyramidDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';

const PYRAMID_JOB_OPTS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: 1000,
  removeOnFail: 1000,
} as const;

/**
 * Records a queued pyramid for every imported raster image above IMAGE_TILES_MIN_SIDE (SVG draws
 * at any size without one). Called before the items become visible, so a visible large item
 * always has its pyramid's state; the jobs are queued by `queuePyramids` once the import stands.
 */
export async function recordPyramids(ctx: AppContext, docs: ItemDoc[]): Promise<ObjectId[]> {
  const now = new Date(ctx.now());
  const pyramids: PyramidDoc[] = docs.flatMap((d) =>
    d.image && d.image.mime !== 'image/svg+xml' && needsPyramid(d.image.width, d.image.height, ctx.config.IMAGE_TILES_MIN_SIDE)
      ? [
          {
            _id: d.image.fileId,
            schemaVersion: 1 as const,
            projectId: d.projectId,
            itemId: d._id,
            status: 'queued' as const,
            width: d.image.width,
            height: d.image.height,
            tileSize: TILE_SIZE,
            levels: pyramidLevels(d.image.width, d.image.height).length,
            // The worker sets the real one (PNG when the image has transparency).
            format: 'jpeg' as const,
            done: 0,
            total: pyramidTileCount(d.image.width, d.image.height),
            error: null,
            createdAt: now,
            finishedAt: null,
          },
        ]
      : [],
  );
  await tilePyramids.queue(ctx.db, pyramids);
  return pyramids.map((p) => p._id);
}

/** Queues the build of each pyramid (one job per image; a repeated call adds nothing). */
export async function queuePyramids(ctx: AppContext, fileIds: ObjectId[]): Promise<void> {
  for (const id of fileIds) {
    const fileId = id.toHexString();
    await ctx.queues.export.add(TILES_JOBS.pyramid, { fileId }, { ...PYRAMID_JOB_OPTS, jobId: `tile-pyramid-${fileId}` });
  }
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
