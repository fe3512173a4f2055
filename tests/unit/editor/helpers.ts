import type { LabelSchema, Region } from '@labelwork/core';
import { EditorStore, type EditorOptions } from '../../../client/src/editor/store.ts';
import type { PointerInput, Vec } from '../../../client/src/editor/types.ts';

export const schema: LabelSchema = {
  labels: [
    { name: 'car', color: '#e6194b', hotkey: 'c', tool: 'bbox' },
    { name: 'truck', color: '#3cb44b', tool: 'bbox' },
    { name: 'road', color: '#4363d8', tool: 'polygon' },
    {
      name: 'pose',
      color: '#f58231',
      tool: 'keypoints',
      points: ['head', 'left', 'right'],
      edges: [
        { from: 'head', to: 'left' },
        { from: 'head', to: 'right' },
      ],
    },
    { name: 'night', color: '#911eb4', tool: 'class-single' },
    { name: 'day', color: '#46f0f0', tool: 'class-single' },
    { name: 'rain', color: '#f032e6', tool: 'class-multi' },
  ],
};

/** A store over a 1000 × 800 image at zoom 1, with ids r1, r2, … */
export function makeStore(options: Partial<EditorOptions> = {}): EditorStore {
  let n = 0;
  const store = new EditorStore({ schema, image: { width: 1000, height: 800 }, newId: () => `r${++n}`, ...options });
  store.setStage({ width: 1000, height: 800 });
  store.setViewport({ x: 0, y: 0, scale: 1 });
  return store;
}

const input = (kind: PointerInput['kind'], point: Vec, extra: Partial<PointerInput> = {}): PointerInput => ({
  kind,
  point,
  button: 0,
  shift: false,
  alt: false,
  mod: false,
  ...extra,
});

export function drag(store: EditorStore, from: Vec, to: Vec, extra: Partial<PointerInput> = {}): void {
  store.pointer(input('down', from, extra));
  store.pointer(input('move', { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 }, extra));
  store.pointer(input('move', to, extra));
  store.pointer(input('up', to, extra));
}

export function click(store: EditorStore, at: Vec, extra: Partial<PointerInput> = {}): void {
  store.pointer(input('down', at, extra));
  store.pointer(input('up', at, extra));
}

export function doubleClick(store: EditorStore, at: Vec): void {
  click(store, at);
  click(store, at);
  store.pointer(input('double', at));
}

export const box = (id: string, x: number, y: number, w: number, h: number, label = 'car'): Region => ({
  id,
  type: 'bbox',
  label,
  x,
  y,
  w,
  h,
});
