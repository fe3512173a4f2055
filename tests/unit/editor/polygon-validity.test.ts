import { describe, expect, it } from 'vitest';
import type { PolygonRegion } from '@labelwork/core';
import { click, makeStore } from './helpers.ts';

/** The polygon tool never commits an outline the server refuses (issue #11: crossing polygons are rejected at submit). */
describe('polygon tool and invalid outlines', () => {
  it('does not close a crossing outline; taking back the crossing point lets it close', () => {
    const store = makeStore();
    store.setTool('polygon');
    for (const p of [
      { x: 10, y: 10 },
      { x: 100, y: 100 },
      { x: 100, y: 10 },
      { x: 10, y: 100 },
    ])
      click(store, p);
    store.toolKey('Enter');
    expect(store.answer()).toEqual([]);
    expect(store.getState().draft?.region.type).toBe('polygon');
    store.toolKey('Backspace');
    store.toolKey('Enter');
    expect((store.answer()[0] as PolygonRegion).points).toEqual([
      { x: 10, y: 10 },
      { x: 100, y: 100 },
      { x: 100, y: 10 },
    ]);
  });

  it('does not close an outline without area (all points on one line)', () => {
    const store = makeStore();
    store.setTool('polygon');
    for (const p of [
      { x: 10, y: 10 },
      { x: 50, y: 50 },
      { x: 90, y: 90 },
    ])
      click(store, p);
    store.toolKey('Enter');
    expect(store.answer()).toEqual([]);
  });
});
