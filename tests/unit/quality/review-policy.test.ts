import { describe, expect, it } from 'vitest';
import { lowAgreement, reviewReasonsOnSubmit, sampleDraw } from '@labelwork/core';

const facts = { level: 'L4' as const, annotationId: '65a000000000000000000001', gold: false };

describe('review policy', () => {
  it('sends every submission of users below the policy level, and none of the others', () => {
    expect(reviewReasonsOnSubmit({ belowLevel: 'L4', sampleRate: 0 }, { ...facts, level: 'L5' })).toEqual(['trainee']);
    expect(reviewReasonsOnSubmit({ belowLevel: 'L4', sampleRate: 0 }, facts)).toEqual([]);
    expect(reviewReasonsOnSubmit({ sampleRate: 0 }, { ...facts, level: 'L5' })).toEqual([]);
  });

  it('sends gold answers scoring under goldBelow (0.5 by default), never samples gold', () => {
    expect(reviewReasonsOnSubmit({ sampleRate: 1 }, { ...facts, gold: true, goldScore: 0.4 })).toEqual(['gold-wrong']);
    expect(reviewReasonsOnSubmit({ sampleRate: 1 }, { ...facts, gold: true, goldScore: 0.6 })).toEqual([]);
    expect(reviewReasonsOnSubmit({ sampleRate: 0, goldBelow: 0.9 }, { ...facts, gold: true, goldScore: 0.6 })).toEqual(['gold-wrong']);
    expect(reviewReasonsOnSubmit({ sampleRate: 0, goldBelow: 0 }, { ...facts, gold: true, goldScore: 0 })).toEqual([]);
    expect(reviewReasonsOnSubmit({ sampleRate: 0 }, { ...facts, gold: true, goldScore: null })).toEqual([]);
  });

  it('samples at the set rate with a draw that is stable per submission', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `65a${i.toString(16).padStart(21, '0')}`);
    const sampled = ids.filter((id) =>
      reviewReasonsOnSubmit({ sampleRate: 0.1 }, { ...facts, annotationId: id }).includes('sample'),
    ).length;
    expect(sampled / ids.length).toBeGreaterThan(0.08);
    expect(sampled / ids.length).toBeLessThan(0.12);
    expect(sampleDraw(ids[7]!)).toBe(sampleDraw(ids[7]!));
    expect(reviewReasonsOnSubmit({ sampleRate: 1 }, facts)).toEqual(['sample']);
  });

  it('flags low agreement on any tool under the threshold, ignoring tools without a value', () => {
    expect(lowAgreement({ sampleRate: 0, agreementBelow: 0.6 }, { 'class-single': 0.8, span: 0.5 })).toBe(true);
    expect(lowAgreement({ sampleRate: 0, agreementBelow: 0.6 }, { 'class-single': 0.8, span: null })).toBe(false);
    expect(lowAgreement({ sampleRate: 0 }, { span: 0 })).toBe(false);
  });
});
