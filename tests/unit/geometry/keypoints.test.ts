import { describe, expect, it } from 'vitest';
import { COCO_PERSON_SIGMAS, keypointOks, labeledKeypointsBoxArea, namedKeypointsOks } from '@labelwork/core/geometry/index';

describe('keypoint OKS (COCO)', () => {
  it('is 1 for identical keypoints and follows exp(−d²/(2 s² (2σ)²)) per point', () => {
    const ref = [
      { x: 10, y: 10, v: 2 },
      { x: 20, y: 10, v: 1 },
    ];
    expect(keypointOks(ref, ref, { sigmas: [0.1, 0.1], area: 100 }).value).toBe(1);
    const cand = [
      { x: 13, y: 14, v: 2 },
      { x: 20, y: 10, v: 0 },
    ];
    const e = Math.exp(-25 / (2 * 100 * 0.2 ** 2));
    const r = keypointOks(ref, cand, { sigmas: [0.1, 0.1], area: 100 });
    expect(r.value).toBeCloseTo((e + 1) / 2, 12);
    expect(r.nKeypoints).toBe(2);
  });

  it('ignores reference points that are not labeled and returns null when none is', () => {
    const ref = [
      { x: 0, y: 0, v: 0 },
      { x: 5, y: 5, v: 2 },
    ];
    const cand = [
      { x: 100, y: 100, v: 2 },
      { x: 5, y: 5, v: 2 },
    ];
    expect(keypointOks(ref, cand, { sigmas: [0.1, 0.1], area: 50 }).value).toBe(1);
    const none = keypointOks([{ x: 0, y: 0, v: 0 }], [{ x: 0, y: 0, v: 2 }], { sigmas: [0.1], area: 50 });
    expect(none.value).toBeNull();
    expect(none.reason).toMatch(/labeled/);
    expect(() => keypointOks(ref, cand.slice(1), { sigmas: [0.1, 0.1], area: 1 })).toThrow(RangeError);
  });

  it('ships the 17 COCO person sigmas', () => {
    expect(COCO_PERSON_SIGMAS).toHaveLength(17);
    expect(COCO_PERSON_SIGMAS[0]).toBeCloseTo(0.026, 12);
    expect(COCO_PERSON_SIGMAS[16]).toBeCloseTo(0.089, 12);
  });

  it('compares named points symmetrically, scoring points only one side labeled as 0', () => {
    const a = [
      { name: 'head', x: 0, y: 0, v: 2 },
      { name: 'tail', x: 10, y: 10, v: 2 },
    ];
    const b = [
      { name: 'tail', x: 10, y: 10, v: 2 },
      { name: 'head', x: 0, y: 0, v: 2 },
      { name: 'paw', x: 5, y: 5, v: 1 },
    ];
    const ab = namedKeypointsOks(a, b);
    expect(ab.value).toBeCloseTo(2 / 3, 12);
    expect(namedKeypointsOks(b, a).value).toBeCloseTo(ab.value!, 12);
    expect(labeledKeypointsBoxArea(a)).toBe(100);
    const moved = [
      { name: 'head', x: 3, y: 4, v: 2 },
      { name: 'tail', x: 10, y: 10, v: 2 },
    ];
    expect(namedKeypointsOks(a, moved, { sigmas: { head: 0.5 }, area: 100 }).value).toBeCloseTo(
      (Math.exp(-25 / (2 * 100 * 1)) + 1) / 2,
      12,
    );
    expect(namedKeypointsOks([], [{ name: 'x', x: 0, y: 0, v: 0 }]).value).toBeNull();
  });
});
