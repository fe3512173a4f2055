import { formatPath } from '../contracts/errors.ts';
import { TextItemImport } from '../schema/item.ts';
import { parseCsv } from './csv.ts';

/**
 * Why a line of a text import was refused, as a code clients translate (with `params`);
 * `message` is the English text for API users.
 */
export const IMPORT_LINE_CODES = [
  'EMPTY_FILE',
  'NO_ITEMS',
  'INVALID_JSON',
  'INVALID_FIELD',
  'UNSAFE_KEY',
  'NESTED_ARRAY',
  'TOO_DEEP',
  'CSV_SYNTAX',
  'CSV_NO_TEXT_COLUMN',
  'CSV_COLUMN_COUNT',
  'CSV_INVALID_JSON',
  'GOLD_INVALID',
] as const;
export type ImportLineCode = (typeof IMPORT_LINE_CODES)[number];

export interface ImportLineError {
  line: number;
  message: string;
  code: ImportLineCode;
  params?: Record<string, string | number>;
}

/** How deeply `meta` may nest (the database refuses deep documents, and checks stay cheap). */
export const MAX_META_DEPTH = 32;

export type TextImportResult = { ok: true; items: TextItemImport[] } | { ok: false; errors: ImportLineError[]; total: number };

const MAX_ERRORS = 100;
const UNSAFE_KEY = /^\$|\./;

type KeyProblem = Pick<ImportLineError, 'code' | 'message' | 'params'>;

/** Walks `meta` without recursion, so a deeply nested value is refused instead of overflowing the stack. */
function metaProblem(root: unknown): KeyProblem | null {
  const stack: { v: unknown; path: string[] }[] = [{ v: root, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (path.length > MAX_META_DEPTH)
      return { code: 'TOO_DEEP', message: `nested more than ${MAX_META_DEPTH} levels deep`, params: { max: MAX_META_DEPTH } };
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) {
        const at = [...path, String(i)].join('.');
        if (Array.isArray(x)) return { code: 'NESTED_ARRAY', message: `${at}: nested arrays are not supported`, params: { path: at } };
        stack.push({ v: x, path: [...path, String(i)] });
      }
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (UNSAFE_KEY.test(k))
          return { code: 'UNSAFE_KEY', message: `key "${k}" must not start with "$" or contain "."`, params: { key: k } };
        stack.push({ v: x, path: [...path, k] });
      }
    }
  }
  return null;
}

function checkRecord(raw: unknown, line: number, errors: ImportLineError[], items: TextItemImport[]): void {
  const r = TextItemImport.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = formatPath(i.path) || 'line';
    errors.push({ line, code: 'INVALID_FIELD', message: `${field}: ${i.message}`, params: { field, issue: i.code } });
    return;
  }
  const bad = r.data.meta ? metaProblem(r.data.meta) : null;
  if (bad) {
    errors.push({ line, ...bad, message: `meta: ${bad.message}` });
    return;
  }
  items.push(r.data);
}

/**
 * The lines of a JSONL text, parsed: a leading BOM is dropped, `\r\n` accepted, blank lines
 * skipped; each other line yields its JSON value or an `INVALID_JSON` error, with its 1-based line
 * number. Shared by the text import and the dataset JSONL reader (formats/dataset/jsonl.ts).
 */
export function* jsonLines(text: string): Generator<{ line: number; value: unknown } | { line: number; error: ImportLineError }> {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  for (const [idx, raw] of lines.entries()) {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l.trim() === '') continue;
    try {
      yield { line: idx + 1, value: JSON.parse(l) as unknown };
    } catch (e) {
      const detail = e instanceof Error ? e.message : 'parse error';
      const at = /position (\d+)/.exec(detail);
      yield {
        line: idx + 1,
        error: {
          line: idx + 1,
          code: 'INVALID_JSON',
          message: `not valid JSON (${detail})`,
          ...(at ? { params: { column: Number(at[1]) + 1 } } : {}),
        },
      };
    }
  }
}

/**
 * Parses a JSONL text import: one JSON object per line ({text, id?, meta?, gold?}); blank lines are
 * skipped. Validates every line and reports all bad lines (up to 100) with 1-based line numbers, so
 * an import is all or nothing. O(n) in the text length.
 */
export function parseJsonlImport(text: string): TextImportResult {
  const items: TextItemImport[] = [];
  const errors: ImportLineError[] = [];
  let total = 0;
  for (const l of jsonLines(text)) {
    total++;
    if (errors.length >= MAX_ERRORS) continue;
    if ('error' in l) errors.push(l.error);
    else checkRecord(l.value, l.line, errors, items);
  }
  if (total === 0) return { ok: false, errors: [{ line: 1, code: 'EMPTY_FILE', message: 'the file is empty' }], total };
  return errors.length ? { ok: false, errors, total } : { ok: true, items };
}

/**
 * Parses a CSV text import with a header row naming columns: `text` (required), `id`, and JSON
 * columns `meta` and `gold`. Other columns are kept in `meta`. Reports bad rows by line number.
 */
export function parseCsvImport(text: string): TextImportResult {
  const parsed = parseCsv(text);
  if (!parsed.ok)
    return {
      ok: false,
      errors: [{ line: parsed.line, code: 'CSV_SYNTAX', message: parsed.message, params: { reason: parsed.reason } }],
      total: 0,
    };
  const [header, ...rows] = parsed.rows;
  if (!header) return { ok: false, errors: [{ line: 1, code: 'EMPTY_FILE', message: 'the file is empty' }], total: 0 };
  const cols = header.cells.map((c) => c.trim());
  const textCol = cols.indexOf('text');
  if (textCol < 0)
    return {
      ok: false,
      errors: [{ line: header.line, code: 'CSV_NO_TEXT_COLUMN', message: 'the header row needs a "text" column' }],
      total: 0,
    };
  if (rows.length === 0)
    return { ok: false, errors: [{ line: header.line, code: 'NO_ITEMS', message: 'the file has no items' }], total: 0 };
  const items: TextItemImport[] = [];
  const errors: ImportLineError[] = [];
  for (const row of rows) {
    if (errors.length >= MAX_ERRORS) break;
    if (row.cells.length !== cols.length) {
      errors.push({
        line: row.line,
        code: 'CSV_COLUMN_COUNT',
        message: `expected ${cols.length} columns, found ${row.cells.length}`,
        params: { expected: cols.length, found: row.cells.length },
      });
      continue;
    }
    const rec: Record<string, unknown> = {};
    const extra: Record<string, string> = {};
    let bad = false;
    cols.forEach((name, j) => {
      const v = row.cells[j]!;
      if (name === 'text') rec.text = v;
      else if (name === 'id') {
        if (v !== '') rec.id = v;
      } else if (name === 'meta' || name === 'gold') {
        if (v === '') return;
        try {
          rec[name] = JSON.parse(v);
        } catch {
          errors.push({ line: row.line, code: 'CSV_INVALID_JSON', message: `${name}: not valid JSON`, params: { column: name } });
          bad = true;
        }
      } else if (name !== '') extra[name] = v;
    });
    if (bad) continue;
    if (Object.keys(extra).length) rec.meta = { ...extra, ...(rec.meta && typeof rec.meta === 'object' ? rec.meta : {}) };
    checkRecord(rec, row.line, errors, items);
  }
  return errors.length ? { ok: false, errors, total: rows.length } : { ok: true, items };
}
