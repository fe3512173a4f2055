import { describe, expect, it } from 'vitest';
import { NOTHING, addConfusion, confusionCells, itemQuality, regionConfusion, type LabelSchema, type Region } from '@labelwork/core';

const schema: LabelSchema = {
  labels: [
    { name: 'car', color: '#e6194b', tool: 'bbox' },
    { name: 'truck', color: '#3cb44b', tool: 'bbox' },
    { name: 'lane', color: '#4363d8', tool: 'polygon' },
    { name: 'road', color: '#f58231', tool: 'polygon' },
  ],
} as LabelSchema;
const textSchema = {
  labels: [
    { name: 'PER', color: '#e6194b', tool: 'span' },
    { name: 'ORG', color: '#3cb44b', tool: 'span' },
  ],
} as LabelSchema;

const box = (id: string, label: string, x: number, y: number, w = 10, h = 10): Region => ({ id, type: 'bbox', label, x, y, w, h });

describe('label confusion of regions', () => {
  it('counts matched boxes by both labels (car↔truck), and unmatched ones against nothing (worked example)', () => {
    const a = {
      annotatorId: 'a',
      regions: [box('1', 'car', 0, 0), box('2', 'car', 20, 0), box('3', 'truck', 40, 0), box('4', 'car', 80, 80, 5, 5)],
    };
    const b = {
      annotatorId: 'b',
      regions: [box('1', 'car', 0, 0), box('2', 'truck', 20, 0), box('3', 'truck', 41, 0), box('5', 'truck', 200, 200)],
    };
    // Pairs: car/car (same box), car/truck (box 2: the same place, other label), truck/truck (IoU 0.82),
    // a's small car has no partner (car vs nothing), b's far truck neither (truck vs nothing). Both ways.
    expect(regionConfusion([a, b], schema)).toEqual({
      car: { car: 2, truck: 1, [NOTHING]: 1 },
      truck: { truck: 2, car: 1, [NOTHING]: 1 },
      [NOTHING]: { car: 1, truck: 1 },
    });
  });

  it('matches within the same label first, as the agreement metrics do', () => {
    // a's car overlaps b's car (IoU 0.67) and, more, b's truck (IoU 1): the same-label match wins; the truck is extra.
    const a = { annotatorId: 'a', regions: [box('1', 'car', 0, 0)] };
    const b = { annotatorId: 'b', regions: [box('1', 'car', 2, 0), box('2', 'truck', 0, 0)] };
    expect(regionConfusion([a, b], schema)).toEqual({ car: { car: 2 }, truck: { [NOTHING]: 1 }, [NOTHING]: { truck: 1 } });
  });

  it('never matches below the IoU threshold, and never across tools', () => {
    const a = {
      annotatorId: 'a',
      regions: [
        box('1', 'car', 0, 0),
        {
          id: 'p',
          type: 'polygon',
          label: 'lane',
          points: [
            { x: 0, y: 0 },
            { x: 10, y: 0 },
            { x: 10, y: 10 },
            { x: 0, y: 10 },
          ],
        } as Region,
      ],
    };
    const b = {
      annotatorId: 'b',
      regions: [
        box('1', 'truck', 6, 0),
        {
          id: 'p',
          type: 'polygon',
          label: 'road',
          points: [
            { x: 0, y: 0 },
            { x: 10, y: 0 },
            { x: 10, y: 10 },
            { x: 0, y: 10 },
          ],
        } as Region,
      ],
    };
    // Boxes: IoU 4/16 = 0.25 < 0.5 → car and truck each against nothing. Polygons: the same square → lane↔road.
    expect(regionConfusion([a, b], schema)).toEqual({
      car: { [NOTHING]: 1 },
      truck: { [NOTHING]: 1 },
      [NOTHING]: { car: 1, truck: 1 },
      lane: { road: 1 },
      road: { lane: 1 },
    });
  });

  it('counts spans with the same boundaries and another label as confusion; other boundaries as missed and extra', () => {
    const a = {
      annotatorId: 'a',
      regions: [
        { id: 's1', type: 'span', label: 'PER', start: 0, end: 2 },
        { id: 's2', type: 'span', label: 'ORG', start: 5, end: 9 },
      ] as Region[],
    };
    const b = {
      annotatorId: 'b',
      regions: [
        { id: 's1', type: 'span', label: 'ORG', start: 0, end: 2 },
        { id: 's2', type: 'span', label: 'ORG', start: 5, end: 8 },
      ] as Region[],
    };
    expect(regionConfusion([a, b], textSchema)).toEqual({ PER: { ORG: 1 }, ORG: { PER: 1, [NOTHING]: 2 }, [NOTHING]: { ORG: 2 } });
  });

  it('counts every pair of three annotators, and item quality carries it for the dashboard to add up', () => {
    const anns = ['a', 'b', 'c'].map((id, i) => ({ annotatorId: id, regions: [box('1', i === 2 ? 'truck' : 'car', 0, 0)] }));
    const m = regionConfusion(anns, schema);
    expect(m).toEqual({ car: { car: 2, truck: 2 }, truck: { car: 2 } });
    // Stored as cells (label names never become database field names), added up again by the dashboard.
    const cells = itemQuality(anns, schema).regionConfusion;
    expect(cells).toEqual(confusionCells(m));
    expect(cells).toContainEqual({ a: 'car', b: 'truck', n: 2 });
    expect(addConfusion(addConfusion({}, cells), [{ a: 'car', b: 'truck', n: 1 }])).toEqual({
      car: { car: 2, truck: 3 },
      truck: { car: 2 },
    });
  });
});
