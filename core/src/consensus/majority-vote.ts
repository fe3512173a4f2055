import { AgreementInputError, toEncodedRatings, type Category, type RatingsInput } from '../metrics/reliability-data.ts';

/** How a tie for the most votes is settled. */
export type TieBreak = 'first-in-order' | 'none';

export interface MajorityVoteOptions {
  /** Category order; it also settles ties under `first-in-order`. Default: sorted observed values. */
  categories?: readonly Category[];
  /** One non-negative weight per coder (e.g. trust); default 1 each. */
  coderWeights?: readonly number[];
  /** Default `first-in-order`. */
  tieBreak?: TieBreak;
}

/** Per-unit outcome, column-wise so that a million units cost a few typed arrays. */
export interface MajorityVoteResult {
  categories: readonly Category[];
  /** Winning category per unit; null for units without ratings, and for ties under `tieBreak: 'none'`. */
  labels: (Category | null)[];
  /** Winning category's position in `categories`, or -1 like a null label. */
  codes: Int32Array;
  /** Share of the unit's (weighted) votes that went to the winner; 0 for units without ratings. */
  support: Float64Array;
  /** 1 where two or more categories shared the most votes. */
  tied: Uint8Array;
}

/**
 * Majority (plurality) vote per unit over coders' ratings, optionally weighted per coder.
 * Tie rule: with `first-in-order` (default) the tied category that comes first in the category
 * order wins (deterministic: numbers ascending, then strings by code point, unless an explicit order
 * is given); with `none` the unit gets no label. `tied` reports ties either way.
 *
 * Input: reliability data (coder × unit, null = missing) or encoded ratings. Throws
 * {@link AgreementInputError} when `coderWeights` has the wrong length or a negative / non-finite
 * weight. Edge cases: a unit with no ratings → null label, support 0. A unit whose ratings all
 * have weight 0 is treated as unrated. Complexity: O(coders × units) time, O(categories) scratch.
 */
export function majorityVote(input: RatingsInput, options: MajorityVoteOptions = {}): MajorityVoteResult {
  const enc = toEncodedRatings(input, options.categories);
  const M = enc.nCoders;
  const weights = options.coderWeights;
  if (weights !== undefined) {
    if (weights.length !== M) throw new AgreementInputError(`coderWeights has ${weights.length} entries for ${M} coders`);
    if (weights.some((w) => !(Number.isFinite(w) && w >= 0)))
      throw new AgreementInputError('coder weights must be finite and non-negative');
  }
  const tieBreak = options.tieBreak ?? 'first-in-order';
  const V = enc.categories.length;
  const tally = new Float64Array(V);
  const codes = new Int32Array(enc.nUnits).fill(-1);
  const support = new Float64Array(enc.nUnits);
  const tied = new Uint8Array(enc.nUnits);
  const labels: (Category | null)[] = new Array<Category | null>(enc.nUnits).fill(null);
  for (let u = 0, base = 0; u < enc.nUnits; u++, base += M) {
    let total = 0;
    for (let c = 0; c < M; c++) {
      const k = enc.codes[base + c] as number;
      if (k < 0) continue;
      const w = weights === undefined ? 1 : (weights[c] as number);
      tally[k] = (tally[k] as number) + w;
      total += w;
    }
    let best = -1;
    let bestVotes = 0;
    let isTie = false;
    for (let c = 0; c < M; c++) {
      const k = enc.codes[base + c] as number;
      if (k < 0) continue;
      const t = tally[k] as number;
      if (t > bestVotes || (t === bestVotes && t > 0 && k < best)) {
        if (t > bestVotes) isTie = false;
        else isTie = true;
        best = k;
        bestVotes = t;
      } else if (t === bestVotes && t > 0 && k !== best) isTie = true;
    }
    for (let c = 0; c < M; c++) {
      const k = enc.codes[base + c] as number;
      if (k >= 0) tally[k] = 0;
    }
    if (total === 0 || best < 0) continue;
    tied[u] = isTie ? 1 : 0;
    support[u] = bestVotes / total;
    if (isTie && tieBreak === 'none') continue;
    codes[u] = best;
    labels[u] = enc.categories[best] as Category;
  }
  return { categories: enc.categories, labels, codes, support, tied };
}
