import { describe, expect, it } from 'vitest';
import { seededRandom, type Region } from '@labelwork/core';
import { rectsIntersect, regionBounds } from '../../../client/src/editor/geometry.ts';
import { RegionIndex } from '../../../client/src/editor/region-index.ts';
import type { Rect } from '../../../client/src/editor/types.ts';
import { makeStore } from './helpers.ts';

const box = (id: string, x: number, y: number, w: number, h: number): Region => ({ id, type: 'bbox', label: 'car', x, y, w, h });

function randomRegion(r: () => number, id: string): Region {
  const kind = r();
  if (kind < 0.6) return box(id, r() * 4000, r() * 3000, 1 + r() * 200, 1 + r() * 150);
  if (kind < 0.95) {
    const cx = r() * 4000;
    const cy = r() * 3000;
    const rad = 5 + r() * 80;
    return {
      id,
      type: 'polygon',
      label: 'road',
      points: Array.from({ length: 8 }, (_, k) => ({ x: cx + Math.cos(k) * rad, y: cy + Math.sin(k) * rad })),
    };
  }
  // A few very large ones (more grid cells than the index files per cell).
  return box(id, r() * 100, r() * 100, 2000 + r() * 1900, 1500 + r() * 1400);
}

/** The ids a brute-force scan finds in a rectangle, sorted. */
function scan(regions: Iterable<Region>, rect: Rect, margin: number): string[] {
  const out: string[] = [];
  for (const g of regions) {
    const b = regionBounds(g);
    if (b && rectsIntersect(b, rect, margin)) out.push(g.id);
  }
  return out.sort();
}

describe('RegionIndex', () => {
  it('answers rectangle queries exactly like a scan of every region, through puts, moves and removes', () => {
    const r = seededRandom(7);
    const live = new Map<string, Region>();
    const index = new RegionIndex([], 64);
    for (let i = 0; i < 3000; i++) {
      const g = randomRegion(r, `g${i}`);
      live.set(g.id, g);
      index.put(g);
    }
    // Moves (a new object with the same id) and removes.
    for (let i = 0; i < 1500; i++) {
      const id = `g${Math.floor(r() * 3000)}`;
      if (r() < 0.5) {
        live.delete(id);
        index.remove(id);
      } else {
        const g = randomRegion(r, id);
        live.set(id, g);
        index.put(g);
      }
    }
    expect(index.size).toBe(live.size);
    for (let q = 0; q < 300; q++) {
      const rect = { x: r() * 4200 - 100, y: r() * 3200 - 100, w: r() < 0.1 ? 5000 : r() * 600, h: r() < 0.1 ? 4000 : r() * 400 };
      const margin = r() * 10;
      const found = index.query(rect, margin).map((g) => g.id);
      expect(new Set(found).size).toBe(found.length);
      expect([...found].sort()).toEqual(scan(live.values(), rect, margin));
    }
    for (const [id, g] of live) expect(index.get(id)).toBe(g);
  });

  it('returns regions in drawing order: a replaced region keeps its place, one put back by undo gets its old place', () => {
    const a = box('a', 0, 0, 10, 10);
    const b = box('b', 5, 5, 10, 10);
    const c = box('c', 2, 2, 10, 10);
    const index = new RegionIndex([a, b, c]);
    const all = { x: 0, y: 0, w: 20, h: 20 };
    const moved = { ...a, x: 1 };
    index.put(moved);
    expect(index.query(all).map((g) => g.id)).toEqual(['a', 'b', 'c']);
    index.remove('b');
    expect(index.query(all).map((g) => g.id)).toEqual(['a', 'c']);
    index.put(b);
    expect(index.query(all).map((g) => g.id)).toEqual(['a', 'b', 'c']);
    expect(index.query({ x: 100, y: 100, w: 5, h: 5 })).toEqual([]);
  });

  it('keeps regions without geometry by id but never returns them from a place query', () => {
    const cls: Region = { id: 'k', type: 'class', label: 'night' };
    const index = new RegionIndex([cls, box('a', 0, 0, 5, 5)]);
    expect(index.get('k')).toBe(cls);
    expect(index.query({ x: -1e6, y: -1e6, w: 2e6, h: 2e6 }).map((g) => g.id)).toEqual(['a']);
  });
});

describe('the editor store keeps its index in step with the regions', () => {
  it('after drawing, moving, deleting, undo and redo the index holds exactly the regions of the state', () => {
    const regions = Array.from({ length: 400 }, (_, i) => box(`b${i}`, (i % 20) * 48, Math.floor(i / 20) * 38, 30, 25));
    const store = makeStore({ regions });
    const check = () => {
      const s = store.getState();
      expect(store.index.size).toBe(s.regions.length);
      for (const g of s.regions) expect(store.index.get(g.id)).toBe(g);
      expect(store.index.query({ x: 0, y: 0, w: 1000, h: 800 }).length).toBe(s.regions.length);
    };
    store.setTool('bbox');
    store.pointer({ kind: 'down', point: { x: 5, y: 5 }, button: 0, shift: false, alt: false, mod: false });
    store.pointer({ kind: 'move', point: { x: 40, y: 30 }, button: 0, shift: false, alt: false, mod: false });
    store.pointer({ kind: 'up', point: { x: 40, y: 30 }, button: 0, shift: false, alt: false, mod: false });
    check();
    store.removeRegions(['b3', 'b77']);
    check();
    store.select(['b10']);
    store.nudge(5, 0);
    check();
    store.undo();
    store.undo();
    check();
    expect(store.regionById('b3')).toBeDefined();
    store.redo();
    check();
    store.applyRemote({ records: [{ id: 'remote', before: null, after: box('remote', 900, 700, 20, 20), index: 0 }], pending: [] });
    check();
    expect(store.index.query({ x: 905, y: 705, w: 0, h: 0 }).map((g) => g.id)).toEqual(['remote']);
  });
});
