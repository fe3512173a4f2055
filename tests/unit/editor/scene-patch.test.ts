import { describe, expect, it } from 'vitest';
import type { Region } from '@labelwork/core';
import { paletteOf } from '../../../client/src/canvas/draw-regions.ts';
import { SceneCache } from '../../../client/src/canvas/scene.ts';
import { countByLabel } from '../../../client/src/editor/labels.ts';
import type { EditorStore } from '../../../client/src/editor/store.ts';
import { box, makeStore, schema } from './helpers.ts';

/**
 * An edit at 50,000 regions must cost what the edited region costs, not the scene (issue #17: a new
 * box took 151 ms at 50,000 because the frame after it drew every region again). These tests count
 * the drawing calls on a recording canvas; they assert no timing.
 */

type Call = { op: string; args: unknown[] };

/** A canvas whose 2D context records every call (no pixels): what a draw asked for. */
function recordingCanvas(calls: Call[]): HTMLCanvasElement {
  const ctx = new Proxy({} as Record<string | symbol, unknown>, {
    get(target, key) {
      if (key in target) return target[key];
      if (key === 'measureText') return () => ({ width: 10 });
      return (...args: unknown[]) => void calls.push({ op: String(key), args });
    },
    set(target, key, value) {
      target[key] = value;
      return true;
    },
  });
  return { width: 0, height: 0, getContext: () => ctx } as unknown as HTMLCanvasElement;
}

const IMAGE = { width: 8000, height: 8000 };
const COLS = 250;
/** 50,000 boxes of 20 × 20 px on a 32 px grid over an 8,000² image. */
const grid = (n: number): Region[] =>
  Array.from({ length: n }, (_, i) => box(`n${i}`, (i % COLS) * 32 + 6, Math.floor(i / COLS) * 32 + 6, 20, 20));

function scene(n = 50_000) {
  const store = makeStore({ image: IMAGE, regions: grid(n) });
  store.setStage({ width: 1600, height: 1000 });
  store.fit();
  const calls: Call[] = [];
  const cache = new SceneCache(() => recordingCanvas(calls));
  const palette = paletteOf(schema);
  cache.rebuild(store.getState(), null, palette, 1, store.index);
  const patch = () => cache.patch(store.getState(), null, palette, 1, store.index, (from) => store.touchedSince(from));
  return { store, cache, calls, patch };
}

/** Boxes traced or filled by a draw (dense drawing traces rectangles into one path; detailed drawing fills each). */
const boxesDrawn = (calls: Call[]) => calls.filter((c) => c.op === 'rect' || c.op === 'fillRect').length;
const cleared = (calls: Call[]) => calls.filter((c) => c.op === 'clearRect').map((c) => c.args as number[]);

describe('scene bitmap after an edit', () => {
  it('repaints only the rectangle of a box added to 50,000: a handful of regions drawn, not 50,000', () => {
    const { store, cache, calls, patch } = scene();
    expect(boxesDrawn(calls)).toBeGreaterThanOrEqual(50_000);
    calls.length = 0;
    store.addRegion(box('new', 4000, 4000, 60, 40));
    expect(patch()).toBe(true);
    // The new box and the few grid boxes around it (one clip rectangle), nothing else.
    expect(boxesDrawn(calls)).toBeGreaterThan(0);
    expect(boxesDrawn(calls)).toBeLessThan(100);
    // One rectangle cleared, around the box (a few screen pixels at this zoom), not the bitmap.
    const rects = cleared(calls);
    expect(rects).toHaveLength(1);
    expect(rects[0]![2]! * rects[0]![3]!).toBeLessThan(1000);
    // The bitmap is current: the next frame is a copy of it, and nothing is rebuilt.
    expect(cache.sharp(store.getState(), null)).toBe(true);
  });

  it('takes a removed box out of its rectangle and puts it back on undo, drawing only the neighbourhood each time', () => {
    const { store, calls, patch } = scene();
    calls.length = 0;
    store.removeRegions(['n1000']);
    expect(patch()).toBe(true);
    const gone = calls.filter((c) => c.op === 'rect' && c.args.length === 4);
    expect(boxesDrawn(calls)).toBeLessThan(100);
    const traced = gone.map((c) => (c.args as number[]).join(','));
    calls.length = 0;
    store.undo();
    expect(patch()).toBe(true);
    const back = calls.filter((c) => c.op === 'rect' && c.args.length === 4).map((c) => (c.args as number[]).join(','));
    // Undo draws one rectangle more in the same area: the box is back.
    expect(back.length).toBe(traced.length + 1);
    expect(boxesDrawn(calls)).toBeLessThan(100);
  });

  it('draws a region being dragged out of the bitmap and back when dropped, without a full redraw', () => {
    const { store, calls, patch } = scene();
    store.setTool('select');
    store.select(['n125']);
    calls.length = 0;
    // Dragging the selected box (image px): it goes to the overlay, and its place in the bitmap is repainted.
    const s = store.getState();
    const at = { x: 4006 + 10, y: 6 + 10 };
    store.pointer({ kind: 'down', point: at, button: 0, shift: false, alt: false, mod: false });
    store.pointer({ kind: 'move', point: { x: at.x + 40, y: at.y + 40 }, button: 0, shift: false, alt: false, mod: false });
    expect(store.getState().draft?.region.id).toBe('n125');
    expect(patch()).toBe(true);
    store.pointer({ kind: 'up', point: { x: at.x + 40, y: at.y + 40 }, button: 0, shift: false, alt: false, mod: false });
    expect(store.getState().regions).not.toBe(s.regions);
    expect(patch()).toBe(true);
    // Three rectangles repainted (picked up; dropped: where it was and where it is), each with its neighbours.
    expect(boxesDrawn(calls)).toBeLessThan(200);
  });

  it('redraws everything when the change is not one it can patch (a label hidden, or more regions than it patches)', () => {
    const a = scene(5_000);
    a.store.toggleLabelHidden('car');
    expect(a.patch()).toBe(false);
    const b = scene(5_000);
    b.store.removeRegions(Array.from({ length: 100 }, (_, i) => `n${i}`));
    expect(b.patch()).toBe(false);
  });
});

describe('store bookkeeping kept one change at a time', () => {
  const check = (store: EditorStore) => {
    const want = countByLabel(store.getState().regions);
    expect(new Map([...store.labelCounts()].sort())).toEqual(new Map([...want].sort()));
    expect(store.classRegions()).toEqual(store.getState().regions.filter((r) => r.type === 'class'));
  };

  it('counts regions per label and lists the classes through edits, relabels, undo, redo and remote changes', () => {
    const store = makeStore({ regions: [box('a', 0, 0, 10, 10), box('b', 20, 20, 10, 10)], prefilled: [box('p', 40, 40, 5, 5)] });
    check(store);
    store.addRegion(box('c', 50, 50, 10, 10));
    check(store);
    store.relabel(['a'], 'truck');
    check(store);
    store.toggleClass('night');
    check(store);
    store.toggleClass('day');
    check(store);
    store.removeRegions(['b', 'p']);
    check(store);
    store.undo();
    store.undo();
    check(store);
    store.redo();
    check(store);
    // A remote diff whose `before` is stale (it says the region was absent): counts follow the regions, not the diff.
    const cars = store.labelCounts().get('car');
    store.applyRemote({ records: [{ id: 'c', before: null, after: box('c', 60, 60, 10, 10), index: 0 }], pending: [] });
    check(store);
    expect(store.labelCounts().get('car')).toBe(cars);
  });

  it('tells a view what changed since the version it drew, and nothing when it is too far behind', () => {
    const store = makeStore({ regions: [box('a', 0, 0, 10, 10)] });
    const v0 = store.getState();
    store.addRegion(box('b', 20, 20, 10, 10));
    store.addRegion(box('c', 30, 30, 10, 10));
    store.removeRegions(['a']);
    const touched = store.touchedSince(v0)!;
    expect(touched.map((t) => [t.id, t.before?.id ?? null, t.after?.id ?? null])).toEqual([
      ['b', null, 'b'],
      ['c', null, 'c'],
      ['a', 'a', null],
    ]);
    expect(store.touchedSince(store.getState())).toEqual([]);
    for (let i = 0; i < 70; i++) store.addRegion(box(`x${i}`, i, i, 5, 5));
    expect(store.touchedSince(v0)).toBeNull();
  });
});
