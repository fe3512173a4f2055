import type { Point } from '../schema/region.ts';

/**
 * Label Studio's image coordinates: every x, y, width and height is a percentage (0–100) of the
 * image's natural size, origin at the top-left corner; a rectangle's `rotation` is in degrees,
 * clockwise, about its top-left corner (x, y). Labelwork stores pixels. These are the one place
 * both the ML-backend protocol (core/ml) and the Label Studio JSON format (formats/dataset) convert.
 */

/** Percent of `size` → pixels. */
export function percentToPixel(pct: number, size: number): number {
  return (pct / 100) * size;
}

/** Pixels → percent of `size` (0 when the size is unknown or zero). */
export function pixelToPercent(px: number, size: number): number {
  return size > 0 ? (px / size) * 100 : 0;
}

/** A Label Studio rectangle value: percent of the image, optional clockwise rotation in degrees. */
export interface LsRect {
  x: number;
  y: number;
  width: number;
  height: number;
  rotation?: number;
}

/** A pixel box (Labelwork's bbox fields). */
export interface PixelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** An unrotated Label Studio rectangle (percent) → pixel box. */
export function lsRectToPixelBox(r: LsRect, width: number, height: number): PixelBox {
  return {
    x: percentToPixel(r.x, width),
    y: percentToPixel(r.y, height),
    w: percentToPixel(r.width, width),
    h: percentToPixel(r.height, height),
  };
}

/** A pixel box → Label Studio rectangle value (percent, no rotation). */
export function pixelBoxToLsRect(b: PixelBox, width: number, height: number): LsRect {
  return {
    x: pixelToPercent(b.x, width),
    y: pixelToPercent(b.y, height),
    width: pixelToPercent(b.w, width),
    height: pixelToPercent(b.h, height),
  };
}

/**
 * A (possibly rotated) Label Studio rectangle → its four corners in pixels, clockwise from the
 * top-left corner (x, y). Rotation is applied in pixel space, since a percent box on a non-square
 * image is not a rectangle once rotated in percent space.
 */
export function lsRectToPixelPolygon(r: LsRect, width: number, height: number): Point[] {
  const b = lsRectToPixelBox(r, width, height);
  const a = (((r.rotation ?? 0) % 360) * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const corner = (dx: number, dy: number): Point => ({ x: b.x + dx * cos - dy * sin, y: b.y + dx * sin + dy * cos });
  return [corner(0, 0), corner(b.w, 0), corner(b.w, b.h), corner(0, b.h)];
}

/** The axis-aligned pixel box enclosing a (possibly rotated) Label Studio rectangle. */
export function lsRectToEnclosingPixelBox(r: LsRect, width: number, height: number): PixelBox {
  if (!r.rotation || r.rotation % 360 === 0) return lsRectToPixelBox(r, width, height);
  const pts = lsRectToPixelPolygon(r, width, height);
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

/** Label Studio polygon points (`[[x%, y%], …]`) → pixel points. */
export function lsPointsToPixels(points: readonly (readonly [number, number])[], width: number, height: number): Point[] {
  return points.map(([x, y]) => ({ x: percentToPixel(x, width), y: percentToPixel(y, height) }));
}

/** Pixel points → Label Studio polygon points (`[[x%, y%], …]`). */
export function pixelsToLsPoints(points: readonly Point[], width: number, height: number): [number, number][] {
  return points.map((p) => [pixelToPercent(p.x, width), pixelToPercent(p.y, height)]);
}
