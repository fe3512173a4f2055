import type { Rect, Size, Vec, Viewport } from './types.ts';

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 32;

export function screenToImage(vp: Viewport, p: Vec): Vec {
  return { x: (p.x - vp.x) / vp.scale, y: (p.y - vp.y) / vp.scale };
}

export function imageToScreen(vp: Viewport, p: Vec): Vec {
  return { x: p.x * vp.scale + vp.x, y: p.y * vp.scale + vp.y };
}

export function clampScale(scale: number): number {
  return Math.max(MIN_SCALE, Math.min(MAX_SCALE, scale));
}

/** Zooms by `factor` keeping the image point under `screen` where it is (wheel zoom around the cursor). */
export function zoomAt(vp: Viewport, factor: number, screen: Vec): Viewport {
  const scale = clampScale(vp.scale * factor);
  const anchor = screenToImage(vp, screen);
  return { scale, x: screen.x - anchor.x * scale, y: screen.y - anchor.y * scale };
}

/** The whole image, centred, with `padding` CSS pixels around it. */
export function fitViewport(image: Size, stage: Size, padding = 16): Viewport {
  if (image.width <= 0 || image.height <= 0 || stage.width <= 0 || stage.height <= 0) return { x: 0, y: 0, scale: 1 };
  const scale = clampScale(Math.min((stage.width - 2 * padding) / image.width, (stage.height - 2 * padding) / image.height));
  return { scale, x: (stage.width - image.width * scale) / 2, y: (stage.height - image.height * scale) / 2 };
}

/** One image pixel per CSS pixel, keeping the image point at the stage centre in place. */
export function actualSize(vp: Viewport, stage: Size): Viewport {
  return zoomAt(vp, 1 / vp.scale, { x: stage.width / 2, y: stage.height / 2 });
}

export function panBy(vp: Viewport, dx: number, dy: number): Viewport {
  return { ...vp, x: vp.x + dx, y: vp.y + dy };
}

/** Zoom factor for a wheel event's vertical delta (pixels): one notch (≈100 px) ≈ ×1.2. */
export function wheelFactor(deltaY: number): number {
  return Math.exp(-Math.max(-600, Math.min(600, deltaY)) * 0.0018);
}

/** The part of the image (image pixels) visible on the stage, or null when none is. */
export function visibleImageRect(vp: Viewport, stage: Size, image: Size): Rect | null {
  const a = screenToImage(vp, { x: 0, y: 0 });
  const b = screenToImage(vp, { x: stage.width, y: stage.height });
  const x0 = Math.max(0, a.x);
  const y0 = Math.max(0, a.y);
  const x1 = Math.min(image.width, b.x);
  const y1 = Math.min(image.height, b.y);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

/**
 * Which downscaled display level to draw: the smallest image (largest power-of-two factor
 * from `factors`) that still has at least one of its pixels per device pixel at this zoom.
 */
export function pickLevel(factors: readonly number[], scale: number, devicePixelRatio = 1): number {
  const wanted = 1 / Math.max(1e-9, scale * devicePixelRatio);
  let best = factors.length > 0 ? Math.min(...factors) : 1;
  for (const f of factors) if (f <= wanted && f > best) best = f;
  return best;
}

/** Downscale factors 1, 2, 4… until the longer side is at most `smallest` pixels. */
export function levelFactors(image: Size, smallest = 512): number[] {
  const out = [1];
  let f = 1;
  while (Math.max(image.width, image.height) / f > smallest) {
    f *= 2;
    out.push(f);
  }
  return out;
}
