import { z } from 'zod';
import { GuidelineRef } from '../schema/project.ts';
import { Region, regionIssues, type RegionIssue } from '../schema/region.ts';
import type { LabelSchema } from '../schema/label-schema.ts';
import { LocalizedText } from '../guidelines/schema.ts';

/** The media of a practice item: an image file next to the set's JSON, or a text. */
export const PracticeMedia = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('image'),
    file: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,80}\.(png|jpg|jpeg|webp)$/, 'must be a plain file name such as 01.png'),
    width: z.number().int().min(1).max(20_000),
    height: z.number().int().min(1).max(20_000),
  }),
  z.strictObject({ kind: z.literal('text'), text: z.string().min(1).max(20_000) }),
]);
export type PracticeMedia = z.infer<typeof PracticeMedia>;

/** One gold practice item: the media, the gold answer, a difficulty (1 easy … 3 hard) and the hard case it trains, if any. */
export const PracticeItem = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,59}$/, 'must be a short id of lowercase letters, digits, "-" or "_"'),
  difficulty: z.number().int().min(1).max(3),
  media: PracticeMedia,
  gold: z.array(Region).max(500),
  /** The guideline's hard case this item is about (its number), shown with the feedback. */
  hardCase: z.number().int().min(1).optional(),
  /** A short note shown with the feedback (what this item teaches). */
  note: LocalizedText.optional(),
});
export type PracticeItem = z.infer<typeof PracticeItem>;

/** A guideline's practice set: gold items for practice and practical exams, shipped as `guidelines/<slug>/practice-<version>/set.json`. */
export const PracticeSet = z.strictObject({
  schemaVersion: z.literal(1),
  guideline: GuidelineRef,
  items: z.array(PracticeItem).min(1).max(5000),
});
export type PracticeSet = z.infer<typeof PracticeSet>;

/**
 * Problems of a practice set against its guideline's label schema: ids unique, every gold region
 * valid for the schema and inside its image or text (core's `regionIssues`). [] when fine.
 */
export function practiceSetIssues(set: PracticeSet, schema: LabelSchema): RegionIssue[] {
  const issues: RegionIssue[] = [];
  const ids = new Set<string>();
  set.items.forEach((item, i) => {
    if (ids.has(item.id))
      issues.push({
        path: ['items', i, 'id'],
        reason: 'duplicate_region_id',
        params: { id: item.id },
        message: `duplicate item id "${item.id}"`,
      });
    ids.add(item.id);
    const extent =
      item.media.kind === 'image'
        ? { kind: 'image' as const, width: item.media.width, height: item.media.height }
        : { kind: 'text' as const, length: [...item.media.text].length };
    for (const issue of regionIssues(schema, extent, item.gold))
      issues.push({ ...issue, path: ['items', i, 'gold', ...issue.path.slice(1)] });
  });
  return issues;
}

/**
 * Splits a practice set into the items trainees practise on (with feedback) and the exam pool
 * (never shown as feedback): alternate items, so both halves span every difficulty the set is
 * ordered by. Exam items must not teach: an item is in exactly one half.
 */
export function splitPracticePool<T>(items: readonly T[]): { practice: T[]; exam: T[] } {
  return { practice: items.filter((_, i) => i % 2 === 0), exam: items.filter((_, i) => i % 2 === 1) };
}
