import { randomInt } from 'node:crypto';
import { ObjectId } from 'mongodb';
import {
  SpecificationDraft,
  drawPracticalItems,
  mainLabel,
  partDeadline,
  retakeStatus,
  scoreRubric,
  seededRandom,
  specificationProblems,
  type GuidelineRef,
} from '@labelwork/core';
import type { CertAttemptDoc, CertSpecificationDoc, UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { usersRepo } from '../users/index.ts';
import { publicItem, trainingContent } from './certification.content.ts';
import { assertExaminer, candidateOf } from './certification.examiners.ts';
import { gradedRepo } from './certification.graded.repository.ts';
import { certificationConfig, partSummaries, promoteIfReady } from './certification.promotion.ts';
import { certificationRepo } from './certification.repository.ts';

const notFound = () => new AppError('NOT_FOUND', 'no such specification exercise');
const isLeadOrAdmin = (u: UserDoc) => u.role === 'lead' || u.role === 'admin';

/** Starts the specification exercise of the caller's level: draws sample items from the guideline's practice half. */
export async function startSpecification(ctx: AppContext, user: UserDoc, ref: GuidelineRef) {
  const config = (await certificationConfig(ctx)).levels[user.level];
  const { guideline, practice } = trainingContent(ctx, ref.slug, ref.version);
  const now = new Date(ctx.now());
  const previous = await certificationRepo.attemptsAt(ctx.db, user._id, user.level);
  for (const a of previous) if (a.part === 'specification') await handInIfExpired(ctx, a, now);
  const fresh = await certificationRepo.attemptsAt(ctx.db, user._id, user.level);
  const status = retakeStatus(config, 'specification', partSummaries(fresh), now);
  if (!status.allowed) {
    if (status.reason === 'cooldown')
      throw new AppError('RETAKE_TOO_EARLY', 'the cooldown after the last attempt has not passed', {
        earliest: status.earliest?.toISOString(),
      });
    throw new AppError('EXAM_NOT_AVAILABLE', `this exam part cannot be started now (${status.reason})`, { reason: status.reason });
  }
  // The sample comes from the practice half: those items teach anyway, so the exam pool stays unseen.
  const pool = practice.practice.map((it) => ({ id: it.id, label: mainLabel(it.gold), difficulty: it.difficulty }));
  const sample = drawPracticalItems(pool, config.specification.sampleItems, seededRandom(randomInt(0, 2 ** 32)));
  const n = fresh.filter((a) => a.part === 'specification').length + 1;
  const attempt: CertAttemptDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    slotKey: `${user._id.toHexString()}:${user.level}:specification:${n}`,
    userId: user._id,
    level: user.level,
    part: 'specification',
    guideline: { slug: guideline.slug, version: guideline.version },
    status: 'running',
    startedAt: now,
    deadline: partDeadline(now, config.specification.timeLimitMinutes),
    finishedAt: null,
    draw: sample,
    answers: [],
    score: null,
    passMark: config.specification.passMark,
    passed: null,
    timedOut: false,
    result: null,
  };
  if (!(await certificationRepo.insertAttempt(ctx.db, attempt)))
    throw new AppError('EXAM_NOT_AVAILABLE', 'another attempt of this part was just started', { reason: 'in_progress' });
  const doc: CertSpecificationDoc = {
    _id: attempt._id,
    schemaVersion: 1,
    userId: user._id,
    level: user.level,
    guideline: attempt.guideline,
    sampleItemIds: sample,
    spec: { scope: '', labels: guideline.labelSchema.labels.map((l) => ({ name: l.name, definition: '' })), edgeCases: [], examples: [] },
    savedAt: null,
    submittedAt: null,
    timedOut: false,
    claimedBy: null,
    claimedAt: null,
    grade: null,
  };
  await gradedRepo.insertSpecification(ctx.db, doc);
  return specificationView(ctx, user, attempt, doc);
}

/** Hands in a running exercise whose deadline passed, as it stands (it then waits for a grader like any other). */
export async function handInIfExpired(ctx: AppContext, attempt: CertAttemptDoc, now: Date): Promise<CertAttemptDoc> {
  if (attempt.part !== 'specification' || attempt.status !== 'running' || attempt.deadline > now) return attempt;
  await handIn(ctx, attempt, null, attempt.deadline, true);
  return (await certificationRepo.attempt(ctx.db, attempt._id)) ?? attempt;
}

async function handIn(
  ctx: AppContext,
  attempt: CertAttemptDoc,
  spec: SpecificationDraft | null,
  at: Date,
  timedOut: boolean,
): Promise<boolean> {
  if (!(await gradedRepo.once(ctx.redis, ctx.config.REDIS_PREFIX, 'handin', attempt._id))) return false;
  const moved = await gradedRepo.setAttempt(ctx.db, attempt._id, 'running', { status: 'awaiting', finishedAt: at, timedOut });
  if (!moved) return false;
  await gradedRepo.updateSpecification(ctx.db, attempt._id, { ...(spec ? { spec, savedAt: at } : {}), submittedAt: at, timedOut });
  await audit(
    ctx,
    timedOut ? null : attempt.userId,
    'certification.specification.submit',
    { type: 'attempt', id: attempt._id },
    { timedOut },
  );
  return true;
}

async function load(ctx: AppContext, id: ObjectId): Promise<{ attempt: CertAttemptDoc; doc: CertSpecificationDoc }> {
  const attempt = await certificationRepo.attempt(ctx.db, id);
  const doc = attempt?.part === 'specification' ? await gradedRepo.specification(ctx.db, id) : null;
  if (!attempt || !doc) throw notFound();
  const now = new Date(ctx.now());
  if (attempt.status === 'running' && attempt.deadline <= now) {
    const closed = await handInIfExpired(ctx, attempt, now);
    return { attempt: closed, doc: (await gradedRepo.specification(ctx.db, id)) ?? doc };
  }
  return { attempt, doc };
}

/** The candidate's own exercise, or (for leads and admins) one they may grade once it is handed in. */
export async function getSpecification(ctx: AppContext, user: UserDoc, id: ObjectId) {
  const { attempt, doc } = await load(ctx, id);
  if (!doc.userId.equals(user._id)) {
    if (!isLeadOrAdmin(user) || attempt.status === 'running') throw notFound();
    await assertExaminer(ctx, user, await candidateOf(ctx, doc.userId), doc.level);
  }
  return specificationView(ctx, user, attempt, doc);
}

function parseSpec(body: unknown): SpecificationDraft {
  const r = SpecificationDraft.safeParse(body);
  if (!r.success) throw new AppError('VALIDATION_FAILED', 'the specification is not valid', r.error.issues.slice(0, 20));
  return r.data;
}

async function ownRunning(ctx: AppContext, user: UserDoc, id: ObjectId) {
  const { attempt, doc } = await load(ctx, id);
  if (!doc.userId.equals(user._id)) throw notFound();
  if (attempt.status !== 'running') throw new AppError('ATTEMPT_CLOSED', 'this exercise was handed in');
  return { attempt, doc };
}

/** Saves the draft while the exercise runs. */
export async function saveSpecification(ctx: AppContext, user: UserDoc, id: ObjectId, body: unknown) {
  const spec = parseSpec(body);
  await ownRunning(ctx, user, id);
  const now = new Date(ctx.now());
  await gradedRepo.updateSpecification(ctx.db, id, { spec, savedAt: now });
  return { savedAt: now.toISOString() };
}

/** Hands the specification in (once), after checking it is complete; it then waits in the grading queue. */
export async function submitSpecification(ctx: AppContext, user: UserDoc, id: ObjectId, body: unknown) {
  const { attempt, doc } = await ownRunning(ctx, user, id);
  const spec = body === undefined ? doc.spec : parseSpec(body);
  const config = (await certificationConfig(ctx)).levels[attempt.level].specification;
  const { guideline } = trainingContent(ctx, doc.guideline.slug, doc.guideline.version);
  const problems = specificationProblems(spec, {
    labels: guideline.labelSchema.labels.map((l) => l.name),
    minEdgeCases: config.minEdgeCases,
    minExamples: config.minExamples,
    sampleItemIds: doc.sampleItemIds,
  });
  if (problems.length > 0) throw new AppError('SPECIFICATION_INCOMPLETE', 'the specification is not complete yet', { problems });
  if (!(await handIn(ctx, attempt, spec, new Date(ctx.now()), false))) throw new AppError('ATTEMPT_CLOSED', 'this exercise was handed in');
  return getSpecification(ctx, user, id);
}

/** A lead takes a handed-in exercise to grade: exactly one lead holds it (409 ALREADY_CLAIMED for the others). */
export async function claimSpecification(ctx: AppContext, user: UserDoc, id: ObjectId) {
  const { attempt, doc } = await load(ctx, id);
  if (attempt.status === 'running') throw notFound();
  await assertExaminer(ctx, user, await candidateOf(ctx, doc.userId), doc.level);
  if (attempt.status === 'graded') throw new AppError('ATTEMPT_CLOSED', 'this exercise is already graded');
  const me = user._id.toHexString();
  const holder = await gradedRepo.takeOnce(ctx.redis, ctx.config.REDIS_PREFIX, 'spec-claim', id, me);
  if (holder !== me) {
    const other = ObjectId.isValid(holder) ? await usersRepo.byId(ctx.db, new ObjectId(holder)) : null;
    throw new AppError('ALREADY_CLAIMED', 'another lead is grading this exercise', { claimedBy: other?.displayName ?? null });
  }
  if (!doc.claimedBy?.equals(user._id)) {
    await gradedRepo.updateSpecification(ctx.db, id, { claimedBy: user._id, claimedAt: new Date(ctx.now()) });
    await audit(ctx, user._id, 'certification.specification.claim', { type: 'attempt', id });
  }
  return getSpecification(ctx, user, id);
}

/** The claiming lead (or an admin) puts an ungraded exercise back in the queue. */
export async function releaseSpecification(ctx: AppContext, user: UserDoc, id: ObjectId) {
  const { attempt, doc } = await load(ctx, id);
  if (attempt.status !== 'awaiting' || !doc.claimedBy) throw new AppError('CONFLICT', 'this exercise is not claimed');
  if (!doc.claimedBy.equals(user._id) && user.role !== 'admin')
    throw new AppError('FORBIDDEN', 'only the lead who claimed it may release it');
  if (!(await gradedRepo.giveBack(ctx.redis, ctx.config.REDIS_PREFIX, 'spec-claim', id, doc.claimedBy.toHexString())))
    throw new AppError('CONFLICT', 'this exercise is not claimed');
  await gradedRepo.updateSpecification(ctx.db, id, { claimedBy: null, claimedAt: null });
  await audit(ctx, user._id, 'certification.specification.release', { type: 'attempt', id });
  return { ok: true };
}

export interface GradeInput {
  points: Record<string, number>;
  comments?: Record<string, string>;
  comment: string;
}

/** The claiming lead grades against the level's rubric: the score (0–100) closes the attempt and may promote the candidate. */
export async function gradeSpecification(ctx: AppContext, user: UserDoc, id: ObjectId, input: GradeInput) {
  const { attempt, doc } = await load(ctx, id);
  if (attempt.status === 'graded') throw new AppError('ATTEMPT_CLOSED', 'this exercise is already graded');
  if (attempt.status !== 'awaiting' || !doc.claimedBy?.equals(user._id))
    throw new AppError('FORBIDDEN', 'claim the exercise before grading it');
  // Checked again: the lead may have changed level, or a conflict appeared, since the claim.
  await assertExaminer(ctx, user, await candidateOf(ctx, doc.userId), doc.level);
  const config = (await certificationConfig(ctx)).levels[attempt.level].specification;
  const scored = scoreRubric(config.rubric, input.points);
  if (!scored.ok) throw new AppError('VALIDATION_FAILED', 'the points do not fit the rubric', { problems: scored.problems });
  const comments = Object.fromEntries(
    Object.entries(input.comments ?? {}).filter(([k, v]) => v.trim() !== '' && k in scored.result.points),
  );
  if (!(await certificationRepo.claimClose(ctx.redis, ctx.config.REDIS_PREFIX, id)))
    throw new AppError('ATTEMPT_CLOSED', 'this exercise is already graded');
  const now = new Date(ctx.now());
  const score = scored.result.score;
  await gradedRepo.updateSpecification(ctx.db, id, {
    grade: { by: user._id, at: now, result: scored.result, comments, comment: input.comment },
  });
  await gradedRepo.setAttempt(ctx.db, id, 'awaiting', {
    status: 'graded',
    finishedAt: now,
    score,
    passed: score >= attempt.passMark,
    result: { rubric: scored.result },
    examiners: [user._id.toHexString()],
  });
  await audit(
    ctx,
    user._id,
    'certification.specification.grade',
    { type: 'attempt', id },
    { candidate: doc.userId, score, passMark: attempt.passMark },
  );
  await promoteIfReady(ctx, doc.userId, attempt.level);
  return getSpecification(ctx, user, id);
}

/** What a caller sees: the brief, the sample (no gold), the rubric; the grade once given, to the candidate and examiners. */
async function specificationView(ctx: AppContext, user: UserDoc, attempt: CertAttemptDoc, doc: CertSpecificationDoc) {
  const { guideline, practice } = trainingContent(ctx, doc.guideline.slug, doc.guideline.version);
  const config = (await certificationConfig(ctx)).levels[attempt.level].specification;
  const byId = new Map(practice.practice.map((it) => [it.id, it]));
  const people = await usersRepo.byIds(ctx.db, [
    doc.userId,
    ...(doc.claimedBy ? [doc.claimedBy] : []),
    ...(doc.grade ? [doc.grade.by] : []),
  ]);
  const name = (id: ObjectId | null | undefined) => (id ? (people.find((p) => p._id.equals(id))?.displayName ?? null) : null);
  return {
    id: attempt._id.toHexString(),
    level: attempt.level,
    status: attempt.status,
    candidate: { id: doc.userId.toHexString(), displayName: name(doc.userId) },
    mine: doc.userId.equals(user._id),
    guideline: {
      ...doc.guideline,
      title: guideline.title,
      labels: guideline.labelSchema.labels.map((l) => ({ name: l.name, tool: l.tool })),
    },
    startedAt: attempt.startedAt.toISOString(),
    deadline: attempt.deadline.toISOString(),
    serverNow: new Date(ctx.now()).toISOString(),
    submittedAt: doc.submittedAt?.toISOString() ?? null,
    timedOut: doc.timedOut,
    requirements: { minEdgeCases: config.minEdgeCases, minExamples: config.minExamples },
    rubric: config.rubric,
    passMark: attempt.passMark,
    sample: doc.sampleItemIds.flatMap((sid) => {
      const it = byId.get(sid);
      return it ? [publicItem(it)] : [];
    }),
    spec: doc.spec,
    claimedBy: doc.claimedBy
      ? { id: doc.claimedBy.toHexString(), displayName: name(doc.claimedBy), me: doc.claimedBy.equals(user._id) }
      : null,
    score: attempt.status === 'graded' ? attempt.score : null,
    passed: attempt.status === 'graded' ? attempt.passed : null,
    grade: doc.grade
      ? {
          by: name(doc.grade.by),
          at: doc.grade.at.toISOString(),
          result: doc.grade.result,
          comments: doc.grade.comments,
          comment: doc.grade.comment,
        }
      : null,
  };
}
