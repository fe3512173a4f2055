import { randomBytes } from 'node:crypto';
import {
  QUIZ_QUESTION_TYPES,
  QuestionInput,
  bankTypeCounts,
  blueprintNeeds,
  blueprintShortfall,
  questionIssues,
  questionRef,
  quizQuestionType,
  toQuestionInput,
  toQuizQuestion,
  type Guideline,
  type LocalizedText,
  type QuizQuestion,
  type QuizQuestionType,
} from '@labelwork/core';
import type { CertAttemptDoc, CertQuestionDoc, UserDoc } from '@labelwork/engine';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { AppError, fieldIssue, validationError, zodIssues } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { usersRepo } from '../users/index.ts';
import { quizBank } from './certification.content.ts';
import { certificationConfig } from './certification.promotion.ts';
import { questionsRepo } from './certification.questions.repository.ts';

/** A question as the bank stores it, with the version it is at. */
export interface BankEntry {
  ref: string;
  question: QuizQuestion;
  version: number;
}

const noQuestion = () => new AppError('NOT_FOUND', 'no such question');

function guidelineOf(ctx: AppContext, slug: string, version: string): Guideline {
  const g = ctx.guidelines.get(`${slug}@${version}`);
  if (!g || g.quiz.length === 0) throw new AppError('NOT_FOUND', 'no question bank for this guideline');
  return g;
}

/** A file question's topic: the first label its English (else Chinese) stem names, else "general". */
function fileTopic(g: Guideline, q: QuizQuestion): string {
  const stem = `${q.question.en ?? ''} ${q.question['zh-CN'] ?? ''}`;
  const hit = g.labelSchema.labels.find((l) =>
    new RegExp(`(^|[^A-Za-z_-])${l.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z_-]|$)`).test(stem),
  );
  return hit?.name ?? 'general';
}

/**
 * Copies the guideline file's questions the bank lacks into it, as version 1 (the file is the seed;
 * questions edited in the UI are kept as they are). Runs on a bank's first use and from the import button.
 */
export async function importFileQuestions(ctx: AppContext, g: Guideline, by: UserDoc | null): Promise<{ added: number; kept: number }> {
  const have = await questionsRepo.refs(ctx.db, g);
  const at = new Date(ctx.now());
  let added = 0;
  for (const q of g.quiz) {
    const ref = questionRef(g.slug, g.version, q.id);
    if (have.has(ref)) continue;
    const question = { ...q, type: quizQuestionType(q) };
    const topic = fileTopic(g, q);
    await questionsRepo.insertVersion(ctx.db, {
      _id: `${ref}~1`,
      schemaVersion: 1,
      ref,
      version: 1,
      status: 'active',
      question,
      topic,
      difficulty: 2,
      at,
      by: by?._id ?? null,
    });
    const doc: CertQuestionDoc = {
      _id: ref,
      schemaVersion: 1,
      guideline: { slug: g.slug, version: g.version },
      qid: q.id,
      version: 1,
      status: 'active',
      question,
      topic,
      difficulty: 2,
      source: 'file',
      updatedAt: at,
      updatedBy: by?._id ?? null,
    };
    if (await questionsRepo.insert(ctx.db, doc)) added++;
  }
  if (added > 0 || by !== null)
    await audit(ctx, by?._id ?? null, 'certification.questions.import', { type: 'guideline', id: `${g.slug}@${g.version}` }, { added });
  return { added, kept: g.quiz.length - added };
}

async function ensureBank(ctx: AppContext, g: Guideline): Promise<void> {
  if ((await questionsRepo.count(ctx.db, g)) === 0) await importFileQuestions(ctx, g, null);
}

/** The questions a paper is drawn from now: the bank's active questions with their versions. */
export async function activeBank(ctx: AppContext, g: Guideline): Promise<BankEntry[]> {
  await ensureBank(ctx, g);
  return (await questionsRepo.active(ctx.db, g)).map((d) => ({ ref: d._id, question: d.question, version: d.version }));
}

/** The questions of a drawn paper as they were drawn (retired or edited since or not); papers drawn before the bank was kept in the database come from the file. */
export async function paperBank(
  ctx: AppContext,
  doc: Pick<CertAttemptDoc, 'drawVersions'>,
  g: Guideline,
): Promise<Map<string, QuizQuestion>> {
  if (!doc.drawVersions) return quizBank(g);
  const versions = await questionsRepo.versions(
    ctx.db,
    doc.drawVersions.map((e) => `${e.key}~${e.value}`),
  );
  return new Map(versions.map((v) => [v.ref, v.question]));
}

/** A question as leads see it in the bank editor (answers included). */
function toView(d: CertQuestionDoc) {
  return {
    ref: d._id,
    id: d.qid,
    version: d.version,
    status: d.status,
    source: d.source,
    updatedAt: d.updatedAt.toISOString(),
    ...toQuestionInput(d.question, d.topic, d.difficulty),
  };
}

export const QuestionFilter = z.strictObject({
  type: z.enum(QUIZ_QUESTION_TYPES).optional(),
  topic: z.string().max(60).optional(),
  status: z.enum(['active', 'retired']).optional(),
});

/** A bank for the editor: its questions (filtered), topics, active counts per type and what each level's paper needs. */
export async function listQuestions(ctx: AppContext, slug: string, version: string, filter: z.infer<typeof QuestionFilter>) {
  const g = guidelineOf(ctx, slug, version);
  await ensureBank(ctx, g);
  const all = await questionsRepo.all(ctx.db, g);
  const active = all.filter((d) => d.status === 'active');
  return {
    guideline: { slug, version, title: g.title, languages: g.languages },
    questions: all
      .filter(
        (d) => (filter.type === undefined || d.question.type === filter.type) && (filter.topic === undefined || d.topic === filter.topic),
      )
      .filter((d) => filter.status === undefined || d.status === filter.status)
      .map(toView),
    topics: [...new Set(all.map((d) => d.topic))].sort(),
    active: bankTypeCounts(active.map((d) => d.question)),
    needs: blueprintNeeds(await certificationConfig(ctx)),
  };
}

function parseQuestion(body: unknown): QuestionInput {
  const r = QuestionInput.safeParse(body);
  if (!r.success) throw validationError(zodIssues(r.error));
  return r.data;
}

async function checkQuestion(ctx: AppContext, g: Guideline, input: QuestionInput, self: string | null): Promise<void> {
  const others = new Map<string, LocalizedText>(
    (await questionsRepo.active(ctx.db, g)).filter((d) => d._id !== self).map((d) => [d.qid, d.question.question]),
  );
  const issues = questionIssues(input, g.languages, others);
  if (issues.length > 0)
    throw validationError(
      issues.map((i) => fieldIssue(i)),
      'the question is not valid',
    );
}

/** Refuses a change that takes a question of `type` out of the draw when a level's paper needs it. */
async function guardBlueprint(ctx: AppContext, g: Guideline, remove: QuizQuestionType, add: QuizQuestionType | null): Promise<void> {
  const before = bankTypeCounts((await questionsRepo.active(ctx.db, g)).map((d) => d.question));
  const after = { ...before, [remove]: before[remove] - 1 };
  if (add !== null) after[add]++;
  const short = blueprintShortfall(await certificationConfig(ctx), before, after);
  if (short)
    throw new AppError(
      'QUESTION_NEEDED',
      `the ${short.level} theory paper takes ${short.needed} ${short.type} questions; only ${short.left} would be left`,
      short,
    );
}

/** Runs a bank change under the bank's lock: checks and write see the same bank. */
async function underBankLock<T>(ctx: AppContext, g: Guideline, f: () => Promise<T>): Promise<T> {
  const r = await questionsRepo.withBankLock(ctx.redis, ctx.config.REDIS_PREFIX, g, f);
  if (r === null) throw new AppError('CONFLICT', 'the question bank is being changed by someone else; try again');
  return r.value;
}

/** Writes the next version of a question and its new state; VERSION_CONFLICT when someone saved first. */
async function saveVersion(
  ctx: AppContext,
  user: UserDoc,
  cur: CertQuestionDoc,
  next: Pick<CertQuestionDoc, 'status' | 'question' | 'topic' | 'difficulty'>,
) {
  const at = new Date(ctx.now());
  const version = cur.version + 1;
  const conflict = () => new AppError('VERSION_CONFLICT', 'someone changed this question meanwhile; reload it', { version: cur.version });
  if (
    !(await questionsRepo.insertVersion(ctx.db, {
      _id: `${cur._id}~${version}`,
      schemaVersion: 1,
      ref: cur._id,
      version,
      ...next,
      at,
      by: user._id,
    }))
  )
    throw conflict();
  const doc: CertQuestionDoc = { ...cur, ...next, version, updatedAt: at, updatedBy: user._id };
  if (!(await questionsRepo.replaceAt(ctx.db, doc, cur.version))) throw conflict();
  return doc;
}

const snapshot = (d: Pick<CertQuestionDoc, 'status' | 'question' | 'topic' | 'difficulty'>) => ({
  status: d.status,
  ...toQuestionInput(d.question, d.topic, d.difficulty),
});

export async function createQuestion(ctx: AppContext, user: UserDoc, slug: string, version: string, body: unknown) {
  const g = guidelineOf(ctx, slug, version);
  await ensureBank(ctx, g);
  const input = parseQuestion(body);
  const doc = await underBankLock(ctx, g, async () => {
    await checkQuestion(ctx, g, input, null);
    const qid = `q-${randomBytes(5).toString('hex')}`;
    const ref = questionRef(slug, version, qid);
    const at = new Date(ctx.now());
    const question = toQuizQuestion(qid, input);
    await questionsRepo.insertVersion(ctx.db, {
      _id: `${ref}~1`,
      schemaVersion: 1,
      ref,
      version: 1,
      status: 'active',
      question,
      topic: input.topic,
      difficulty: input.difficulty,
      at,
      by: user._id,
    });
    const doc: CertQuestionDoc = {
      _id: ref,
      schemaVersion: 1,
      guideline: { slug, version },
      qid,
      version: 1,
      status: 'active',
      question,
      topic: input.topic,
      difficulty: input.difficulty,
      source: 'ui',
      updatedAt: at,
      updatedBy: user._id,
    };
    await questionsRepo.insert(ctx.db, doc);
    return doc;
  });
  await audit(ctx, user._id, 'certification.question.create', { type: 'question', id: doc._id }, { before: null, after: snapshot(doc) });
  return toView(doc);
}

const Expected = z.strictObject({ version: z.number().int().min(1) });
const UpdateInput = z.object({ version: z.number().int().min(1) }).passthrough();

async function current(ctx: AppContext, slug: string, version: string, qid: string): Promise<{ g: Guideline; cur: CertQuestionDoc }> {
  const g = guidelineOf(ctx, slug, version);
  await ensureBank(ctx, g);
  const cur = await questionsRepo.byRef(ctx.db, questionRef(slug, version, qid));
  if (!cur) throw noQuestion();
  return { g, cur };
}

/** Edits a question (body: the question and the `version` it was read at). Attempts already drawn keep the version they drew. */
export async function updateQuestion(ctx: AppContext, user: UserDoc, slug: string, version: string, qid: string, body: unknown) {
  const { g, cur } = await current(ctx, slug, version, qid);
  const parsed = UpdateInput.safeParse(body ?? {});
  if (!parsed.success) throw validationError(zodIssues(parsed.error));
  const { version: expected, ...rest } = parsed.data;
  if (expected !== cur.version)
    throw new AppError('VERSION_CONFLICT', 'someone changed this question meanwhile; reload it', { version: cur.version });
  const input = parseQuestion(rest);
  const doc = await underBankLock(ctx, g, async () => {
    if (cur.status === 'active') await checkQuestion(ctx, g, input, cur._id);
    if (cur.status === 'active' && input.type !== cur.question.type)
      await guardBlueprint(ctx, g, quizQuestionType(cur.question), input.type);
    return saveVersion(ctx, user, cur, {
      status: cur.status,
      question: toQuizQuestion(qid, input),
      topic: input.topic,
      difficulty: input.difficulty,
    });
  });
  await audit(
    ctx,
    user._id,
    'certification.question.update',
    { type: 'question', id: cur._id },
    { before: snapshot(cur), after: snapshot(doc) },
  );
  return toView(doc);
}

/** Retires a question (no longer drawn; old attempts still show it) or brings it back. */
export async function setQuestionStatus(
  ctx: AppContext,
  user: UserDoc,
  slug: string,
  version: string,
  qid: string,
  status: CertQuestionDoc['status'],
  body: unknown,
) {
  const { g, cur } = await current(ctx, slug, version, qid);
  const r = Expected.safeParse(body ?? {});
  if (!r.success) throw validationError(zodIssues(r.error));
  if (r.data.version !== cur.version)
    throw new AppError('VERSION_CONFLICT', 'someone changed this question meanwhile; reload it', { version: cur.version });
  if (cur.status === status) return toView(cur);
  const doc = await underBankLock(ctx, g, async () => {
    if (status === 'retired') await guardBlueprint(ctx, g, quizQuestionType(cur.question), null);
    else await checkQuestion(ctx, g, toQuestionInput(cur.question, cur.topic, cur.difficulty), cur._id);
    return saveVersion(ctx, user, cur, { status, question: cur.question, topic: cur.topic, difficulty: cur.difficulty });
  });
  await audit(
    ctx,
    user._id,
    `certification.question.${status === 'retired' ? 'retire' : 'restore'}`,
    { type: 'question', id: cur._id },
    {
      before: snapshot(cur),
      after: snapshot(doc),
    },
  );
  return toView(doc);
}

/** Every version of a question: who saved it, when, and what it said. */
export async function questionHistory(ctx: AppContext, slug: string, version: string, qid: string) {
  const { cur } = await current(ctx, slug, version, qid);
  const versions = await questionsRepo.history(ctx.db, cur._id);
  const ids = [...new Set(versions.flatMap((v) => (v.by ? [v.by.toHexString()] : [])))];
  const names = new Map<string, string>();
  for (const id of ids) {
    const u = await usersRepo.byId(ctx.db, versions.find((v) => v.by?.toHexString() === id)!.by!);
    if (u) names.set(id, u.username);
  }
  return versions.map((v) => ({
    version: v.version,
    at: v.at.toISOString(),
    by: v.by ? (names.get(v.by.toHexString()) ?? v.by.toHexString()) : null,
    ...snapshot(v),
  }));
}

export async function importQuestions(ctx: AppContext, user: UserDoc, slug: string, version: string) {
  return importFileQuestions(ctx, guidelineOf(ctx, slug, version), user);
}
