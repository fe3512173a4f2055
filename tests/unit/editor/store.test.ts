import { describe, expect, it } from 'vitest';
import { box, click, drag, makeStore } from './helpers.ts';

describe('editor store and history', () => {
  it('undoes and redoes drawing, moving and deleting a box', () => {
    const store = makeStore();
    store.setTool('bbox');
    drag(store, { x: 10, y: 20 }, { x: 110, y: 70 });
    expect(store.answer()).toEqual([{ id: 'r1', type: 'bbox', label: 'car', x: 10, y: 20, w: 100, h: 50 }]);
    store.setTool('select');
    drag(store, { x: 50, y: 40 }, { x: 60, y: 45 });
    expect(store.answer()[0]).toMatchObject({ x: 20, y: 25 });
    store.deleteSelection();
    expect(store.answer()).toEqual([]);

    store.undo();
    expect(store.answer()[0]).toMatchObject({ x: 20, y: 25 });
    expect(store.getState().selection).toEqual(['r1']);
    store.undo();
    expect(store.answer()[0]).toMatchObject({ x: 10, y: 20 });
    store.undo();
    expect(store.answer()).toEqual([]);
    expect(store.getState().canUndo).toBe(false);
    store.redo();
    store.redo();
    expect(store.answer()[0]).toMatchObject({ x: 20, y: 25 });
    expect(store.getState().canRedo).toBe(true);
  });

  it('drops the redo stack after a new edit', () => {
    const store = makeStore();
    store.addRegion(box('a', 0, 0, 10, 10));
    store.undo();
    store.addRegion(box('b', 0, 0, 10, 10));
    expect(store.getState().canRedo).toBe(false);
  });

  it('applies remote changes without putting them in local undo', () => {
    const store = makeStore();
    store.addRegion(box('mine', 0, 0, 10, 10));
    store.applyRemote({ records: [{ id: 'theirs', before: null, after: box('theirs', 50, 50, 10, 10), index: 1 }], pending: [] });
    store.undo();
    expect(store.answer().map((r) => r.id)).toEqual(['theirs']);
    expect(store.getState().canUndo).toBe(false);
  });

  it('merges repeated arrow nudges of one region into one undo step', () => {
    const store = makeStore({ regions: [box('a', 100, 100, 10, 10)] });
    store.select(['a']);
    for (let i = 0; i < 5; i++) store.nudge(1, 0);
    store.nudge(0, 10);
    expect(store.answer()[0]).toMatchObject({ x: 105, y: 110 });
    store.undo();
    expect(store.answer()[0]).toMatchObject({ x: 100, y: 100 });
  });

  it('keeps nudged and resized boxes inside the image', () => {
    const store = makeStore({ regions: [box('a', 990, 790, 5, 5)] });
    store.select(['a']);
    store.nudge(50, 50);
    expect(store.answer()[0]).toMatchObject({ x: 995, y: 795 });
    store.resizeSelection(100, -100);
    expect(store.answer()[0]).toMatchObject({ w: 5, h: 1 });
  });

  it('keeps pre-filled regions out of the answer until accepted, and undoes the acceptance', () => {
    const store = makeStore({ regions: [box('own', 0, 0, 5, 5)], prefilled: [box('p1', 10, 10, 5, 5), box('p2', 20, 20, 5, 5)] });
    expect(store.answer().map((r) => r.id)).toEqual(['own']);
    store.acceptPending(['p1']);
    expect(store.answer().map((r) => r.id)).toEqual(['own', 'p1']);
    store.undo();
    expect(store.answer().map((r) => r.id)).toEqual(['own']);
    store.acceptPending();
    expect(store.answer()).toHaveLength(3);
  });

  it('accepts a proposal when it is edited, and undo makes it a proposal again', () => {
    const store = makeStore({ prefilled: [box('p', 10, 10, 50, 50)] });
    drag(store, { x: 30, y: 30 }, { x: 40, y: 30 });
    expect(store.answer()).toEqual([box('p', 20, 10, 50, 50)]);
    store.undo();
    expect(store.answer()).toEqual([]);
    expect(store.getState().pending.has('p')).toBe(true);
    expect(store.getState().regions[0]).toEqual(box('p', 10, 10, 50, 50));
  });

  it('rejects proposals', () => {
    const store = makeStore({ prefilled: [box('p', 10, 10, 50, 50)] });
    store.rejectPending();
    expect(store.getState().regions).toEqual([]);
    store.undo();
    expect(store.getState().pending.has('p')).toBe(true);
  });

  it('relabels the selection with a label hotkey only when the label suits it', () => {
    const store = makeStore({ regions: [box('a', 0, 0, 10, 10)] });
    store.select(['a']);
    store.chooseLabel('truck');
    expect(store.answer()[0]!.label).toBe('truck');
    store.chooseLabel('road');
    expect(store.answer()[0]!.label).toBe('truck');
    expect(store.getState().tool).toBe('polygon');
    expect(store.getState().activeLabel).toBe('road');
  });

  it('keeps one single-choice class and toggles multiple-choice ones', () => {
    const store = makeStore();
    store.chooseLabel('night');
    store.chooseLabel('day');
    store.chooseLabel('rain');
    expect(store.answer().map((r) => r.label)).toEqual(['day', 'rain']);
    store.chooseLabel('rain');
    expect(store.answer().map((r) => r.label)).toEqual(['day']);
    store.undo();
    store.undo();
    expect(store.answer().map((r) => r.label)).toEqual(['day']);
  });

  it('accepts a proposed class when it is chosen, replacing the single-choice class in one step', () => {
    const store = makeStore({
      regions: [{ id: 'own', type: 'class', label: 'day' }],
      prefilled: [{ id: 'p', type: 'class', label: 'night' }],
    });
    store.chooseLabel('night');
    expect(store.answer()).toEqual([{ id: 'p', type: 'class', label: 'night' }]);
    store.undo();
    expect(store.answer()).toEqual([{ id: 'own', type: 'class', label: 'day' }]);
    expect(store.getState().pending.has('p')).toBe(true);
  });

  it('does not let locked regions move or be deleted', () => {
    const store = makeStore({ regions: [box('a', 10, 10, 50, 50)] });
    store.toggleLocked('a');
    drag(store, { x: 30, y: 30 }, { x: 80, y: 80 });
    expect(store.getState().selection).toEqual(['a']);
    store.deleteSelection();
    expect(store.answer()[0]).toMatchObject({ x: 10, y: 10 });
  });

  it('hides regions from picking and drops them from the selection', () => {
    const store = makeStore({ regions: [box('a', 10, 10, 50, 50)] });
    click(store, { x: 20, y: 20 });
    expect(store.getState().selection).toEqual(['a']);
    store.toggleHidden('a');
    expect(store.getState().selection).toEqual([]);
    click(store, { x: 20, y: 20 });
    expect(store.getState().selection).toEqual([]);
    store.toggleLabelHidden('car');
    store.toggleHidden('a');
    click(store, { x: 20, y: 20 });
    expect(store.getState().selection).toEqual([]);
  });

  it('changes nothing in read-only mode', () => {
    const store = makeStore({ regions: [box('a', 10, 10, 50, 50)], readOnly: true });
    drag(store, { x: 30, y: 30 }, { x: 80, y: 80 });
    store.deleteSelection();
    store.setTool('bbox');
    drag(store, { x: 200, y: 200 }, { x: 300, y: 300 });
    expect(store.answer()).toEqual([box('a', 10, 10, 50, 50)]);
  });

  it('tells subscribers about every change with the previous state', () => {
    const store = makeStore();
    const seen: number[] = [];
    const off = store.subscribe((s, prev) => seen.push(s.regions.length - prev.regions.length));
    store.addRegion(box('a', 0, 0, 1, 1));
    off();
    store.addRegion(box('b', 0, 0, 1, 1));
    expect(seen).toEqual([1]);
  });

  it('selects regions in turn with next/previous', () => {
    const store = makeStore({ regions: [box('a', 0, 0, 5, 5), box('b', 10, 10, 5, 5), box('c', 20, 20, 5, 5)] });
    store.toggleHidden('b');
    store.selectNext(1);
    store.selectNext(1);
    expect(store.getState().selection).toEqual(['c']);
    store.selectNext(1);
    expect(store.getState().selection).toEqual(['a']);
    store.selectNext(-1);
    expect(store.getState().selection).toEqual(['c']);
  });

  it('keeps the image where it was on the screen when the stage box moves and grows (a banner above it went away)', async () => {
    const { imageToScreen } = await import('../../../client/src/editor/viewport.ts');
    const store = makeStore();
    store.setViewport({ x: 20, y: 30, scale: 0.25 });
    const at = imageToScreen(store.getState().viewport, { x: 400, y: 300 });
    // The stage's top went 45 px up the page and it is 45 px taller: stage-local y of the same
    // screen point is now 45 px larger.
    store.setStage({ width: 1000, height: 845 }, { x: 0, y: 45 });
    const now = imageToScreen(store.getState().viewport, { x: 400, y: 300 });
    expect(now).toEqual({ x: at.x, y: at.y + 45 });
    expect(store.getState().viewport.scale).toBe(0.25);
    // Only a size change (a panel on the right closed): nothing moves.
    store.setStage({ width: 1200, height: 845 });
    expect(imageToScreen(store.getState().viewport, { x: 400, y: 300 })).toEqual(now);
  });
});
