import type { DatasetAnnotation, DatasetItem, DatasetLabel } from '../formats/dataset/types.ts';
import type { ExportSelection } from '../contracts/datasets.ts';
import type { SnapshotAnnotation, SnapshotEntry, SnapshotLabel } from './snapshot.ts';

/**
 * From a snapshot entry (frozen, or built from the live project the same way) to the interchange
 * item a format writer takes, keeping what the export's selection asks for. Live exports and
 * snapshot exports share this one path, so an export of a snapshot is the export of that state.
 */

const ACCEPTED = new Set(['accepted', 'fixed']);

function toDataset(a: SnapshotAnnotation): DatasetAnnotation {
  const p = a.provenance;
  const provenance = p ? { ...p } : undefined;
  return { kind: a.kind, regions: a.regions, ...(provenance && Object.keys(provenance).length ? { provenance } : {}) };
}

/** The annotations of an entry an export selection keeps, in the entry's (canonical) order. */
export function selectAnnotations(entry: SnapshotEntry, selection: ExportSelection): SnapshotAnnotation[] {
  const gold = entry.annotations.filter((a) => a.kind === 'gold');
  const work = entry.annotations.filter((a) => a.kind === 'annotation');
  switch (selection) {
    case 'gold':
      return gold;
    case 'all':
      return [...gold, ...work];
    case 'accepted':
      return [...gold, ...work.filter((a) => ACCEPTED.has(a.provenance?.verdict ?? ''))];
    case 'consensus': {
      if (gold.length) return gold;
      const consensus = entry.annotations.filter((a) => a.kind === 'consensus');
      if (consensus.length) return consensus;
      // One annotation (overlap 1, or the consensus not computed yet): it is the item's answer.
      return work.length === 1 ? work : [];
    }
  }
}

/**
 * The item as an export writes it, or null when the selection leaves it out (`gold` keeps gold items
 * only). Items without annotations are kept: writers export them as unlabeled, never drop them.
 */
export function datasetItemFromEntry(entry: SnapshotEntry, selection: ExportSelection): DatasetItem | null {
  const chosen = selectAnnotations(entry, selection);
  if (selection === 'gold' && chosen.length === 0) return null;
  return {
    name: entry.name,
    kind: entry.kind,
    ...(entry.width !== undefined ? { width: entry.width } : {}),
    ...(entry.height !== undefined ? { height: entry.height } : {}),
    ...(entry.text !== undefined ? { text: entry.text } : {}),
    annotations: chosen.map(toDataset),
    meta: { itemId: entry.itemId, status: entry.status },
  };
}

/** Labels as the interchange model declares them. */
export function datasetLabels(labels: readonly SnapshotLabel[]): DatasetLabel[] {
  return labels.map((l) => ({
    name: l.name,
    tool: l.tool,
    ...(l.points ? { points: [...l.points] } : {}),
    ...(l.edges ? { edges: l.edges.map((e) => ({ ...e })) } : {}),
  }));
}
