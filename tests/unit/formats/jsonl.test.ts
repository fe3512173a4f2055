import { describe, expect, it } from 'vitest';
import { DATASET_FORMAT_REGISTRY, writeDataset, type Dataset, type ReadResult } from '../../../core/src/index.ts';

const jsonl = DATASET_FORMAT_REGISTRY.jsonl!;
const conll = DATASET_FORMAT_REGISTRY.conll!;
const read = (text: string): ReadResult => jsonl.read([{ path: 'in.jsonl', text }]);
const ok = (r: ReadResult) => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message} (line ${r.error.line})`);
  return r.dataset;
};
const lines = (...records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

const full: Dataset = {
  kind: 'text',
  labels: [
    { name: 'LOC', tool: 'span' },
    { name: 'news', tool: 'class-single' },
  ],
  items: [
    {
      name: 'doc-1',
      kind: 'text',
      text: '我😀爱北京🎉',
      annotations: [
        {
          kind: 'annotation',
          regions: [
            { id: 'a', type: 'span', label: 'LOC', start: 3, end: 5 },
            { id: 'b', type: 'class', label: 'news' },
          ],
        },
      ],
      meta: { source: 'weibo', n: 3 },
    },
    {
      name: 'doc-2',
      kind: 'text',
      text: 'Paris',
      annotations: [
        { kind: 'gold', regions: [{ id: 'g', type: 'span', label: 'LOC', start: 0, end: 5 }] },
        {
          kind: 'prediction',
          regions: [{ id: 'p', type: 'span', label: 'LOC', start: 0, end: 5 }],
          provenance: { modelVersion: 'ner-2', score: 0.75 },
        },
        { kind: 'annotation', regions: [], provenance: { annotator: 'ann@x', at: '2026-12-01T00:00:00Z' } },
      ],
      attributes: { g: { checked: true } },
    },
    { name: 'doc-3', kind: 'text', text: 'not labeled yet', annotations: [] },
  ],
};

describe('JSONL (Labelwork native)', () => {
  it('writes one item per line with Labelwork region objects and reads every field back', () => {
    const { files } = writeDataset(jsonl, full);
    const text = files.get('dataset.jsonl')!;
    const recs = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs).toHaveLength(3);
    expect(recs[0]).toEqual({
      id: 'doc-1',
      text: '我😀爱北京🎉',
      regions: [
        { id: 'a', type: 'span', label: 'LOC', start: 3, end: 5 },
        { id: 'b', type: 'class', label: 'news' },
      ],
      meta: { source: 'weibo', n: 3 },
    });
    expect(recs[2]).toEqual({ id: 'doc-3', text: 'not labeled yet' });
    const back = ok(read(text));
    expect(back.items).toEqual(full.items);
    expect(back.labels).toEqual(full.labels);
  });

  it('reads regions without ids, numbering them, and tells "labeled, nothing found" from "not labeled"', () => {
    const d = ok(
      read(lines({ text: 'abc', regions: [] }, { text: 'abc' }, { id: 7, text: 'abc', regions: [{ type: 'class', label: 'x' }] })),
    );
    expect(d.items.map((i) => i.annotations.length)).toEqual([1, 0, 1]);
    expect(d.items.map((i) => i.name)).toEqual(['1', '2', '7']);
    expect(d.items[2]!.annotations[0]!.regions).toEqual([{ id: 'r1', type: 'class', label: 'x' }]);
  });

  it('refuses a bad line with its line number: broken JSON, a span outside the text, a wrong field', () => {
    const cases: [string, number, RegExp][] = [
      [lines({ text: 'ok' }) + '\n{"text": "a",\n', 3, /not valid JSON/],
      [
        lines({ text: 'ab' }, { text: '😀b', regions: [{ type: 'span', label: 'X', start: 0, end: 3 }] }),
        2,
        /not inside the text \(2 code points\)/,
      ],
      [lines({ text: 'ab', regions: [{ type: 'span', label: 'X', start: 'a', end: 1 }] }), 1, /regions\[0\]\.start/],
      [lines([1, 2]), 1, /JSON object/],
    ];
    for (const [text, line, message] of cases) {
      const r = read(text);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.line).toBe(line);
        expect(r.error.file).toBe('in.jsonl');
        expect(r.error.message).toMatch(message);
      }
    }
  });
});

describe('JSONL (doccano layouts)', () => {
  it('reads span and class layouts, with code-point offsets after an emoji', () => {
    const d = ok(read(lines({ text: '😀北京', label: [[1, 3, 'LOC']] }, { text: 'good', label: ['pos'] }, { data: 'x', labels: [] })));
    expect(d.items[0]!.annotations[0]!.regions).toEqual([{ id: 'r1', type: 'span', label: 'LOC', start: 1, end: 3 }]);
    expect(d.items[1]!.annotations[0]!.regions).toEqual([{ id: 'r1', type: 'class', label: 'pos' }]);
    expect(d.items[2]!.text).toBe('x');
    expect(d.labels).toEqual([
      { name: 'LOC', tool: 'span' },
      { name: 'pos', tool: 'class-single' },
    ]);
  });

  it('reads the entities layout with start_offset and end_offset', () => {
    const d = ok(read(lines({ text: 'in Paris', entities: [{ id: 1, label: 'LOC', start_offset: 3, end_offset: 8 }] })));
    expect(d.items[0]!.annotations[0]!.regions).toEqual([{ id: 'r1', type: 'span', label: 'LOC', start: 3, end: 8 }]);
  });

  it('says which fields it did not read (doccano exports carry "Comments"), naming the first line', () => {
    const r = read(
      lines({ text: 'a', label: ['x'] }, { id: 2, text: 'b', label: [], Comments: [], source: 'web' }, { text: 'c', regions: [], note: 1 }),
    );
    expect(r.ok && r.warnings).toEqual([
      { code: 'jsonl_fields_ignored', message: 'fields not read: "Comments", "source", "note"', file: 'in.jsonl', line: 2 },
    ]);
  });

  it('writes the doccano layout when asked, and round-trips it', () => {
    const { files, warnings } = writeDataset(jsonl, full, { layout: 'doccano' });
    const text = files.get('dataset.jsonl')!;
    expect(text.split('\n')[0]).toBe(JSON.stringify({ id: 'doc-1', text: '我😀爱北京🎉', label: [[3, 5, 'LOC']] }));
    expect(text.split('\n')[2]).toBe(JSON.stringify({ id: 'doc-3', text: 'not labeled yet' }));
    expect(warnings.map((w) => w.code)).toEqual(['doccano_classes_dropped']);
    const back = ok(read(text));
    expect(back.items[0]!.annotations[0]!.regions).toEqual([{ id: 'r1', type: 'span', label: 'LOC', start: 3, end: 5 }]);
    expect(back.items[1]!.annotations[0]!.kind).toBe('annotation');
    const classes = writeDataset(
      jsonl,
      {
        ...full,
        items: [
          {
            name: 'c',
            kind: 'text',
            text: 'good',
            annotations: [{ kind: 'annotation', regions: [{ id: 'x', type: 'class', label: 'pos' }] }],
          },
        ],
      },
      { layout: 'doccano' },
    );
    expect(classes.files.get('dataset.jsonl')).toBe('{"id":"c","text":"good","label":["pos"]}\n');
  });
});

describe('JSONL ↔ CoNLL', () => {
  it('jsonl → conll → jsonl returns the same Chinese text and spans', () => {
    const src = lines(
      {
        id: 'a',
        text: '我😀爱北京🎉和张三',
        regions: [
          { type: 'span', label: 'LOC', start: 3, end: 5 },
          { type: 'span', label: 'PER', start: 7, end: 9 },
        ],
      },
      { id: 'b', text: '没有实体', regions: [] },
    );
    const d = ok(read(src));
    const c = writeDataset(conll, d).files.get('dataset.conll')!;
    const r = conll.read([{ path: 'x.conll', text: c }]);
    if (!r.ok) throw new Error(r.error.message);
    const back = writeDataset(jsonl, r.dataset).files.get('dataset.jsonl')!;
    const strip = (t: string) =>
      t
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const { id: _id, ...rest } = JSON.parse(l) as Record<string, unknown>;
          return rest;
        });
    expect(strip(back)).toEqual(strip(writeDataset(jsonl, d).files.get('dataset.jsonl')!));
  });
});
