import type { Region } from '@labelwork/core';
import { rectsIntersect, regionBounds } from '../editor/geometry.ts';
import type { RegionsVersion, TouchedRegion } from '../editor/region-changes.ts';
import type { RegionIndex } from '../editor/region-index.ts';
import type { EditorState } from '../editor/store.ts';
import type { Rect, Size, Viewport } from '../editor/types.ts';
import { drawImageLevel } from './draw-image.ts';
import { detailFor, drawRegions, editingId, sameDetail, type Detail, type Drawn, type Palette } from './draw-regions.ts';
import type { ImageLevels } from './image-levels.ts';

/** The image rectangle (image pixels) a stage of `stage` CSS pixels shows through `v`. */
export function viewRect(v: Viewport, stage: Size): Rect {
  return { x: -v.x / v.scale, y: -v.y / v.scale, w: stage.width / v.scale, h: stage.height / v.scale };
}

/**
 * Draws the image and every region for viewport `v` onto a stage of size `stage` (CSS pixels), or
 * only those meeting `part` (image pixels) with the given `detail`. Returns what the regions' draw covered.
 */
export function drawScene(
  ctx: CanvasRenderingContext2D,
  s: EditorState,
  v: Viewport,
  stage: Size,
  image: ImageLevels | null,
  palette: Palette,
  dpr: number,
  index: RegionIndex,
  part?: { rect: Rect; detail: Detail },
): Drawn {
  if (image) {
    ctx.save();
    ctx.transform(v.scale, 0, 0, v.scale, v.x, v.y);
    drawImageLevel(ctx, image, v, stage, dpr);
    ctx.restore();
  }
  return drawRegions(ctx, { ...s, viewport: v }, palette, part?.rect ?? viewRect(v, stage), index, part?.detail);
}

/** Extra area rendered around the stage, as a share of its size on each side. */
const MARGIN = 0.35;
/** An edit touching more regions than this repaints the whole bitmap. */
const MAX_PATCHED = 64;
/** Room around a touched region's bounds that its drawing may cover (CSS px): outline, keypoint dots, pixel snapping. */
const PATCH_PAD = 6;
/** Regions the index returns around a view (CSS px), as `drawRegions` culls them. */
const CULL_PX = 4;

/**
 * A bitmap of the scene (image and regions) a little larger than the stage. While only the view
 * moves, a frame is one copy of this bitmap instead of redrawing thousands of shapes; zooming
 * scales it until it is rebuilt. Any change of the regions makes it stale: those frames draw
 * directly and the bitmap is rebuilt once things are quiet. A tiled image is not in the bitmap: its
 * tiles keep arriving while the view moves, so it is drawn live underneath a bitmap of the regions
 * alone (a tile arriving must not make 50,000 regions be drawn again).
 * An edit does not make it stale: `patch` repaints only the rectangles of the regions it touched,
 * so adding a box to 50,000 costs what drawing the few regions around it costs.
 */
export class SceneCache {
  private canvas: HTMLCanvasElement | null = null;
  private content: readonly unknown[] = [];
  /** Viewport the bitmap was drawn with (its top-left is at screen −margin). */
  private at: Viewport | null = null;
  private size: Size = { width: 0, height: 0 };
  /** How many shown regions the bitmap holds (polygons among them), and the detail it was drawn with. */
  private drawn: Drawn | null = null;

  constructor(private readonly makeCanvas: () => HTMLCanvasElement = () => document.createElement('canvas')) {}

  private static contentOf(s: EditorState, image: ImageLevels | null): unknown[] {
    // A tiled image is drawn live under the bitmap, so its tiles arriving do not make the bitmap stale.
    return [s.regions, s.pending, s.hidden, s.hiddenLabels, editingId(s), image, s.image, s.pins, s.regionColors];
  }

  private fresh(s: EditorState, image: ImageLevels | null): boolean {
    const c = SceneCache.contentOf(s, image);
    return this.at !== null && c.length === this.content.length && c.every((x, i) => x === this.content[i]);
  }

  /** True when the bitmap was drawn at exactly the current zoom (so a rebuild would change nothing). */
  sharp(s: EditorState, image: ImageLevels | null): boolean {
    return this.fresh(s, image) && this.at?.scale === s.viewport.scale;
  }

  /** Draws the cached scene if it is current and covers the stage; false when the caller must draw directly. */
  draw(ctx: CanvasRenderingContext2D, s: EditorState, image: ImageLevels | null, dpr: number): boolean {
    if (!this.canvas || !this.at || !this.fresh(s, image)) return false;
    const v = s.viewport;
    const k = v.scale / this.at.scale;
    // Screen position now of the image point at the bitmap's top-left corner.
    const x = (-this.at.x / this.at.scale) * v.scale + v.x;
    const y = (-this.at.y / this.at.scale) * v.scale + v.y;
    const w = this.size.width * k;
    const h = this.size.height * k;
    if (x > 0.5 || y > 0.5 || x + w < s.stage.width - 0.5 || y + h < s.stage.height - 0.5) return false;
    if (image?.tiles) {
      ctx.save();
      ctx.transform(v.scale, 0, 0, v.scale, v.x, v.y);
      drawImageLevel(ctx, image, v, s.stage, dpr);
      ctx.restore();
    }
    ctx.imageSmoothingEnabled = Math.abs(k - 1) > 1e-6;
    ctx.drawImage(this.canvas, x, y, w, h);
    return true;
  }

  /** Redraws the bitmap for the current state and view. */
  rebuild(s: EditorState, image: ImageLevels | null, palette: Palette, dpr: number, index: RegionIndex): void {
    const mx = Math.ceil(s.stage.width * MARGIN);
    const my = Math.ceil(s.stage.height * MARGIN);
    const size = { width: s.stage.width + 2 * mx, height: s.stage.height + 2 * my };
    if (size.width <= 0 || size.height <= 0) return;
    const canvas = this.canvas ?? this.makeCanvas();
    canvas.width = Math.ceil(size.width * dpr);
    canvas.height = Math.ceil(size.height * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    const at = { scale: s.viewport.scale, x: s.viewport.x + mx, y: s.viewport.y + my };
    this.drawn = drawScene(ctx, s, at, size, image?.tiles ? null : image, palette, dpr, index);
    this.canvas = canvas;
    this.at = at;
    this.size = size;
    this.content = SceneCache.contentOf(s, image);
  }

  /**
   * Brings the bitmap up to date after edits by repainting only the rectangles of the regions they
   * touched (cleared, then the image and every region meeting them drawn again, clipped, with the
   * detail the whole bitmap was drawn with, so the result is what a full redraw gives). False when
   * it cannot: no bitmap, something else changed (view-independent content such as hidden labels or
   * pins), the edits are not known or too many, or the number of regions crosses a level-of-detail step.
   */
  patch(
    s: EditorState,
    image: ImageLevels | null,
    palette: Palette,
    dpr: number,
    index: RegionIndex,
    touchedSince: (from: RegionsVersion) => TouchedRegion[] | null,
  ): boolean {
    const { canvas, at, drawn } = this;
    if (!canvas || !at || !drawn) return false;
    if (this.fresh(s, image)) return true;
    const now = SceneCache.contentOf(s, image);
    // Only the regions (0), the proposals (1) and the region being dragged (4) may differ.
    if (now.some((x, i) => i !== 0 && i !== 1 && i !== 4 && x !== this.content[i])) return false;
    // Name tags and pins reach beyond their region: those scenes are small enough to redraw.
    if (drawn.detail.tags || s.pins.length > 0) return false;
    const touched = touchedSince({ regions: this.content[0] as readonly Region[], pending: this.content[1] as ReadonlySet<string> });
    if (!touched || touched.length > MAX_PATCHED) return false;
    const editingBefore = this.content[4] as string | null;
    const editingNow = editingId(s);
    // The region picked up for a drag leaves the bitmap, and comes back when dropped.
    for (const id of [editingBefore, editingNow]) {
      if (id === null || touched.some((t) => t.id === id)) continue;
      const r = index.get(id) ?? null;
      touched.push({ id, before: r, after: r });
    }
    const area = viewRect(at, this.size);
    const cull = CULL_PX / at.scale;
    let { count, polygons } = drawn;
    const rects: Rect[] = [];
    const take = (r: Region | null, editing: string | null, sign: 1 | -1) => {
      const b = r && regionBounds(r);
      if (!r || !b) return;
      rects.push(b);
      if (r.id === editing || s.hidden.has(r.id) || s.hiddenLabels.has(r.label) || !rectsIntersect(b, area, cull)) return;
      count += sign;
      if (r.type === 'polygon') polygons += sign;
    };
    for (const t of touched) {
      take(t.before, editingBefore, -1);
      take(t.after, editingNow, 1);
    }
    const detail = detailFor(count, polygons);
    if (!sameDetail(detail, drawn.detail)) return false;
    const ctx = canvas.getContext('2d');
    if (!ctx) return false;
    for (const b of rects) this.repaint(ctx, s, b, image?.tiles ? null : image, palette, dpr, index, detail);
    this.content = now;
    this.drawn = { count, polygons, detail };
    return true;
  }

  /** Clears the device pixels around `b` (image pixels) and draws them again, clipped. */
  private repaint(
    ctx: CanvasRenderingContext2D,
    s: EditorState,
    b: Rect,
    image: ImageLevels | null,
    palette: Palette,
    dpr: number,
    index: RegionIndex,
    detail: Detail,
  ): void {
    const at = this.at!;
    const x0 = Math.max(0, Math.floor((b.x * at.scale + at.x - PATCH_PAD) * dpr));
    const y0 = Math.max(0, Math.floor((b.y * at.scale + at.y - PATCH_PAD) * dpr));
    const x1 = Math.min(Math.ceil(this.size.width * dpr), Math.ceil(((b.x + b.w) * at.scale + at.x + PATCH_PAD) * dpr));
    const y1 = Math.min(Math.ceil(this.size.height * dpr), Math.ceil(((b.y + b.h) * at.scale + at.y + PATCH_PAD) * dpr));
    if (x1 <= x0 || y1 <= y0) return;
    ctx.save();
    // Whole device pixels: no half-covered seam at the edge of the repainted rectangle.
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.beginPath();
    ctx.rect(x0, y0, x1 - x0, y1 - y0);
    ctx.clip();
    ctx.clearRect(x0, y0, x1 - x0, y1 - y0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    // Every region reaching into the rectangle, with a little more room than drawRegions' own culling (keypoint dots).
    const g = 2 / at.scale;
    const rect = {
      x: (x0 / dpr - at.x) / at.scale - g,
      y: (y0 / dpr - at.y) / at.scale - g,
      w: (x1 - x0) / dpr / at.scale + 2 * g,
      h: (y1 - y0) / dpr / at.scale + 2 * g,
    };
    drawScene(ctx, s, at, this.size, image, palette, dpr, index, { rect, detail });
    ctx.restore();
  }

  clear(): void {
    this.canvas = null;
    this.at = null;
    this.drawn = null;
  }
}
