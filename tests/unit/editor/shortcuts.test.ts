import { describe, expect, it } from 'vitest';
import { handleImageKey } from '../../../client/src/editor/commands.ts';
import { hotkeysByLabel, labelHotkeys } from '../../../client/src/editor/labels.ts';
import { chordLabel, matchKey, normalizeKey, SHORTCUTS, shadowedCommands, type KeyInput } from '../../../client/src/editor/shortcuts.ts';
import { box, makeStore, schema } from './helpers.ts';

const key = (k: string, extra: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  code: '',
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...extra,
});
const labels = labelHotkeys(schema);

describe('shortcuts', () => {
  it('undoes with Ctrl+Z (Cmd+Z on macOS) and redoes with Shift+Ctrl+Z or Ctrl+Y', () => {
    expect(matchKey(key('z', { ctrlKey: true }), 'image', labels)).toMatchObject({ command: 'undo' });
    expect(matchKey(key('z', { metaKey: true }), 'image', labels, true)).toMatchObject({ command: 'undo' });
    expect(matchKey(key('Z', { ctrlKey: true, shiftKey: true }), 'image', labels)).toMatchObject({ command: 'redo' });
    expect(matchKey(key('y', { ctrlKey: true }), 'text', labels)).toMatchObject({ command: 'redo' });
    expect(matchKey(key('z', { metaKey: true }), 'image', labels, false)).toBeNull();
  });

  it('gives digits 1–9 and schema hotkeys to labels, ahead of plain-key commands', () => {
    expect(labels.get('1')).toBe('car');
    expect(labels.get('c')).toBe('car');
    expect(labels.get('7')).toBe('rain');
    expect(hotkeysByLabel(schema).get('car')).toEqual(['c', '1']);
    const withV = labelHotkeys({ labels: [{ name: 'van', color: '#000000', tool: 'bbox', hotkey: 'v' }] });
    expect(matchKey(key('v'), 'image', withV)).toEqual({ kind: 'label', label: 'van' });
    expect(shadowedCommands(withV).get('tool.select')).toBe('van');
    expect(matchKey(key('v'), 'image', labels)).toMatchObject({ command: 'tool.select' });
  });

  it('lets a schema hotkey digit win over the label in that position', () => {
    const keys = labelHotkeys({
      labels: [
        { name: 'a', color: '#000000', tool: 'bbox' },
        { name: 'b', color: '#000000', tool: 'bbox', hotkey: '1' },
      ],
    });
    expect(keys.get('1')).toBe('b');
    expect(keys.get('2')).toBe('b');
  });

  it('reads the physical key while a Chinese input method is composing', () => {
    expect(normalizeKey(key('Process', { code: 'KeyB' }))).toBe('b');
    expect(normalizeKey(key('Process', { code: 'Digit3' }))).toBe('3');
    expect(normalizeKey(key('【', { code: 'BracketLeft' }))).toBe('[');
    expect(normalizeKey(key('Process', { code: 'Slash', shiftKey: true }))).toBe('?');
    expect(matchKey(key('？', { code: 'Slash', shiftKey: true }), 'image', labels)).toMatchObject({ command: 'help' });
  });

  it('ignores auto-repeat except for movement keys', () => {
    expect(matchKey(key('b', { repeat: true }), 'image', labels)).toBeNull();
    expect(matchKey(key('1', { repeat: true }), 'image', labels)).toBeNull();
    expect(matchKey(key('ArrowLeft', { repeat: true }), 'image', labels)).toMatchObject({ command: 'move.left' });
  });

  it('has no chord bound twice in one scope', () => {
    for (const scope of ['image', 'text'] as const) {
      const seen = new Set<string>();
      for (const s of SHORTCUTS.filter((x) => x.scope === scope || x.scope === 'all')) {
        for (const c of s.keys) {
          const id = JSON.stringify([c.key, !!c.mod, !!c.alt, c.shift ?? false]);
          expect(seen.has(id), `${scope}: ${id}`).toBe(false);
          seen.add(id);
        }
      }
    }
  });

  it('writes chords for PC and Mac', () => {
    expect(chordLabel({ key: 'z', mod: true, shift: true })).toBe('Ctrl+Shift+Z');
    expect(chordLabel({ key: 'z', mod: true, shift: true }, true)).toBe('⇧⌘Z');
    expect(chordLabel({ key: 'ArrowLeft', alt: true })).toBe('Alt+←');
  });

  it('runs commands on the store: tools, delete, undo, nudge, fit', () => {
    const store = makeStore({ regions: [box('a', 100, 100, 10, 10)] });
    handleImageKey(store, key('b'));
    expect(store.getState().tool).toBe('bbox');
    handleImageKey(store, key('v'));
    handleImageKey(store, key(']'));
    expect(store.getState().selection).toEqual(['a']);
    handleImageKey(store, key('ArrowRight', { shiftKey: true }));
    expect(store.answer()[0]).toMatchObject({ x: 110 });
    handleImageKey(store, key('Delete'));
    expect(store.answer()).toEqual([]);
    handleImageKey(store, key('z', { ctrlKey: true }));
    handleImageKey(store, key('z', { ctrlKey: true }));
    expect(store.answer()[0]).toMatchObject({ x: 100 });
    expect(handleImageKey(store, key('?', { shiftKey: true }))).toEqual({ handled: true, ui: 'help' });
    handleImageKey(store, key('Escape'));
    expect(store.getState().selection).toEqual([]);
    expect(handleImageKey(store, key('Escape'))).toEqual({ handled: false });
  });

  it('draws a polygon from the keyboard alone', () => {
    const store = makeStore();
    handleImageKey(store, key('p'));
    handleImageKey(store, key(' '));
    handleImageKey(store, key(' '));
    for (const [k, n] of [
      ['ArrowRight', 5],
      ['ArrowDown', 5],
    ] as const) {
      for (let i = 0; i < n; i++) handleImageKey(store, key(k, { shiftKey: true }));
      handleImageKey(store, key(' '));
    }
    handleImageKey(store, key('Enter'));
    expect(store.answer()[0]).toMatchObject({
      type: 'polygon',
      points: [
        { x: 500, y: 400 },
        { x: 600, y: 400 },
        { x: 600, y: 500 },
      ],
    });
  });
});
