import { describe, expect, it } from 'vitest';
import { MAX_META_DEPTH, parseCsvImport, parseJsonlImport } from '../../../core/src/index.ts';

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('text import reason codes', () => {
  it('reports an empty file as empty, not as a bad line', () => {
    for (const text of ['', '\n\n  \n', '\uFEFF']) {
      const r = parseJsonlImport(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors).toEqual([{ line: 1, code: 'EMPTY_FILE', message: 'the file is empty' }]);
    }
    const csv = parseCsvImport('');
    expect(!csv.ok && csv.errors[0]!.code).toBe('EMPTY_FILE');
  });

  it('refuses meta nested 20,000 deep with TOO_DEEP instead of overflowing the stack', () => {
    const r = parseJsonlImport(`{"text":"x","meta":${nested(20_000)}}\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ line: 1, code: 'TOO_DEEP', params: { max: MAX_META_DEPTH } });
  });

  it('accepts meta nested up to the bound', () => {
    const r = parseJsonlImport(`{"text":"x","meta":${nested(MAX_META_DEPTH)}}\n`);
    expect(r.ok).toBe(true);
  });

  it('gives each bad line a code and the parameters to say it in any language', () => {
    const r = parseJsonlImport(
      ['{"text":1}', '{"text":"a"', '{"text":"b","meta":{"$where":1}}', '{"text":"c","meta":{"a":[[1]]}}'].join('\n'),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.line, e.code])).toEqual([
      [1, 'INVALID_FIELD'],
      [2, 'INVALID_JSON'],
      [3, 'UNSAFE_KEY'],
      [4, 'NESTED_ARRAY'],
    ]);
    expect(r.errors[0]!.params).toEqual({ field: 'text', issue: 'invalid_type' });
    expect(r.errors[2]!.params).toEqual({ key: '$where' });
    const csv = parseCsvImport('text,id\n"a,1\n');
    expect(!csv.ok && csv.errors[0]).toMatchObject({ code: 'CSV_SYNTAX', params: { reason: 'unclosed-quote' } });
    const cols = parseCsvImport('text,id\na,1,2\n');
    expect(!cols.ok && cols.errors[0]).toMatchObject({ code: 'CSV_COLUMN_COUNT', params: { expected: 2, found: 3 } });
  });
});
