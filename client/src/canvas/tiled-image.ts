import { levelForScale, pyramidLevels, tileRect, tilesInRect, type LevelSize, type TileManifest } from '@labelwork/core';
import { visibleImageRect } from '../editor/viewport.ts';
import type { Size, Viewport } from '../editor/types.ts';

/** Tile requests in flight at once (browsers open about six connections per host anyway). */
const CONCURRENCY = 6;
/** Decoded tiles kept (512² RGBA ≈ 1 MB each); the least recently drawn go first. */
const CAPACITY = 160;

interface Key {
  level: number;
  col: number;
  row: number;
}
const keyOf = (k: Key) => `${k.level}/${k.col}/${k.row}`;

/**
 * An image drawn from its tile pyramid (docs/tile-pyramids.md): each frame draws only the tiles that
 * intersect the view, at the level that matches the zoom, with coarser levels underneath where finer
 * tiles are still loading. Tiles are fetched with bounded concurrency (what the latest frame needs
 * first; requests for views already left are dropped before they start), decoded off the main
 * thread, and kept in an LRU of ImageBitmaps. Everything is placed in full-resolution pixels, so
 * regions line up whatever level is drawn.
 */
export class TiledImage {
  readonly width: number;
  readonly height: number;
  readonly levels: LevelSize[];
  /** Bumped whenever a tile arrives: what was drawn before is stale. */
  version = 0;
  private readonly bitmaps = new Map<string, ImageBitmap>();
  private readonly inFlight = new Set<string>();
  private wanted: Key[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly abort = new AbortController();
  /** Tiles fetched so far. */
  fetched = 0;

  constructor(
    readonly manifest: TileManifest,
    private readonly tileUrl: (level: number, col: number, row: number) => string,
  ) {
    this.width = manifest.width;
    this.height = manifest.height;
    this.levels = pyramidLevels(manifest.width, manifest.height, manifest.tileSize);
  }

  /** Fetches the one-tile top level (what a fitted view of the whole image needs first). */
  async ready(): Promise<void> {
    await this.load({ level: 0, col: 0, row: 0 });
  }

  /** Calls `f` when a tile has arrived (redraw); returns the unsubscribe. */
  onChange(f: () => void): () => void {
    this.listeners.add(f);
    return () => {
      this.listeners.delete(f);
    };
  }

  /** Draws the visible part for viewport `vp` (the context is already in image coordinates). */
  draw(ctx: CanvasRenderingContext2D, vp: Viewport, stage: Size, dpr: number): void {
    const rect = visibleImageRect(vp, stage, this);
    if (!rect) return;
    const target = levelForScale(this.levels, vp.scale, dpr);
    const need = tilesInRect(target, rect, this.manifest.tileSize).map((t) => ({ level: target.level, ...t }));
    const missing = need.filter((k) => !this.bitmaps.has(keyOf(k)));
    // Coarser levels first, under the finer ones, while any tile of the target level is missing.
    if (missing.length) {
      for (const l of this.levels) {
        if (l.level >= target.level) break;
        for (const t of tilesInRect(l, rect, this.manifest.tileSize)) this.drawTile(ctx, l, t.col, t.row, vp.scale * dpr);
      }
    }
    for (const k of need) this.drawTile(ctx, target, k.col, k.row, vp.scale * dpr);
    this.want(missing);
  }

  private drawTile(ctx: CanvasRenderingContext2D, level: LevelSize, col: number, row: number, devicePerImagePx: number): void {
    const key = keyOf({ level: level.level, col, row });
    const bmp = this.bitmaps.get(key);
    if (!bmp) return;
    // Most recently drawn last: the LRU evicts from the front.
    this.bitmaps.delete(key);
    this.bitmaps.set(key, bmp);
    const r = tileRect(level, col, row, this.width, this.height, this.manifest.tileSize);
    // Half a device pixel more to the right and bottom hides seams between neighbours (not at the image's edge).
    const pad = 0.5 / devicePerImagePx;
    const w = col < level.cols - 1 ? r.w + pad : r.w;
    const h = row < level.rows - 1 ? r.h + pad : r.h;
    ctx.imageSmoothingEnabled = devicePerImagePx * level.factor < 2;
    ctx.imageSmoothingQuality = 'low';
    ctx.drawImage(bmp, 0, 0, bmp.width, bmp.height, r.x, r.y, w, h);
  }

  /** The tiles the latest frame lacks replace the waiting list; fetching starts up to the concurrency. */
  private want(keys: Key[]): void {
    this.wanted = keys.filter((k) => !this.inFlight.has(keyOf(k)));
    this.pump();
  }

  private pump(): void {
    while (this.inFlight.size < CONCURRENCY && this.wanted.length) {
      const k = this.wanted.shift()!;
      if (this.bitmaps.has(keyOf(k)) || this.inFlight.has(keyOf(k))) continue;
      void this.load(k).catch(() => undefined);
    }
  }

  private async load(k: Key): Promise<void> {
    const key = keyOf(k);
    if (this.bitmaps.has(key)) return;
    this.inFlight.add(key);
    try {
      const res = await fetch(this.tileUrl(k.level, k.col, k.row), { credentials: 'same-origin', signal: this.abort.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const bmp = await createImageBitmap(await res.blob());
      this.fetched++;
      if (this.abort.signal.aborted) {
        bmp.close();
        return;
      }
      this.bitmaps.set(key, bmp);
      this.evict();
      this.version++;
      for (const f of this.listeners) f();
    } finally {
      this.inFlight.delete(key);
      if (!this.abort.signal.aborted) this.pump();
    }
  }

  private evict(): void {
    for (const [key, bmp] of this.bitmaps) {
      if (this.bitmaps.size <= CAPACITY) return;
      // The top level stays: it is what is drawn under everything else.
      if (key === '0/0/0') continue;
      bmp.close();
      this.bitmaps.delete(key);
    }
  }

  close(): void {
    this.abort.abort();
    for (const b of this.bitmaps.values()) b.close();
    this.bitmaps.clear();
    this.listeners.clear();
  }
}
