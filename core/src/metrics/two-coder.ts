import { AgreementInputError, toEncodedRatings, type Category, type RatingsInput } from './reliability-data.ts';
import { chanceCorrected, noPairableUnits, type CoefficientResult } from './result.ts';
import { agreementWeights, type WeightScheme } from './weights.ts';

/** Options shared by categorical coefficients. */
export interface CategoricalOptions {
  /** Explicit category order (may include unused categories); default: sorted observed values. */
  categories?: readonly Category[];
}

/** Options for coefficients that accept partial-agreement weights. */
export interface WeightedOptions extends CategoricalOptions {
  /** Weights on category positions; default `none`. */
  weights?: WeightScheme;
}

type Table = readonly (readonly number[])[];

const NO_PAIRS = 'no unit was rated by both coders';
const ONE_CATEGORY = 'chance agreement is 1: both coders used one and the same category for every unit';

function checkTable(table: Table): number {
  const q = table.length;
  if (q === 0) throw new AgreementInputError('contingency table has no rows');
  table.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== q)
      throw new AgreementInputError(
        `contingency table must be square: row ${i} has ${Array.isArray(row) ? row.length : 0} cells, expected ${q}`,
      );
    row.forEach((x, j) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0)
        throw new AgreementInputError(`table cell [${i}][${j}] is not a non-negative number`);
    });
  });
  return q;
}

/** Proportions p_kl, row marginals and column marginals of a q×q count table (flat). */
function proportions(counts: Float64Array, q: number): { n: number; p: Float64Array; rows: Float64Array; cols: Float64Array } {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i] as number;
  const p = new Float64Array(q * q);
  const rows = new Float64Array(q);
  const cols = new Float64Array(q);
  if (n === 0) return { n, p, rows, cols };
  for (let k = 0; k < q; k++) {
    for (let l = 0; l < q; l++) {
      const x = (counts[k * q + l] as number) / n;
      p[k * q + l] = x;
      rows[k] = (rows[k] as number) + x;
      cols[l] = (cols[l] as number) + x;
    }
  }
  return { n, p, rows, cols };
}

function flatten(table: Table, q: number): Float64Array {
  const out = new Float64Array(q * q);
  table.forEach((row, k) => row.forEach((x, l) => (out[k * q + l] = x)));
  return out;
}

/** Counts of (coder 0 category, coder 1 category) over units both coders rated; throws unless exactly 2 coders. */
function pairTable(
  input: RatingsInput,
  categories: readonly Category[] | undefined,
  name: string,
): { counts: Float64Array; q: number; nUnits: number } {
  const enc = toEncodedRatings(input, categories);
  if (enc.nCoders !== 2) throw new AgreementInputError(`${name} needs exactly 2 coders, got ${enc.nCoders}`);
  const q = enc.categories.length;
  const counts = new Float64Array(q * q);
  const codes = enc.codes;
  for (let u = 0; u < enc.nUnits; u++) {
    const a = codes[2 * u] as number;
    const b = codes[2 * u + 1] as number;
    if (a >= 0 && b >= 0) counts[a * q + b] = (counts[a * q + b] as number) + 1;
  }
  return { counts, q, nUnits: enc.nUnits };
}

function kappaFromCounts(counts: Float64Array, q: number, weights: WeightScheme, nUnits: number | null): CoefficientResult {
  const { n, p, rows, cols } = proportions(counts, q);
  const units = nUnits ?? n;
  if (n === 0) return noPairableUnits(units, NO_PAIRS);
  const w = agreementWeights(q, weights);
  let pa = 0;
  let pe = 0;
  for (let k = 0; k < q; k++) {
    for (let l = 0; l < q; l++) {
      const wk = w[k * q + l] as number;
      pa += wk * (p[k * q + l] as number);
      pe += wk * (rows[k] as number) * (cols[l] as number);
    }
  }
  return chanceCorrected(pa, pe, units, n, ONE_CATEGORY);
}

function piFromCounts(counts: Float64Array, q: number, nUnits: number | null): CoefficientResult {
  const { n, p, rows, cols } = proportions(counts, q);
  const units = nUnits ?? n;
  if (n === 0) return noPairableUnits(units, NO_PAIRS);
  let pa = 0;
  let pe = 0;
  for (let k = 0; k < q; k++) {
    pa += p[k * q + k] as number;
    const pooled = ((rows[k] as number) + (cols[k] as number)) / 2;
    pe += pooled * pooled;
  }
  return chanceCorrected(pa, pe, units, n, ONE_CATEGORY);
}

/**
 * Cohen's kappa for exactly two coders, unweighted or weighted (linear / quadratic on category
 * positions): κ = (p_a − p_e) / (1 − p_e) with p_a = Σ w_kl p_kl and p_e = Σ w_kl p_k· p_·l, the
 * marginals being each coder's own. Only units rated by both coders count (listwise deletion).
 *
 * Input: reliability data with 2 rows (coder × unit), null = missing. Throws
 * {@link AgreementInputError} for any other number of coders or malformed data.
 * Edge cases: perfect agreement over ≥ 2 categories → 1; no unit rated by both → `value: null`;
 * both coders using one single category everywhere (p_e = 1) → `value: null`. Symmetric in coders.
 * Complexity: O(units + q²) time, O(q²) memory beyond the encoding.
 */
export function cohenKappa(input: RatingsInput, options: WeightedOptions = {}): CoefficientResult {
  const { counts, q, nUnits } = pairTable(input, options.categories, "Cohen's kappa");
  return kappaFromCounts(counts, q, options.weights ?? 'none', nUnits);
}

/**
 * Cohen's kappa from a q×q contingency table (rows = coder A's category, columns = coder B's,
 * categories in position order). Counts may be any non-negative numbers. `nUnits` and
 * `nPairable` of the result are the table total. Same edge cases as {@link cohenKappa}; O(q²).
 */
export function cohenKappaFromTable(table: Table, options: { weights?: WeightScheme } = {}): CoefficientResult {
  const q = checkTable(table);
  return kappaFromCounts(flatten(table, q), q, options.weights ?? 'none', null);
}

/**
 * Scott's pi for exactly two coders (nominal): π = (p_o − p_e) / (1 − p_e) with p_e = Σ_k π_k²,
 * π_k the category's share among both coders' ratings pooled. Only units rated by both coders count.
 *
 * Input, errors and edge cases as {@link cohenKappa} (no weights). For more than two coders use
 * {@link fleissKappa}, its generalisation. Complexity: O(units + q²).
 */
export function scottPi(input: RatingsInput, options: CategoricalOptions = {}): CoefficientResult {
  const { counts, q, nUnits } = pairTable(input, options.categories, "Scott's pi");
  return piFromCounts(counts, q, nUnits);
}

/** Scott's pi from a q×q contingency table (see {@link cohenKappaFromTable} for the layout). O(q²). */
export function scottPiFromTable(table: Table): CoefficientResult {
  const q = checkTable(table);
  return piFromCounts(flatten(table, q), q, null);
}
