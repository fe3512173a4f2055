import { randomIndex, type RandomSource } from '../metrics/random.ts';
import type { Region } from '../schema/region.ts';

/** What is wrong with a planted error: the label, the geometry (loose or cut box, wrong span boundary), a missing region, an invented one. */
export const PLANTED_ERROR_KINDS = ['wrong-label', 'bad-geometry', 'missing', 'extra'] as const;
export type PlantedErrorKind = (typeof PLANTED_ERROR_KINDS)[number];

/** An error planted in the annotations a candidate reviews. `missing` errors have no region to point at. */
export interface PlantedError {
  itemId: string;
  kind: PlantedErrorKind;
  /** The planted region (wrong-label, bad-geometry, extra); absent for missing. */
  regionId?: string;
}

/** A candidate's flag: a region they think is wrong, or (without regionId) "something is missing here". */
export interface ReviewFlag {
  itemId: string;
  regionId?: string;
}

export interface ReviewExerciseResult {
  flags: number;
  planted: number;
  /** Flags that hit a planted error (each error counts once). */
  hits: number;
  /** hits / flags; null without flags. */
  precision: number | null;
  /** hits / planted; null when nothing was planted. */
  recall: number | null;
  /** 100 × F1 of the flags, rounded to one decimal (100 when nothing was planted and nothing flagged). */
  score: number;
  /** Per planted error, whether it was found. */
  found: (PlantedError & { found: boolean })[];
}

/**
 * Scores a review exercise by precision and recall of the flags. A region flag hits the planted
 * error on that region; an item flag without a region hits a `missing` error of that item. Each
 * error is hit at most once and repeated flags count as extra flags.
 */
export function gradeReviewExercise(planted: readonly PlantedError[], flags: readonly ReviewFlag[]): ReviewExerciseResult {
  const found = planted.map((p) => ({ ...p, found: false }));
  let hits = 0;
  for (const f of flags) {
    const target = found.find(
      (p) =>
        !p.found &&
        p.itemId === f.itemId &&
        (f.regionId === undefined ? p.kind === 'missing' : p.kind !== 'missing' && p.regionId === f.regionId),
    );
    if (target) {
      target.found = true;
      hits++;
    }
  }
  const precision = flags.length > 0 ? hits / flags.length : null;
  const recall = planted.length > 0 ? hits / planted.length : null;
  const total = flags.length + planted.length;
  const f1 = total === 0 ? 1 : (2 * hits) / total;
  return { flags: flags.length, planted: planted.length, hits, precision, recall, score: Math.round(f1 * 1000) / 10, found };
}

/** A gold item to plant errors in: its regions and the labels its regions may take (same tool). */
export interface ReviewSource {
  itemId: string;
  gold: readonly Region[];
  /** Where boxes must stay (image items); spans need none. */
  extent?: { width: number; height: number };
}

export interface PlantedSet {
  /** The annotations the candidate reviews, per item (gold with the errors planted). */
  shown: Record<string, Region[]>;
  planted: PlantedError[];
}

/**
 * Plants errors in gold annotations for a review exercise: each item gets one error with
 * probability `rate` (default 2/3; the others are left right, so flagging everything costs
 * precision) — a wrong label (another label of the same tool), bad geometry (a box moved by more
 * than half its width, so IoU < 0.5; a span one code point short), a missing region (removed) or an
 * extra one (a box mirrored to the other side of the image). Region ids are replaced by fresh
 * `r1`, `r2`, … so ids give nothing away. Deterministic for a `random` sequence.
 */
export function plantErrors(
  sources: readonly ReviewSource[],
  labelsOf: (label: string) => readonly string[],
  random: RandomSource,
  rate = 2 / 3,
): PlantedSet {
  const shown: Record<string, Region[]> = {};
  const planted: PlantedError[] = [];
  let next = 1;
  const fresh = () => `r${next++}`;
  for (const src of sources) {
    const regions: Region[] = src.gold.map((r) => ({ ...r, id: fresh() }) as Region);
    shown[src.itemId] = regions;
    if (regions.length === 0 || random() >= rate) continue;
    const target = regions[randomIndex(random, regions.length)] as Region;
    const kinds: PlantedErrorKind[] = [];
    if (labelsOf(target.label).some((l) => l !== target.label)) kinds.push('wrong-label');
    if (target.type === 'bbox' || (target.type === 'span' && target.end - target.start > 1)) kinds.push('bad-geometry');
    kinds.push('missing');
    if (target.type === 'bbox' && src.extent) kinds.push('extra');
    const kind = kinds[randomIndex(random, kinds.length)] as PlantedErrorKind;
    const at = regions.indexOf(target);
    switch (kind) {
      case 'wrong-label': {
        const others = labelsOf(target.label).filter((l) => l !== target.label);
        regions[at] = { ...target, label: others[randomIndex(random, others.length)] as string };
        planted.push({ itemId: src.itemId, kind, regionId: target.id });
        break;
      }
      case 'bad-geometry': {
        if (target.type === 'bbox') {
          const maxX = src.extent ? src.extent.width - target.w : Infinity;
          const shift = target.w * 0.6;
          const x = target.x + shift <= maxX ? target.x + shift : Math.max(0, target.x - shift);
          regions[at] = { ...target, x: Math.round(x * 10) / 10 };
        } else if (target.type === 'span') regions[at] = { ...target, end: target.end - 1 };
        planted.push({ itemId: src.itemId, kind, regionId: target.id });
        break;
      }
      case 'missing':
        regions.splice(at, 1);
        planted.push({ itemId: src.itemId, kind });
        break;
      case 'extra': {
        if (target.type !== 'bbox' || !src.extent) break;
        const id = fresh();
        regions.push({ ...target, id, x: Math.max(0, Math.round((src.extent.width - target.x - target.w) * 10) / 10) });
        planted.push({ itemId: src.itemId, kind, regionId: id });
        break;
      }
    }
  }
  return { shown, planted };
}
