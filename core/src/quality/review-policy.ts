import { meetsLevel, type Level } from '../schema/common.ts';
import type { ReviewPolicy } from '../schema/project.ts';
import { DEFAULT_GOLD_BELOW, type ReviewReason } from '../contracts/review.ts';

/**
 * A stable draw in [0, 1) from an id (FNV-1a, 32 bits): the same submission is always in or out
 * of the random sample, so a retried or replayed submit is routed the same way.
 */
export function sampleDraw(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}

export interface SubmissionFacts {
  /** The submitter's certification level. */
  level: Level;
  /** The annotation's id (drives the stable sample draw). */
  annotationId: string;
  gold: boolean;
  /** The gold score of a gold submission (null when it cannot be scored). */
  goldScore?: number | null;
}

/**
 * Why a fresh submission goes to review under a project's policy: `trainee` (submitter below
 * `belowLevel`), `gold-wrong` (gold score under `goldBelow`, default 0.5) and `sample` (a stable
 * draw under `sampleRate`). Low agreement is decided later, when the item has its k annotations.
 */
export function reviewReasonsOnSubmit(policy: ReviewPolicy, f: SubmissionFacts): ReviewReason[] {
  const out: ReviewReason[] = [];
  if (policy.belowLevel && !meetsLevel(f.level, policy.belowLevel)) out.push('trainee');
  if (f.gold && typeof f.goldScore === 'number' && f.goldScore < (policy.goldBelow ?? DEFAULT_GOLD_BELOW)) out.push('gold-wrong');
  if (!f.gold && policy.sampleRate > 0 && sampleDraw(f.annotationId) < policy.sampleRate) out.push('sample');
  return out;
}

/** True when any computed agreement of an item falls under the policy's `agreementBelow`. */
export function lowAgreement(policy: ReviewPolicy, agreement: Record<string, number | null | undefined>): boolean {
  if (policy.agreementBelow === undefined) return false;
  return Object.values(agreement).some((v) => typeof v === 'number' && v < policy.agreementBelow!);
}
