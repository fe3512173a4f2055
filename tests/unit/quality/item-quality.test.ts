import { describe, expect, it } from 'vitest';
import { goldScore, itemQuality, projectAgreement, type ItemQualityRow } from '@labelwork/core/quality/index';
import type { AnnotatorRegions } from '@labelwork/core/metrics/index';
import { LabelSchema } from '@labelwork/core/schema/label-schema';
import type { Region } from '@labelwork/core/schema/region';

const schema = LabelSchema.parse({
  labels: [
    { name: 'car', color: '#ff0000', tool: 'bbox' },
    { name: 'PER', color: '#ffff00', tool: 'span' },
    { name: 'day', color: '#00ffff', tool: 'class-single' },
    { name: 'night', color: '#ff00ff', tool: 'class-single' },
    { name: 'blurry', color: '#123456', tool: 'class-multi' },
    { name: 'roof', color: '#00ff00', tool: 'polygon' },
  ],
});
let id = 0;
const car = (x: number): Region => ({ id: `r${id++}`, type: 'bbox', label: 'car', x, y: 0, w: 10, h: 10 });
const cls = (label: string): Region => ({ id: `r${id++}`, type: 'class', label });
const per = (start: number, end: number): Region => ({ id: `r${id++}`, type: 'span', label: 'PER', start, end });
const ann = (annotatorId: string, regions: Region[]): AnnotatorRegions => ({ annotatorId, regions });

describe('itemQuality', () => {
  const q = itemQuality(
    [
      ann('u3', [car(0), cls('night'), per(0, 4)]),
      ann('u1', [car(1), cls('day'), cls('blurry'), per(0, 4)]),
      ann('u2', [car(0), cls('day'), cls('blurry'), per(0, 5)]),
    ],
    schema,
  );

  it('computes agreement per tool and sorts annotators so order of submission does not matter', () => {
    expect(q.annotators).toEqual(['u1', 'u2', 'u3']);
    expect(q.summary.bbox).toBe(1);
    expect(q.summary['class-single']).toBeCloseTo(1 / 3);
    expect(q.summary.span).toBeCloseTo(1 / 3);
    expect(q.pairs.map((p) => [p.a, p.b])).toEqual([
      ['u1', 'u2'],
      ['u1', 'u3'],
      ['u2', 'u3'],
    ]);
    expect(q.pairs[0]!.byTool['class-single']).toBe(1);
    expect(q.pairs[1]!.byTool['class-single']).toBe(0);
    expect(q.classChoice).toEqual({ u1: 'day', u2: 'day', u3: 'night' });
  });

  it('builds a consensus by majority for classes, fusion for boxes and vote for spans', () => {
    const byType = (t: string) => q.consensus.regions.filter((r) => r.type === t);
    expect(byType('bbox')).toHaveLength(1);
    expect(
      q.consensus.regions
        .filter((r) => r.type === 'class')
        .map((r) => r.label)
        .sort(),
    ).toEqual(['blurry', 'day']);
    expect(byType('span')).toMatchObject([{ label: 'PER', start: 0, end: 4 }]);
    // The schema has a polygon label nobody used: its consensus is empty (the method is named).
    expect(q.consensus.byTool.polygon).toMatchObject({ method: expect.stringMatching(/^medoid polygon/), regions: 0 });
  });

  it('gives no single-class consensus on a tie', () => {
    const t = itemQuality([ann('a', [cls('day')]), ann('b', [cls('night')])], schema);
    expect(t.consensus.regions.filter((r) => r.type === 'class')).toEqual([]);
    expect(t.consensus.byTool['class-single']?.note).toBe('tie');
  });
});

describe('goldScore', () => {
  it('is 1 for a perfect answer and 0 for a missed class', () => {
    expect(goldScore([car(0), cls('day')], [car(0), cls('day')], schema).value).toBe(1);
    expect(goldScore([cls('day')], [], schema).value).toBe(0);
    expect(goldScore([cls('day')], [cls('night')], schema).value).toBe(0);
  });
  it('averages the tools that have a defined value', () => {
    const s = goldScore([car(0), cls('day')], [car(100), cls('day')], schema);
    expect(s.byTool.bbox).toBe(0);
    expect(s.value).toBeCloseTo(0.5);
  });
});

describe('projectAgreement', () => {
  const rows: ItemQualityRow[] = [
    itemQuality([ann('a', [cls('day'), car(0)]), ann('b', [cls('day'), car(0)]), ann('c', [cls('night'), car(50)])], schema),
    itemQuality([ann('a', [cls('night')]), ann('b', [cls('night')]), ann('c', [cls('night')])], schema),
    itemQuality([ann('a', [cls('day')]), ann('b', [cls('night')])], schema),
  ];
  const p = projectAgreement(rows);

  it('uses Krippendorff alpha for single classes and the item mean for the rest', () => {
    expect(p.items).toBe(3);
    expect(p.annotators).toEqual(['a', 'b', 'c']);
    expect(p.byTool['class-single']?.metric).toMatch(/Krippendorff/);
    expect(p.byTool['class-single']?.value).not.toBeNull();
    // Items where nobody drew a box have no box agreement and stay out of the mean.
    expect(p.byTool.bbox).toMatchObject({ items: 1 });
    expect(p.byTool.bbox?.value).toBeCloseTo(1 / 3);
  });

  it('reports every annotator pair with the items they share', () => {
    expect(p.pairs.map((x) => [x.a, x.b, x.items])).toEqual([
      ['a', 'b', 3],
      ['a', 'c', 2],
      ['b', 'c', 2],
    ]);
    expect(p.pairs[0]!.byTool['class-single']).toBeCloseTo(2 / 3);
  });

  it('is empty for no items', () => {
    expect(projectAgreement([])).toEqual({ items: 0, annotators: [], byTool: {}, pairs: [] });
  });
});
