/** Axis-aligned box as [x1, y1, x2, y2] (corners). */
export type BoxXyxy = readonly [number, number, number, number];
/** Axis-aligned box as [x, y, width, height] (top-left corner and size). */
export type BoxXywh = readonly [number, number, number, number];
/** The shape of a `BBoxRegion`: top-left corner and size. */
export interface RectLike {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Intersection over union of two boxes given by corners. Inverted boxes (x2 < x1) count as empty.
 * Edge case: when the union has zero area (two degenerate boxes) the IoU is 0, never NaN. O(1).
 */
export function iouXyxy(ax1: number, ay1: number, ax2: number, ay2: number, bx1: number, by1: number, bx2: number, by2: number): number {
  const areaA = Math.max(0, ax2 - ax1) * Math.max(0, ay2 - ay1);
  const areaB = Math.max(0, bx2 - bx1) * Math.max(0, by2 - by1);
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}

/** IoU of two [x1, y1, x2, y2] boxes; see {@link iouXyxy} for edge cases. O(1). */
export function boxIouXyxy(a: BoxXyxy, b: BoxXyxy): number {
  return iouXyxy(a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]);
}

/** IoU of two [x, y, w, h] boxes (negative sizes count as empty); see {@link iouXyxy}. O(1). */
export function boxIouXywh(a: BoxXywh, b: BoxXywh): number {
  return iouXyxy(a[0], a[1], a[0] + a[2], a[1] + a[3], b[0], b[1], b[0] + b[2], b[1] + b[3]);
}

/** IoU of two `{x, y, w, h}` rectangles, e.g. two `BBoxRegion`s. O(1). */
export function rectIou(a: RectLike, b: RectLike): number {
  return iouXyxy(a.x, a.y, a.x + a.w, a.y + a.h, b.x, b.y, b.x + b.w, b.y + b.h);
}

/**
 * IoU matrix between two lists of boxes: `result[i][j] = IoU(a[i], b[j])`, as torchvision's
 * `box_iou`. `format` says how both lists are given. Empty lists give empty rows. O(|a| × |b|).
 */
export function boxIouMatrix(a: readonly BoxXyxy[], b: readonly BoxXyxy[], format: 'xyxy' | 'xywh' = 'xyxy'): number[][] {
  const iou = format === 'xyxy' ? boxIouXyxy : boxIouXywh;
  return a.map((boxA) => b.map((boxB) => iou(boxA, boxB)));
}
