import { formatPath } from '../contracts/errors.ts';
import { TextItemImport } from '../schema/item.ts';
import { parseCsv } from './csv.ts';

export interface ImportLineError {
  line: number;
  message: string;
}

export type TextImportResult = { ok: true; items: TextItemImport[] } | { ok: false; errors: ImportLineError[]; total: number };

const MAX_ERRORS = 100;
const UNSAFE_KEY = /^\$|\./;

function unsafeKeys(v: unknown, path: string[] = []): string | null {
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      if (Array.isArray(x)) return `${[...path, String(i)].join('.') || 'value'}: nested arrays are not supported`;
      const bad = unsafeKeys(x, [...path, String(i)]);
      if (bad) return bad;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (UNSAFE_KEY.test(k)) return `key "${k}" must not start with "$" or contain "."`;
      const bad = unsafeKeys(x, [...path, k]);
      if (bad) return bad;
    }
  }
  return null;
}

function checkRecord(raw: unknown, line: number, errors: ImportLineError[], items: TextItemImport[]): void {
  const r = TextItemImport.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    errors.push({ line, message: `${formatPath(i.path) || 'line'}: ${i.message}` });
    return;
  }
  const bad = r.data.meta ? unsafeKeys(r.data.meta) : null;
  if (bad) {
    errors.push({ line, message: `meta: ${bad}` });
    return;
  }
  items.push(r.data);
}

/**
 * Parses a JSONL text import: one JSON object per line ({text, id?, meta?, gold?}); blank lines are
 * skipped. Validates every line and reports all bad lines (up to 100) with 1-based line numbers, so
 * an import is all or nothing. O(n) in the text length.
 */
export function parseJsonlImport(text: string): TextImportResult {
  const items: TextItemImport[] = [];
  const errors: ImportLineError[] = [];
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  let total = 0;
  lines.forEach((raw, idx) => {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l.trim() === '') return;
    total++;
    if (errors.length >= MAX_ERRORS) return;
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch (e) {
      errors.push({ line: idx + 1, message: `not valid JSON (${e instanceof Error ? e.message : 'parse error'})` });
      return;
    }
    checkRecord(value, idx + 1, errors, items);
  });
  if (total === 0) return { ok: false, errors: [{ line: 1, message: 'the file has no items' }], total };
  return errors.length ? { ok: false, errors, total } : { ok: true, items };
}

/**
 * Parses a CSV text import with a header row naming columns: `text` (required), `id`, and JSON
 * columns `meta` and `gold`. Other columns are kept in `meta`. Reports bad rows by line number.
 */
export function parseCsvImport(text: string): TextImportResult {
  const parsed = parseCsv(text);
  if (!parsed.ok) return { ok: false, errors: [{ line: parsed.line, message: parsed.message }], total: 0 };
  const [header, ...rows] = parsed.rows;
  if (!header) return { ok: false, errors: [{ line: 1, message: 'the file is empty' }], total: 0 };
  const cols = header.cells.map((c) => c.trim());
  const textCol = cols.indexOf('text');
  if (textCol < 0) return { ok: false, errors: [{ line: header.line, message: 'the header row needs a "text" column' }], total: 0 };
  if (rows.length === 0) return { ok: false, errors: [{ line: header.line, message: 'the file has no items' }], total: 0 };
  const items: TextItemImport[] = [];
  const errors: ImportLineError[] = [];
  for (const row of rows) {
    if (errors.length >= MAX_ERRORS) break;
    if (row.cells.length !== cols.length) {
      errors.push({ line: row.line, message: `expected ${cols.length} columns, found ${row.cells.length}` });
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
          errors.push({ line: row.line, message: `${name}: not valid JSON` });
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
