/** A rectangle in stage pixels. */
export interface ScreenRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

const GAP = 8;
/** Room above a box's top edge taken by its comment pins. */
const PIN_ROOM = 26;

function overlap(a: ScreenRect, b: ScreenRect): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  return w > 0 && h > 0 ? w * h : 0;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, Math.max(lo, hi)));

/**
 * Where a block of comment callouts goes so it does not cover the box it comments on: to the right
 * of the box (past its pins), else to the left, below, above — the first place that fits on the
 * stage. When none does (a box filling the view), the place covering least of the box.
 */
export function placeCallout(
  box: ScreenRect,
  size: { width: number; height: number },
  stage: { width: number; height: number },
  pinsWidth = 0,
): { left: number; top: number } {
  const m = 2;
  const maxLeft = stage.width - size.width - m;
  const maxTop = stage.height - size.height - m;
  const sideTop = clamp(box.top - 12, m, maxTop);
  const alongLeft = clamp(box.left, m, maxLeft);
  const candidates = [
    { left: box.left + box.width + GAP + pinsWidth, top: sideTop },
    { left: box.left - size.width - GAP, top: sideTop },
    { left: alongLeft, top: box.top + box.height + GAP },
    { left: alongLeft, top: box.top - size.height - PIN_ROOM },
  ];
  const fits = (c: { left: number; top: number }) => c.left >= m && c.left <= maxLeft && c.top >= m && c.top <= maxTop;
  const free = candidates.find(fits);
  if (free) return free;
  let best = { left: clamp(candidates[0]!.left, m, maxLeft), top: candidates[0]!.top };
  let least = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const at = { left: clamp(c.left, m, maxLeft), top: clamp(c.top, m, maxTop) };
    const o = overlap({ ...at, ...size }, box);
    if (o < least) {
      least = o;
      best = at;
    }
  }
  return best;
}
