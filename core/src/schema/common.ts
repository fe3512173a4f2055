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

/**
 * Characters no name may hold: C0 and C1 controls and DEL; bidirectional embeddings, overrides,
 * isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C), which reorder what a reader
 * sees ("\u202Egpj.exe" shows as "exe.jpg"); invisible characters (zero-width space, word joiner and
 * invisible operators, BOM, interlinear annotation marks) and line/paragraph separators. ZWJ and
 * ZWNJ stay allowed: emoji sequences and Persian or Indic words need them.
 */
const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/;

/** True when a name holds a control, bidi-override or invisible character (see UNSAFE_NAME_CHARS). */
export function hasUnsafeNameChars(s: string): boolean {
  return UNSAFE_NAME_CHARS.test(s);
}

/** A name that comes from outside (an uploaded file's) without those characters: "a\u202Egpj.exe" → "agpj.exe". */
export function withoutUnsafeNameChars(s: string): string {
  return s.replace(new RegExp(UNSAFE_NAME_CHARS.source, 'g'), '');
}

/** The one check for human-readable names (trimmed, 1–max characters, no unsafe characters). */
export function nameText(max: number) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !hasUnsafeNameChars(s), 'must not contain control, invisible or text-direction characters');
}

/** A short human name (project, label, keypoint), trimmed. */
export const Name = nameText(120);

/** A user's display name. */
export const DisplayName = nameText(80);

export const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour');

export const Lang = z.enum(['zh-CN', 'en']);
export type Lang = z.infer<typeof Lang>;
