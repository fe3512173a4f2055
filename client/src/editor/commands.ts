import { labelHotkeys } from './labels.ts';
import { matchKey, type CommandId, type KeyInput } from './shortcuts.ts';
import type { EditorStore } from './store.ts';

/** Screen pixels per arrow press (×10 with Shift) for the keyboard pointer; image pixels for nudges. */
const STEP = 1;
const BIG_STEP = 10;
const ZOOM_STEP = 1.25;

export type KeyOutcome =
  /** Not an editor key: let the browser have it. */
  | { handled: false }
  /** Done by the store. */
  | { handled: true }
  /** Needs the UI (the cheat-sheet). */
  | { handled: true; ui: 'help' };

/**
 * Runs an image-editor command on the store. Arrows move the selection (or its active vertex)
 * in the select tool, the keyboard pointer in drawing tools, and pan when nothing is selected.
 */
export function runImageCommand(store: EditorStore, command: CommandId, shift: boolean): KeyOutcome {
  const s = store.getState();
  const step = shift ? BIG_STEP : STEP;
  const drawing = s.tool !== 'select';
  const arrow = (dx: number, dy: number) => {
    if (drawing) store.moveKeyboardCursor(dx * step * 2, dy * step * 2);
    else if (s.selection.length > 0) store.nudge(dx * step, dy * step);
    else store.panBy(-dx * step * 20, -dy * step * 20);
  };
  switch (command) {
    case 'help':
      return { handled: true, ui: 'help' };
    case 'undo':
      store.undo();
      break;
    case 'redo':
      store.redo();
      break;
    case 'escape':
      if (store.toolKey('Escape')) break;
      if (s.keyboardCursor) store.hideKeyboardCursor();
      else if (s.activeVertex !== null) store.select(s.selection, null);
      else if (s.selection.length > 0) store.select([]);
      else if (drawing) store.setTool('select');
      else return { handled: false };
      break;
    case 'delete':
      if (store.toolKey('Backspace')) break;
      if (!store.deleteActiveVertex()) store.deleteSelection();
      break;
    case 'finish':
      if (!store.toolKey('Enter')) {
        if (s.selection.length > 0 && s.pending.has(s.selection[0]!)) store.acceptPending(s.selection);
        else return { handled: false };
      }
      break;
    case 'skip-point':
      if (!store.toolKey('skip-point')) return { handled: false };
      break;
    case 'tool.select':
    case 'tool.bbox':
    case 'tool.polygon':
    case 'tool.keypoints': {
      const tool = command.slice(5) as 'select' | 'bbox' | 'polygon' | 'keypoints';
      if (tool !== 'select' && !store.schema.labels.some((l) => l.tool === tool)) return { handled: false };
      store.setTool(tool);
      break;
    }
    case 'tool.assist':
      if (s.assist === 'off') return { handled: false };
      store.setTool('assist');
      break;
    case 'select.next':
    case 'select.prev':
      if (drawing) store.setTool('select');
      store.selectNext(command === 'select.next' ? 1 : -1);
      break;
    case 'move.left':
      arrow(-1, 0);
      break;
    case 'move.right':
      arrow(1, 0);
      break;
    case 'move.up':
      arrow(0, -1);
      break;
    case 'move.down':
      arrow(0, 1);
      break;
    case 'resize.left':
      store.resizeSelection(-step, 0);
      break;
    case 'resize.right':
      store.resizeSelection(step, 0);
      break;
    case 'resize.up':
      store.resizeSelection(0, -step);
      break;
    case 'resize.down':
      store.resizeSelection(0, step);
      break;
    case 'place':
    case 'place.occluded':
      if (!drawing) return { handled: false };
      if (!s.keyboardCursor) store.moveKeyboardCursor(0, 0);
      else store.clickAtKeyboardCursor(command === 'place.occluded');
      break;
    case 'vertex.next':
      store.stepVertex(1);
      break;
    case 'vertex.prev':
      store.stepVertex(-1);
      break;
    case 'vertex.insert':
      store.insertVertexAfterActive();
      break;
    case 'visibility':
      store.cycleVisibility();
      break;
    case 'toggle.hidden':
      for (const id of s.selection) store.toggleHidden(id);
      break;
    case 'toggle.locked':
      for (const id of s.selection) store.toggleLocked(id);
      break;
    case 'accept':
      store.acceptPending(s.selection);
      break;
    case 'accept.all':
      store.acceptPending();
      break;
    case 'view.fit':
      store.fit();
      break;
    case 'view.actual':
      store.actualSize();
      break;
    case 'view.zoomIn':
      store.zoomBy(ZOOM_STEP);
      break;
    case 'view.zoomOut':
      store.zoomBy(1 / ZOOM_STEP);
      break;
    default:
      return { handled: false };
  }
  return { handled: true };
}

/** A keydown in the image editor: label hotkeys, then the shortcut table. */
export function handleImageKey(store: EditorStore, e: KeyInput, isMac = false, labelKeys = labelHotkeys(store.schema)): KeyOutcome {
  const m = matchKey(e, 'image', labelKeys, isMac);
  if (!m) return { handled: false };
  if (m.kind === 'label') {
    store.chooseLabel(m.label);
    return { handled: true };
  }
  return runImageCommand(store, m.command, m.shift);
}
