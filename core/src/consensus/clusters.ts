/** Shared by the clustering consensus methods (boxes, polygons, keypoints). */

/**
 * The matching threshold and quorum for k annotators (quorum default: a strict majority,
 * ⌊k/2⌋ + 1). Throws RangeError for a threshold outside [0, 1] or a quorum not an integer in 1..k.
 */
export function clusterOptions(
  k: number,
  threshold: number,
  quorum: number | undefined,
  thresholdName: string,
): { threshold: number; quorum: number } {
  const q = quorum ?? Math.floor(k / 2) + 1;
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`${thresholdName} must lie in [0, 1], got ${threshold}`);
  if (!Number.isInteger(q) || q < 1 || q > k) throw new RangeError(`quorum must be an integer from 1 to ${k}, got ${q}`);
  return { threshold, quorum: q };
}

/** Per label (in order of first appearance), each annotator's indices of the shapes with that label. */
export function indicesByLabel(annotations: readonly (readonly { label: string }[])[]): Map<string, number[][]> {
  const k = annotations.length;
  const byLabel = new Map<string, number[][]>();
  annotations.forEach((shapes, a) =>
    shapes.forEach((s, i) => {
      let per = byLabel.get(s.label);
      if (!per) byLabel.set(s.label, (per = Array.from({ length: k }, () => [])));
      per[a]!.push(i);
    }),
  );
  return byLabel;
}
