import { describe, expect, it } from 'vitest';
import type { LabelSchema, SpanRegion } from '@labelwork/core';
import { EditorStore } from '../../../client/src/editor/store.ts';
import { handleTextKey } from '../../../client/src/editor/text-commands.ts';
import type { KeyInput } from '../../../client/src/editor/shortcuts.ts';

const schema: LabelSchema = {
  labels: [
    { name: 'PER', color: '#e6194b', hotkey: 'p', tool: 'span' },
    { name: 'LOC', color: '#4363d8', hotkey: 'l', tool: 'span' },
    { name: 'news', color: '#f58231', tool: 'class-single' },
  ],
};
// Python: len(t) == 21; t.index('北京') == 4; t.index('👨') == 6; t.index('工作') == 11; t.index('𠀀先生') == 17.
const TEXT = '我在\u{1F1E8}\u{1F1F3}北京\u{1F468}\u200D\u{1F469}\u200D\u{1F467}工作，见到了\u{20000}先生。';

const key = (k: string, extra: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  code: '',
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...extra,
});
function make() {
  let n = 0;
  return new EditorStore({ schema, text: TEXT, newId: () => `s${++n}` });
}
const spans = (store: EditorStore) => store.answer().filter((r): r is SpanRegion => r.type === 'span');
const press = (store: EditorStore, k: string, times = 1, extra: Partial<KeyInput> = {}) => {
  for (let i = 0; i < times; i++) handleTextKey(store, key(k, extra));
};

describe('text editor commands', () => {
  it('selects with Shift+arrows by whole characters and labels with a hotkey, in code points', () => {
    const store = make();
    expect(store.textIndex().length).toBe(21);
    press(store, 'ArrowRight', 2);
    // The flag is one character for the caret but two code points in the offsets.
    press(store, 'ArrowRight');
    expect(store.getState().textSelection).toEqual({ anchor: 4, focus: 4 });
    press(store, 'ArrowRight', 2, { shiftKey: true });
    expect(store.getState().textSelection).toEqual({ anchor: 4, focus: 6 });
    press(store, 'l');
    expect(spans(store)).toEqual([{ id: 's1', type: 'span', label: 'LOC', start: 4, end: 6 }]);
    expect(store.getState().textSelection).toEqual({ anchor: 6, focus: 6 });
  });

  it('steps over a ZWJ family emoji as one character', () => {
    const store = make();
    store.setTextSelection({ anchor: 6, focus: 6 });
    press(store, 'ArrowRight', 1, { shiftKey: true });
    expect(store.getState().textSelection).toEqual({ anchor: 6, focus: 11 });
    press(store, 'ArrowLeft');
    expect(store.getState().textSelection).toEqual({ anchor: 6, focus: 6 });
  });

  it('labels CJK Extension B text with Python offsets, selecting backwards', () => {
    const store = make();
    press(store, 'End');
    press(store, 'ArrowLeft');
    press(store, 'ArrowLeft', 3, { shiftKey: true });
    expect(store.getState().textSelection).toEqual({ anchor: 20, focus: 17 });
    press(store, 'p');
    expect(spans(store)[0]).toMatchObject({ label: 'PER', start: 17, end: 20 });
    expect(store.textIndex().slice(17, 20)).toBe('\u{20000}先生');
  });

  it('widens a selection that cuts an emoji and trims white space', () => {
    const store = new EditorStore({ schema, text: ' a\u{1F1E8}\u{1F1F3} ', newId: () => 'x' });
    store.setTextSelection({ anchor: 0, focus: 3 });
    store.chooseLabel('PER');
    expect(spans(store)).toEqual([{ id: 'x', type: 'span', label: 'PER', start: 1, end: 4 }]);
  });

  it('allows nested and overlapping spans but not the same span twice', () => {
    const store = make();
    store.setTextSelection({ anchor: 4, focus: 13 });
    store.chooseLabel('PER');
    store.setTextSelection({ anchor: 4, focus: 6 });
    store.chooseLabel('LOC');
    store.setTextSelection({ anchor: 4, focus: 6 });
    store.chooseLabel('LOC');
    expect(spans(store).map((s) => [s.label, s.start, s.end])).toEqual([
      ['PER', 4, 13],
      ['LOC', 4, 6],
    ]);
    expect(store.getState().selection).toEqual(['s2']);
  });

  it('relabels and deletes a selected span from the keyboard, with undo', () => {
    const store = make();
    store.setTextSelection({ anchor: 4, focus: 6 });
    press(store, 'p');
    press(store, ']');
    expect(store.getState().selection).toEqual(['s1']);
    press(store, 'l');
    expect(spans(store)[0]!.label).toBe('LOC');
    press(store, 'Delete');
    expect(spans(store)).toEqual([]);
    press(store, 'z', 1, { ctrlKey: true });
    press(store, 'z', 1, { ctrlKey: true });
    expect(spans(store)[0]!.label).toBe('PER');
  });

  it('moves by words and to the ends', () => {
    const store = make();
    press(store, 'ArrowRight', 1, { ctrlKey: true, shiftKey: true });
    const focus = store.getState().textSelection!.focus;
    expect(focus).toBeGreaterThan(0);
    expect(focus).toBeLessThanOrEqual(4);
    press(store, 'End', 1, { shiftKey: true });
    expect(store.getState().textSelection).toEqual({ anchor: 0, focus: 21 });
    press(store, 'Escape');
    expect(store.getState().textSelection).toEqual({ anchor: 21, focus: 21 });
  });
});
