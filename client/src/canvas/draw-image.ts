import { pickLevel, visibleImageRect } from '../editor/viewport.ts';
import type { Size, Viewport } from '../editor/types.ts';
import type { ImageLevels } from './image-levels.ts';

/**
 * Draws the visible part of the image from the display level that suits the zoom. The context
 * is already in image coordinates. Past 2 screen pixels per image pixel, smoothing is off so
 * annotators see real pixel edges.
 */
export function drawImageLevel(ctx: CanvasRenderingContext2D, image: ImageLevels, vp: Viewport, stage: Size, dpr: number): void {
  if (image.tiles) return image.tiles.draw(ctx, vp, stage, dpr);
  const rect = visibleImageRect(vp, stage, image);
  if (!rect) return;
  const factor = pickLevel(
    image.levels.map((l) => l.factor),
    vp.scale,
    dpr,
  );
  const level = image.levels.find((l) => l.factor === factor) ?? image.levels[0];
  if (!level) return;
  const rx = level.width / image.width;
  const ry = level.height / image.height;
  const sx0 = Math.max(0, Math.floor(rect.x * rx));
  const sy0 = Math.max(0, Math.floor(rect.y * ry));
  const sx1 = Math.min(level.width, Math.ceil((rect.x + rect.w) * rx));
  const sy1 = Math.min(level.height, Math.ceil((rect.y + rect.h) * ry));
  if (sx1 <= sx0 || sy1 <= sy0) return;
  ctx.imageSmoothingEnabled = (vp.scale * dpr) / rx < 2;
  ctx.imageSmoothingQuality = 'low';
  ctx.drawImage(level.source, sx0, sy0, sx1 - sx0, sy1 - sy0, sx0 / rx, sy0 / ry, (sx1 - sx0) / rx, (sy1 - sy0) / ry);
}
