/**
 * The editor's keyboard shortcuts: one table used both to handle keys and to draw the
 * cheat-sheet (`?`). Label hotkeys (1–9 and the schema's own) are added at run time and win
 * over plain-key entries here that use the same key.
 */

export type CommandId =
  | 'help'
  | 'undo'
  | 'redo'
  | 'escape'
  | 'delete'
  | 'finish'
  | 'tool.select'
  | 'tool.bbox'
  | 'tool.polygon'
  | 'tool.keypoints'
  | 'tool.assist'
  | 'select.next'
  | 'select.prev'
  | 'move.left'
  | 'move.right'
  | 'move.up'
  | 'move.down'
  | 'resize.left'
  | 'resize.right'
  | 'resize.up'
  | 'resize.down'
  | 'place'
  | 'place.occluded'
  | 'skip-point'
  | 'vertex.next'
  | 'vertex.prev'
  | 'vertex.insert'
  | 'visibility'
  | 'toggle.hidden'
  | 'toggle.locked'
  | 'accept'
  | 'accept.all'
  | 'view.fit'
  | 'view.actual'
  | 'view.zoomIn'
  | 'view.zoomOut'
  | 'text.left'
  | 'text.right'
  | 'text.extendLeft'
  | 'text.extendRight'
  | 'text.wordLeft'
  | 'text.wordRight'
  | 'text.extendWordLeft'
  | 'text.extendWordRight'
  | 'text.home'
  | 'text.end'
  | 'text.extendHome'
  | 'text.extendEnd';

/** A key with its modifiers. `key` is lower case (`a`, `?`) or a named key (`ArrowLeft`, `Delete`). */
export interface KeyChord {
  key: string;
  /** Ctrl on Windows/Linux, Cmd on macOS. */
  mod?: boolean;
  /** 'any' for keys typed with Shift on most layouts (`?`, `+`). */
  shift?: boolean | 'any';
  alt?: boolean;
}

export type ShortcutGroup = 'general' | 'tools' | 'selection' | 'drawing' | 'vertices' | 'view' | 'text';
/** Where a shortcut applies: the image editor, the text editor, or both. */
export type ShortcutScope = 'image' | 'text' | 'all';

export interface Shortcut {
  command: CommandId;
  keys: readonly KeyChord[];
  group: ShortcutGroup;
  scope: ShortcutScope;
  /** Repeat while held (arrows); other shortcuts ignore auto-repeat. */
  repeat?: boolean;
}

const k = (key: string, extra: Omit<KeyChord, 'key'> = {}): KeyChord => ({ key, ...extra });

export const SHORTCUTS: readonly Shortcut[] = [
  { command: 'help', keys: [k('?', { shift: 'any' })], group: 'general', scope: 'all' },
  { command: 'undo', keys: [k('z', { mod: true })], group: 'general', scope: 'all' },
  { command: 'redo', keys: [k('z', { mod: true, shift: true }), k('y', { mod: true })], group: 'general', scope: 'all' },
  { command: 'escape', keys: [k('Escape')], group: 'general', scope: 'all' },
  { command: 'delete', keys: [k('Delete'), k('Backspace')], group: 'general', scope: 'all' },

  { command: 'tool.select', keys: [k('v')], group: 'tools', scope: 'image' },
  { command: 'tool.bbox', keys: [k('b')], group: 'tools', scope: 'image' },
  { command: 'tool.polygon', keys: [k('p')], group: 'tools', scope: 'image' },
  { command: 'tool.keypoints', keys: [k('k')], group: 'tools', scope: 'image' },
  { command: 'tool.assist', keys: [k('m')], group: 'tools', scope: 'image' },

  { command: 'select.next', keys: [k(']')], group: 'selection', scope: 'all' },
  { command: 'select.prev', keys: [k('[')], group: 'selection', scope: 'all' },
  { command: 'move.left', keys: [k('ArrowLeft'), k('ArrowLeft', { shift: true })], group: 'selection', scope: 'image', repeat: true },
  { command: 'move.right', keys: [k('ArrowRight'), k('ArrowRight', { shift: true })], group: 'selection', scope: 'image', repeat: true },
  { command: 'move.up', keys: [k('ArrowUp'), k('ArrowUp', { shift: true })], group: 'selection', scope: 'image', repeat: true },
  { command: 'move.down', keys: [k('ArrowDown'), k('ArrowDown', { shift: true })], group: 'selection', scope: 'image', repeat: true },
  {
    command: 'resize.left',
    keys: [k('ArrowLeft', { alt: true }), k('ArrowLeft', { alt: true, shift: true })],
    group: 'selection',
    scope: 'image',
    repeat: true,
  },
  {
    command: 'resize.right',
    keys: [k('ArrowRight', { alt: true }), k('ArrowRight', { alt: true, shift: true })],
    group: 'selection',
    scope: 'image',
    repeat: true,
  },
  {
    command: 'resize.up',
    keys: [k('ArrowUp', { alt: true }), k('ArrowUp', { alt: true, shift: true })],
    group: 'selection',
    scope: 'image',
    repeat: true,
  },
  {
    command: 'resize.down',
    keys: [k('ArrowDown', { alt: true }), k('ArrowDown', { alt: true, shift: true })],
    group: 'selection',
    scope: 'image',
    repeat: true,
  },
  { command: 'toggle.hidden', keys: [k('h')], group: 'selection', scope: 'all' },
  { command: 'toggle.locked', keys: [k('l')], group: 'selection', scope: 'image' },
  { command: 'accept', keys: [k('a')], group: 'selection', scope: 'all' },
  { command: 'accept.all', keys: [k('a', { shift: true })], group: 'selection', scope: 'all' },

  { command: 'place', keys: [k(' ')], group: 'drawing', scope: 'image' },
  { command: 'place.occluded', keys: [k(' ', { shift: true })], group: 'drawing', scope: 'image' },
  { command: 'finish', keys: [k('Enter')], group: 'drawing', scope: 'image' },
  { command: 'skip-point', keys: [k('x')], group: 'drawing', scope: 'image' },

  { command: 'vertex.next', keys: [k('.')], group: 'vertices', scope: 'image' },
  { command: 'vertex.prev', keys: [k(',')], group: 'vertices', scope: 'image' },
  { command: 'vertex.insert', keys: [k('i')], group: 'vertices', scope: 'image' },
  { command: 'visibility', keys: [k('o')], group: 'vertices', scope: 'image' },

  { command: 'view.fit', keys: [k('f')], group: 'view', scope: 'image' },
  { command: 'view.actual', keys: [k('0')], group: 'view', scope: 'image' },
  { command: 'view.zoomIn', keys: [k('=', { shift: 'any' }), k('+', { shift: 'any' })], group: 'view', scope: 'image', repeat: true },
  { command: 'view.zoomOut', keys: [k('-')], group: 'view', scope: 'image', repeat: true },

  { command: 'text.left', keys: [k('ArrowLeft')], group: 'text', scope: 'text', repeat: true },
  { command: 'text.right', keys: [k('ArrowRight')], group: 'text', scope: 'text', repeat: true },
  { command: 'text.extendLeft', keys: [k('ArrowLeft', { shift: true })], group: 'text', scope: 'text', repeat: true },
  { command: 'text.extendRight', keys: [k('ArrowRight', { shift: true })], group: 'text', scope: 'text', repeat: true },
  { command: 'text.wordLeft', keys: [k('ArrowLeft', { mod: true })], group: 'text', scope: 'text', repeat: true },
  { command: 'text.wordRight', keys: [k('ArrowRight', { mod: true })], group: 'text', scope: 'text', repeat: true },
  { command: 'text.extendWordLeft', keys: [k('ArrowLeft', { mod: true, shift: true })], group: 'text', scope: 'text', repeat: true },
  { command: 'text.extendWordRight', keys: [k('ArrowRight', { mod: true, shift: true })], group: 'text', scope: 'text', repeat: true },
  { command: 'text.home', keys: [k('Home')], group: 'text', scope: 'text' },
  { command: 'text.end', keys: [k('End')], group: 'text', scope: 'text' },
  { command: 'text.extendHome', keys: [k('Home', { shift: true })], group: 'text', scope: 'text' },
  { command: 'text.extendEnd', keys: [k('End', { shift: true })], group: 'text', scope: 'text' },
];

/** Mouse gestures, listed in the cheat-sheet only (the canvas and tools handle them). */
export type GestureId =
  | 'wheel-zoom'
  | 'pan'
  | 'draw-box'
  | 'polygon-click'
  | 'polygon-close'
  | 'keypoint-click'
  | 'drag-handle'
  | 'insert-vertex'
  | 'delete-vertex'
  | 'keypoint-visibility'
  | 'text-select'
  | 'span-click';

export const GESTURES: readonly { id: GestureId; scope: ShortcutScope }[] = [
  { id: 'wheel-zoom', scope: 'image' },
  { id: 'pan', scope: 'image' },
  { id: 'draw-box', scope: 'image' },
  { id: 'polygon-click', scope: 'image' },
  { id: 'polygon-close', scope: 'image' },
  { id: 'keypoint-click', scope: 'image' },
  { id: 'drag-handle', scope: 'image' },
  { id: 'insert-vertex', scope: 'image' },
  { id: 'delete-vertex', scope: 'image' },
  { id: 'keypoint-visibility', scope: 'image' },
  { id: 'text-select', scope: 'text' },
  { id: 'span-click', scope: 'text' },
];

/** A keydown as plain data (the fields of KeyboardEvent the editor reads). */
export interface KeyInput {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  repeat?: boolean;
  isComposing?: boolean;
}

const CODE_KEYS: Record<string, string> = {
  Space: ' ',
  Minus: '-',
  Equal: '=',
  BracketLeft: '[',
  BracketRight: ']',
  Semicolon: ';',
  Quote: "'",
  Comma: ',',
  Period: '.',
  Slash: '/',
  Backquote: '`',
  Backslash: '\\',
};

/**
 * The key as the table names it. With a Chinese input method on, keydown says `Process`
 * (and full-width punctuation like `【` for `[`), so the physical key is used instead.
 */
export function normalizeKey(e: KeyInput): string {
  const fromCode = () => {
    if (/^Key[A-Z]$/.test(e.code)) return e.code.slice(3).toLowerCase();
    if (/^(Digit|Numpad)\d$/.test(e.code)) return e.code.slice(-1);
    const c = CODE_KEYS[e.code];
    if (c === '/' && e.shiftKey) return '?';
    return c ?? e.key;
  };
  if (e.key === 'Process' || e.key === 'Unidentified' || e.isComposing) return fromCode();
  if (e.key.length === 1) {
    // Outside ASCII (full-width punctuation, other layouts): trust the physical key.
    if (e.key.charCodeAt(0) > 0x7e) return fromCode();
    // Alt+letter on macOS types a symbol (Alt+O = ø); the physical key is what was meant.
    if (e.altKey && /^Key[A-Z]$/.test(e.code)) return fromCode();
    return e.key.toLowerCase();
  }
  return e.key;
}

function chordMatches(c: KeyChord, key: string, e: KeyInput, isMac: boolean): boolean {
  if (c.key !== key) return false;
  const mod = isMac ? e.metaKey : e.ctrlKey;
  const otherMod = isMac ? e.ctrlKey : e.metaKey;
  if (!!c.mod !== mod || otherMod) return false;
  if (!!c.alt !== e.altKey) return false;
  if (c.shift !== 'any' && !!c.shift !== e.shiftKey) return false;
  return true;
}

export type KeyMatch = { kind: 'command'; command: CommandId; shift: boolean } | { kind: 'label'; label: string };

/**
 * What a key press means in `scope`. Order: shortcuts with Ctrl/Cmd or Alt, then label hotkeys,
 * then plain-key shortcuts (so a schema hotkey "v" labels rather than switching tools).
 */
export function matchKey(e: KeyInput, scope: 'image' | 'text', labelKeys: ReadonlyMap<string, string>, isMac = false): KeyMatch | null {
  const key = normalizeKey(e);
  const inScope = SHORTCUTS.filter((s) => s.scope === 'all' || s.scope === scope);
  const find = (pred: (c: KeyChord) => boolean) =>
    inScope.find((s) => (!e.repeat || s.repeat) && s.keys.some((c) => pred(c) && chordMatches(c, key, e, isMac)));
  const withModifier = find((c) => !!c.mod || !!c.alt);
  if (withModifier) return { kind: 'command', command: withModifier.command, shift: e.shiftKey };
  if (!e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey && !e.repeat) {
    const label = labelKeys.get(key);
    if (label !== undefined) return { kind: 'label', label };
  }
  const plain = find((c) => !c.mod && !c.alt);
  return plain ? { kind: 'command', command: plain.command, shift: e.shiftKey } : null;
}

/** Plain-key shortcuts that a label hotkey takes over (shown struck through in the cheat-sheet). */
export function shadowedCommands(labelKeys: ReadonlyMap<string, string>): Map<CommandId, string> {
  const out = new Map<CommandId, string>();
  for (const s of SHORTCUTS) {
    const plain = s.keys.filter((c) => !c.mod && !c.alt && c.shift !== true);
    const labels = plain.map((c) => labelKeys.get(c.key));
    if (plain.length > 0 && labels.every((l) => l !== undefined)) out.set(s.command, labels[0]!);
  }
  return out;
}

const NAMED: Record<string, [pc: string, mac: string]> = {
  ' ': ['Space', 'Space'],
  ArrowLeft: ['←', '←'],
  ArrowRight: ['→', '→'],
  ArrowUp: ['↑', '↑'],
  ArrowDown: ['↓', '↓'],
  Escape: ['Esc', 'Esc'],
  Delete: ['Delete', '⌦'],
  Backspace: ['Backspace', '⌫'],
  Enter: ['Enter', '↩'],
};

/** How to write a chord for people: `Ctrl+Shift+Z`, or `⇧⌘Z` on macOS. */
export function chordLabel(c: KeyChord, isMac = false): string {
  const named = NAMED[c.key];
  const key = named ? named[isMac ? 1 : 0] : c.key.length === 1 ? c.key.toUpperCase() : c.key;
  if (isMac) return `${c.alt ? '⌥' : ''}${c.shift === true ? '⇧' : ''}${c.mod ? '⌘' : ''}${key}`;
  return [c.mod ? 'Ctrl' : '', c.alt ? 'Alt' : '', c.shift === true ? 'Shift' : '', key].filter(Boolean).join('+');
}
