/** Weighting of partial agreement between ordered categories. `none` = identity (nominal). */
export type WeightScheme = 'none' | 'linear' | 'quadratic';
export const WEIGHT_SCHEMES: readonly WeightScheme[] = ['none', 'linear', 'quadratic'];

/**
 * Agreement weights over category positions 0..q-1 (Cohen 1968; Gwet 2014):
 * none: w = 1 if k = l else 0; linear: w = 1 − |k − l| / (q − 1); quadratic: w = 1 − (k − l)² / (q − 1)².
 * Positions, not category values, set the distance: with categories [1, 2, 3, 4, 6] the step 4→6 is one step.
 * Returned as a row-major q×q Float64Array. q = 1 gives [1]. O(q²).
 */
export function agreementWeights(q: number, scheme: WeightScheme): Float64Array {
  const w = new Float64Array(q * q);
  const span = q > 1 ? q - 1 : 1;
  for (let k = 0; k < q; k++) {
    for (let l = 0; l < q; l++) {
      const d = Math.abs(k - l) / span;
      w[k * q + l] = scheme === 'none' ? (k === l ? 1 : 0) : scheme === 'linear' ? 1 - d : 1 - d * d;
    }
  }
  return w;
}

/** Sum of all weights of a q×q matrix, T_w in Gwet's notation (q for identity weights). O(q²). */
export function weightTotal(w: Float64Array): number {
  let t = 0;
  for (let i = 0; i < w.length; i++) t += w[i] as number;
  return t;
}
