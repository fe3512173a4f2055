import { describe, expect, it } from 'vitest';
import { bullPriority, uncertaintyPriority } from '@labelwork/core';

describe('uncertainty priority', () => {
  it('serves the least confident prediction first', () => {
    expect(uncertaintyPriority(0, 50)).toBe(100);
    expect(uncertaintyPriority(1, 50)).toBe(1);
    expect(uncertaintyPriority(0.5, 50)).toBe(51);
    const order = [0.9, 0.1, 0.5].map((s) => bullPriority(uncertaintyPriority(s, 50)));
    // BullMQ serves the lowest number first: 0.1, then 0.5, then 0.9.
    expect([...order].sort((a, b) => a - b)).toEqual([order[1], order[2], order[0]]);
  });

  it('keeps the lead priority for items without a score, and clamps odd scores', () => {
    expect(uncertaintyPriority(null, 70)).toBe(70);
    expect(uncertaintyPriority(undefined, 70)).toBe(70);
    expect(uncertaintyPriority(Number.NaN, 70)).toBe(70);
    expect(uncertaintyPriority(-3, 70)).toBe(100);
    expect(uncertaintyPriority(7, 70)).toBe(1);
  });
});
