import { composeEditorDiffs, invertEditorDiff, type EditorDiff } from './diff.ts';

/** One undo step: the diff it made and the selection on either side of it. */
export interface HistoryEntry<T> {
  diff: EditorDiff<T>;
  selectionBefore: readonly string[];
  selectionAfter: readonly string[];
  /** Consecutive entries with the same key (e.g. arrow-key nudges of one region) merge. */
  mergeKey?: string;
}

/**
 * Undo/redo stacks of local edits. Remote and programmatic changes are applied by the store
 * without coming here, so undo never takes back someone else's work.
 */
export class History<T> {
  private undoStack: HistoryEntry<T>[] = [];
  private redoStack: HistoryEntry<T>[] = [];

  constructor(private readonly limit = 500) {}

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  get size(): { undo: number; redo: number } {
    return { undo: this.undoStack.length, redo: this.redoStack.length };
  }

  record(entry: HistoryEntry<T>): void {
    this.redoStack = [];
    const last = this.undoStack[this.undoStack.length - 1];
    if (last && entry.mergeKey !== undefined && last.mergeKey === entry.mergeKey) {
      this.undoStack[this.undoStack.length - 1] = {
        diff: composeEditorDiffs(last.diff, entry.diff),
        selectionBefore: last.selectionBefore,
        selectionAfter: entry.selectionAfter,
        mergeKey: entry.mergeKey,
      };
      return;
    }
    this.undoStack.push(entry);
    if (this.undoStack.length > this.limit) this.undoStack.shift();
  }

  /** Ends merging: the next entry starts a new step even with the same key. */
  seal(): void {
    const last = this.undoStack[this.undoStack.length - 1];
    if (last?.mergeKey !== undefined) this.undoStack[this.undoStack.length - 1] = { ...last, mergeKey: undefined };
  }

  /** The diff to apply to undo the last step, and the selection to restore; moves it to redo. */
  undo(): { diff: EditorDiff<T>; selection: readonly string[] } | null {
    const e = this.undoStack.pop();
    if (!e) return null;
    this.redoStack.push({ ...e, mergeKey: undefined });
    return { diff: invertEditorDiff(e.diff), selection: e.selectionBefore };
  }

  redo(): { diff: EditorDiff<T>; selection: readonly string[] } | null {
    const e = this.redoStack.pop();
    if (!e) return null;
    this.undoStack.push(e);
    return { diff: e.diff, selection: e.selectionAfter };
  }

  clear(): void {
    this.undoStack = [];
    this.redoStack = [];
  }
}
