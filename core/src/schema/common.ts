import { z } from 'zod';

/** Certification levels, L5 (entry) to L1 (top), after the national AI-trainer qualification. */
export const LEVELS = ['L5', 'L4', 'L3', 'L2', 'L1'] as const;
export const Level = z.enum(LEVELS);
export type Level = z.infer<typeof Level>;

/** Rank of a level: L5 → 1 … L1 → 5, so that `levelRank(a) >= levelRank(b)` means a is at least b. */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level) + 1;
}

/** True when `have` is the same as or above `need`. */
export function meetsLevel(have: Level, need: Level): boolean {
  return levelRank(have) >= levelRank(need);
}

export const ROLES = ['admin', 'lead', 'annotator', 'trainee'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** A 24-hex MongoDB ObjectId in its string form, as the API exposes ids. */
export const Id = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-character hex id');
export type Id = z.infer<typeof Id>;

/** A short human name (no control characters), trimmed. */
export const Name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(120, 'must be at most 120 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

export const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour');

export const Lang = z.enum(['zh-CN', 'en']);
export type Lang = z.infer<typeof Lang>;
