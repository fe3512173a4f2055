import { randomInt } from 'node:crypto';
import { ObjectId } from 'mongodb';
import {
  AUTO_GRADED_PARTS,
  Region,
  drawPracticalItems,
  gradeReviewExercise,
  plantErrors,
  type PlantedError,
  drawTheoryPaper,
  gradePractical,
  gradeTheory,
  localize,
  mainLabel,
  paperQuestions,
  partDeadline,
  retakeStatus,
  seededRandom,
  type GuidelineRef,
  type Lang,
  type PracticeItem,
} from '@labelwork/core';
import type { CertAttemptDoc, UserDoc } from '@labelwork/engine';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { AppError, validationError, zodIssues } from '../../http/errors.ts';
import { certificationRepo } from './certification.repository.ts';
import { publicItem, trainingContent } from './certification.content.ts';
import { activeBank, paperBank } from './certification.questions.ts';
import { certificationConfig, partSummaries, promoteIfReady } from './certification.promotion.ts';
import { handInIfExpired } from './certification.specification.ts';

export type ExamPartTaken = CertAttemptDoc['part'];

const notFound = () => new AppError('NOT_FOUND', 'no such attempt');

/** Answers as a theory paper takes them: picked option indexes per question ref. */
const TheoryAnswers = z.record(z.string().max(200), z.array(z.number().int().min(0).max(9)).max(10));
/** Answers as a practical takes them: regions per drawn item. */
const PracticalAnswers = z.record(z.string().max(80), z.array(Region).max(500));
/** Answers as a review exercise takes them: flagged region ids per item, or "missing" for "something is missing here". */
const ReviewAnswers = z.record(z.string().max(80), z.array(z.string().min(1).max(64)).max(200));
/** The flag that says a region is missing from an item. */
export const MISSING_FLAG = 'missing';

type Answers = Record<string, number[] | Region[] | string[]>;

const toEntries = (a: Answers): CertAttemptDoc['answers'] => Object.entries(a).map(([key, value]) => ({ key, value }));
const fromEntries = (e: CertAttemptDoc['answers']): Answers => Object.fromEntries(e.map((x) => [x.key, x.value]));

function parseAnswers(doc: CertAttemptDoc, body: unknown): Answers {
  const r = (doc.part === 'theory' ? TheoryAnswers : doc.part === 'review' ? ReviewAnswers : PracticalAnswers).safeParse(body ?? {});
  if (!r.success) throw validationError(zodIssues(r.error, ['answers']));
  const drawn = new Set(doc.draw);
  const stray = Object.keys(r.data).filter((k) => !drawn.has(k));
  if (stray.length > 0)
    throw new AppError('VALIDATION_FAILED', `answers to questions or items not in this attempt: ${stray.slice(0, 3).join(', ')}`);
  return r.data;
}

/** Starts an attempt of a part of the user's level exam: checks the retake rules, draws a fresh paper or item set. */
export async function startAttempt(
  ctx: AppContext,
  user: UserDoc,
  part: ExamPartTaken,
  ref: GuidelineRef,
  lang: Lang,
): Promise<AttemptView> {
  const config = (await certificationConfig(ctx)).levels[user.level];
  const { guideline, practice } = trainingContent(ctx, ref.slug, ref.version);
  const previous = await certificationRepo.attemptsAt(ctx.db, user._id, user.level);
  const now = new Date(ctx.now());
  await closeExpired(ctx, previous, now);
  const fresh = await certificationRepo.attemptsAt(ctx.db, user._id, user.level);
  const status = retakeStatus(config, part, partSummaries(fresh), now);
  if (!status.allowed) {
    if (status.reason === 'cooldown')
      throw new AppError('RETAKE_TOO_EARLY', 'the cooldown after the last attempt has not passed', {
        earliest: status.earliest?.toISOString(),
      });
    throw new AppError('EXAM_NOT_AVAILABLE', `this exam part cannot be started now (${status.reason})`, { reason: status.reason });
  }
  const random = seededRandom(randomInt(0, 2 ** 32));
  let draw: string[];
  let deadline: Date;
  let review: { shown: CertAttemptDoc['shown']; planted: PlantedError[] } | null = null;
  let drawVersions: CertAttemptDoc['drawVersions'];
  if (part === 'review') {
    const pool = practice.exam.map((it) => ({ id: it.id, label: mainLabel(it.gold), difficulty: it.difficulty }));
    draw = drawPracticalItems(pool, config.review.items, random);
    const byId = new Map(practice.exam.map((it) => [it.id, it]));
    const toolOf = new Map(guideline.labelSchema.labels.map((l) => [l.name, l.tool]));
    const labelsOf = (label: string) => guideline.labelSchema.labels.filter((l) => l.tool === toolOf.get(label)).map((l) => l.name);
    const sources = draw.map((id) => {
      const it = byId.get(id)!;
      return {
        itemId: id,
        gold: it.gold,
        ...(it.media.kind === 'image' ? { extent: { width: it.media.width, height: it.media.height } } : {}),
      };
    });
    const set = plantErrors(sources, labelsOf, random);
    review = { shown: Object.entries(set.shown).map(([key, value]) => ({ key, value })), planted: set.planted };
    deadline = partDeadline(now, config.review.timeLimitMinutes);
  } else if (part === 'theory') {
    // The bank's active questions now; the paper keeps the versions it drew.
    const bank = await activeBank(ctx, guideline);
    draw = drawTheoryPaper(bank, config.theory, random);
    const versionOf = new Map(bank.map((q) => [q.ref, q.version]));
    drawVersions = draw.map((ref) => ({ key: ref, value: versionOf.get(ref) ?? 1 }));
    deadline = partDeadline(now, config.theory.timeLimitMinutes);
  } else {
    const pool = practice.exam.map((it) => ({ id: it.id, label: mainLabel(it.gold), difficulty: it.difficulty }));
    draw = drawPracticalItems(pool, config.practical.items, random);
    deadline = partDeadline(now, config.practical.timeLimitMinutes, config.practical.overtime.stopAfterMinutes);
  }
  const n = fresh.filter((a) => a.part === part).length + 1;
  const doc: CertAttemptDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    slotKey: `${user._id.toHexString()}:${user.level}:${part}:${n}`,
    userId: user._id,
    level: user.level,
    part,
    guideline: { slug: guideline.slug, version: guideline.version },
    status: 'running',
    startedAt: now,
    deadline,
    finishedAt: null,
    draw,
    answers: [],
    score: null,
    passMark: config[part].passMark,
    passed: null,
    timedOut: false,
    result: null,
    ...(review ? { shown: review.shown, planted: review.planted } : {}),
    ...(drawVersions ? { drawVersions } : {}),
  };
  if (!(await certificationRepo.insertAttempt(ctx.db, doc)))
    throw new AppError('EXAM_NOT_AVAILABLE', 'another attempt of this part was just started', { reason: 'in_progress' });
  return attemptView(ctx, doc, lang);
}

/** Grades an attempt as it stands and closes it, once: when a concurrent request closed it first, `closedNow` is false and `doc` is the stored state. */
async function closeAttempt(
  ctx: AppContext,
  doc: CertAttemptDoc,
  answers: Answers,
  now: Date,
): Promise<{ doc: CertAttemptDoc; closedNow: boolean }> {
  if (!(await certificationRepo.claimClose(ctx.redis, ctx.config.REDIS_PREFIX, doc._id))) {
    return { doc: (await certificationRepo.attempt(ctx.db, doc._id)) ?? doc, closedNow: false };
  }
  const config = (await certificationConfig(ctx)).levels[doc.level];
  const { guideline, practice } = trainingContent(ctx, doc.guideline.slug, doc.guideline.version);
  const end = now < doc.deadline ? now : doc.deadline;
  const timedOut = now >= doc.deadline;
  let score: number;
  let result: Record<string, unknown>;
  if (doc.part === 'review') {
    const flags = Object.entries(answers as Record<string, string[]>).flatMap(([itemId, ids]) =>
      ids.map((id) => (id === MISSING_FLAG ? { itemId } : { itemId, regionId: id })),
    );
    const graded = gradeReviewExercise(doc.planted ?? [], flags);
    score = graded.score;
    result = { ...graded };
  } else if (doc.part === 'theory') {
    const graded = gradeTheory(
      doc.draw,
      await paperBank(ctx, doc, guideline),
      answers as Record<string, number[]>,
      config.theory.multipleChoiceCredit,
    );
    score = graded.score;
    result = { ...graded };
  } else {
    const byId = new Map(practice.exam.map((it) => [it.id, it]));
    const items = doc.draw.map((id) => ({ itemId: id, gold: byId.get(id)?.gold ?? [], answer: (answers as Record<string, Region[]>)[id] }));
    const graded = gradePractical(items, guideline.labelSchema, config.practical, end.getTime() - doc.startedAt.getTime());
    score = graded.score;
    result = { ...graded };
  }
  const passed = score >= doc.passMark;
  const set = { answers: toEntries(answers), finishedAt: end, score, passed, timedOut, result };
  await certificationRepo.close(ctx.db, doc._id, set);
  return { doc: { ...doc, ...set, status: 'graded' }, closedNow: true };
}

/** Closes (grades as they stand) the running attempts whose deadline has passed. */
export async function closeExpired(ctx: AppContext, attempts: CertAttemptDoc[], now: Date): Promise<void> {
  for (const a of attempts) {
    if (a.status !== 'running' || a.deadline > now) continue;
    // A specification exercise is handed in to the grading queue as it stands; the machine grades the others.
    if (a.part === 'specification') await handInIfExpired(ctx, a, now);
    else if (AUTO_GRADED_PARTS.includes(a.part)) await closeAttempt(ctx, a, fromEntries(a.answers), now);
  }
}

async function ownAttempt(ctx: AppContext, user: UserDoc, id: ObjectId): Promise<CertAttemptDoc> {
  const doc = await certificationRepo.attempt(ctx.db, id);
  // Parts graded by people have their own routes (specifications, panels).
  if (!doc || !doc.userId.equals(user._id) || !AUTO_GRADED_PARTS.includes(doc.part)) throw notFound();
  const now = new Date(ctx.now());
  if (doc.status === 'running' && doc.deadline <= now) {
    const { doc: closed } = await closeAttempt(ctx, doc, fromEntries(doc.answers), now);
    await promoteIfReady(ctx, closed.userId, closed.level);
    return closed;
  }
  return doc;
}

export async function getAttempt(ctx: AppContext, user: UserDoc, id: ObjectId, lang: Lang): Promise<AttemptView> {
  return attemptView(ctx, await ownAttempt(ctx, user, id), lang);
}

/** Saves answers while the attempt runs (a timed-out attempt is then graded with what was saved). */
export async function saveAttemptAnswers(ctx: AppContext, user: UserDoc, id: ObjectId, body: unknown): Promise<{ savedAt: string }> {
  const doc = await ownAttempt(ctx, user, id);
  if (doc.status !== 'running') throw new AppError('ATTEMPT_CLOSED', 'this attempt is over');
  const answers = parseAnswers(doc, body);
  const now = new Date(ctx.now());
  if (!(await certificationRepo.saveAnswers(ctx.db, id, user._id, toEntries(answers), now)))
    throw new AppError('ATTEMPT_CLOSED', 'this attempt is over');
  return { savedAt: now.toISOString() };
}

/** Submits an attempt once: grades it, and promotes the user when every part of their level is passed. */
export async function submitAttempt(ctx: AppContext, user: UserDoc, id: ObjectId, body: unknown, lang: Lang): Promise<AttemptView> {
  const doc = await ownAttempt(ctx, user, id);
  if (doc.status !== 'running') throw new AppError('ATTEMPT_CLOSED', 'this attempt is over and cannot be submitted again');
  const answers = body === undefined || body === null ? fromEntries(doc.answers) : parseAnswers(doc, body);
  const { doc: closed, closedNow } = await closeAttempt(ctx, doc, answers, new Date(ctx.now()));
  if (!closedNow) throw new AppError('ATTEMPT_CLOSED', 'this attempt is over and cannot be submitted again');
  await promoteIfReady(ctx, closed.userId, closed.level);
  return attemptView(ctx, closed, lang);
}

/** What the candidate sees: during the attempt only questions or media (never answers or gold); afterwards the full report. */
export interface AttemptView {
  id: string;
  part: ExamPartTaken;
  level: string;
  guideline: GuidelineRef;
  status: CertAttemptDoc['status'];
  startedAt: string;
  deadline: string;
  serverNow: string;
  finishedAt: string | null;
  questions?: { ref: string; type: string; question: string; options: string[] }[];
  items?: ReturnType<typeof publicItem>[];
  /** Review exercise: the annotations to review, per item. */
  shown?: Record<string, Region[]>;
  answers: Answers;
  score: number | null;
  passMark: number;
  passed: boolean | null;
  timedOut: boolean;
  report?: Record<string, unknown>;
}

export async function attemptView(ctx: AppContext, doc: CertAttemptDoc, lang: Lang): Promise<AttemptView> {
  const { guideline, practice } = trainingContent(ctx, doc.guideline.slug, doc.guideline.version);
  const view: AttemptView = {
    id: doc._id.toHexString(),
    part: doc.part,
    level: doc.level,
    guideline: doc.guideline,
    status: doc.status,
    startedAt: doc.startedAt.toISOString(),
    deadline: doc.deadline.toISOString(),
    serverNow: new Date(ctx.now()).toISOString(),
    finishedAt: doc.finishedAt?.toISOString() ?? null,
    answers: fromEntries(doc.answers),
    score: doc.score,
    passMark: doc.passMark,
    passed: doc.passed,
    timedOut: doc.timedOut,
  };
  const bank = await paperBank(ctx, doc, guideline);
  if (doc.part === 'theory') view.questions = paperQuestions(doc.draw, bank, lang);
  else {
    if (doc.part === 'review') view.shown = Object.fromEntries((doc.shown ?? []).map((e) => [e.key, e.value]));
    const byId = new Map<string, PracticeItem>(practice.exam.map((it) => [it.id, it]));
    view.items = doc.draw.flatMap((id) => {
      const it = byId.get(id);
      return it ? [publicItem(it)] : [];
    });
  }
  if (doc.status === 'graded' && doc.result) {
    // Only now: answers, explanations and gold.
    if (doc.part === 'theory') {
      const explanations = Object.fromEntries(doc.draw.map((ref) => [ref, localize(bank.get(ref)!.explanation, lang)]));
      view.report = { ...doc.result, explanations };
    } else {
      const gold = Object.fromEntries(practice.exam.filter((it) => doc.draw.includes(it.id)).map((it) => [it.id, it.gold]));
      view.report = { ...doc.result, gold };
    }
  }
  return view;
}
