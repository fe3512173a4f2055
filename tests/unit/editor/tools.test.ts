import { describe, expect, it } from 'vitest';
import type { KeypointsRegion, PolygonRegion } from '@labelwork/core';
import { box, click, doubleClick, drag, makeStore } from './helpers.ts';

describe('bounding box tool', () => {
  it('draws a box by dragging, normalised and clamped to the image', () => {
    const store = makeStore();
    store.setActiveLabel('truck');
    drag(store, { x: 980, y: 50 }, { x: 900, y: -30 });
    expect(store.answer()).toEqual([{ id: 'r1', type: 'bbox', label: 'truck', x: 900, y: 0, w: 80, h: 50 }]);
    expect(store.getState().tool).toBe('bbox');
    expect(store.getState().draft).toBeNull();
  });

  it('draws a box by clicking one corner and then the other', () => {
    const store = makeStore();
    store.setTool('bbox');
    click(store, { x: 10, y: 10 });
    expect(store.answer()).toEqual([]);
    store.pointer({ kind: 'move', point: { x: 40, y: 30 }, button: 0, shift: false, alt: false, mod: false });
    expect(store.getState().draft?.region).toMatchObject({ x: 10, y: 10, w: 30, h: 20 });
    click(store, { x: 60, y: 40 });
    expect(store.answer()).toEqual([box('r1', 10, 10, 50, 30)]);
  });

  it('ignores boxes too small to be meant, measured on screen', () => {
    const store = makeStore();
    store.setTool('bbox');
    store.setViewport({ x: 0, y: 0, scale: 0.25 });
    drag(store, { x: 10, y: 10 }, { x: 16, y: 40 });
    expect(store.answer()).toEqual([]);
  });

  it('cancels a box with Escape', () => {
    const store = makeStore();
    store.setTool('bbox');
    click(store, { x: 10, y: 10 });
    expect(store.toolKey('Escape')).toBe(true);
    click(store, { x: 60, y: 60 });
    expect(store.answer()).toEqual([]);
    expect(store.getState().draft).not.toBeNull();
  });

  it('draws with the keyboard pointer (arrows and Space)', () => {
    const store = makeStore();
    store.setTool('bbox');
    store.moveKeyboardCursor(0, 0);
    expect(store.getState().keyboardCursor).toEqual({ x: 500, y: 400 });
    store.clickAtKeyboardCursor();
    store.moveKeyboardCursor(40, 20);
    store.clickAtKeyboardCursor();
    expect(store.answer()).toEqual([box('r1', 500, 400, 40, 20)]);
  });
});

describe('polygon tool', () => {
  const poly = (store: ReturnType<typeof makeStore>) => store.answer()[0] as PolygonRegion;

  it('closes when the first point is clicked again', () => {
    const store = makeStore();
    store.setTool('polygon');
    for (const p of [
      { x: 10, y: 10 },
      { x: 100, y: 10 },
      { x: 100, y: 100 },
    ])
      click(store, p);
    expect(store.getState().draft?.region.type).toBe('polygon');
    click(store, { x: 12, y: 11 });
    expect(poly(store).points).toEqual([
      { x: 10, y: 10 },
      { x: 100, y: 10 },
      { x: 100, y: 100 },
    ]);
    expect(poly(store).label).toBe('road');
  });

  it('closes with Enter, and not before three points', () => {
    const store = makeStore();
    store.setTool('polygon');
    click(store, { x: 10, y: 10 });
    click(store, { x: 50, y: 10 });
    store.toolKey('Enter');
    expect(store.answer()).toEqual([]);
    click(store, { x: 50, y: 50 });
    store.toolKey('Enter');
    expect(poly(store).points).toHaveLength(3);
  });

  it('closes on double-click without a doubled last vertex', () => {
    const store = makeStore();
    store.setTool('polygon');
    click(store, { x: 10, y: 10 });
    click(store, { x: 50, y: 10 });
    doubleClick(store, { x: 50, y: 50 });
    expect(poly(store).points).toEqual([
      { x: 10, y: 10 },
      { x: 50, y: 10 },
      { x: 50, y: 50 },
    ]);
  });

  it('takes back the last point with Backspace', () => {
    const store = makeStore();
    store.setTool('polygon');
    for (const p of [
      { x: 10, y: 10 },
      { x: 50, y: 10 },
      { x: 999, y: 999 },
    ])
      click(store, p);
    store.toolKey('Backspace');
    click(store, { x: 50, y: 50 });
    store.toolKey('Enter');
    expect(poly(store).points[2]).toEqual({ x: 50, y: 50 });
  });

  it('edits vertices: drag, insert on an edge by double-click, delete with Alt+click or the keyboard', () => {
    const square: PolygonRegion = {
      id: 'p',
      type: 'polygon',
      label: 'road',
      points: [
        { x: 100, y: 100 },
        { x: 200, y: 100 },
        { x: 200, y: 200 },
        { x: 100, y: 200 },
      ],
    };
    const store = makeStore({ regions: [square] });
    click(store, { x: 150, y: 150 });
    drag(store, { x: 200, y: 200 }, { x: 250, y: 260 });
    expect(poly(store).points[2]).toEqual({ x: 250, y: 260 });
    doubleClick(store, { x: 150, y: 101 });
    expect(poly(store).points).toHaveLength(5);
    expect(poly(store).points[1]).toEqual({ x: 150, y: 100 });
    expect(store.getState().activeVertex).toBe(1);
    click(store, { x: 150, y: 100 }, { alt: true });
    expect(poly(store).points).toHaveLength(4);
    store.stepVertex(1);
    store.insertVertexAfterActive();
    expect(poly(store).points).toHaveLength(5);
    expect(store.deleteActiveVertex()).toBe(true);
    expect(poly(store).points).toHaveLength(4);
    store.undo();
    store.undo();
    store.undo();
    store.undo();
    expect(poly(store).points).toHaveLength(4);
    expect(poly(store).points[2]).toEqual({ x: 250, y: 260 });
  });

  it('never deletes a polygon below three vertices', () => {
    const tri: PolygonRegion = {
      id: 'p',
      type: 'polygon',
      label: 'road',
      points: [
        { x: 100, y: 100 },
        { x: 200, y: 100 },
        { x: 200, y: 200 },
      ],
    };
    const store = makeStore({ regions: [tri] });
    click(store, { x: 180, y: 120 });
    click(store, { x: 100, y: 100 }, { alt: true });
    expect(poly(store).points).toHaveLength(3);
  });
});

describe('keypoints tool', () => {
  const kp = (store: ReturnType<typeof makeStore>) => store.answer()[0] as KeypointsRegion;

  it('places the named points in order, Shift for occluded', () => {
    const store = makeStore();
    store.setTool('keypoints');
    click(store, { x: 50, y: 10 });
    expect(store.getState().draft?.nextPoint).toBe('left');
    click(store, { x: 30, y: 50 }, { shift: true });
    click(store, { x: 70, y: 50 });
    expect(kp(store).points).toEqual([
      { name: 'head', x: 50, y: 10, v: 2 },
      { name: 'left', x: 30, y: 50, v: 1 },
      { name: 'right', x: 70, y: 50, v: 2 },
    ]);
  });

  it('skips a point as not labelled, and ends early with Enter', () => {
    const store = makeStore();
    store.setTool('keypoints');
    store.toolKey('skip-point');
    click(store, { x: 30, y: 50 });
    store.toolKey('Enter');
    expect(kp(store).points.map((p) => [p.name, p.v])).toEqual([
      ['head', 0],
      ['left', 2],
      ['right', 0],
    ]);
  });

  it('drops a skeleton with no point placed', () => {
    const store = makeStore();
    store.setTool('keypoints');
    store.toolKey('skip-point');
    store.toolKey('skip-point');
    store.toolKey('skip-point');
    expect(store.answer()).toEqual([]);
  });

  it('cycles a keypoint through visible, occluded and not labelled', () => {
    const store = makeStore({
      regions: [
        {
          id: 'k',
          type: 'keypoints',
          label: 'pose',
          points: [
            { name: 'head', x: 50, y: 50, v: 2 },
            { name: 'left', x: 80, y: 80, v: 2 },
            { name: 'right', x: 20, y: 80, v: 2 },
          ],
        },
      ],
    });
    click(store, { x: 50, y: 50 });
    click(store, { x: 80, y: 80 }, { alt: true });
    expect(kp(store).points[1]!.v).toBe(1);
    store.cycleVisibility();
    expect(kp(store).points[1]!.v).toBe(0);
  });
});

describe('select tool', () => {
  it('picks the smallest region under the pointer', () => {
    const store = makeStore({ regions: [box('small', 40, 40, 20, 20), box('big', 0, 0, 500, 500)] });
    click(store, { x: 50, y: 50 });
    expect(store.getState().selection).toEqual(['small']);
    click(store, { x: 300, y: 300 });
    expect(store.getState().selection).toEqual(['big']);
    click(store, { x: 900, y: 700 });
    expect(store.getState().selection).toEqual([]);
  });

  it('resizes a box by a corner handle, flipping past the opposite corner', () => {
    const store = makeStore({ regions: [box('a', 100, 100, 100, 100)] });
    click(store, { x: 150, y: 150 });
    drag(store, { x: 200, y: 200 }, { x: 50, y: 260 });
    expect(store.answer()[0]).toEqual(box('a', 50, 100, 50, 160));
  });

  it('keeps a moved box inside the image', () => {
    const store = makeStore({ regions: [box('a', 100, 100, 100, 100)] });
    drag(store, { x: 150, y: 150 }, { x: 5000, y: -5000 });
    expect(store.answer()[0]).toEqual(box('a', 900, 0, 100, 100));
  });

  it('makes one undo step per drag, and none for a plain click', () => {
    const store = makeStore({ regions: [box('a', 100, 100, 100, 100)] });
    click(store, { x: 150, y: 150 });
    expect(store.getState().canUndo).toBe(false);
    drag(store, { x: 150, y: 150 }, { x: 160, y: 150 });
    store.undo();
    expect(store.getState().canUndo).toBe(false);
  });

  it('scales hit tolerance with zoom', () => {
    const store = makeStore({ regions: [box('a', 100, 100, 10, 10)] });
    store.setViewport({ x: 0, y: 0, scale: 0.1 });
    click(store, { x: 150, y: 105 }); // 40 image px = 4 screen px away
    expect(store.getState().selection).toEqual(['a']);
  });
});
