import type { Region, ShadowState } from '@labelwork/core';
import type { RecordChange } from '../../editor/diff.ts';
import type { EditorStore } from '../../editor/store.ts';

/** What the watcher's canvas shows for a frame: the regions, with the shape being drawn in its place. */
export function shownRegions(frame: Pick<ShadowState, 'regions' | 'draft'>): Region[] {
  const { regions, draft } = frame;
  if (!draft) return regions.slice();
  const at = regions.findIndex((r) => r.id === draft.id);
  if (at < 0) return [...regions, draft];
  const out = regions.slice();
  out[at] = draft;
  return out;
}

/** The changes that turn `from` into `to` (removals first, then every new or changed region in `to`'s order). */
export function regionChanges(from: readonly Region[], to: readonly Region[]): RecordChange<Region>[] {
  const keep = new Set(to.map((r) => r.id));
  const before = new Map(from.map((r) => [r.id, r]));
  const out: RecordChange<Region>[] = [];
  from.forEach((r, i) => {
    if (!keep.has(r.id)) out.push({ id: r.id, before: r, after: null, index: i });
  });
  to.forEach((r, i) => {
    const old = before.get(r.id) ?? null;
    if (old !== null && JSON.stringify(old) === JSON.stringify(r)) return;
    out.push({ id: r.id, before: old, after: r, index: i });
  });
  return out;
}

/**
 * Shows a frame in the watcher's read-only editor: regions as a remote change (never in undo),
 * then the annotator's selection (highlighted) and text range.
 */
export function applyFrame(store: EditorStore, frame: ShadowState): void {
  const target = shownRegions(frame);
  const changes = regionChanges(store.getState().regions, target);
  if (changes.length > 0) store.applyRemote({ records: changes, pending: [] });
  const ids = new Set(target.map((r) => r.id));
  store.select(frame.selection.filter((id) => ids.has(id)));
  store.setTextSelection(frame.textSelection);
}
