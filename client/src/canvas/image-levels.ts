import { TILES_SMALLEST_MIN_SIDE, type TileManifest } from '@labelwork/core';
import { levelFactors } from '../editor/viewport.ts';
import { TiledImage } from './tiled-image.ts';

/** One downscaled copy of the image: `factor` 1 is full size, 2 half, 4 a quarter… */
export interface ImageLevel {
  factor: number;
  source: CanvasImageSource;
  width: number;
  height: number;
}

/**
 * An image ready to draw at any zoom: the browser decodes it once (off the main thread) and
 * we keep power-of-two reductions, so a zoomed-out 8,000 × 8,000 px image is drawn from a
 * 1,000 px copy instead of being resampled from 64 megapixels every frame.
 */
export interface ImageLevels {
  width: number;
  height: number;
  levels: ImageLevel[];
  /** Set for an image drawn from its tile pyramid (then `levels` is empty). */
  tiles?: TiledImage;
  close(): void;
}

async function decode(blob: Blob, width?: number, height?: number): Promise<ImageBitmap> {
  if (blob.type !== 'image/svg+xml') return createImageBitmap(blob);
  // createImageBitmap does not take SVG blobs: go through an <img> (scripts never run there).
  const url = URL.createObjectURL(blob);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const w = width ?? (img.naturalWidth || 1024);
    const h = height ?? (img.naturalHeight || 1024);
    return await createImageBitmap(img, { resizeWidth: w, resizeHeight: h });
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Builds the display levels from a decoded image (each from the previous, halving). */
export async function buildLevels(
  full: ImageBitmap | HTMLCanvasElement | OffscreenCanvas,
  width = full.width,
  height = full.height,
): Promise<ImageLevels> {
  const levels: ImageLevel[] = [{ factor: 1, source: full, width: full.width, height: full.height }];
  let prev: ImageLevel = levels[0]!;
  for (const factor of levelFactors({ width, height }).slice(1)) {
    const w = Math.max(1, Math.ceil(width / factor));
    const h = Math.max(1, Math.ceil(height / factor));
    const source = await createImageBitmap(prev.source as ImageBitmapSource, { resizeWidth: w, resizeHeight: h, resizeQuality: 'medium' });
    prev = { factor, source, width: w, height: h };
    levels.push(prev);
  }
  return {
    width,
    height,
    levels,
    close: () => {
      for (const l of levels) if (l.source instanceof ImageBitmap) l.source.close();
    },
  };
}

/** Fetches and decodes an image file and builds its display levels. */
export async function loadImageLevels(
  url: string,
  size: { width: number; height: number } | null,
  signal?: AbortSignal,
): Promise<ImageLevels> {
  const res = await fetch(url, { credentials: 'same-origin', signal: signal ?? null });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const bitmap = await decode(await res.blob(), size?.width, size?.height);
  if (signal?.aborted) {
    bitmap.close();
    throw new DOMException('aborted', 'AbortError');
  }
  // Region coordinates are in the item's pixel size; draw the decoded bitmap stretched to it.
  return buildLevels(bitmap, size?.width ?? bitmap.width, size?.height ?? bitmap.height);
}

/** An image with a ready tile pyramid: only its top tile is fetched before it can be drawn. */
export async function loadTiledLevels(
  manifest: TileManifest,
  tileUrl: (level: number, col: number, row: number) => string,
): Promise<ImageLevels> {
  const tiles = new TiledImage(manifest, tileUrl);
  try {
    await tiles.ready();
  } catch (e) {
    tiles.close();
    throw e;
  }
  return { width: manifest.width, height: manifest.height, levels: [], tiles, close: () => tiles.close() };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });

/** How often a pyramid still being built is asked about. */
const PYRAMID_POLL_MS = 1500;

/**
 * Loads an image file for drawing: a large stored image (`/api/files/:id` above the smallest tiling
 * threshold) is drawn from its tile pyramid when it has one — while it is being built this waits,
 * reporting progress, and if the build failed it falls back to the whole image (docs/tile-pyramids.md).
 */
export async function loadImage(
  url: string,
  size: { width: number; height: number } | null,
  signal?: AbortSignal,
  onBuilding?: (m: TileManifest) => void,
): Promise<ImageLevels> {
  if (size && /^\/api\/files\/[0-9a-f]{24}$/.test(url) && Math.max(size.width, size.height) > TILES_SMALLEST_MIN_SIDE) {
    for (;;) {
      const res = await fetch(`${url}/tiles`, { credentials: 'same-origin', signal: signal ?? null });
      if (res.status === 404) break;
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const { manifest } = (await res.json()) as { manifest: TileManifest };
      if (manifest.status === 'ready') return loadTiledLevels(manifest, (l, c, r) => `${url}/tiles/${l}/${c}/${r}`);
      if (manifest.status === 'failed') break;
      onBuilding?.(manifest);
      await sleep(PYRAMID_POLL_MS, signal);
    }
  }
  return loadImageLevels(url, size, signal);
}
