import type { KeyOutcome } from './commands.ts';
import { labelHotkeys } from './labels.ts';
import { matchKey, type CommandId, type KeyInput } from './shortcuts.ts';
import type { EditorStore } from './store.ts';
import { stepBoundary } from './text-model.ts';

/**
 * Runs a text-editor command: caret and selection movement by whole characters or words
 * (code point offsets; emoji and flags are never split), plus the general editor commands.
 */
export function runTextCommand(store: EditorStore, command: CommandId): KeyOutcome {
  const s = store.getState();
  const length = store.textIndex().length;
  const sel = s.textSelection ?? { anchor: 0, focus: 0 };
  const lo = Math.min(sel.anchor, sel.focus);
  const hi = Math.max(sel.anchor, sel.focus);
  const collapse = (at: number) => store.setTextSelection({ anchor: at, focus: at });
  const extend = (to: number) => {
    // A new text selection replaces a selected span as what the next label applies to.
    if (s.selection.length > 0) store.select([]);
    store.setTextSelection({ anchor: sel.anchor, focus: to });
  };
  switch (command) {
    case 'text.left':
      collapse(lo !== hi ? lo : stepBoundary(store.graphemes(), sel.focus, -1));
      break;
    case 'text.right':
      collapse(lo !== hi ? hi : stepBoundary(store.graphemes(), sel.focus, 1));
      break;
    case 'text.extendLeft':
      extend(stepBoundary(store.graphemes(), sel.focus, -1));
      break;
    case 'text.extendRight':
      extend(stepBoundary(store.graphemes(), sel.focus, 1));
      break;
    case 'text.wordLeft':
      collapse(stepBoundary(store.words(), sel.focus, -1));
      break;
    case 'text.wordRight':
      collapse(stepBoundary(store.words(), sel.focus, 1));
      break;
    case 'text.extendWordLeft':
      extend(stepBoundary(store.words(), sel.focus, -1));
      break;
    case 'text.extendWordRight':
      extend(stepBoundary(store.words(), sel.focus, 1));
      break;
    case 'text.home':
      collapse(0);
      break;
    case 'text.end':
      collapse(length);
      break;
    case 'text.extendHome':
      extend(0);
      break;
    case 'text.extendEnd':
      extend(length);
      break;
    case 'help':
      return { handled: true, ui: 'help' };
    case 'undo':
      store.undo();
      break;
    case 'redo':
      store.redo();
      break;
    case 'escape':
      if (lo !== hi) collapse(sel.focus);
      else if (s.selection.length > 0) store.select([]);
      else return { handled: false };
      break;
    case 'delete':
      if (s.selection.length === 0) return { handled: false };
      store.deleteSelection();
      break;
    case 'select.next':
    case 'select.prev': {
      store.selectNext(command === 'select.next' ? 1 : -1, (r) => r.type === 'span');
      const r = store.regionById(store.getState().selection[0]);
      if (r?.type === 'span') store.setTextSelection({ anchor: r.start, focus: r.start });
      break;
    }
    case 'toggle.hidden':
      for (const id of s.selection) store.toggleHidden(id);
      break;
    case 'accept':
      store.acceptPending(s.selection);
      break;
    case 'accept.all':
      store.acceptPending();
      break;
    default:
      return { handled: false };
  }
  return { handled: true };
}

/** A keydown in the text editor: label hotkeys (label the selection), then the shortcut table. */
export function handleTextKey(store: EditorStore, e: KeyInput, isMac = false, labelKeys = labelHotkeys(store.schema)): KeyOutcome {
  const m = matchKey(e, 'text', labelKeys, isMac);
  if (!m) return { handled: false };
  if (m.kind === 'label') {
    store.chooseLabel(m.label);
    return { handled: true };
  }
  return runTextCommand(store, m.command);
}
