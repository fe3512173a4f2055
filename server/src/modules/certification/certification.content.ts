import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  PracticeSet,
  practiceSetIssues,
  questionRef,
  splitPracticePool,
  type Guideline,
  type PracticeItem,
  type QuizQuestion,
} from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { Logger } from '../../infra/logger.ts';
import { AppError } from '../../http/errors.ts';

/** A practice set as loaded at start: the set, the folder its images sit in, and its two halves. */
export interface LoadedPracticeSet {
  set: PracticeSet;
  dir: string;
  practice: PracticeItem[];
  exam: PracticeItem[];
}

/**
 * Reads every `<dir>/<slug>/practice-<version>/set.json`. A set that does not parse is skipped with
 * its problems logged; it is checked against its guideline's label schema when the server serves it.
 */
export function loadPracticeSets(dir: string, log: Logger): Map<string, LoadedPracticeSet> {
  const out = new Map<string, LoadedPracticeSet>();
  if (!existsSync(dir)) return out;
  for (const slug of readdirSync(dir)) {
    const sdir = path.join(dir, slug);
    if (!statSync(sdir).isDirectory()) continue;
    for (const sub of readdirSync(sdir)) {
      const file = path.join(sdir, sub, 'set.json');
      if (!sub.startsWith('practice-') || !existsSync(file)) continue;
      try {
        const set = PracticeSet.parse(JSON.parse(readFileSync(file, 'utf8')));
        out.set(`${set.guideline.slug}@${set.guideline.version}`, { set, dir: path.dirname(file), ...splitPracticePool(set.items) });
      } catch (e) {
        log.warn('practice set skipped', { file, err: e });
      }
    }
  }
  return out;
}

/** A guideline with a usable practice set (valid for its label schema), or NOT_FOUND. */
export function trainingContent(ctx: AppContext, slug: string, version: string): { guideline: Guideline; practice: LoadedPracticeSet } {
  const key = `${slug}@${version}`;
  const guideline = ctx.guidelines.get(key);
  const practice = ctx.practiceSets.get(key);
  if (!guideline || !practice) throw new AppError('NOT_FOUND', 'no training content for this guideline');
  if (practiceSetIssues(practice.set, guideline.labelSchema).length > 0)
    throw new AppError('NOT_FOUND', 'the practice set does not fit its guideline');
  return { guideline, practice };
}

/** The guidelines trainees can train on: those with a quiz bank and a practice set. */
export function trainingGuidelines(
  ctx: AppContext,
): { slug: string; version: string; title: Guideline['title']; kind: Guideline['kind']; quiz: number; practice: number; exam: number }[] {
  const out = [];
  for (const [key, p] of ctx.practiceSets) {
    const g = ctx.guidelines.get(key);
    if (!g || g.quiz.length === 0) continue;
    out.push({
      slug: g.slug,
      version: g.version,
      title: g.title,
      kind: g.kind,
      quiz: g.quiz.length,
      practice: p.practice.length,
      exam: p.exam.length,
    });
  }
  return out.sort((a, b) => (a.slug === b.slug ? b.version.localeCompare(a.version) : a.slug.localeCompare(b.slug)));
}

/** The quiz bank of a guideline keyed by question ref (`slug@version#id`). */
export function quizBank(guideline: Guideline): Map<string, QuizQuestion> {
  return new Map(guideline.quiz.map((q) => [questionRef(guideline.slug, guideline.version, q.id), q]));
}

/** An item as a candidate sees it before answering: media, no gold. */
export function publicItem(item: PracticeItem): { id: string; difficulty: number; media: PracticeItem['media'] } {
  return { id: item.id, difficulty: item.difficulty, media: item.media };
}
