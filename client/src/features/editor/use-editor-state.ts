import { useSyncExternalStore } from 'react';
import type { EditorState, EditorStore } from '../../editor/store.ts';

/**
 * Re-renders when the selected slice of editor state changes. The selector must return a value
 * that is stable while unchanged (a field of the state, or a primitive).
 */
export function useEditorState<T>(store: EditorStore, select: (s: EditorState) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}
