import { describe, expect, it } from 'vitest';
import { modelQuality, type Region } from '@labelwork/core';

const box = (id: string, label: string, x: number, y: number, w = 100, h = 100): Region => ({ id, type: 'bbox', label, x, y, w, h });
const span = (id: string, label: string, start: number, end: number): Region => ({ id, type: 'span', label, start, end });
const cls = (id: string, label: string): Region => ({ id, type: 'class', label });

describe('model quality', () => {
  it('counts kept, moved, relabeled, deleted and added boxes with precision, recall and mean IoU', () => {
    const q = modelQuality([
      {
        predicted: [box('a', 'car', 0, 0), box('b', 'car', 200, 0), box('c', 'bus', 400, 0), box('d', 'car', 600, 0)],
        // a unchanged, b moved by 20 px (IoU 80/120 = 0.667), c relabeled to truck, d deleted, e added.
        final: [box('1', 'car', 0, 0), box('2', 'car', 220, 0), box('3', 'truck', 400, 0), box('4', 'pedestrian', 800, 0)],
      },
    ]);
    expect(q).toMatchObject({ items: 1, predicted: 4, final: 4, kept: 1, moved: 1, relabeled: 1, deleted: 1, added: 1 });
    expect(q.precision).toBeCloseTo(2 / 4, 9);
    expect(q.recall).toBeCloseTo(2 / 4, 9);
    expect(q.meanIoU).toBeCloseTo((1 + 80 / 120) / 2, 9);
  });

  it('treats spans as intervals and classes by label', () => {
    const q = modelQuality([
      { predicted: [span('a', 'PER', 0, 2), span('b', 'LOC', 5, 7)], final: [span('1', 'PER', 0, 2), span('2', 'LOC', 5, 8)] },
      { predicted: [cls('a', 'day')], final: [cls('1', 'night')] },
      { predicted: [cls('a', 'blurry')], final: [cls('1', 'blurry')] },
    ]);
    expect(q).toMatchObject({ items: 3, kept: 2, moved: 1, relabeled: 1, deleted: 0, added: 0 });
    expect(q.meanIoU).toBeCloseTo((1 + 2 / 3) / 2, 9);
  });

  it('matches each final region once, the best overlap first', () => {
    // Two predictions on one object: the closer one matches, the other counts as deleted.
    const q = modelQuality([{ predicted: [box('far', 'car', 30, 0), box('near', 'car', 5, 0)], final: [box('1', 'car', 0, 0)] }]);
    expect(q).toMatchObject({ moved: 1, deleted: 1, added: 0 });
    expect(q.meanIoU).toBeCloseTo(95 / 105, 9);
  });

  it('has no ratios without predictions or answers', () => {
    expect(modelQuality([])).toMatchObject({ precision: null, recall: null, meanIoU: null });
    expect(modelQuality([{ predicted: [], final: [box('1', 'car', 0, 0)] }])).toMatchObject({ added: 1, precision: null, recall: 0 });
  });
});
