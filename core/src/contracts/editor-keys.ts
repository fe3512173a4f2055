/** The project kinds that have an editor (kept apart from schema/label-schema.ts, which imports this file). */
export type EditorKind = 'image' | 'text';

/**
 * The editor's own single-key shortcuts (no Ctrl/Alt) that a label hotkey could otherwise take:
 * key → the command's id in the client's shortcut table (client/src/editor/shortcuts.ts, which a
 * unit test keeps in step with this list). Label hotkeys may not use these keys, so a label never
 * shadows, say, `0` (zoom 1:1) or `v` (select tool).
 */
export const RESERVED_EDITOR_KEYS: Readonly<Record<'all' | EditorKind, Readonly<Record<string, string>>>> = {
  all: { ']': 'select.next', '[': 'select.prev', h: 'toggle.hidden', a: 'accept' },
  image: {
    v: 'tool.select',
    b: 'tool.bbox',
    p: 'tool.polygon',
    k: 'tool.keypoints',
    m: 'tool.assist',
    l: 'toggle.locked',
    x: 'skip-point',
    '.': 'vertex.next',
    ',': 'vertex.prev',
    i: 'vertex.insert',
    o: 'visibility',
    f: 'view.fit',
    '0': 'view.actual',
    '=': 'view.zoomIn',
    '-': 'view.zoomOut',
  },
  text: {},
};

/** Keys (lower case) a label hotkey may not use in a project of this kind → the shortcut's command id. */
export function reservedEditorKeys(kind: EditorKind): ReadonlyMap<string, string> {
  return new Map(Object.entries({ ...RESERVED_EDITOR_KEYS.all, ...RESERVED_EDITOR_KEYS[kind] }));
}
