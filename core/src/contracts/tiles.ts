import { z } from 'zod';
import { Id } from '../schema/common.ts';

/**
 * Tile pyramids of very large images (docs/tile-pyramids.md). A worker cuts the image into
 * deep-zoom tiles with sharp: level `levels - 1` is full resolution, each level below halves it
 * (rounding up) and level 0 is the first that fits in one tile. Tile (col, row) of a level covers
 * level pixels [col·tileSize, (col+1)·tileSize) × [row·tileSize, …), clipped to the level's size,
 * with no overlap. Region coordinates stay in full-resolution pixels whatever level is drawn.
 */

/** Edge of a tile in pixels. */
export const TILE_SIZE = 512;
/** Images whose longer side is at most this never get a pyramid (the smallest IMAGE_TILES_MIN_SIDE allowed). */
export const TILES_SMALLEST_MIN_SIDE = 2048;

export const PyramidStatus = z.enum(['queued', 'building', 'ready', 'failed']);
export type PyramidStatus = z.infer<typeof PyramidStatus>;

/** What `GET /api/files/:id/tiles` answers: enough to draw any part of the image at any zoom. */
export interface TileManifest {
  fileId: string;
  status: PyramidStatus;
  width: number;
  height: number;
  tileSize: number;
  levels: number;
  /** Tile encoding: JPEG, or PNG for images with transparency. */
  format: 'jpeg' | 'png';
  /** Tiles written so far and in all (progress while building). */
  done: number;
  total: number;
}

export interface LevelSize {
  level: number;
  /** Full-resolution pixels per level pixel (a power of two). */
  factor: number;
  width: number;
  height: number;
  cols: number;
  rows: number;
}

/** Size of every level, coarsest first (level 0 fits in one tile). */
export function pyramidLevels(width: number, height: number, tileSize = TILE_SIZE): LevelSize[] {
  const out: LevelSize[] = [];
  let w = width;
  let h = height;
  let factor = 1;
  for (;;) {
    out.push({ level: 0, factor, width: w, height: h, cols: Math.ceil(w / tileSize), rows: Math.ceil(h / tileSize) });
    if (w <= tileSize && h <= tileSize) break;
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
    factor *= 2;
  }
  return out.reverse().map((l, i) => ({ ...l, level: i }));
}

/** Tiles in the whole pyramid. */
export function pyramidTileCount(width: number, height: number, tileSize = TILE_SIZE): number {
  return pyramidLevels(width, height, tileSize).reduce((n, l) => n + l.cols * l.rows, 0);
}

/** Whether an image this size gets a pyramid, given the configured threshold on its longer side. */
export function needsPyramid(width: number, height: number, minSide: number): boolean {
  return Math.max(width, height) > minSide;
}

/**
 * The level to draw at `scale` screen pixels per image pixel: the coarsest one that still has at
 * least one of its pixels per device pixel (level `levels - 1` when zoomed in past 1:1).
 */
export function levelForScale(levels: readonly LevelSize[], scale: number, devicePixelRatio = 1): LevelSize {
  const want = scale * devicePixelRatio;
  let pick = levels[levels.length - 1]!;
  for (const l of levels) {
    if (want * l.factor <= 1.0001) {
      pick = l;
      break;
    }
  }
  return pick;
}

/** Tiles of `level` that intersect the full-resolution rectangle (clipped to the level). */
export function tilesInRect(
  level: LevelSize,
  rect: { x: number; y: number; w: number; h: number },
  tileSize = TILE_SIZE,
): { col: number; row: number }[] {
  const span = tileSize * level.factor;
  const c0 = Math.max(0, Math.floor(rect.x / span));
  const r0 = Math.max(0, Math.floor(rect.y / span));
  const c1 = Math.min(level.cols - 1, Math.floor((rect.x + rect.w - 1e-9) / span));
  const r1 = Math.min(level.rows - 1, Math.floor((rect.y + rect.h - 1e-9) / span));
  const out: { col: number; row: number }[] = [];
  for (let row = r0; row <= r1; row++) for (let col = c0; col <= c1; col++) out.push({ col, row });
  return out;
}

/** Full-resolution rectangle of one tile (what the client draws it into). */
export function tileRect(
  level: LevelSize,
  col: number,
  row: number,
  fullWidth: number,
  fullHeight: number,
  tileSize = TILE_SIZE,
): { x: number; y: number; w: number; h: number } {
  const lw = Math.min(tileSize, level.width - col * tileSize);
  const lh = Math.min(tileSize, level.height - row * tileSize);
  const x = col * tileSize * level.factor;
  const y = row * tileSize * level.factor;
  // The last column/row ends exactly at the image's edge (levels round their size up).
  const w = col === level.cols - 1 ? fullWidth - x : lw * level.factor;
  const h = row === level.rows - 1 ? fullHeight - y : lh * level.factor;
  return { x, y, w, h };
}

/** Largest image a pyramid is built for (the import's own pixel limit); sharp refuses more. */
export const PYRAMID_MAX_PIXELS = 20_000 * 20_000;
/** Job names (on the `{export}` queue, with the other heavy file work): building one image's pyramid. */
export const TILES_JOBS = { pyramid: 'tile-pyramid' } as const;

/** One build job per image (a repeated add of the same id adds nothing), retried twice. */
export function pyramidJob(fileId: string) {
  return {
    name: TILES_JOBS.pyramid,
    data: { fileId } satisfies TilePyramidJobData,
    opts: {
      jobId: `tile-pyramid-${fileId}`,
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: 1000,
      removeOnFail: 1000,
    },
  } as const;
}

export const TilePyramidJobData = z.object({ fileId: Id });
export type TilePyramidJobData = z.infer<typeof TilePyramidJobData>;

/** Progress of a pyramid build, to the project room (best-effort; the pyramid document holds the truth). */
export const TilesProgressPayload = z.object({
  projectId: Id,
  itemId: Id,
  fileId: Id,
  status: PyramidStatus,
  done: z.number().int(),
  total: z.number().int(),
});
export type TilesProgressPayload = z.infer<typeof TilesProgressPayload>;
