import { describe, expect, it } from 'vitest';
import { DATASET_FORMAT_REGISTRY, writeDataset, type Dataset, type ReadResult } from '../../../core/src/index.ts';

const csv = DATASET_FORMAT_REGISTRY.csv!;
const read = (text: string): ReadResult => csv.read([{ path: 'labels.csv', text }]);
const ok = (r: ReadResult) => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message} (line ${r.error.line})`);
  return r.dataset;
};
const classes = (d: Dataset) => d.items.map((i) => i.annotations.map((a) => a.regions.map((r) => r.label)));

describe('CSV for classification', () => {
  it('round-trips an image project: file names with spaces, Chinese and a shared stem; an unlabeled image', () => {
    const d: Dataset = {
      kind: 'image',
      labels: [
        { name: 'cat', tool: 'class-single' },
        { name: '狗, 大', tool: 'class-single' },
      ],
      items: [
        { name: '图片 1.JPG', kind: 'image', annotations: [{ kind: 'annotation', regions: [{ id: 'a', type: 'class', label: 'cat' }] }] },
        { name: 'a.png', kind: 'image', annotations: [{ kind: 'consensus', regions: [{ id: 'a', type: 'class', label: '狗, 大' }] }] },
        { name: 'a.jpg', kind: 'image', annotations: [] },
      ],
    };
    const { files, warnings } = writeDataset(csv, d);
    const text = files.get('dataset.csv')!;
    expect(text).toBe('image,label\r\n图片 1.JPG,cat\r\na.png,"狗, 大"\r\na.jpg,\r\n');
    expect(warnings.map((w) => w.code)).toEqual(['csv_unlabeled']);
    const back = ok(read(text));
    expect(back.kind).toBe('image');
    expect(back.items.map((i) => i.name)).toEqual(['图片 1.JPG', 'a.png', 'a.jpg']);
    expect(classes(back)).toEqual([[['cat']], [['狗, 大']], []]);
    expect(back.labels).toEqual(d.labels);
  });

  it('writes a multiple-choice text project with a labels column joined by |, and multi-line text quoted', () => {
    const d: Dataset = {
      kind: 'text',
      labels: [
        { name: 'sports', tool: 'class-multi' },
        { name: 'news', tool: 'class-multi' },
      ],
      items: [
        {
          name: 't1',
          kind: 'text',
          text: 'line one\nsaid "hi" 😀',
          annotations: [
            {
              kind: 'annotation',
              regions: [
                { id: 'a', type: 'class', label: 'sports' },
                { id: 'b', type: 'class', label: 'news' },
                { id: 'c', type: 'span', label: 'X', start: 0, end: 1 },
              ],
            },
          ],
        },
      ],
    };
    const { files, warnings } = writeDataset(csv, d);
    expect(files.get('dataset.csv')).toBe('id,text,labels\r\nt1,"line one\nsaid ""hi"" 😀",sports|news\r\n');
    expect(warnings.map((w) => w.code)).toEqual(['csv_regions_dropped']);
    const back = ok(read(files.get('dataset.csv')!));
    expect(back.items[0]).toMatchObject({ name: 't1', text: 'line one\nsaid "hi" 😀' });
    expect(classes(back)).toEqual([[['sports', 'news']]]);
    expect(back.labels.map((l) => l.tool)).toEqual(['class-multi', 'class-multi']);
  });

  it('reads file_name and class columns, keeps other columns in meta.csv, numbers text rows without id', () => {
    const img = ok(read('file_name,class,split\nx.png,dog,train\n'));
    expect(img.items[0]).toEqual({
      name: 'x.png',
      kind: 'image',
      annotations: [{ kind: 'annotation', regions: [{ id: 'r1', type: 'class', label: 'dog' }] }],
      meta: { csv: { split: 'train' } },
    });
    const txt = ok(read('text,label\nhello,pos\nbye,\n'));
    expect(txt.items.map((i) => [i.name, i.text, i.annotations.length])).toEqual([
      ['1', 'hello', 1],
      ['2', 'bye', 0],
    ]);
  });

  it('refuses bad files with the line: no label column, a wrong column count, an unclosed quote', () => {
    const cases: [string, number, RegExp][] = [
      ['text,x\nhello,1\n', 1, /"label"/],
      ['image,label\na.png,cat\nb.png,cat,extra\n', 3, /expected 2 columns, found 3/],
      ['text,label\n"open,pos\n', 2, /not closed/],
      ['text,image,label\n', 1, /not both/],
    ];
    for (const [text, line, message] of cases) {
      const r = read(text);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatchObject({ file: 'labels.csv', line });
        expect(r.error.message).toMatch(message);
      }
    }
  });
});
