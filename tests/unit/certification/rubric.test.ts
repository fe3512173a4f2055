import { describe, expect, it } from 'vitest';
import {
  CertificationConfig,
  DEFAULT_COMPREHENSIVE_RUBRIC,
  DEFAULT_SPECIFICATION_RUBRIC,
  Rubric,
  SpecificationDraft,
  canExamineLevel,
  defaultCertificationConfig,
  panelDecision,
  promotionStatus,
  retakeStatus,
  scoreRubric,
  specificationProblems,
} from '@labelwork/core';

describe('rubric scoring', () => {
  it('sums the points of every criterion and scales them to 0–100', () => {
    const r = scoreRubric(DEFAULT_SPECIFICATION_RUBRIC, {
      definitions: 20,
      'edge-cases': 24,
      examples: 15,
      consistency: 12,
      usability: 5.5,
    });
    expect(r).toEqual({
      ok: true,
      result: {
        points: { definitions: 20, 'edge-cases': 24, examples: 15, consistency: 12, usability: 5.5 },
        total: 76.5,
        max: 100,
        score: 76.5,
      },
    });
  });

  it('scales a rubric whose points do not add up to 100', () => {
    const rubric = Rubric.parse([
      { id: 'a', title: { en: 'A' }, description: { en: 'a' }, points: 3 },
      { id: 'b', title: { en: 'B' }, description: { en: 'b' }, points: 3 },
    ]);
    const r = scoreRubric(rubric, { a: 3, b: 1 });
    expect(r.ok && r.result.score).toBe(66.7);
  });

  it('refuses missing, unknown and out-of-range points, and points finer than a half', () => {
    const r = scoreRubric(DEFAULT_SPECIFICATION_RUBRIC, { definitions: 26, 'edge-cases': -1, examples: 10.25, consistency: 1, extra: 3 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        { kind: 'unknown', criterion: 'extra' },
        { kind: 'out-of-range', criterion: 'definitions', max: 25 },
        { kind: 'out-of-range', criterion: 'edge-cases', max: 30 },
        { kind: 'out-of-range', criterion: 'examples', max: 20 },
        { kind: 'missing', criterion: 'usability' },
      ]),
    );
  });

  it('refuses a rubric with repeated criterion ids', () => {
    expect(Rubric.safeParse([...DEFAULT_COMPREHENSIVE_RUBRIC, DEFAULT_COMPREHENSIVE_RUBRIC[0]]).success).toBe(false);
  });
});

describe('panel decision', () => {
  it('decides nothing until every member has scored', () => {
    expect(panelDecision('mean-and-floor', [90], 2, 60, 40)).toEqual({ complete: false, mean: null, passed: null, reasons: [] });
  });

  it('mean-and-floor: passes on a mean at the pass mark with nobody under the floor', () => {
    expect(panelDecision('mean-and-floor', [60, 60], 2, 60, 40)).toEqual({ complete: true, mean: 60, passed: true, reasons: [] });
    expect(panelDecision('mean-and-floor', [55, 64], 2, 60, 40)).toMatchObject({
      mean: 59.5,
      passed: false,
      reasons: ['mean-below-pass-mark'],
    });
  });

  it('mean-and-floor: one member under the floor fails a passing mean', () => {
    expect(panelDecision('mean-and-floor', [100, 100, 39], 3, 60, 40)).toMatchObject({
      mean: 79.7,
      passed: false,
      reasons: ['member-below-floor'],
    });
    expect(panelDecision('mean-and-floor', [30, 35], 2, 60, 40).reasons).toEqual(['mean-below-pass-mark', 'member-below-floor']);
  });

  it('majority: needs more than half the members at the pass mark; a tie fails', () => {
    expect(panelDecision('majority', [60, 61, 10], 3, 60, 40)).toMatchObject({ mean: 43.7, passed: true });
    expect(panelDecision('majority', [90, 50], 2, 60, 40)).toMatchObject({ mean: 70, passed: false, reasons: ['no-majority'] });
  });

  it('a failed panel with a mean over the pass mark does not count as a pass for promotion or retakes', () => {
    const config = defaultCertificationConfig().levels.L2;
    const at = new Date('2026-12-06T10:00:00Z');
    const attempts = [{ part: 'comprehensive' as const, startedAt: at, finishedAt: at, score: 79.7, passed: false }];
    expect(promotionStatus(config, attempts).parts.find((p) => p.part === 'comprehensive')).toMatchObject({ best: 79.7, passed: false });
    expect(retakeStatus(config, 'comprehensive', attempts, new Date('2026-12-06T11:00:00Z'))).toMatchObject({
      allowed: false,
      reason: 'cooldown',
    });
  });
});

describe('who may examine', () => {
  it('only from a higher level, L1 by L1', () => {
    expect(canExamineLevel('L2', 'L3')).toBe(true);
    expect(canExamineLevel('L3', 'L3')).toBe(false);
    expect(canExamineLevel('L4', 'L3')).toBe(false);
    expect(canExamineLevel('L1', 'L1')).toBe(true);
  });
});

describe('specification completeness', () => {
  const req = { labels: ['car', 'pedestrian'], minEdgeCases: 2, minExamples: 1, sampleItemIds: ['s1', 's2'] };

  it('accepts a specification with a scope, every label defined, enough rules and examples from the sample', () => {
    const spec = SpecificationDraft.parse({
      scope: 'street scenes',
      labels: [
        { name: 'car', definition: 'four wheels' },
        { name: 'pedestrian', definition: 'on foot' },
      ],
      edgeCases: [
        { situation: 'a pushed bicycle', rule: 'pedestrian', itemIds: ['s1'] },
        { situation: 'a car on a poster', rule: 'no box' },
      ],
      examples: [{ itemId: 's2', label: 'car', note: 'parked car, partly hidden' }],
    });
    expect(specificationProblems(spec, req)).toEqual([]);
  });

  it('lists what is missing: scope, definitions, rules, examples, unknown labels and items outside the sample', () => {
    const spec = SpecificationDraft.parse({
      labels: [
        { name: 'car', definition: '' },
        { name: 'truck', definition: 'big' },
      ],
      edgeCases: [{ situation: 'fog', rule: '', itemIds: ['x9'] }],
      examples: [{ itemId: 's1', label: 'bus', note: 'n' }],
    });
    expect(specificationProblems(spec, req)).toEqual([
      { kind: 'scope-missing' },
      { kind: 'label-unknown', label: 'truck' },
      { kind: 'label-undefined', label: 'car' },
      { kind: 'label-undefined', label: 'pedestrian' },
      { kind: 'edge-case-incomplete', index: 0 },
      { kind: 'too-few-edge-cases', have: 0, need: 2 },
      { kind: 'example-incomplete', index: 0 },
      { kind: 'too-few-examples', have: 0, need: 1 },
      { kind: 'item-not-in-sample', itemId: 'x9' },
    ]);
  });
});

describe('configuration', () => {
  it('fills the rubrics, sample size and panel rule into a configuration saved before they existed', () => {
    const old = defaultCertificationConfig() as unknown as { levels: Record<string, Record<string, Record<string, unknown>>> };
    for (const level of Object.values(old.levels)) {
      for (const k of ['sampleItems', 'minEdgeCases', 'minExamples', 'rubric']) delete level.specification![k];
      for (const k of ['rule', 'floor', 'rubric']) delete level.comprehensive![k];
    }
    const parsed = CertificationConfig.parse(old);
    expect(parsed.levels.L3.specification).toMatchObject({
      sampleItems: 6,
      minEdgeCases: 4,
      minExamples: 3,
      rubric: DEFAULT_SPECIFICATION_RUBRIC,
    });
    expect(parsed.levels.L2.comprehensive).toMatchObject({
      minPanel: 2,
      rule: 'mean-and-floor',
      floor: 40,
      rubric: DEFAULT_COMPREHENSIVE_RUBRIC,
    });
  });
});
