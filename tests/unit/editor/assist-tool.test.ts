import { describe, expect, it } from 'vitest';
import type { AssistHint } from '@labelwork/core';
import { handleImageKey } from '../../../client/src/editor/commands.ts';
import type { KeyInput } from '../../../client/src/editor/shortcuts.ts';
import { box, click, drag, makeStore } from './helpers.ts';

const key = (k: string): KeyInput => ({ key: k, code: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false });

function withAssist() {
  const store = makeStore();
  const asked: { hint: AssistHint; label: string }[] = [];
  store.setAssist((hint, label) => asked.push({ hint, label }));
  return { store, asked };
}

describe('the Assist tool', () => {
  it('is not there unless the page offers it (no handler: the tool and its key do nothing)', () => {
    const store = makeStore();
    store.setTool('assist');
    expect(store.getState().tool).toBe('select');
    expect(handleImageKey(store, key('m')).handled).toBe(false);
    expect(store.getState().assist).toBe('off');
  });

  it('turns a drag into a box hint and a click into a point hint, with a box label, changing no region', () => {
    const { store, asked } = withAssist();
    store.setActiveLabel('pose');
    expect(handleImageKey(store, key('m')).handled).toBe(true);
    expect(store.getState()).toMatchObject({ tool: 'assist', activeLabel: 'car' });
    drag(store, { x: 100, y: 50 }, { x: 180, y: 250 });
    click(store, { x: 400.123, y: 300 });
    expect(asked).toEqual([
      { hint: { kind: 'box', x: 100, y: 50, w: 80, h: 200 }, label: 'car' },
      { hint: { kind: 'point', x: 400.12, y: 300 }, label: 'car' },
    ]);
    expect(store.getState().regions).toEqual([]);
    expect(store.getState().draft).toBeNull();
  });

  it('keeps the tool when a box or polygon label is chosen, and asks for that label', () => {
    const { store, asked } = withAssist();
    store.setTool('assist');
    store.chooseLabel('road');
    expect(store.getState()).toMatchObject({ tool: 'assist', activeLabel: 'road' });
    click(store, { x: 10, y: 10 });
    expect(asked[0]!.label).toBe('road');
    // A keypoints label is not something to ask for: it switches to its own tool.
    store.chooseLabel('pose');
    expect(store.getState().tool).toBe('keypoints');
  });

  it('takes no hint while the backend is answering', () => {
    const { store, asked } = withAssist();
    store.setTool('assist');
    store.setAssistBusy(true);
    click(store, { x: 10, y: 10 });
    store.setAssistBusy(false);
    click(store, { x: 20, y: 20 });
    expect(asked.map((a) => a.hint)).toEqual([{ kind: 'point', x: 20, y: 20 }]);
  });

  it('adds what the model proposed as ordinary regions with new ids, in one undo step', () => {
    const { store } = withAssist();
    store.addRegion(box('mine', 1, 1, 5, 5));
    const ids = store.addAssisted([box('p1', 94.004, 39.5, 112, 224.25, 'car'), box('p1', 300, 40, 100, 200, 'truck')]);
    expect(ids).toEqual(['r1', 'r2']);
    expect(store.answer()).toEqual([
      box('mine', 1, 1, 5, 5),
      box('r1', 94, 39.5, 112, 224.25, 'car'),
      box('r2', 300, 40, 100, 200, 'truck'),
    ]);
    expect(store.getState().pending.size).toBe(0);
    store.undo();
    expect(store.answer()).toEqual([box('mine', 1, 1, 5, 5)]);
    store.redo();
    expect(store.answer()).toHaveLength(3);
  });

  it('is withdrawn when the page takes the handler back', () => {
    const { store } = withAssist();
    store.setTool('assist');
    store.setAssist(null);
    expect(store.getState()).toMatchObject({ tool: 'select', assist: 'off' });
  });
});
