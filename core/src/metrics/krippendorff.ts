import { randomIndex, type RandomSource } from './random.ts';
import { AgreementInputError, toEncodedRatings, type Category, type EncodedRatings, type RatingsInput } from './reliability-data.ts';
import type { AgreementValue } from './result.ts';

/** Krippendorff's levels of measurement (the difference function δ² they imply). */
export type AlphaLevel = 'nominal' | 'ordinal' | 'interval' | 'ratio';
export const ALPHA_LEVELS: readonly AlphaLevel[] = ['nominal', 'ordinal', 'interval', 'ratio'];

export interface AlphaOptions {
  /** Default `nominal`. */
  level?: AlphaLevel;
  /** Explicit category order (ordinal uses the order; interval/ratio use the numeric values). */
  categories?: readonly Category[];
}

export interface AlphaResult extends AgreementValue {
  level: AlphaLevel;
  /** D_o = Σ o_ck δ²_ck / n; null when nothing is pairable. */
  observedDisagreement: number | null;
  /** D_e = Σ n_c n_k δ²_ck / (n (n − 1)); null when nothing is pairable. */
  expectedDisagreement: number | null;
  /** n: the number of pairable values (ratings in units with at least two ratings). */
  nValues: number;
}

interface AlphaParts {
  nPairable: number;
  n: number;
  observed: number; // Σ_ck o_ck δ²_ck
  expected: number; // Σ_ck n_c n_k δ²_ck
}

function numericScores(enc: EncodedRatings, level: AlphaLevel): Float64Array {
  const scores = new Float64Array(enc.categories.length);
  enc.categories.forEach((c, i) => {
    if (typeof c !== 'number') throw new AgreementInputError(`${level} alpha needs numeric values; got ${JSON.stringify(c)}`);
    if (level === 'ratio' && c < 0) throw new AgreementInputError(`ratio alpha needs non-negative values; got ${c}`);
    scores[i] = c;
  });
  return scores;
}

/**
 * One or two passes over the units. Pass 1 gives n, the marginals n_c of pairable values and, for
 * nominal data, the coincidence diagonal. Pass 2 (other levels) maps categories to scores and sums
 * per-unit squared differences: for interval and ordinal data Σ_{i≠j} (x_i − x_j)² = 2 m SS, where
 * ordinal scores are mid-ranks M_c = Σ_{g<c} n_g + n_c / 2 (then (M_k − M_c)² is Krippendorff's
 * ordinal δ²). No V×V matrix is ever built. `weights` multiplies units (bootstrap resamples).
 */
function alphaParts(enc: EncodedRatings, level: AlphaLevel, scores: Float64Array | null, weights: Int32Array | null): AlphaParts {
  const V = enc.categories.length;
  const M = enc.nCoders;
  const codes = enc.codes;
  const counts = new Int32Array(V);
  const marg = new Float64Array(V);
  let n = 0;
  let nPairable = 0;
  let diagonal = 0; // Σ_c o_cc (nominal)
  for (let u = 0, base = 0; u < enc.nUnits; u++, base += M) {
    const w = weights === null ? 1 : (weights[u] as number);
    if (w === 0) continue;
    let m = 0;
    let agreeing = 0;
    for (let c = 0; c < M; c++) {
      const k = codes[base + c] as number;
      if (k >= 0) {
        m++;
        agreeing += counts[k] as number;
        counts[k] = (counts[k] as number) + 1;
      }
    }
    for (let c = 0; c < M; c++) {
      const k = codes[base + c] as number;
      if (k >= 0) {
        counts[k] = 0;
        if (m >= 2) marg[k] = (marg[k] as number) + w;
      }
    }
    if (m < 2) continue;
    nPairable++;
    n += w * m;
    diagonal += (w * 2 * agreeing) / (m - 1);
  }
  if (n === 0) return { nPairable, n, observed: 0, expected: 0 };
  if (level === 'nominal') {
    let sumSq = 0;
    for (let k = 0; k < V; k++) sumSq += (marg[k] as number) ** 2;
    return { nPairable, n, observed: n - diagonal, expected: n * n - sumSq };
  }
  let s: Float64Array;
  if (level === 'ordinal') {
    s = new Float64Array(V);
    let below = 0;
    for (let k = 0; k < V; k++) {
      const nk = marg[k] as number;
      s[k] = below + nk / 2;
      below += nk;
    }
  } else s = scores as Float64Array;
  const buf = new Float64Array(M);
  let observed = 0;
  for (let u = 0, base = 0; u < enc.nUnits; u++, base += M) {
    const w = weights === null ? 1 : (weights[u] as number);
    if (w === 0) continue;
    let m = 0;
    let sum = 0;
    for (let c = 0; c < M; c++) {
      const k = codes[base + c] as number;
      if (k >= 0) {
        const x = s[k] as number;
        buf[m++] = x;
        sum += x;
      }
    }
    if (m < 2) continue;
    let pairSum = 0; // Σ over ordered pairs i ≠ j of δ²
    if (level === 'ratio') {
      for (let i = 0; i < m; i++) {
        const a = buf[i] as number;
        for (let j = i + 1; j < m; j++) {
          const b = buf[j] as number;
          const t = a + b === 0 ? 0 : (a - b) / (a + b);
          pairSum += 2 * t * t;
        }
      }
    } else {
      const mean = sum / m;
      let ss = 0;
      for (let i = 0; i < m; i++) {
        const d = (buf[i] as number) - mean;
        ss += d * d;
      }
      pairSum = 2 * m * ss;
    }
    observed += (w * pairSum) / (m - 1);
  }
  let expected = 0;
  if (level === 'ratio') {
    // Σ_ck n_c n_k ((v_c − v_k)/(v_c + v_k))²: not separable, so O(V²) time but O(V) memory.
    for (let i = 0; i < V; i++) {
      const ni = marg[i] as number;
      if (ni === 0) continue;
      const a = s[i] as number;
      let row = 0;
      for (let j = i + 1; j < V; j++) {
        const nj = marg[j] as number;
        if (nj === 0) continue;
        const b = s[j] as number;
        const t = a + b === 0 ? 0 : (a - b) / (a + b);
        row += nj * t * t;
      }
      expected += 2 * ni * row;
    }
  } else {
    // Σ_ck n_c n_k (s_c − s_k)² = 2 n Σ_c n_c (s_c − s̄)², centred for accuracy.
    let mean = 0;
    for (let k = 0; k < V; k++) mean += (marg[k] as number) * (s[k] as number);
    mean /= n;
    let ss = 0;
    for (let k = 0; k < V; k++) {
      const d = (s[k] as number) - mean;
      ss += (marg[k] as number) * d * d;
    }
    expected = 2 * n * ss;
  }
  return { nPairable, n, observed, expected };
}

function resultFrom(parts: AlphaParts, level: AlphaLevel, nUnits: number): AlphaResult {
  const { n, nPairable } = parts;
  const base = { level, nUnits, nPairable, nValues: n };
  if (nPairable === 0 || n < 2)
    return {
      ...base,
      value: null,
      reason: 'no pairable units: no unit has values from two or more coders',
      observedDisagreement: null,
      expectedDisagreement: null,
    };
  const Do = parts.observed / n;
  const De = parts.expected / (n * (n - 1));
  if (!(De > 0)) {
    return {
      ...base,
      value: null,
      reason: 'no variation: all pairable values are equal, so expected disagreement is 0',
      observedDisagreement: Do,
      expectedDisagreement: De,
    };
  }
  return { ...base, value: 1 - Do / De, observedDisagreement: Do, expectedDisagreement: De };
}

function prepare(input: RatingsInput, options: AlphaOptions): { enc: EncodedRatings; level: AlphaLevel; scores: Float64Array | null } {
  const level = options.level ?? 'nominal';
  if (!ALPHA_LEVELS.includes(level))
    throw new AgreementInputError(`unknown level ${JSON.stringify(level)}; use one of ${ALPHA_LEVELS.join(', ')}`);
  const enc = toEncodedRatings(input, options.categories);
  const scores = level === 'interval' || level === 'ratio' ? numericScores(enc, level) : null;
  return { enc, level, scores };
}

/**
 * Krippendorff's alpha, α = 1 − D_o / D_e, from the coincidence matrix: each unit u with m_u ≥ 2
 * values adds n_uc n_uk / (m_u − 1) to o_ck (pairs of different coders), units with fewer than two
 * values are unpairable and dropped, n = Σ_c n_c is the number of pairable values.
 * δ²: nominal 0/1; ordinal (Σ_{g=c..k} n_g − (n_c + n_k)/2)² on the category order; interval
 * (v_c − v_k)²; ratio ((v_c − v_k)/(v_c + v_k))² on numeric values.
 *
 * Input: reliability data (coder × unit, null = missing, any number of coders) or encoded ratings.
 * Throws {@link AgreementInputError} for malformed data, or non-numeric values at interval/ratio
 * level (negative values at ratio level). Edge cases: no pairable unit → `value: null`; all pairable
 * values equal (D_e = 0) → `value: null`; perfect agreement with variation → 1.
 * Complexity: O(coders × units + V) time for nominal, ordinal and interval (V = categories),
 * plus O(V²) time for the ratio expected disagreement; O(V + coders) memory beyond the encoding.
 */
export function krippendorffAlpha(input: RatingsInput, options: AlphaOptions = {}): AlphaResult {
  const { enc, level, scores } = prepare(input, options);
  return resultFrom(alphaParts(enc, level, scores, null), level, enc.nUnits);
}

export interface AlphaBootstrapOptions extends AlphaOptions {
  /** Number of bootstrap resamples (default 1000). */
  samples?: number;
  /** Two-sided confidence level, default 0.95. */
  confidence?: number;
  /** Seeded random source, e.g. `seededRandom(42)`. */
  random: RandomSource;
}

export interface AlphaInterval {
  lower: number;
  upper: number;
  confidence: number;
  samples: number;
  /** Resamples on which alpha was defined (the others had no variation). */
  validSamples: number;
}

export interface AlphaBootstrapResult extends AlphaResult {
  ci: AlphaInterval | null;
}

/** Quantile of sorted values by linear interpolation (Hyndman & Fan type 7). */
function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/**
 * Krippendorff's alpha with a percentile bootstrap confidence interval: pairable units are drawn
 * with replacement (as many as there are), alpha is recomputed on each resample with the
 * coincidences recomputed, and the interval is the (1 ± confidence)/2 quantiles of the defined
 * resample values. Deterministic for a given `random` source.
 *
 * This resamples units, a common nonparametric choice; it is not Hayes & Krippendorff's (2007)
 * resampling of pairable values, so intervals differ slightly from their macro's.
 * Edge cases: when alpha itself is undefined, or fewer than two units are pairable, `ci` is null.
 * Throws {@link AgreementInputError} for samples < 1 or confidence outside (0, 1).
 * Complexity: O(samples × coders × units) time, O(units) extra memory.
 */
export function krippendorffAlphaBootstrap(input: RatingsInput, options: AlphaBootstrapOptions): AlphaBootstrapResult {
  const samples = options.samples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(samples) || samples < 1) throw new AgreementInputError('bootstrap samples must be a positive integer');
  if (!(confidence > 0 && confidence < 1)) throw new AgreementInputError('confidence must lie strictly between 0 and 1');
  const { enc, level, scores } = prepare(input, options);
  const point = resultFrom(alphaParts(enc, level, scores, null), level, enc.nUnits);
  if (point.value === null || point.nPairable < 2) return { ...point, ci: null };
  const pairable = new Int32Array(point.nPairable);
  let p = 0;
  for (let u = 0, base = 0; u < enc.nUnits; u++, base += enc.nCoders) {
    let m = 0;
    for (let c = 0; c < enc.nCoders; c++) if ((enc.codes[base + c] as number) >= 0) m++;
    if (m >= 2) pairable[p++] = u;
  }
  const weights = new Int32Array(enc.nUnits);
  const values = new Float64Array(samples);
  let valid = 0;
  for (let b = 0; b < samples; b++) {
    weights.fill(0);
    for (let i = 0; i < pairable.length; i++) {
      const u = pairable[randomIndex(options.random, pairable.length)] as number;
      weights[u] = (weights[u] as number) + 1;
    }
    const r = resultFrom(alphaParts(enc, level, scores, weights), level, enc.nUnits);
    if (r.value !== null) values[valid++] = r.value;
  }
  if (valid === 0) return { ...point, ci: null, reason: 'no bootstrap resample had variation' };
  const sorted = values.subarray(0, valid).sort();
  const tail = (1 - confidence) / 2;
  return { ...point, ci: { lower: quantile(sorted, tail), upper: quantile(sorted, 1 - tail), confidence, samples, validSamples: valid } };
}
