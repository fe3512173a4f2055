import { describe, expect, it } from 'vitest';
import {
  CertificationConfig,
  certificateNumber,
  defaultCertificationConfig,
  enabledParts,
  goldPauseDecision,
  gradeReviewExercise,
  nextLevel,
  plantErrors,
  promotionStatus,
  retakeStatus,
  rollingGoldAccuracy,
  seededRandom,
  stratumQuotas,
  type PartAttemptSummary,
  type Region,
} from '@labelwork/core';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000);

describe('level configuration', () => {
  it('ships defaults that parse: theory and practical everywhere, review from L4, specification from L3, panel review for L2 and L1', () => {
    const c = CertificationConfig.parse(defaultCertificationConfig());
    expect(enabledParts(c.levels.L5)).toEqual(['theory', 'practical']);
    expect(enabledParts(c.levels.L4)).toEqual(['theory', 'practical', 'review']);
    expect(enabledParts(c.levels.L3)).toEqual(['theory', 'practical', 'review', 'specification']);
    expect(enabledParts(c.levels.L2)).toEqual(['theory', 'practical', 'review', 'specification', 'comprehensive']);
    expect(enabledParts(c.levels.L1)).toEqual(enabledParts(c.levels.L2));
    expect(c.levels.L5.theory.passMark).toBe(60);
    expect(c.levels.L5.practical.overtime).toEqual({ pointsPerMinute: 1, stopAfterMinutes: 5 });
  });

  it('rejects an edited configuration with an unknown field or a pass mark above 100', () => {
    const c = defaultCertificationConfig();
    expect(
      CertificationConfig.safeParse({
        ...c,
        levels: { ...c.levels, L5: { ...c.levels.L5, theory: { ...c.levels.L5.theory, passMark: 120 } } },
      }).success,
    ).toBe(false);
    expect(CertificationConfig.safeParse({ ...c, extra: 1 }).success).toBe(false);
  });

  it('promotes one level up, and not past L1', () => {
    expect(nextLevel('L5')).toBe('L4');
    expect(nextLevel('L2')).toBe('L1');
    expect(nextLevel('L1')).toBeNull();
  });
});

describe('stratumQuotas', () => {
  it('shares by weight with largest remainders and moves what a small stratum cannot give to the others', () => {
    expect(stratumQuotas([10, 10, 10], [1, 1, 1], 10)).toEqual([4, 3, 3]);
    expect(stratumQuotas([2, 10, 10], [1, 1, 0], 10)).toEqual([2, 8, 0]);
    expect(stratumQuotas([2, 3], [1, 1], 10)).toEqual([2, 3]);
  });
});

describe('retakeStatus', () => {
  const config = { ...defaultCertificationConfig().levels.L5, maxAttempts: 2, cooldownHours: 24 };
  const failed = (start: number, end: number): PartAttemptSummary => ({
    part: 'theory',
    startedAt: at(start),
    finishedAt: at(end),
    score: 40,
  });

  it('allows a first attempt', () => {
    expect(retakeStatus(config, 'theory', [], at(0))).toEqual({ allowed: true });
  });

  it('refuses a retake before the cooldown after a fail and says when it opens', () => {
    const attempts = [failed(0, 30)];
    expect(retakeStatus(config, 'theory', attempts, at(60))).toEqual({ allowed: false, reason: 'cooldown', earliest: at(30 + 24 * 60) });
    expect(retakeStatus(config, 'theory', attempts, at(30 + 24 * 60))).toEqual({ allowed: true });
    // Another part's attempts do not hold this one back.
    expect(retakeStatus(config, 'practical', attempts, at(60))).toEqual({ allowed: true });
  });

  it('refuses while an attempt runs, after a pass, beyond the maximum, and for a part the level does not have', () => {
    const running: PartAttemptSummary = { part: 'theory', startedAt: at(0), finishedAt: null, score: null };
    expect(retakeStatus(config, 'theory', [running], at(5))).toMatchObject({ allowed: false, reason: 'in_progress' });
    const passed: PartAttemptSummary = { part: 'theory', startedAt: at(0), finishedAt: at(9), score: 60 };
    expect(retakeStatus(config, 'theory', [passed], at(5000))).toMatchObject({ allowed: false, reason: 'already_passed' });
    expect(retakeStatus(config, 'theory', [failed(0, 1), failed(3000, 3001)], at(9000))).toMatchObject({
      allowed: false,
      reason: 'max_attempts',
    });
    expect(retakeStatus(config, 'review', [], at(0))).toMatchObject({ allowed: false, reason: 'part_disabled' });
  });
});

describe('promotionStatus', () => {
  const config = defaultCertificationConfig().levels.L5;
  it('is ready only when every enabled part has a passing score', () => {
    const theory: PartAttemptSummary = { part: 'theory', startedAt: at(0), finishedAt: at(10), score: 75 };
    expect(promotionStatus(config, [theory]).ready).toBe(false);
    const s = promotionStatus(config, [theory, { part: 'practical', startedAt: at(20), finishedAt: at(50), score: 59.9 }]);
    expect(s).toEqual({
      ready: false,
      parts: [
        { part: 'theory', passMark: 60, best: 75, passed: true },
        { part: 'practical', passMark: 60, best: 59.9, passed: false },
      ],
    });
    expect(promotionStatus(config, [theory, { part: 'practical', startedAt: at(20), finishedAt: at(50), score: 60 }]).ready).toBe(true);
  });

  it('numbers certificates by year, level and sequence', () => {
    expect(certificateNumber(2026, 'L5', 42)).toBe('LW-2026-L5-000042');
    expect(() => certificateNumber(2026, 'L5', 0)).toThrow(RangeError);
  });
});

describe('gradeReviewExercise', () => {
  const planted = [
    { itemId: 'a', kind: 'wrong-label' as const, regionId: 'r1' },
    { itemId: 'a', kind: 'missing' as const },
    { itemId: 'b', kind: 'bad-geometry' as const, regionId: 'r7' },
    { itemId: 'c', kind: 'extra' as const, regionId: 'r9' },
  ];
  it('scores precision and recall of the flags against the planted errors', () => {
    const r = gradeReviewExercise(planted, [
      { itemId: 'a', regionId: 'r1' },
      { itemId: 'a' },
      { itemId: 'b', regionId: 'r8' },
      { itemId: 'a', regionId: 'r1' },
    ]);
    expect(r).toMatchObject({ flags: 4, planted: 4, hits: 2, precision: 0.5, recall: 0.5, score: 50 });
    expect(r.found.map((f) => f.found)).toEqual([true, true, false, false]);
  });
  it('gives 100 for all errors and nothing else, and handles empty sides', () => {
    expect(
      gradeReviewExercise(
        planted,
        planted.map((p) => (p.regionId ? { itemId: p.itemId, regionId: p.regionId } : { itemId: p.itemId })),
      ).score,
    ).toBe(100);
    expect(gradeReviewExercise([], [])).toMatchObject({ score: 100, precision: null, recall: null });
    expect(gradeReviewExercise(planted, [])).toMatchObject({ score: 0, precision: null, recall: 0 });
  });
});

describe('rolling gold accuracy and the pause rule', () => {
  const answers = [0.9, 0.9, 0.9, 0.2, 0.3, 0.4, 0.5, 0.6].map((score, i) => ({ at: at(i), score }));
  it('averages the latest N answers by time', () => {
    expect(rollingGoldAccuracy(answers, 3)).toEqual({ value: 0.5, n: 3 });
    expect(rollingGoldAccuracy([...answers].reverse(), 3)).toEqual({ value: 0.5, n: 3 });
    expect(rollingGoldAccuracy([], 3)).toEqual({ value: null, n: 0 });
  });
  it('pauses below the threshold only once the window holds enough answers', () => {
    const rule = { window: 5, threshold: 0.7, minAnswers: 3 };
    expect(goldPauseDecision(answers, rule)).toMatchObject({ pause: true, n: 5 });
    expect(goldPauseDecision(answers.slice(3, 5), rule)).toMatchObject({ pause: false, n: 2 });
    expect(goldPauseDecision(answers.slice(0, 3), rule)).toMatchObject({ pause: false, value: 0.9 });
  });
  it('starts afresh after a lifted pause', () => {
    const rule = { window: 5, threshold: 0.7, minAnswers: 3 };
    expect(goldPauseDecision(answers, rule, at(5))).toMatchObject({ pause: false, n: 2 });
  });
});

describe('plantErrors', () => {
  const box = (id: string, label: string, x: number): Region => ({ id, type: 'bbox', label, x, y: 10, w: 40, h: 40 });
  const sources = Array.from({ length: 30 }, (_, i) => ({
    itemId: `i${i}`,
    gold: [box('a', 'car', 10), box('b', 'truck', 200)],
    extent: { width: 400, height: 300 },
  }));
  const labelsOf = () => ['car', 'truck', 'bus'];

  it('plants at most one error per item, about two items in three, and renames every region', () => {
    const { shown, planted } = plantErrors(sources, labelsOf, seededRandom(5));
    expect(new Set(planted.map((p) => p.itemId)).size).toBe(planted.length);
    expect(planted.length).toBeGreaterThan(12);
    expect(planted.length).toBeLessThan(28);
    for (const regions of Object.values(shown)) for (const r of regions) expect(r.id).toMatch(/^r\d+$/);
    expect(new Set(planted.map((p) => p.kind))).toEqual(new Set(['wrong-label', 'bad-geometry', 'missing', 'extra']));
  });

  it('makes each planted error something a careful reviewer can find against the gold', () => {
    const { shown, planted } = plantErrors(sources, labelsOf, seededRandom(9));
    for (const p of planted) {
      const regions = shown[p.itemId]!;
      const r = regions.find((x) => x.id === p.regionId) as Extract<Region, { type: 'bbox' }> | undefined;
      if (p.kind === 'missing') expect(regions).toHaveLength(1);
      if (p.kind === 'extra') expect(regions).toHaveLength(3);
      if (p.kind === 'wrong-label') expect(r!.label).not.toBe(r!.x === 10 ? 'car' : 'truck');
      if (p.kind === 'bad-geometry') expect([10, 200]).not.toContain(r!.x);
    }
    // Items without a planted error are shown exactly as the gold (ids aside).
    const clean = sources.filter((s) => !planted.some((p) => p.itemId === s.itemId));
    for (const s of clean) expect(shown[s.itemId]!.map(({ id: _id, ...rest }) => rest)).toEqual(s.gold.map(({ id: _id, ...rest }) => rest));
  });

  it('is the same for a seed, and a perfect review of it scores 100', () => {
    const a = plantErrors(sources, labelsOf, seededRandom(3));
    expect(plantErrors(sources, labelsOf, seededRandom(3))).toEqual(a);
    const flags = a.planted.map((p) => (p.regionId ? { itemId: p.itemId, regionId: p.regionId } : { itemId: p.itemId }));
    expect(gradeReviewExercise(a.planted, flags).score).toBe(100);
  });
});
