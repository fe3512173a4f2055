import { AgreementInputError, toEncodedRatings, type EncodedRatings, type RatingsInput } from './reliability-data.ts';
import { chanceCorrected, noPairableUnits, type CoefficientResult } from './result.ts';
import type { CategoricalOptions, WeightedOptions } from './two-coder.ts';
import { agreementWeights, weightTotal } from './weights.ts';

/*
 * Multi-coder coefficients in Gwet's (2014) framework, which also fixes how missing ratings are
 * handled: observed agreement p_a is the mean, over units with r_i ≥ 2 ratings, of
 * Σ_k r_ik (r*_ik − 1) / (r_i (r_i − 1)) with r*_ik = Σ_l w_kl r_il (for identity weights: the share
 * of agreeing coder pairs); category prevalence π_k is the mean over units with r_i ≥ 1 of r_ik / r_i.
 * The coefficients differ only in chance agreement p_e.
 */

interface GwetStats {
  nUnits: number;
  /** Units with at least one rating. */
  nRated: number;
  /** Units with at least two ratings. */
  nPairable: number;
  pa: number;
  /** Category prevalence π_k (sums to 1 when nRated > 0). */
  pi: Float64Array;
}

const NO_PAIRS = 'no unit has ratings from two or more coders';

function statsFromEncoded(enc: EncodedRatings, w: Float64Array | null): GwetStats {
  const q = enc.categories.length;
  const M = enc.nCoders;
  const codes = enc.codes;
  const counts = new Int32Array(q);
  const buf = new Int32Array(M);
  const pi = new Float64Array(q);
  let nRated = 0;
  let nPairable = 0;
  let paSum = 0;
  for (let u = 0, base = 0; u < enc.nUnits; u++, base += M) {
    let m = 0;
    let agreeing = 0; // unordered pairs of equal ratings
    for (let c = 0; c < M; c++) {
      const k = codes[base + c] as number;
      if (k >= 0) {
        buf[m++] = k;
        agreeing += counts[k] as number;
        counts[k] = (counts[k] as number) + 1;
      }
    }
    if (m === 0) continue;
    nRated++;
    const share = 1 / m;
    for (let i = 0; i < m; i++) {
      const k = buf[i] as number;
      counts[k] = 0;
      pi[k] = (pi[k] as number) + share;
    }
    if (m < 2) continue;
    nPairable++;
    let ordered: number;
    if (w === null) ordered = 2 * agreeing;
    else {
      ordered = 0;
      for (let i = 0; i < m; i++) {
        const row = (buf[i] as number) * q;
        for (let j = 0; j < m; j++) if (j !== i) ordered += w[row + (buf[j] as number)] as number;
      }
    }
    paSum += ordered / (m * (m - 1));
  }
  if (nRated > 0) for (let k = 0; k < q; k++) pi[k] = (pi[k] as number) / nRated;
  return { nUnits: enc.nUnits, nRated, nPairable, pa: nPairable > 0 ? paSum / nPairable : 0, pi };
}

function weightsFor(enc: EncodedRatings, options: WeightedOptions): Float64Array | null {
  const scheme = options.weights ?? 'none';
  return scheme === 'none' ? null : agreementWeights(enc.categories.length, scheme);
}

/**
 * Percent agreement. Two coders: the share of units rated by both on which they agree. More coders:
 * the mean, over units with at least two ratings, of the share of agreeing coder pairs.
 *
 * Input: reliability data (coder × unit, null = missing) or encoded ratings; any number of coders ≥ 1.
 * Edge cases: all coders agree → 1 (also with one category); no unit with two ratings → `value: null`.
 * Not chance-corrected (`chanceAgreement` is null). Complexity: O(coders × units + q).
 */
export function percentAgreement(input: RatingsInput, options: CategoricalOptions = {}): CoefficientResult {
  const s = statsFromEncoded(toEncodedRatings(input, options.categories), null);
  if (s.nPairable === 0) return noPairableUnits(s.nUnits, NO_PAIRS);
  return { value: s.pa, nUnits: s.nUnits, nPairable: s.nPairable, observedAgreement: s.pa, chanceAgreement: null };
}

/**
 * Fleiss' kappa (Fleiss 1971) for any number of coders, nominal: p_e = Σ_k π_k². With two coders
 * and no missing data it equals Scott's pi. Missing ratings are handled as described above
 * (Gwet 2014), so units may have different numbers of ratings.
 *
 * Input: reliability data or encoded ratings. Edge cases: no unit with two ratings → `value: null`;
 * every rating in one category (p_e = 1) → `value: null`; perfect agreement over ≥ 2 categories → 1.
 * Complexity: O(coders × units + q) time, O(q + coders) extra memory.
 */
export function fleissKappa(input: RatingsInput, options: CategoricalOptions = {}): CoefficientResult {
  const s = statsFromEncoded(toEncodedRatings(input, options.categories), null);
  return fleissFromStats(s);
}

function fleissFromStats(s: GwetStats): CoefficientResult {
  if (s.nPairable === 0) return noPairableUnits(s.nUnits, NO_PAIRS);
  let pe = 0;
  for (let k = 0; k < s.pi.length; k++) pe += (s.pi[k] as number) ** 2;
  return chanceCorrected(s.pa, pe, s.nUnits, s.nPairable, 'chance agreement is 1: every rating is in one category');
}

/**
 * Fleiss' kappa from a units × categories table of counts (`counts[i][k]` = number of coders who put
 * unit i in category k). Rows may have different totals; rows with total 0 are ignored.
 * Throws {@link AgreementInputError} for an empty or ragged table or counts that are not
 * non-negative integers. Edge cases as {@link fleissKappa}. Complexity: O(units × q).
 */
export function fleissKappaFromCounts(counts: readonly (readonly number[])[]): CoefficientResult {
  if (!Array.isArray(counts) || counts.length === 0) throw new AgreementInputError('counts table has no rows');
  const first = counts[0];
  const q = Array.isArray(first) ? first.length : 0;
  if (q === 0) throw new AgreementInputError('counts table needs at least one category column');
  const pi = new Float64Array(q);
  let nRated = 0;
  let nPairable = 0;
  let paSum = 0;
  counts.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== q)
      throw new AgreementInputError(`ragged counts table: row ${i} has ${Array.isArray(row) ? row.length : 0} columns, expected ${q}`);
    let m = 0;
    let same = 0;
    for (let k = 0; k < q; k++) {
      const r = row[k];
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 0)
        throw new AgreementInputError(`counts[${i}][${k}] is not a non-negative integer`);
      m += r;
      same += r * (r - 1);
    }
    if (m === 0) return;
    nRated++;
    for (let k = 0; k < q; k++) pi[k] = (pi[k] as number) + (row[k] as number) / m;
    if (m < 2) return;
    nPairable++;
    paSum += same / (m * (m - 1));
  });
  if (nRated > 0) for (let k = 0; k < q; k++) pi[k] = (pi[k] as number) / nRated;
  return fleissFromStats({ nUnits: counts.length, nRated, nPairable, pa: nPairable > 0 ? paSum / nPairable : 0, pi });
}

/**
 * Bennett, Alpert & Goldstein's S (Brennan–Prediger coefficient): chance agreement p_e = T_w / q²
 * (1/q unweighted), q being the number of categories in the category order, so an explicit order
 * with unused categories lowers p_e. Optional linear / quadratic weights on category positions.
 *
 * Input: reliability data or encoded ratings, any number of coders. Edge cases: no unit with two
 * ratings → `value: null`; a single category (q = 1) → `value: null`. Complexity: O(coders × units + q²)
 * (weighted: O(units × coders²)).
 */
export function bennettS(input: RatingsInput, options: WeightedOptions = {}): CoefficientResult {
  const enc = toEncodedRatings(input, options.categories);
  const w = weightsFor(enc, options);
  const s = statsFromEncoded(enc, w);
  if (s.nPairable === 0) return noPairableUnits(s.nUnits, NO_PAIRS);
  const q = enc.categories.length;
  const pe = (w === null ? q : weightTotal(w)) / (q * q);
  return chanceCorrected(s.pa, pe, s.nUnits, s.nPairable, 'only one category: chance agreement 1/q is 1');
}

/**
 * Gwet's AC1 (unweighted) or AC2 (with linear / quadratic weights on category positions):
 * p_e = T_w / (q (q − 1)) · Σ_k π_k (1 − π_k), T_w the sum of the weights (q when unweighted).
 *
 * Input: reliability data or encoded ratings, any number of coders. Edge cases: no unit with two
 * ratings → `value: null`; fewer than two categories in the order → `value: null` (give the full
 * category list when only one was used: then AC1 = p_a). Complexity as {@link bennettS}.
 */
export function gwetAc1(input: RatingsInput, options: WeightedOptions = {}): CoefficientResult {
  const enc = toEncodedRatings(input, options.categories);
  const w = weightsFor(enc, options);
  const s = statsFromEncoded(enc, w);
  if (s.nPairable === 0) return noPairableUnits(s.nUnits, NO_PAIRS);
  const q = enc.categories.length;
  if (q < 2) {
    return {
      value: null,
      reason: "Gwet's AC1 needs at least two categories; pass the full category list",
      nUnits: s.nUnits,
      nPairable: s.nPairable,
      observedAgreement: s.pa,
      chanceAgreement: null,
    };
  }
  let spread = 0;
  for (let k = 0; k < q; k++) spread += (s.pi[k] as number) * (1 - (s.pi[k] as number));
  const pe = ((w === null ? q : weightTotal(w)) / (q * (q - 1))) * spread;
  return chanceCorrected(s.pa, pe, s.nUnits, s.nPairable, 'chance agreement is 1');
}
