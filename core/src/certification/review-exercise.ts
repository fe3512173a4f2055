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
