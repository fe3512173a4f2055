import { describe, expect, it } from 'vitest';
import { classRatings, itemAgreement, krippendorffAlpha, labelPresenceRatings, type AnnotatorRegions } from '@labelwork/core/metrics/index';
import { LabelSchema } from '@labelwork/core/schema/label-schema';
import type { Region } from '@labelwork/core/schema/region';

const schema = LabelSchema.parse({
  labels: [
    { name: 'car', color: '#ff0000', tool: 'bbox' },
    { name: 'roof', color: '#00ff00', tool: 'polygon' },
    { name: 'cat', color: '#0000ff', tool: 'keypoints', points: ['nose', 'tail'] },
    { name: 'PER', color: '#ffff00', tool: 'span' },
    { name: 'day', color: '#00ffff', tool: 'class-single' },
    { name: 'night', color: '#ff00ff', tool: 'class-single' },
    { name: 'blurry', color: '#123456', tool: 'class-multi' },
    { name: 'dark', color: '#654321', tool: 'class-multi' },
  ],
});

let id = 0;
const car = (x: number): Region => ({ id: `r${id++}`, type: 'bbox', label: 'car', x, y: 0, w: 10, h: 10 });
const cls = (label: string): Region => ({ id: `r${id++}`, type: 'class', label });
const per = (start: number, end: number): Region => ({ id: `r${id++}`, type: 'span', label: 'PER', start, end });
const ann = (annotatorId: string, regions: Region[]): AnnotatorRegions => ({ annotatorId, regions });

describe('itemAgreement', () => {
  it('reports one value per tool of the label schema', () => {
    const r = itemAgreement(
      [
        ann('u1', [car(0), car(50), cls('day'), cls('blurry'), per(0, 4)]),
        ann('u2', [car(1), cls('day'), cls('blurry'), cls('dark'), per(0, 5)]),
        ann('u3', [car(0), car(50), cls('night'), per(0, 4)]),
      ],
      schema,
    );
    expect(r.annotators).toBe(3);
    // box F1: u1–u2 2/3, u1–u3 1, u2–u3 2/3
    expect(r.byTool.bbox!.value).toBeCloseTo((2 / 3 + 1 + 2 / 3) / 3, 12);
    expect(r.byTool['class-single']!.value).toBeCloseTo(1 / 3, 12);
    // Jaccard: {blurry}/{blurry,dark} 1/2, {blurry}/{} 0, {blurry,dark}/{} 0
    expect(r.byTool['class-multi']!.value).toBeCloseTo(1 / 6, 12);
    expect(r.byTool.span!.value).toBeCloseTo(1 / 3, 12);
    expect(r.byTool.span!.details!.overlapF1).toBe(1);
    expect(r.byTool.polygon!.value).toBeNull();
    expect(r.byTool.polygon!.reason).toMatch(/no annotator/);
    expect(r.byTool.keypoints!.value).toBeNull();
  });

  it('counts two annotators who both drew nothing of a tool as agreeing, when someone else drew', () => {
    const r = itemAgreement([ann('a', [car(0)]), ann('b', []), ann('c', [])], schema);
    expect(r.byTool.bbox!.value).toBeCloseTo(1 / 3, 12);
  });

  it('matches keypoints by OKS with per-label sigmas', () => {
    const cat = (dx: number): Region => ({
      id: `r${id++}`,
      type: 'keypoints',
      label: 'cat',
      points: [
        { name: 'nose', x: 10 + dx, y: 10, v: 2 },
        { name: 'tail', x: 60 + dx, y: 50, v: 2 },
      ],
    });
    expect(itemAgreement([ann('a', [cat(0)]), ann('b', [cat(1)])], schema).byTool.keypoints!.value).toBe(1);
    expect(
      itemAgreement([ann('a', [cat(0)]), ann('b', [cat(1)])], schema, { keypointSigmas: { cat: { nose: 0.001, tail: 0.001 } } }).byTool
        .keypoints!.value,
    ).toBe(0);
  });

  it('gives null with a reason for fewer than two annotations', () => {
    const r = itemAgreement([ann('a', [car(0)])], schema);
    expect(r.byTool.bbox!.value).toBeNull();
    expect(r.byTool.bbox!.reason).toMatch(/two annotations/);
  });
});

describe('ratings across items', () => {
  const items = [
    [ann('b', [cls('day')]), ann('a', [cls('day')])],
    [ann('a', [cls('night'), cls('dark')]), ann('b', [cls('night')]), ann('c', [cls('night')])],
    [ann('a', [cls('day')]), ann('c', [])],
  ];

  it('builds reliability data of single-choice classes for the categorical coefficients', () => {
    const r = classRatings(items, schema);
    expect(r.coders).toEqual(['a', 'b', 'c']);
    expect(r.data).toEqual([
      ['day', 'night', 'day'],
      ['day', 'night', null],
      [null, 'night', null],
    ]);
    expect(krippendorffAlpha(r.data).value).toBe(1);
  });

  it('builds presence/absence data for one multi-choice label', () => {
    expect(labelPresenceRatings(items, schema, 'dark').data).toEqual([
      [0, 1, 0],
      [0, 0, null],
      [null, 0, 0],
    ]);
  });
});
