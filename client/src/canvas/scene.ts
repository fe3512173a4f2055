import type { RegionIndex } from '../editor/region-index.ts';
import type { EditorState } from '../editor/store.ts';
import type { Rect, Size, Viewport } from '../editor/types.ts';
import { drawImageLevel } from './draw-image.ts';
import { drawRegions, editingId, type Palette } from './draw-regions.ts';
import type { ImageLevels } from './image-levels.ts';

/** The image rectangle (image pixels) a stage of `stage` CSS pixels shows through `v`. */
export function viewRect(v: Viewport, stage: Size): Rect {
  return { x: -v.x / v.scale, y: -v.y / v.scale, w: stage.width / v.scale, h: stage.height / v.scale };
}

/** Draws the image and every region for viewport `v` onto a stage of size `stage` (CSS pixels). */
export function drawScene(
  ctx: CanvasRenderingContext2D,
  s: EditorState,
  v: Viewport,
  stage: Size,
  image: ImageLevels | null,
  palette: Palette,
  dpr: number,
  index: RegionIndex,
): void {
  if (image) {
    ctx.save();
    ctx.transform(v.scale, 0, 0, v.scale, v.x, v.y);
    drawImageLevel(ctx, image, v, stage, dpr);
    ctx.restore();
  }
  drawRegions(ctx, { ...s, viewport: v }, palette, viewRect(v, stage), index);
}

/** Extra area rendered around the stage, as a share of its size on each side. */
const MARGIN = 0.35;

/**
 * A bitmap of the scene (image and regions) a little larger than the stage. While only the view
 * moves, a frame is one copy of this bitmap instead of redrawing thousands of shapes; zooming
 * scales it until it is rebuilt. Any change of the regions makes it stale: those frames draw
 * directly and the bitmap is rebuilt once things are quiet. A tiled image is not in the bitmap: its
 * tiles keep arriving while the view moves, so it is drawn live underneath a bitmap of the regions
 * alone (a tile arriving must not make 50,000 regions be drawn again).
 */
export class SceneCache {
  private canvas: HTMLCanvasElement | null = null;
  private content: readonly unknown[] = [];
  /** Viewport the bitmap was drawn with (its top-left is at screen −margin). */
  private at: Viewport | null = null;
  private size: Size = { width: 0, height: 0 };

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
    const canvas = this.canvas ?? document.createElement('canvas');
    canvas.width = Math.ceil(size.width * dpr);
    canvas.height = Math.ceil(size.height * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    const at = { scale: s.viewport.scale, x: s.viewport.x + mx, y: s.viewport.y + my };
    drawScene(ctx, s, at, size, image?.tiles ? null : image, palette, dpr, index);
    this.canvas = canvas;
    this.at = at;
    this.size = size;
    this.content = SceneCache.contentOf(s, image);
  }

  clear(): void {
    this.canvas = null;
    this.at = null;
  }
}
