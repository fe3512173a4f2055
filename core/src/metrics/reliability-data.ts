/** A category a coder can assign: a number or a string. `1` and `"1"` are different categories. */
export type Category = string | number;
/** One coder's rating of one unit; `null` means the coder did not rate the unit. */
export type Rating = Category | null;
/** Reliability data: one row per coder, one column per unit (Krippendorff's layout). */
export type ReliabilityData = readonly (readonly Rating[])[];

/**
 * Reliability data with integer-coded categories, laid out unit-major so that the ratings of one
 * unit are adjacent: `codes[unit * nCoders + coder]` is the category's position in `categories`,
 * or -1 when missing. Build it once with {@link encodeRatings} and pass it to several coefficients.
 */
export interface EncodedRatings {
  readonly nCoders: number;
  readonly nUnits: number;
  /** The category order: position `i` is code `i`. */
  readonly categories: readonly Category[];
  readonly codes: Int32Array;
}

/** Raw reliability data or data already encoded by {@link encodeRatings}. */
export type RatingsInput = ReliabilityData | EncodedRatings;

/** Thrown for input that no coefficient can be computed on: ragged rows, bad values, wrong coder count. */
export class AgreementInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgreementInputError';
  }
}

/**
 * Compares strings by Unicode code point (not UTF-16 code unit, which orders astral characters
 * wrongly): negative, 0 or positive like `Array.prototype.sort` expects. A proper prefix sorts first.
 * O(length of the common prefix).
 */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(j) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  const restA = a.length - i;
  const restB = b.length - j;
  return restA === restB ? 0 : restA < restB ? -1 : 1;
}

/**
 * The default category order: numbers ascending, then strings by code point ({@link compareCodePoints}).
 * Used wherever the caller gives no explicit order. O(1) for numbers, O(length) for strings.
 */
export function compareCategories(a: Category, b: Category): number {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
    return -1;
  }
  if (typeof b === 'number') return 1;
  return compareCodePoints(a, b);
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return typeof v;
  }
}

/** Integers in [0, SMALL_INT_LIMIT) are looked up in a typed array instead of a Map (the common case). */
const SMALL_INT_LIMIT = 65536;

/**
 * Integer-codes reliability data. With `categories` the codes are positions in that order (which
 * may include categories nobody used); without it the order is the sorted set of observed values
 * ({@link compareCategories}).
 *
 * Throws {@link AgreementInputError} when there is no coder row, rows differ in length, a value is
 * not a finite number, a string or null, `categories` has duplicates, or a value is missing from
 * `categories`. No rows with zero units is fine (nUnits 0).
 *
 * Complexity: O(coders × units) time, one Int32Array of that size; no allocation per value.
 */
export function encodeRatings(data: ReliabilityData, categories?: readonly Category[]): EncodedRatings {
  if (!Array.isArray(data) || data.length === 0) throw new AgreementInputError('reliability data needs at least one coder row');
  const nCoders = data.length;
  let nUnits = -1;
  for (let c = 0; c < nCoders; c++) {
    const row = data[c];
    if (!Array.isArray(row)) throw new AgreementInputError(`coder row ${c} is not an array`);
    if (nUnits === -1) nUnits = row.length;
    else if (row.length !== nUnits)
      throw new AgreementInputError(`ragged reliability data: coder row ${c} has ${row.length} units, row 0 has ${nUnits}`);
  }
  const codes = new Int32Array(nCoders * nUnits);
  // A 256 KB lookup table pays off only for large inputs; small ones use the Map alone.
  const small = nCoders * nUnits > 4096 ? new Int32Array(SMALL_INT_LIMIT).fill(-1) : null;
  const other = new Map<Category, number>();
  const fixed = categories !== undefined;
  const seen: Category[] = [];
  if (fixed) {
    categories.forEach((cat, i) => {
      if (!(typeof cat === 'string' || (typeof cat === 'number' && Number.isFinite(cat)))) {
        throw new AgreementInputError(`category ${describe(cat)} is not a finite number or a string`);
      }
      if (small !== null && typeof cat === 'number' && Number.isInteger(cat) && cat >= 0 && cat < SMALL_INT_LIMIT) {
        if (small[cat] !== -1) throw new AgreementInputError(`duplicate category ${describe(cat)}`);
        small[cat] = i;
      } else {
        if (other.has(cat)) throw new AgreementInputError(`duplicate category ${describe(cat)}`);
        other.set(cat, i);
      }
    });
  }
  for (let c = 0; c < nCoders; c++) {
    const row = data[c] as readonly Rating[];
    for (let u = 0, at = c; u < nUnits; u++, at += nCoders) {
      const v = row[u];
      let code: number;
      if (v === null) code = -1;
      else if (small !== null && typeof v === 'number' && (v | 0) === v && v >= 0 && v < SMALL_INT_LIMIT) {
        code = small[v] as number;
        if (code === -1) {
          if (fixed) throw new AgreementInputError(`value ${v} (coder ${c}, unit ${u}) is not among the given categories`);
          code = seen.length;
          seen.push(v);
          small[v] = code;
        }
      } else if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) {
        const known = other.get(v);
        if (known === undefined) {
          if (fixed) throw new AgreementInputError(`value ${describe(v)} (coder ${c}, unit ${u}) is not among the given categories`);
          code = seen.length;
          seen.push(v);
          other.set(v, code);
        } else code = known;
      } else {
        throw new AgreementInputError(`value ${describe(v)} (coder ${c}, unit ${u}) is not a finite number, a string or null`);
      }
      codes[at] = code;
    }
  }
  if (fixed) return { nCoders, nUnits, categories: [...categories], codes };
  // Codes were handed out in order of first appearance; renumber them into the sorted order.
  const order = seen.map((_, i) => i).sort((a, b) => compareCategories(seen[a] as Category, seen[b] as Category));
  const remap = new Int32Array(seen.length);
  order.forEach((oldCode, position) => {
    remap[oldCode] = position;
  });
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i] as number;
    if (k >= 0) codes[i] = remap[k] as number;
  }
  return { nCoders, nUnits, categories: order.map((i) => seen[i] as Category), codes };
}

function isEncoded(input: RatingsInput): input is EncodedRatings {
  return !Array.isArray(input) && typeof input === 'object' && input !== null && 'codes' in input;
}

/**
 * Accepts raw or encoded ratings. Raw data is encoded with the given category order; an already
 * encoded input keeps its own order and `categories` must then be omitted (else
 * {@link AgreementInputError}, also for a codes array of the wrong length).
 * O(1) for encoded input, {@link encodeRatings} otherwise.
 */
export function toEncodedRatings(input: RatingsInput, categories?: readonly Category[]): EncodedRatings {
  if (isEncoded(input)) {
    if (categories !== undefined) throw new AgreementInputError('categories cannot be given with already encoded ratings');
    if (input.codes.length !== input.nCoders * input.nUnits)
      throw new AgreementInputError('encoded ratings: codes length is not nCoders × nUnits');
    return input;
  }
  return encodeRatings(input as ReliabilityData, categories);
}

/**
 * Expands a two-coder contingency table (rows = coder A's category, columns = coder B's, both in
 * the order of `categories`, default positions 0..q-1) into reliability data with one unit per
 * counted pair. Throws {@link AgreementInputError} for a non-square table or counts that are not
 * non-negative integers. O(q² + total count).
 */
export function ratingsFromTable(table: readonly (readonly number[])[], categories?: readonly Category[]): ReliabilityData {
  const q = table.length;
  const cats = categories ?? Array.from({ length: q }, (_, i) => i);
  if (cats.length !== q) throw new AgreementInputError(`table has ${q} rows but ${cats.length} categories were given`);
  const a: Rating[] = [];
  const b: Rating[] = [];
  table.forEach((row, i) => {
    if (row.length !== q)
      throw new AgreementInputError(`contingency table must be square: row ${i} has ${row.length} cells, expected ${q}`);
    row.forEach((count, j) => {
      if (!Number.isInteger(count) || count < 0)
        throw new AgreementInputError(`table cell [${i}][${j}] = ${count} is not a non-negative integer`);
      for (let t = 0; t < count; t++) {
        a.push(cats[i] as Category);
        b.push(cats[j] as Category);
      }
    });
  });
  return [a, b];
}
