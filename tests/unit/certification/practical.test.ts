import { describe, expect, it } from 'vitest';
import {
  drawPracticalItems,
  gradePractical,
  itemFeedback,
  mainLabel,
  partDeadline,
  seededRandom,
  timePenalty,
  type GoldPoolItem,
  type LabelSchema,
  type Region,
} from '@labelwork/core';

const schema: LabelSchema = {
  labels: [
    { name: 'car', color: '#1f77b4', tool: 'bbox' },
    { name: 'truck', color: '#8c564b', tool: 'bbox' },
    { name: 'pedestrian', color: '#d62728', tool: 'bbox' },
    { name: 'PER', color: '#aa0000', tool: 'span' },
    { name: 'LOC', color: '#00aa00', tool: 'span' },
    { name: 'person', color: '#0000aa', tool: 'keypoints', points: ['head', 'foot'] },
    { name: 'day', color: '#aaaa00', tool: 'class-single' },
    { name: 'night', color: '#00aaaa', tool: 'class-single' },
  ],
};

const box = (id: string, label: string, x: number, y: number, w = 100, h = 100): Region => ({ id, type: 'bbox', label, x, y, w, h });
const span = (id: string, label: string, start: number, end: number): Region => ({ id, type: 'span', label, start, end });

describe('itemFeedback', () => {
  it('marks each region matched, wrong label, missed or extra with its IoU', () => {
    const gold = [box('g1', 'car', 0, 0), box('g2', 'truck', 300, 0), box('g3', 'pedestrian', 600, 0)];
    const cand = [box('c1', 'car', 10, 0), box('c2', 'car', 300, 0), box('c3', 'car', 900, 900)];
    const f = itemFeedback(gold, cand, schema);
    const byGold = Object.fromEntries(f.regions.map((r) => [r.goldId ?? r.candidateId, r]));
    expect(byGold.g1).toMatchObject({ verdict: 'matched', candidateId: 'c1', metric: 'iou' });
    expect(byGold.g1!.similarity).toBeCloseTo(90 / 110);
    expect(byGold.g2).toMatchObject({ verdict: 'wrong-label', goldLabel: 'truck', candidateLabel: 'car', similarity: 1 });
    expect(byGold.g3).toMatchObject({ verdict: 'missed', goldLabel: 'pedestrian' });
    expect(byGold.c3).toMatchObject({ verdict: 'extra', candidateLabel: 'car' });
    expect(f.byTool.bbox).toBeCloseTo(2 / 6);
    expect(f.perLabel.car).toEqual({ tp: 1, fp: 2, fn: 0, f1: 0.5 });
    expect(f.perLabel.truck).toEqual({ tp: 0, fp: 0, fn: 1, f1: 0 });
    expect(f.score).toBeCloseTo(1 / 3);
  });

  it('does not match a box below the IoU threshold, and the threshold is an option', () => {
    const gold = [box('g1', 'car', 0, 0)];
    const cand = [box('c1', 'car', 50, 0)];
    expect(
      itemFeedback(gold, cand, schema)
        .regions.map((r) => r.verdict)
        .sort(),
    ).toEqual(['extra', 'missed']);
    expect(itemFeedback(gold, cand, schema, { iouThreshold: 0.3 }).regions.map((r) => r.verdict)).toEqual(['matched']);
  });

  it('scores spans by exact boundaries and reports the overlap of a near miss as wrong only under overlap matching', () => {
    const gold = [span('g1', 'PER', 0, 2), span('g2', 'LOC', 5, 8)];
    const cand = [span('c1', 'PER', 0, 2), span('c2', 'LOC', 5, 7)];
    const exact = itemFeedback(gold, cand, schema);
    expect(exact.byTool.span).toBeCloseTo(0.5);
    expect(exact.regions.find((r) => r.goldId === 'g1')).toMatchObject({ verdict: 'matched', metric: 'overlap', similarity: 1 });
    const loose = itemFeedback(gold, cand, schema, { spanMatch: 'overlap' });
    expect(loose.regions.find((r) => r.goldId === 'g2')).toMatchObject({ verdict: 'matched' });
    expect(loose.regions.find((r) => r.goldId === 'g2')!.similarity).toBeCloseTo(2 / 3);
  });

  it('scores a single class choice as right or wrong label', () => {
    const gold: Region[] = [{ id: 'g', type: 'class', label: 'day' }];
    expect(itemFeedback(gold, [{ id: 'c', type: 'class', label: 'day' }], schema).byTool['class-single']).toBe(1);
    const wrong = itemFeedback(gold, [{ id: 'c', type: 'class', label: 'night' }], schema);
    expect(wrong.byTool['class-single']).toBe(0);
    expect(wrong.regions).toEqual([
      expect.objectContaining({ verdict: 'wrong-label', metric: 'class', goldLabel: 'day', candidateLabel: 'night' }),
    ]);
    expect(itemFeedback(gold, [], schema).score).toBe(0);
  });

  it('matches keypoint sets by OKS', () => {
    const kp = (id: string, dx: number): Region => ({
      id,
      type: 'keypoints',
      label: 'person',
      points: [
        { name: 'head', x: 100 + dx, y: 100, v: 2 },
        { name: 'foot', x: 180 + dx, y: 300, v: 2 },
      ],
    });
    const f = itemFeedback([kp('g', 0)], [kp('c', 2)], schema);
    expect(f.regions[0]).toMatchObject({ verdict: 'matched', metric: 'oks' });
    expect(f.regions[0]!.similarity).toBeGreaterThan(0.9);
    expect(
      itemFeedback([kp('g', 0)], [kp('c', 200)], schema)
        .regions.map((r) => r.verdict)
        .sort(),
    ).toEqual(['extra', 'missed']);
  });

  it('scores 1 when gold and candidate are both empty, 0 when the candidate invents regions, and counts unknown labels as extra', () => {
    expect(itemFeedback([], [], schema).score).toBe(1);
    expect(itemFeedback([], [box('c', 'car', 0, 0)], schema).score).toBe(0);
    const f = itemFeedback([], [box('c', 'horse', 0, 0)], schema);
    expect(f.regions).toEqual([expect.objectContaining({ verdict: 'extra', candidateLabel: 'horse' })]);
    expect(f.score).toBe(0);
  });

  it('scores labels named like Object.prototype members as labels, without touching the prototype', () => {
    const odd = ['__proto__', 'constructor', 'toString'];
    const f = itemFeedback(
      [],
      odd.map((label, i) => box(`c${i}`, label, 0, 0)),
      schema,
    );
    for (const label of odd) expect(Object.getOwnPropertyDescriptor(f.perLabel, label)?.value).toEqual({ tp: 0, fp: 1, fn: 0, f1: 0 });
    expect(Object.keys(f.perLabel).sort()).toEqual([...odd].sort());
    const summed = gradePractical(
      [0, 1].map((i) => ({ itemId: `i${i}`, gold: [], answer: odd.map((label, j) => box(`c${j}`, label, 0, 0)) })),
      schema,
      { iouThreshold: 0.5, oksThreshold: 0.5, timeLimitMinutes: 10, overtime: { pointsPerMinute: 1, stopAfterMinutes: 5 } },
      0,
    ).perLabel;
    for (const label of odd) expect(Object.getOwnPropertyDescriptor(summed, label)?.value).toMatchObject({ tp: 0, fp: 2, fn: 0 });
    expect(({} as Record<string, unknown>).fp).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('fp');
  });
});

describe('timePenalty', () => {
  const rule = { pointsPerMinute: 1, stopAfterMinutes: 5 };
  it('costs nothing within the limit and one point per started minute over it', () => {
    expect(timePenalty(30 * 60_000, 30, rule)).toEqual({ overMinutes: 0, penalty: 0, stopped: false });
    expect(timePenalty(30 * 60_000 + 1, 30, rule)).toEqual({ overMinutes: 1, penalty: 1, stopped: false });
    expect(timePenalty(32.5 * 60_000, 30, rule)).toEqual({ overMinutes: 3, penalty: 3, stopped: false });
  });
  it('stops the attempt at the limit plus the allowance and caps the penalty there', () => {
    expect(timePenalty(35 * 60_000, 30, rule)).toEqual({ overMinutes: 5, penalty: 5, stopped: true });
    expect(timePenalty(90 * 60_000, 30, { pointsPerMinute: 2, stopAfterMinutes: 5 })).toEqual({
      overMinutes: 5,
      penalty: 10,
      stopped: true,
    });
    expect(partDeadline(new Date('2026-01-01T00:00:00Z'), 30, 5).toISOString()).toBe('2026-01-01T00:35:00.000Z');
  });
});

describe('gradePractical', () => {
  const config = { iouThreshold: 0.5, oksThreshold: 0.5, timeLimitMinutes: 10, overtime: { pointsPerMinute: 2, stopAfterMinutes: 5 } };
  it('is 100 × the mean item score minus the time penalty, unanswered items graded as empty', () => {
    const items = [
      { itemId: 'a', gold: [box('g', 'car', 0, 0)], answer: [box('c', 'car', 0, 0)] },
      { itemId: 'b', gold: [box('g', 'car', 0, 0)], answer: undefined },
    ];
    const r = gradePractical(items, schema, config, 12 * 60_000);
    expect(r.raw).toBe(50);
    expect(r.time).toEqual({ overMinutes: 2, penalty: 4, stopped: false });
    expect(r.score).toBe(46);
    expect(r.items.map((i) => i.answered)).toEqual([true, false]);
    expect(r.perLabel.car).toEqual({ tp: 1, fp: 0, fn: 1, f1: 2 / 3 });
  });
  it('never goes below 0', () => {
    const r = gradePractical([{ itemId: 'a', gold: [box('g', 'car', 0, 0)], answer: [] }], schema, config, 60 * 60_000);
    expect(r.score).toBe(0);
  });
});

describe('drawPracticalItems', () => {
  const pool: GoldPoolItem[] = [];
  for (let i = 0; i < 30; i++) pool.push({ id: `i${i}`, label: ['car', 'truck', 'pedestrian'][i % 3]!, difficulty: 1 + (i % 2) });
  it('draws distinct items stratified by label and difficulty; two attempts differ', () => {
    const a = drawPracticalItems(pool, 12, seededRandom(11));
    expect(new Set(a).size).toBe(12);
    const labels = a.map((id) => pool.find((p) => p.id === id)!.label);
    for (const l of ['car', 'truck', 'pedestrian']) expect(labels.filter((x) => x === l)).toHaveLength(4);
    expect(drawPracticalItems(pool, 12, seededRandom(12))).not.toEqual(a);
  });
  it('names the main label of a gold answer', () => {
    expect(mainLabel([box('a', 'car', 0, 0), box('b', 'truck', 0, 0), box('c', 'truck', 0, 0)])).toBe('truck');
    expect(mainLabel([])).toBe('');
  });
});
