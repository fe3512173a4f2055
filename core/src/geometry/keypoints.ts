/** A keypoint with COCO visibility: 0 not labeled, 1 labeled but occluded, 2 visible. */
export interface KeypointLike {
  x: number;
  y: number;
  v: number;
}

/** A named keypoint, the shape of `Keypoint` in region.ts. */
export interface NamedKeypoint extends KeypointLike {
  name: string;
}

/** Per-keypoint standard deviations of the 17 COCO person keypoints (nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles). */
export const COCO_PERSON_SIGMAS: readonly number[] = [
  0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89,
].map((s) => s / 10);

/** Sigma used for named points without their own, close to the mean of the COCO person sigmas. */
export const DEFAULT_KEYPOINT_SIGMA = 0.07;

export interface OksResult {
  value: number | null;
  reason?: string;
  /** Keypoints that entered the mean. */
  nKeypoints: number;
}

// pycocotools adds np.spacing(1) to the area so that a zero area does not divide by zero.
const AREA_EPS = 2.220446049250313e-16;

/**
 * Object keypoint similarity as in the COCO evaluation (pycocotools `computeOks`):
 * OKS = mean over reference keypoints with v > 0 of exp(−d_i² / (2 s² k_i²)), with k_i = 2 σ_i,
 * s² = `area` (the object's area in pixels²) and d_i the distance to the candidate's keypoint i
 * (the candidate's visibility is ignored, as in COCO). Keypoints pair by index.
 *
 * Input: two equally long keypoint lists and one sigma per keypoint. Throws RangeError when the
 * lengths differ or the area is negative. Edge case: no reference keypoint with v > 0 →
 * `value: null` with a reason (COCO then falls back to a box distance, which is not done here).
 * Complexity: O(keypoints).
 */
export function keypointOks(
  reference: readonly KeypointLike[],
  candidate: readonly KeypointLike[],
  options: { sigmas: readonly number[]; area: number },
): OksResult {
  const { sigmas, area } = options;
  if (reference.length !== candidate.length || reference.length !== sigmas.length) {
    throw new RangeError(
      `keypointOks needs equally many reference (${reference.length}) and candidate (${candidate.length}) keypoints and sigmas (${sigmas.length})`,
    );
  }
  if (!(area >= 0)) throw new RangeError('keypointOks needs a non-negative area');
  let sum = 0;
  let n = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as KeypointLike;
    if (!(r.v > 0)) continue;
    const c = candidate[i] as KeypointLike;
    const k = 2 * (sigmas[i] as number);
    const d2 = (r.x - c.x) ** 2 + (r.y - c.y) ** 2;
    sum += Math.exp(-d2 / (k * k) / (area + AREA_EPS) / 2);
    n++;
  }
  if (n === 0) return { value: null, reason: 'the reference has no labeled keypoint (v > 0)', nKeypoints: 0 };
  return { value: sum / n, nKeypoints: n };
}

/** Area of the bounding box of the labeled (v > 0) points; 0 when fewer than two distinct corners. O(points). */
export function labeledKeypointsBoxArea(points: readonly KeypointLike[]): number {
  let x1 = Infinity,
    y1 = Infinity,
    x2 = -Infinity,
    y2 = -Infinity;
  for (const p of points) {
    if (!(p.v > 0)) continue;
    x1 = Math.min(x1, p.x);
    y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x);
    y2 = Math.max(y2, p.y);
  }
  return x2 > x1 && y2 > y1 ? (x2 - x1) * (y2 - y1) : 0;
}

export interface NamedOksOptions {
  /** Sigma per point name; names without one use `defaultSigma`. */
  sigmas?: Readonly<Record<string, number>>;
  /** Default {@link DEFAULT_KEYPOINT_SIGMA}. */
  defaultSigma?: number;
  /** Object area s²; default: mean of the two annotations' labeled-keypoint box areas. */
  area?: number;
}

/**
 * Symmetric OKS between two annotators' named keypoints (no ground truth between peers). Points pair
 * by name; the mean runs over every name labeled (v > 0) by at least one side, a point labeled by
 * only one side scoring 0, a point labeled by both scoring exp(−d² / (2 s² (2σ)²)) as in COCO.
 * s² defaults to the mean of both sides' labeled-keypoint bounding-box areas (pycocotools uses the
 * segment area, which peers do not have); pass `area` when the object size is known.
 *
 * Edge cases: no point labeled by either side → `value: null` with a reason. Symmetric in a and b.
 * Complexity: O(points) with a Map by name.
 */
export function namedKeypointsOks(a: readonly NamedKeypoint[], b: readonly NamedKeypoint[], options: NamedOksOptions = {}): OksResult {
  const defaultSigma = options.defaultSigma ?? DEFAULT_KEYPOINT_SIGMA;
  const area = options.area ?? (labeledKeypointsBoxArea(a) + labeledKeypointsBoxArea(b)) / 2;
  const byName = new Map<string, NamedKeypoint>();
  for (const p of b) if (p.v > 0) byName.set(p.name, p);
  let sum = 0;
  let n = 0;
  const seen = new Set<string>();
  for (const p of a) {
    if (!(p.v > 0) || seen.has(p.name)) continue;
    seen.add(p.name);
    n++;
    const q = byName.get(p.name);
    if (q === undefined) continue;
    const k = 2 * (options.sigmas?.[p.name] ?? defaultSigma);
    const d2 = (p.x - q.x) ** 2 + (p.y - q.y) ** 2;
    sum += Math.exp(-d2 / (k * k) / (area + AREA_EPS) / 2);
  }
  for (const name of byName.keys()) if (!seen.has(name)) n++;
  if (n === 0) return { value: null, reason: 'neither annotation has a labeled keypoint (v > 0)', nKeypoints: 0 };
  return { value: sum / n, nKeypoints: n };
}
