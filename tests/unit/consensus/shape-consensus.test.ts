import { describe, expect, it } from 'vitest';
import { clusterShapes, keypointConsensus, polygonConsensus } from '@labelwork/core/consensus/index';
import { itemQuality } from '@labelwork/core/quality/index';

const square = (x: number, y: number, s: number, label = 'lot') => ({
  label,
  points: [
    { x, y },
    { x: x + s, y },
    { x: x + s, y: y + s },
    { x, y: y + s },
  ],
});

describe('polygonConsensus', () => {
  it('picks the medoid: the outline that overlaps the others best', () => {
    // IoU(A,B) = IoU(B,C) = 90/110, IoU(A,C) = 80/120: B, in the middle, agrees best with both.
    const [c, ...rest] = polygonConsensus([[square(0, 0, 10)], [square(1, 0, 10)], [square(2, 0, 10)]]);
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ label: 'lot', support: 3, medoid: { annotator: 1, index: 0 } });
    expect(c!.medoid.meanIou).toBeCloseTo(90 / 110, 12);
    expect(c!.points).toEqual(square(1, 0, 10).points);
  });

  it('drops shapes only a minority drew, and never mixes labels', () => {
    const out = polygonConsensus([
      [square(0, 0, 10), square(50, 50, 10)],
      [square(0, 1, 10), square(50, 50, 10, 'road')],
      [square(1, 0, 10)],
    ]);
    expect(out.map((p) => [p.label, p.support])).toEqual([['lot', 3]]);
  });

  it('keeps a pair with a quorum of 2 of 2 only when they overlap enough', () => {
    expect(polygonConsensus([[square(0, 0, 10)], [square(0, 0, 10)]])).toHaveLength(1);
    expect(polygonConsensus([[square(0, 0, 10)], [square(7, 0, 10)]])).toEqual([]); // IoU 30/170
    expect(polygonConsensus([[square(0, 0, 10)], [square(7, 0, 10)]], { threshold: 0.1 })).toHaveLength(1);
  });

  it('checks its options and handles no input', () => {
    expect(polygonConsensus([])).toEqual([]);
    expect(() => polygonConsensus([[square(0, 0, 1)]], { threshold: 2 })).toThrow(RangeError);
    expect(() => clusterShapes([[square(0, 0, 1)]], () => 1, { quorum: 2 })).toThrow(RangeError);
  });
});

describe('keypointConsensus', () => {
  const pt = (name: string, x: number, y: number, v: 0 | 1 | 2 = 2) => ({ name, x, y, v });
  // A person about 100 × 200 px: a few pixels apart is the same skeleton (OKS near 1).
  const person = (dx: number, dy: number, overrides: Record<string, ReturnType<typeof pt>> = {}) => ({
    label: 'person',
    points: [pt('head', 50 + dx, 0 + dy), pt('hip', 50 + dx, 100 + dy), pt('lfoot', 0 + dx, 200 + dy), pt('rfoot', 100 + dx, 200 + dy)].map(
      (p) => overrides[p.name] ?? p,
    ),
  });

  it('averages each point over the annotators who placed it, when a majority did', () => {
    const [k, ...rest] = keypointConsensus([
      [person(0, 0)],
      [person(3, 0, { rfoot: pt('rfoot', 0, 0, 0) })],
      [person(0, 3, { rfoot: pt('rfoot', 0, 0, 0), lfoot: pt('lfoot', 0, 203, 1) })],
    ]);
    expect(rest).toEqual([]);
    expect(k!.support).toBe(3);
    const byName = Object.fromEntries(k!.points.map((p) => [p.name, p]));
    expect(byName.head).toEqual({ name: 'head', x: 51, y: 1, v: 2 });
    // Placed by all three; seen by two of them: visible.
    expect(byName.lfoot).toEqual({ name: 'lfoot', x: 1, y: 201, v: 2 });
    // Only one of three placed the right foot: left unlabeled.
    expect(byName.rfoot).toEqual({ name: 'rfoot', x: 0, y: 0, v: 0 });
  });

  it('marks a point occluded when most of those who placed it saw it occluded; separate people stay separate', () => {
    const occl = { hip: pt('hip', 50, 100, 1) };
    const out = keypointConsensus([
      [person(0, 0, occl), person(500, 0)],
      [person(2, 2, occl), person(502, 0)],
    ]);
    expect(out).toHaveLength(2);
    expect(out[0]!.points.find((p) => p.name === 'hip')!.v).toBe(1);
    expect(out[1]!.points.find((p) => p.name === 'head')).toEqual({ name: 'head', x: 551, y: 0, v: 2 });
  });
});

describe('itemQuality consensus for polygons and keypoints', () => {
  it('stores a medoid polygon and a mean skeleton as consensus regions', () => {
    const schema = {
      labels: [
        { name: 'lot', color: '#1c7ed6', tool: 'polygon' as const },
        { name: 'person', color: '#e8590c', tool: 'keypoints' as const, points: ['head', 'hip'], edges: [{ from: 'head', to: 'hip' }] },
      ],
    };
    const regions = (dx: number) => [
      { id: 'p', type: 'polygon' as const, ...square(dx, 0, 10) },
      {
        id: 'k',
        type: 'keypoints' as const,
        label: 'person',
        points: [
          { name: 'head', x: 50 + dx, y: 0, v: 2 as const },
          { name: 'hip', x: 80 + dx, y: 100, v: 2 as const },
        ],
      },
    ];
    const q = itemQuality(
      [
        { annotatorId: 'a', regions: regions(0) },
        { annotatorId: 'b', regions: regions(1) },
        { annotatorId: 'c', regions: regions(2) },
      ],
      schema as never,
    );
    expect(q.consensus.byTool.polygon).toMatchObject({ regions: 1 });
    expect(q.consensus.byTool.keypoints).toMatchObject({ regions: 1 });
    const poly = q.consensus.regions.find((r) => r.type === 'polygon');
    expect(poly).toMatchObject({ id: 'consensus-polygon-0', label: 'lot', points: square(1, 0, 10).points });
    const kp = q.consensus.regions.find((r) => r.type === 'keypoints');
    expect(kp).toMatchObject({
      id: 'consensus-keypoints-0',
      label: 'person',
      points: [
        { name: 'head', x: 51, y: 0, v: 2 },
        { name: 'hip', x: 81, y: 100, v: 2 },
      ],
    });
  });
});
