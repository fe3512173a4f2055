import type { RandomSource } from '../metrics/random.ts';
import { AgreementInputError, toEncodedRatings, type Category, type RatingsInput } from '../metrics/reliability-data.ts';

export interface DawidSkeneOptions {
  categories?: readonly Category[];
  /** EM stops after this many iterations (default 100). */
  maxIterations?: number;
  /** Converged when the log-likelihood gains less than tolerance × max(1, |log-likelihood|) (default 1e-8). */
  tolerance?: number;
  /** `vote` (default): start from vote shares. `random`: vote counts plus uniform noise from `random`. */
  init?: 'vote' | 'random';
  /** Required for `init: 'random'`. */
  random?: RandomSource;
  /** Pseudo-count added to every confusion cell and prior (default 0.01) so no probability is 0. */
  smoothing?: number;
}

export interface DawidSkeneResult {
  categories: readonly Category[];
  nUnits: number;
  /** Row-major units × categories: P(true class = k | ratings). Units without ratings get the priors. */
  posteriors: Float64Array;
  /** Most probable class per unit (ties → first in category order); null for units without ratings. */
  labels: (Category | null)[];
  /** Estimated class prevalences. */
  priors: number[];
  /** confusion[coder][true k][given l] = P(coder says l | true class k). */
  confusion: number[][][];
  /**
   * Per coder, the posterior-expected share of their ratings that equal the true class:
   * Σ_u P(true = x_uj) / (ratings by j). Null for a coder without ratings.
   */
  accuracies: (number | null)[];
  logLikelihood: number;
  iterations: number;
  converged: boolean;
}

function logSumExp(v: Float64Array, from: number, len: number): number {
  let max = -Infinity;
  for (let i = 0; i < len; i++) max = Math.max(max, v[from + i] as number);
  let s = 0;
  for (let i = 0; i < len; i++) s += Math.exp((v[from + i] as number) - max);
  return max + Math.log(s);
}

/**
 * Dawid & Skene (1979) latent-class model fitted by expectation–maximisation: each coder j has a
 * confusion matrix π^j[k][l] = P(says l | true k); classes have prevalences p_k. The E-step sets
 * P(true = k | unit) ∝ p_k Π_j π^j[k][x_uj] (in log space); the M-step re-estimates p and π^j from
 * those posteriors (with `smoothing` pseudo-counts). Initialisation is deterministic (`vote`) or
 * seeded (`random`), so results are reproducible.
 *
 * Input: reliability data (coder × unit, null = missing) or encoded ratings. Throws
 * {@link AgreementInputError} for malformed data or options, or `init: 'random'` without `random`.
 * Edge cases: units without ratings get the priors and a null label; one category only → every
 * posterior is 1; zero units → empty result with priors uniform over the categories.
 * Complexity: O(iterations × (coders × units × K + coders × K²)) time, O(units × K + coders × K²) memory.
 */
export function dawidSkene(input: RatingsInput, options: DawidSkeneOptions = {}): DawidSkeneResult {
  const enc = toEncodedRatings(input, options.categories);
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-8;
  const smoothing = options.smoothing ?? 0.01;
  const init = options.init ?? 'vote';
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new AgreementInputError('maxIterations must be a positive integer');
  if (!(tolerance >= 0)) throw new AgreementInputError('tolerance must be non-negative');
  if (!(smoothing >= 0)) throw new AgreementInputError('smoothing must be non-negative');
  if (init === 'random' && options.random === undefined) throw new AgreementInputError("init 'random' needs a seeded random source");
  const K = enc.categories.length;
  const M = enc.nCoders;
  const N = enc.nUnits;
  const codes = enc.codes;
  const rated = new Uint8Array(N);
  let nRated = 0;
  for (let u = 0; u < N; u++) {
    for (let c = 0; c < M; c++) if ((codes[u * M + c] as number) >= 0) rated[u] = 1;
    nRated += rated[u] as number;
  }
  const T = new Float64Array(N * K);
  for (let u = 0; u < N; u++) {
    if (!rated[u]) continue;
    let total = 0;
    for (let c = 0; c < M; c++) {
      const k = codes[u * M + c] as number;
      if (k >= 0) T[u * K + k] = (T[u * K + k] as number) + 1;
    }
    if (init === 'random') for (let k = 0; k < K; k++) T[u * K + k] = (T[u * K + k] as number) + (options.random as RandomSource)();
    for (let k = 0; k < K; k++) total += T[u * K + k] as number;
    for (let k = 0; k < K; k++) T[u * K + k] = (T[u * K + k] as number) / total;
  }
  const priors = new Float64Array(K).fill(K > 0 ? 1 / K : 0);
  const conf = new Float64Array(M * K * K); // [coder][true][given]
  const logConf = new Float64Array(M * K * K);
  const logT = new Float64Array(K);
  let logLikelihood = -Infinity;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && nRated > 0 && K > 0) {
    iterations++;
    // M-step.
    priors.fill(smoothing);
    conf.fill(smoothing);
    for (let u = 0; u < N; u++) {
      if (!rated[u]) continue;
      for (let k = 0; k < K; k++) priors[k] = (priors[k] as number) + (T[u * K + k] as number);
      for (let c = 0; c < M; c++) {
        const l = codes[u * M + c] as number;
        if (l < 0) continue;
        for (let k = 0; k < K; k++) conf[(c * K + k) * K + l] = (conf[(c * K + k) * K + l] as number) + (T[u * K + k] as number);
      }
    }
    let priorTotal = 0;
    for (let k = 0; k < K; k++) priorTotal += priors[k] as number;
    for (let k = 0; k < K; k++) priors[k] = priorTotal > 0 ? (priors[k] as number) / priorTotal : 1 / K;
    for (let row = 0; row < M * K; row++) {
      let s = 0;
      for (let l = 0; l < K; l++) s += conf[row * K + l] as number;
      for (let l = 0; l < K; l++) {
        const p = s > 0 ? (conf[row * K + l] as number) / s : 1 / K;
        conf[row * K + l] = p;
        logConf[row * K + l] = Math.log(p);
      }
    }
    // E-step.
    let ll = 0;
    for (let u = 0; u < N; u++) {
      if (!rated[u]) continue;
      for (let k = 0; k < K; k++) {
        let s = Math.log(priors[k] as number);
        for (let c = 0; c < M; c++) {
          const l = codes[u * M + c] as number;
          if (l >= 0) s += logConf[(c * K + k) * K + l] as number;
        }
        logT[k] = s;
      }
      const z = logSumExp(logT, 0, K);
      ll += z;
      for (let k = 0; k < K; k++) T[u * K + k] = Math.exp((logT[k] as number) - z);
    }
    const gain = ll - logLikelihood;
    logLikelihood = ll;
    if (Number.isFinite(gain) && Math.abs(gain) <= tolerance * Math.max(1, Math.abs(ll))) {
      converged = true;
      break;
    }
  }
  if (nRated === 0 || K === 0) {
    converged = true;
    logLikelihood = 0;
  }
  const labels: (Category | null)[] = new Array<Category | null>(N).fill(null);
  for (let u = 0; u < N; u++) {
    if (!rated[u]) {
      for (let k = 0; k < K; k++) T[u * K + k] = priors[k] as number;
      continue;
    }
    let best = 0;
    for (let k = 1; k < K; k++) if ((T[u * K + k] as number) > (T[u * K + best] as number)) best = k;
    labels[u] = enc.categories[best] as Category;
  }
  const accuracies: (number | null)[] = [];
  for (let c = 0; c < M; c++) {
    let hit = 0;
    let n = 0;
    for (let u = 0; u < N; u++) {
      const l = codes[u * M + c] as number;
      if (l < 0) continue;
      n++;
      hit += T[u * K + l] as number;
    }
    accuracies.push(n > 0 ? hit / n : null);
  }
  const confusion: number[][][] = [];
  for (let c = 0; c < M; c++) {
    const m: number[][] = [];
    for (let k = 0; k < K; k++) m.push(Array.from(conf.subarray((c * K + k) * K, (c * K + k + 1) * K)));
    confusion.push(m);
  }
  return {
    categories: enc.categories,
    nUnits: N,
    posteriors: T,
    labels,
    priors: Array.from(priors),
    confusion,
    accuracies,
    logLikelihood,
    iterations,
    converged,
  };
}
