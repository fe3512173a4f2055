import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ShadowState, isNewerFrame, type BBoxRegion, type ShadowState as State } from '@labelwork/core';
import { applyFrame, regionChanges, shownRegions } from '../../../client/src/features/shadow/apply-frame.ts';
import { ShadowPublisher } from '../../../client/src/features/shadow/publisher.ts';
import { box, drag, makeStore } from '../editor/helpers.ts';

const PROJECT = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const ITEM = 'bbbbbbbbbbbbbbbbbbbbbbbb';

function publisher() {
  const sent: State[] = [];
  const p = new ShadowPublisher(PROJECT, { send: (s) => sent.push(s), now: () => Date.now(), intervalMs: 100, sid: 'test-page' });
  return { p, sent };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('shadow publisher (annotator side)', () => {
  it('sends nothing while nobody watches, and the whole state at once when someone starts', () => {
    const { p, sent } = publisher();
    const store = makeStore();
    p.attach(store, { id: ITEM, kind: 'image' });
    store.addRegion(box('a', 0, 0, 10, 10));
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([]);
    p.setWatched(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      projectId: PROJECT,
      sid: 'test-page',
      seq: 1,
      itemId: ITEM,
      itemKind: 'image',
      tool: 'select',
      draft: null,
    });
    expect(sent[0]!.regions).toEqual([box('a', 0, 0, 10, 10)]);
    // What it sends is what the server accepts.
    expect(ShadowState.safeParse(sent[0]).success).toBe(true);
  });

  it('throttles to one frame per interval, trailing edge: the last state always arrives', () => {
    const { p, sent } = publisher();
    const store = makeStore();
    p.attach(store, { id: ITEM, kind: 'image' });
    p.setWatched(true);
    expect(sent).toHaveLength(1);
    // Ten edits within 50 ms: nothing more goes out before the interval ends…
    for (let i = 0; i < 10; i++) {
      store.addRegion(box(`b${i}`, i, i, 5, 5));
      vi.advanceTimersByTime(5);
    }
    expect(sent).toHaveLength(1);
    // …then one frame with all of them.
    vi.advanceTimersByTime(60);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.seq).toBe(2);
    expect(sent[1]!.regions.map((r) => r.id)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'b9']);
    // A change after a quiet time goes out at once.
    vi.advanceTimersByTime(500);
    store.select(['b3']);
    expect(sent).toHaveLength(3);
    expect(sent[2]!.selection).toEqual(['b3']);
    // Zooming is not sent.
    store.zoomBy(2);
    vi.advanceTimersByTime(500);
    expect(sent).toHaveLength(3);
  });

  it('sends the shape being drawn, and stops when nobody watches any more', () => {
    const { p, sent } = publisher();
    const store = makeStore();
    p.attach(store, { id: ITEM, kind: 'image' });
    p.setWatched(true);
    store.setTool('bbox');
    vi.advanceTimersByTime(200);
    const before = sent.length;
    store.pointer({ kind: 'down', point: { x: 10, y: 10 }, button: 0, shift: false, alt: false, mod: false });
    store.pointer({ kind: 'move', point: { x: 60, y: 40 }, button: 0, shift: false, alt: false, mod: false });
    vi.advanceTimersByTime(200);
    const mid = sent[sent.length - 1]!;
    expect(sent.length).toBeGreaterThan(before);
    expect(mid.tool).toBe('bbox');
    expect(mid.draft).toMatchObject({ type: 'bbox', x: 10, y: 10, w: 50, h: 30 });
    expect(mid.regions).toEqual([]);
    store.pointer({ kind: 'up', point: { x: 60, y: 40 }, button: 0, shift: false, alt: false, mod: false });
    vi.advanceTimersByTime(200);
    expect(sent[sent.length - 1]).toMatchObject({ draft: null, regions: [{ type: 'bbox', x: 10, y: 10, w: 50, h: 30 }] });
    p.setWatched(false);
    const n = sent.length;
    drag(store, { x: 100, y: 100 }, { x: 200, y: 200 });
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(n);
  });

  it('says "idle" without an item, follows a new item, and leaves regions out of a frame that is too big', () => {
    const { p, sent } = publisher();
    p.setWatched(true);
    expect(sent[0]).toMatchObject({ itemId: null, itemKind: null, regions: [] });
    const first = makeStore();
    p.attach(first, { id: ITEM, kind: 'image' });
    vi.advanceTimersByTime(200);
    expect(sent[sent.length - 1]!.itemId).toBe(ITEM);
    const next = makeStore();
    const other = 'cccccccccccccccccccccccc';
    p.attach(next, { id: other, kind: 'image' });
    vi.advanceTimersByTime(200);
    expect(sent[sent.length - 1]!.itemId).toBe(other);
    // The old editor's changes are not sent any more.
    const n = sent.length;
    first.addRegion(box('old', 0, 0, 1, 1));
    vi.advanceTimersByTime(200);
    expect(sent).toHaveLength(n);
    // Thousands of long-labelled regions: too big to send whole.
    const big = makeStore({ schema: { labels: [{ name: 'x'.repeat(100), color: '#e6194b', tool: 'bbox' }] } });
    p.attach(big, { id: other, kind: 'image' });
    for (let i = 0; i < 2000; i++) big.addRegion({ id: `r-${i}`, type: 'bbox', label: 'x'.repeat(100), x: i % 900, y: 1, w: 2, h: 2 });
    vi.advanceTimersByTime(200);
    expect(sent[sent.length - 1]).toMatchObject({ truncated: true, regions: [], itemId: other });
    p.dispose();
  });
});

describe('applying frames (watcher side)', () => {
  it('shows the shape being drawn in place of the region it edits, or after the others', () => {
    const a = box('a', 0, 0, 10, 10) as BBoxRegion;
    const b = box('b', 20, 20, 10, 10) as BBoxRegion;
    expect(shownRegions({ regions: [a, b], draft: null })).toEqual([a, b]);
    expect(shownRegions({ regions: [a, b], draft: { ...a, x: 5 } })).toEqual([{ ...a, x: 5 }, b]);
    expect(shownRegions({ regions: [a], draft: b })).toEqual([a, b]);
  });

  it('turns one region list into another with the fewest changes', () => {
    const a = box('a', 0, 0, 10, 10) as BBoxRegion;
    const b = box('b', 20, 20, 10, 10) as BBoxRegion;
    expect(regionChanges([a, b], [a, b])).toEqual([]);
    expect(regionChanges([a, b], [{ ...a, w: 12 }])).toEqual([
      { id: 'b', before: b, after: null, index: 1 },
      { id: 'a', before: a, after: { ...a, w: 12 }, index: 0 },
    ]);
  });

  it('applies a frame to a read-only editor: regions outside undo, selection highlighted', () => {
    const store = makeStore({ readOnly: true, regions: [box('a', 0, 0, 10, 10)] });
    const frame: State = {
      projectId: PROJECT,
      sid: 's1xxxx',
      seq: 3,
      itemId: ITEM,
      itemKind: 'image',
      regions: [box('a', 0, 0, 10, 10), box('b', 30, 30, 10, 10)],
      draft: null,
      selection: ['b', 'gone'],
      tool: 'bbox',
      activeLabel: 'car',
      textSelection: null,
    };
    applyFrame(store, frame);
    expect(store.getState().regions.map((r) => r.id)).toEqual(['a', 'b']);
    expect(store.getState().selection).toEqual(['b']);
    expect(store.getState().canUndo).toBe(false);
    applyFrame(store, { ...frame, seq: 4, regions: [], selection: [] });
    expect(store.getState().regions).toEqual([]);
  });

  it('keeps the newest frame of a page; a new page always wins', () => {
    expect(isNewerFrame(null, { sid: 'a', seq: 1 })).toBe(true);
    expect(isNewerFrame({ sid: 'a', seq: 2 }, { sid: 'a', seq: 1 })).toBe(false);
    expect(isNewerFrame({ sid: 'a', seq: 2 }, { sid: 'a', seq: 3 })).toBe(true);
    expect(isNewerFrame({ sid: 'a', seq: 9 }, { sid: 'b', seq: 1 })).toBe(true);
  });
});
