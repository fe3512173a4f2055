import { ObjectId } from 'mongodb';
import { attemptPassed, enabledParts, panelDecision, retakeStatus, scoreRubric, type Level } from '@labelwork/core';
import type { CertAttemptDoc, CertPanelDoc, UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { usersRepo } from '../users/index.ts';
import { trainingGuidelines } from './certification.content.ts';
import { assertExaminer, candidateOf, conflictsOf, examinerRefusal } from './certification.examiners.ts';
import { gradedRepo } from './certification.graded.repository.ts';
import { mentoringRepo } from './certification.mentoring.repository.ts';
import { certificationConfig, partSummaries, promoteIfReady } from './certification.promotion.ts';
import { certificationRepo } from './certification.repository.ts';

const notFound = () => new AppError('NOT_FOUND', 'no such comprehensive review');
const isLeadOrAdmin = (u: UserDoc) => u.role === 'lead' || u.role === 'admin';

/**
 * Whether the comprehensive review may be asked for: every other enabled part of the level passed
 * (the panel reviews a candidate who passed the exams), and the retake rules allow an attempt.
 */
export function comprehensiveStatus(
  config: Parameters<typeof enabledParts>[0],
  attempts: readonly CertAttemptDoc[],
  now: Date,
): { allowed: true } | { allowed: false; reason: string; earliest?: Date } {
  const summaries = partSummaries(attempts);
  const pending = enabledParts(config).filter(
    (p) => p !== 'comprehensive' && !summaries.some((a) => a.part === p && attemptPassed(config, a)),
  );
  if (config.comprehensive.enabled && pending.length > 0) return { allowed: false, reason: 'parts_pending' };
  return retakeStatus(config, 'comprehensive', summaries, now);
}

export interface PortfolioInput {
  statement: string;
  links: string[];
}

/** The candidate hands in their portfolio: the attempt waits for a lead to convene a panel; their statistics are attached. */
export async function submitPortfolio(ctx: AppContext, user: UserDoc, input: PortfolioInput) {
  const config = (await certificationConfig(ctx)).levels[user.level];
  const attempts = await certificationRepo.attemptsAt(ctx.db, user._id, user.level);
  const now = new Date(ctx.now());
  const status = comprehensiveStatus(config, attempts, now);
  if (!status.allowed) {
    if (status.reason === 'cooldown')
      throw new AppError('RETAKE_TOO_EARLY', 'the cooldown after the last attempt has not passed', {
        earliest: status.earliest?.toISOString(),
      });
    throw new AppError('EXAM_NOT_AVAILABLE', `the comprehensive review cannot be asked for now (${status.reason})`, {
      reason: status.reason,
    });
  }
  const passedRefs = attempts.filter((a) => a.status === 'graded' && a.passed).map((a) => a.guideline);
  const guideline = passedRefs.at(-1) ?? trainingGuidelines(ctx).map((g) => ({ slug: g.slug, version: g.version }))[0];
  if (!guideline) throw new AppError('EXAM_NOT_AVAILABLE', 'no training guideline is installed', { reason: 'part_disabled' });
  const n = attempts.filter((a) => a.part === 'comprehensive').length + 1;
  const attempt: CertAttemptDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    slotKey: `${user._id.toHexString()}:${user.level}:comprehensive:${n}`,
    userId: user._id,
    level: user.level,
    part: 'comprehensive',
    guideline,
    status: 'awaiting',
    startedAt: now,
    deadline: now,
    finishedAt: now,
    draw: [],
    answers: [],
    score: null,
    passMark: config.comprehensive.passMark,
    passed: null,
    timedOut: false,
    result: null,
  };
  if (!(await certificationRepo.insertAttempt(ctx.db, attempt)))
    throw new AppError('EXAM_NOT_AVAILABLE', 'a comprehensive review was just asked for', { reason: 'awaiting_grade' });
  const certificates = await certificationRepo.certificatesOf(ctx.db, [user._id]);
  const panel: CertPanelDoc = {
    _id: attempt._id,
    schemaVersion: 1,
    userId: user._id,
    level: user.level,
    portfolio: input,
    stats: {
      ...(await gradedRepo.portfolioStats(ctx.db, user._id)),
      certificates: certificates.map((c) => c.number),
      mentored: (await mentoringRepo.menteesOf(ctx.db, user._id)).length,
    },
    submittedAt: now,
    convenedBy: null,
    convenedAt: null,
    members: [],
    decision: null,
  };
  await gradedRepo.insertPanel(ctx.db, panel);
  await audit(ctx, user._id, 'certification.panel.submit', { type: 'attempt', id: attempt._id });
  return panelView(ctx, user, panel);
}

async function load(ctx: AppContext, id: ObjectId): Promise<CertPanelDoc> {
  const p = await gradedRepo.panel(ctx.db, id);
  if (!p) throw notFound();
  return p;
}

/** The candidate, the panel's members and the leads/admins who may examine the candidate see a review. */
export async function getPanel(ctx: AppContext, user: UserDoc, id: ObjectId) {
  const panel = await load(ctx, id);
  if (!panel.userId.equals(user._id) && !panel.members.some((m) => m.equals(user._id))) {
    if (!isLeadOrAdmin(user)) throw notFound();
    await assertExaminer(ctx, user, await candidateOf(ctx, panel.userId), panel.level);
  }
  return panelView(ctx, user, panel);
}

/** A lead convenes the panel once: at least the configured number of eligible members (no candidate, no mentor, higher level). */
export async function convenePanel(ctx: AppContext, user: UserDoc, id: ObjectId, memberIds: ObjectId[]) {
  const panel = await load(ctx, id);
  const candidate = await candidateOf(ctx, panel.userId);
  await assertExaminer(ctx, user, candidate, panel.level);
  if (panel.decision) throw new AppError('ATTEMPT_CLOSED', 'this review is decided');
  const config = (await certificationConfig(ctx)).levels[panel.level].comprehensive;
  const unique = [...new Map(memberIds.map((m) => [m.toHexString(), m])).values()];
  if (unique.length < config.minPanel)
    throw new AppError('VALIDATION_FAILED', `a panel needs at least ${config.minPanel} members`, { minPanel: config.minPanel });
  const members = await usersRepo.byIds(ctx.db, unique);
  const conflicts = await conflictsOf(ctx, candidate._id);
  const refused = unique.flatMap((m) => {
    const u = members.find((x) => x._id.equals(m));
    const reason = !u || u.disabled ? 'role' : examinerRefusal(u, { ...candidate, level: panel.level }, conflicts);
    return reason ? [{ userId: m.toHexString(), reason }] : [];
  });
  if (refused.length > 0) throw new AppError('NOT_AN_EXAMINER', 'some members may not sit on this panel', { refused });
  const me = user._id.toHexString();
  if ((await gradedRepo.takeOnce(ctx.redis, ctx.config.REDIS_PREFIX, 'panel-convene', id, me)) !== me)
    throw new AppError('ALREADY_CLAIMED', 'this panel is already convened');
  const now = new Date(ctx.now());
  await gradedRepo.updatePanel(ctx.db, id, { convenedBy: user._id, convenedAt: now, members: unique });
  await audit(ctx, user._id, 'certification.panel.convene', { type: 'attempt', id }, { members: unique.map((m) => m.toHexString()) });
  return getPanel(ctx, user, id);
}

export interface PanelScoreInput {
  points: Record<string, number>;
  comments?: Record<string, string>;
  comment: string;
  defenseNote: string;
}

/** A member scores independently, once; when the last member has scored the panel decides (core's panelDecision) and the candidate may be promoted. */
export async function scorePanel(ctx: AppContext, user: UserDoc, id: ObjectId, input: PanelScoreInput) {
  const panel = await load(ctx, id);
  if (!panel.members.some((m) => m.equals(user._id))) throw new AppError('FORBIDDEN', 'you are not on this panel');
  if (panel.decision) throw new AppError('ATTEMPT_CLOSED', 'this review is decided');
  await assertExaminer(ctx, user, await candidateOf(ctx, panel.userId), panel.level);
  const config = (await certificationConfig(ctx)).levels[panel.level].comprehensive;
  const scored = scoreRubric(config.rubric, input.points);
  if (!scored.ok) throw new AppError('VALIDATION_FAILED', 'the points do not fit the rubric', { problems: scored.problems });
  const comments = Object.fromEntries(
    Object.entries(input.comments ?? {}).filter(([k, v]) => v.trim() !== '' && k in scored.result.points),
  );
  const stored = await gradedRepo.insertPanelScore(ctx.db, {
    _id: `${id.toHexString()}:${user._id.toHexString()}`,
    schemaVersion: 1,
    panelId: id,
    memberId: user._id,
    at: new Date(ctx.now()),
    result: scored.result,
    comments,
    comment: input.comment,
    defenseNote: input.defenseNote,
  });
  if (!stored) throw new AppError('CONFLICT', 'you have already scored this candidate');
  await audit(ctx, user._id, 'certification.panel.score', { type: 'attempt', id }, { score: scored.result.score });
  await decideIfComplete(ctx, panel);
  return getPanel(ctx, user, id);
}

async function decideIfComplete(ctx: AppContext, panel: CertPanelDoc): Promise<void> {
  const scores = (await gradedRepo.panelScores(ctx.db, panel._id)).filter((s) => panel.members.some((m) => m.equals(s.memberId)));
  if (scores.length < panel.members.length) return;
  // Of two last scores landing together, one decides.
  if (!(await certificationRepo.claimClose(ctx.redis, ctx.config.REDIS_PREFIX, panel._id))) return;
  const config = (await certificationConfig(ctx)).levels[panel.level].comprehensive;
  const d = panelDecision(
    config.rule,
    scores.map((s) => s.result.score),
    panel.members.length,
    config.passMark,
    config.floor,
  );
  const now = new Date(ctx.now());
  await gradedRepo.updatePanel(ctx.db, panel._id, {
    decision: { ...d, rule: config.rule, passMark: config.passMark, floor: config.floor, at: now },
  });
  await gradedRepo.setAttempt(ctx.db, panel._id, 'awaiting', {
    status: 'graded',
    finishedAt: now,
    score: d.mean,
    passed: d.passed,
    result: { panel: { rule: config.rule, floor: config.floor, reasons: d.reasons, scores: scores.map((s) => s.result.score) } },
    examiners: panel.members.map((m) => m.toHexString()),
  });
  await audit(
    ctx,
    null,
    'certification.panel.decide',
    { type: 'attempt', id: panel._id },
    { mean: d.mean, passed: d.passed, reasons: d.reasons },
  );
  await promoteIfReady(ctx, panel.userId, panel.level);
}

/** What a caller sees. Scores stay hidden from everyone (members included, except their own) until the panel is complete. */
async function panelView(ctx: AppContext, user: UserDoc, panel: CertPanelDoc) {
  const config = (await certificationConfig(ctx)).levels[panel.level].comprehensive;
  const scores = await gradedRepo.panelScores(ctx.db, panel._id);
  const people = await usersRepo.byIds(ctx.db, [panel.userId, ...panel.members, ...(panel.convenedBy ? [panel.convenedBy] : [])]);
  const person = (id: ObjectId) => {
    const p = people.find((x) => x._id.equals(id));
    return { id: id.toHexString(), displayName: p?.displayName ?? null, level: p?.level ?? null };
  };
  const decided = panel.decision !== null;
  const isMember = panel.members.some((m) => m.equals(user._id));
  const mayConvene = !decided && panel.members.length === 0 && !panel.userId.equals(user._id) && isLeadOrAdmin(user);
  return {
    id: panel._id.toHexString(),
    level: panel.level,
    candidate: person(panel.userId),
    mine: panel.userId.equals(user._id),
    portfolio: panel.portfolio,
    stats: panel.stats,
    submittedAt: panel.submittedAt.toISOString(),
    rubric: config.rubric,
    rule: { rule: config.rule, passMark: config.passMark, floor: config.floor, minPanel: config.minPanel },
    convened: panel.members.length > 0,
    convenedBy: panel.convenedBy ? person(panel.convenedBy) : null,
    members: panel.members.map((m) => ({ ...person(m), scored: scores.some((s) => s.memberId.equals(m)) })),
    isMember,
    myScore: isMember ? (scoreView(scores.find((s) => s.memberId.equals(user._id))) ?? null) : null,
    scores: decided ? scores.map((s) => ({ member: person(s.memberId), ...scoreView(s) })) : null,
    decision: panel.decision ? { ...panel.decision, at: panel.decision.at.toISOString() } : null,
    eligible: mayConvene ? await eligibleMembers(ctx, panel.userId, panel.level) : null,
  };
}

function scoreView(s: Awaited<ReturnType<typeof gradedRepo.panelScores>>[number] | undefined) {
  return s ? { at: s.at.toISOString(), result: s.result, comments: s.comments, comment: s.comment, defenseNote: s.defenseNote } : undefined;
}

/** Leads and admins who may sit on the candidate's panel. */
async function eligibleMembers(ctx: AppContext, candidateId: ObjectId, level: Level) {
  const candidate = await candidateOf(ctx, candidateId);
  const conflicts = await conflictsOf(ctx, candidateId);
  return (await usersRepo.list(ctx.db))
    .filter((u) => !u.disabled && examinerRefusal(u, { ...candidate, level }, conflicts) === null)
    .map((u) => ({ id: u._id.toHexString(), displayName: u.displayName, level: u.level, role: u.role }));
}
