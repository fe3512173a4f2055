import { describe, expect, it } from 'vitest';
import { DATASET_FORMAT_REGISTRY, writeDataset, type Dataset, type ReadResult, type Region } from '../../../core/src/index.ts';
import { sliceByCodePoints } from '../../../core/src/text/codepoints.ts';

const conll = DATASET_FORMAT_REGISTRY.conll!;
const read = (text: string): ReadResult => conll.read([{ path: 'in.conll', text }]);
const ok = (r: ReadResult) => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message} (line ${r.error.line})`);
  return r;
};
const spans = (d: Dataset, i: number) =>
  d.items[i]!.annotations[0]!.regions.map((r) => (r.type === 'span' ? [sliceByCodePoints(d.items[i]!.text!, r.start, r.end), r.label] : r));
const write = (d: Dataset, scheme?: 'iob2' | 'bioes') => writeDataset(conll, d, scheme ? { scheme } : {});

/** Chinese + emoji, entities after the emoji (astral characters are one code point, two UTF-16 units). */
const EMOJI_TEXT = '我😀爱北京🎉和张三';
const emojiDataset = (): Dataset => ({
  kind: 'text',
  labels: [
    { name: 'LOC', tool: 'span' },
    { name: 'PER', tool: 'span' },
  ],
  items: [
    {
      name: 'a',
      kind: 'text',
      text: EMOJI_TEXT,
      annotations: [
        {
          kind: 'annotation',
          regions: [
            { id: 'r1', type: 'span', label: 'LOC', start: 3, end: 5 },
            { id: 'r2', type: 'span', label: 'PER', start: 7, end: 9 },
          ],
        },
      ],
    },
  ],
});

describe('CoNLL writing', () => {
  it('writes Chinese one character per line, IOB2 by default, and reads the same text and spans back', () => {
    const { files } = write(emojiDataset());
    const text = files.get('dataset.conll')!;
    expect(text).toBe(['我\tO', '😀\tO', '爱\tO', '北\tB-LOC', '京\tI-LOC', '🎉\tO', '和\tO', '张\tB-PER', '三\tI-PER', '', ''].join('\n'));
    const back = ok(read(text)).dataset;
    expect(back.items[0]!.text).toBe(EMOJI_TEXT);
    expect(back.items[0]!.annotations[0]!.regions).toEqual([
      { id: 'r1', type: 'span', label: 'LOC', start: 3, end: 5 },
      { id: 'r2', type: 'span', label: 'PER', start: 7, end: 9 },
    ]);
  });

  it('writes BIOES with S- for one-token entities and E- at the end', () => {
    const d = emojiDataset();
    (d.items[0]!.annotations[0]!.regions[1] as Extract<Region, { type: 'span' }>).end = 8;
    d.items[0]!.text = '我😀爱北京市🎉和张三';
    (d.items[0]!.annotations[0]!.regions[0] as Extract<Region, { type: 'span' }>).end = 6;
    d.items[0]!.annotations[0]!.regions[1] = { id: 'r2', type: 'span', label: 'PER', start: 8, end: 9 };
    const text = write(d, 'bioes').files.get('dataset.conll')!;
    expect(text.split('\n').slice(3, 6)).toEqual(['北\tB-LOC', '京\tI-LOC', '市\tE-LOC']);
    expect(text.split('\n')[8]).toBe('张\tS-PER');
    const back = ok(read(text)).dataset;
    expect(spans(back, 0)).toEqual([
      ['北京市', 'LOC'],
      ['张', 'PER'],
    ]);
  });

  it('keeps spaces inside Chinese text as tokens, so the text round-trips exactly', () => {
    const d = emojiDataset();
    d.items[0]!.text = '我 爱 New York';
    d.items[0]!.annotations[0]!.regions = [{ id: 'r1', type: 'span', label: 'LOC', start: 4, end: 12 }];
    const back = ok(read(write(d).files.get('dataset.conll')!)).dataset;
    expect(back.items[0]!.text).toBe('我 爱 New York');
    expect(spans(back, 0)).toEqual([['New York', 'LOC']]);
  });

  it('writes English as whitespace tokens joined by one space, splitting a word where a span ends inside it', () => {
    const d: Dataset = {
      kind: 'text',
      labels: [{ name: 'LOC', tool: 'span' }],
      items: [
        {
          name: '1',
          kind: 'text',
          text: 'I  love Paris.',
          annotations: [{ kind: 'annotation', regions: [{ id: 'r1', type: 'span', label: 'LOC', start: 8, end: 13 }] }],
        },
      ],
    };
    const { files, warnings } = write(d);
    expect(files.get('dataset.conll')).toBe('I O\nlove O\nParis B-LOC\n. O\n\n');
    expect(warnings.map((w) => w.code)).toContain('conll_tokens_split');
    const back = ok(read(files.get('dataset.conll')!)).dataset;
    expect(back.items[0]!.text).toBe('I love Paris .');
    expect(spans(back, 0)).toEqual([['Paris', 'LOC']]);
  });

  it('keeps document starts and items without annotations, and says what it left out', () => {
    const d = emojiDataset();
    d.items[0]!.meta = { conll: { documentStart: true } };
    d.items[0]!.annotations[0]!.regions.push({ id: 'c', type: 'class', label: 'news' });
    d.items.push({ name: 'b', kind: 'text', text: '你好', annotations: [] });
    const { files, warnings } = write(d);
    const text = files.get('dataset.conll')!;
    expect(text.startsWith('-DOCSTART-\tO\n\n我\tO')).toBe(true);
    expect(text.endsWith('\n\n你\tO\n好\tO\n\n')).toBe(true);
    expect(warnings.map((w) => w.code).sort()).toEqual(['conll_classes_dropped', 'conll_unlabeled']);
    const back = ok(read(text)).dataset;
    expect(back.items).toHaveLength(2);
    expect(back.items[0]!.meta).toEqual({ conll: { documentStart: true } });
    expect(back.items[1]!.meta).toBeUndefined();
  });
  it('writes a label with white space with _ (a tag is one column) and says so', () => {
    const d = emojiDataset();
    d.items[0]!.annotations[0]!.regions[0]!.label = 'place name';
    const { files, warnings } = write(d);
    expect(files.get('dataset.conll')).toContain('北\tB-place_name\n京\tI-place_name');
    expect(warnings).toEqual([{ code: 'conll_label_spaces', message: expect.stringContaining('"place name"') }]);
  });
});

describe('CoNLL reading', () => {
  it('reads CoNLL-2003 IOB1 (entities begin with I-, B- only between adjacent same-type entities) and says so', () => {
    const text = [
      '-DOCSTART- -X- -X- O',
      '',
      'EU NNP B-NP I-ORG',
      'rejects VBZ B-VP O',
      'German JJ B-NP I-MISC',
      'call NN I-NP O',
      'to TO B-VP O',
      'Peter NNP B-NP I-PER',
      'Blackburn NNP I-NP I-PER',
      'Anna NNP I-NP B-PER',
      '. . O O',
      '',
    ].join('\n');
    const r = ok(read(text));
    expect(r.dataset.items[0]!.text).toBe('EU rejects German call to Peter Blackburn Anna .');
    expect(spans(r.dataset, 0)).toEqual([
      ['EU', 'ORG'],
      ['German', 'MISC'],
      ['Peter Blackburn', 'PER'],
      ['Anna', 'PER'],
    ]);
    expect(r.dataset.items[0]!.meta).toEqual({ conll: { documentStart: true } });
    expect(r.warnings.map((w) => w.code)).toEqual(['conll_columns', 'conll_iob1']);
    expect(r.warnings[1]!.line).toBe(3);
  });

  it('reads Weibo lines: drops the word-position digits (also two of them), keeps .NAM and .NOM as part of the label', () => {
    const text = [
      '我0\tO',
      '的0\tO',
      '男0\tB-PER.NOM',
      '友1\tI-PER.NOM',
      '张0\tB-PER.NAM',
      '三1\tI-PER.NAM',
      '在0\tO',
      '北0\tB-GPE.NAM',
      '京1\tI-GPE.NAM',
      '了10\tO',
      '',
    ].join('\n');
    const r = ok(read(text));
    expect(r.dataset.items[0]!.text).toBe('我的男友张三在北京了');
    expect(spans(r.dataset, 0)).toEqual([
      ['男友', 'PER.NOM'],
      ['张三', 'PER.NAM'],
      ['北京', 'GPE.NAM'],
    ]);
    expect(r.warnings.map((w) => w.code)).toEqual(['conll_weibo']);
    expect(r.dataset.labels.map((l) => l.name)).toEqual(['PER.NOM', 'PER.NAM', 'GPE.NAM']);
  });

  it('reads Resume BMES and MSRA char<TAB>tag, with a blank line between sentences', () => {
    const bmes = ['高 B-NAME', '勇 E-NAME', '， O', '男 S-GENDER', '', '中 B-ORG', '国 M-ORG', '银 M-ORG', '行 E-ORG', ''].join('\n');
    const r = ok(read(bmes));
    expect(r.dataset.items.map((i) => i.text)).toEqual(['高勇，男', '中国银行']);
    expect(spans(r.dataset, 0)).toEqual([
      ['高勇', 'NAME'],
      ['男', 'GENDER'],
    ]);
    expect(spans(r.dataset, 1)).toEqual([['中国银行', 'ORG']]);
    expect(r.warnings).toEqual([]);
    const msra = ok(read('当\tO\r\n希\tB-LOC\r\n腊\tI-LOC\r\n\r\n'));
    expect(spans(msra.dataset, 0)).toEqual([['希腊', 'LOC']]);
  });

  it('repairs an I- after O in a BIOES file and reports it', () => {
    const r = ok(read('北 O\n京 I-LOC\n市 E-LOC\n人 S-PER\n'));
    expect(spans(r.dataset, 0)).toEqual([
      ['京市', 'LOC'],
      ['人', 'PER'],
    ]);
    expect(r.warnings.map((w) => w.code)).toEqual(['conll_repaired']);
  });

  it('refuses a line without a tag and an unknown tag, naming the line', () => {
    const a = read('北 B-LOC\n京\n');
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error).toMatchObject({ file: 'in.conll', line: 2, code: 'CONLL_INVALID' });
    const b = read('北 B-LOC\n\n京 X-LOC\n');
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.error).toMatchObject({ line: 3, code: 'CONLL_TAG' });
  });

  it('round-trips conll → conll (IOB2 → BIOES → IOB2) byte for byte on Chinese', () => {
    const src = '张\tB-PER\n三\tI-PER\n去\tO\n😀\tO\n上\tB-LOC\n海\tI-LOC\n\n李\tB-PER\n\n';
    const d = ok(read(src)).dataset;
    const bioes = write(d, 'bioes').files.get('dataset.conll')!;
    expect(bioes).toContain('李\tS-PER');
    expect(write(ok(read(bioes)).dataset).files.get('dataset.conll')).toBe(src);
  });
});
