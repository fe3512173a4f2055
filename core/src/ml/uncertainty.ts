/**
 * Uncertainty ordering: a project can serve the items whose predictions the model is least sure of
 * first (Prodigy's `prefer_uncertain`, here through the queue's priority). A lead's priority is
 * 1..100, higher served first (contracts/tasks.ts `bullPriority`); a prediction's score is the
 * model's confidence in [0, 1].
 */

/**
 * Queue priority for an item from its prediction's confidence: score 0 → 100 (served first),
 * score 1 → 1 (served last), linear between; scores outside [0, 1] are clamped. An item without a
 * scored prediction keeps `fallback` (the lead's priority).
 */
export function uncertaintyPriority(score: number | null | undefined, fallback: number): number {
  if (score === null || score === undefined || !Number.isFinite(score)) return fallback;
  const s = Math.min(1, Math.max(0, score));
  return Math.max(1, Math.min(100, Math.round(100 - 99 * s)));
}
