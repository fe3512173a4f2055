import { ObjectId } from 'mongodb';
import {
  CertificationConfig,
  enabledParts,
  hardCases,
  itemFeedback,
  nextLevel,
  promotionStatus,
  retakeStatus,
  sumLabelScores,
  type Lang,
  type Region,
} from '@labelwork/core';
import type { UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { usersRepo } from '../users/index.ts';
import { closeExpired } from './certification.attempts.ts';
import { publicItem, trainingContent, trainingGuidelines } from './certification.content.ts';
import { certificationRepo } from './certification.repository.ts';
import { goldRuleChanged, myPauses } from './certification.pauses.ts';
import { comprehensiveStatus } from './certification.panel.ts';
import { certificationConfig, partSummaries, promoteIfReady, toCertificate } from './certification.promotion.ts';

/** Saves the admins' configuration after checking it whole. */
export async function updateCertificationConfig(ctx: AppContext, actor: UserDoc, body: unknown): Promise<CertificationConfig> {
  const r = CertificationConfig.safeParse(body);
  if (!r.success) throw new AppError('VALIDATION_FAILED', 'the configuration is not valid', r.error.issues.slice(0, 20));
  await certificationRepo.putConfig(ctx.db, {
    _id: 'config',
    schemaVersion: 1,
    config: r.data,
    updatedAt: new Date(ctx.now()),
    updatedBy: actor._id,
  });
  await goldRuleChanged(ctx);
  await audit(ctx, actor._id, 'certification.config', { type: 'certification', id: 'config' });
  return r.data;
}

/** A trainee's page: level, the parts of their level's exam with standing and retake times, attempts, certificates, practice progress. */
export async function myCertification(ctx: AppContext, user: UserDoc) {
  const now = new Date(ctx.now());
  await closeExpired(ctx, await certificationRepo.attemptsAt(ctx.db, user._id, user.level), now);
  await promoteIfReady(ctx, user._id, user.level);
  const fresh = (await usersRepo.byId(ctx.db, user._id)) ?? user;
  const config = (await certificationConfig(ctx)).levels[fresh.level];
  const attempts = await certificationRepo.attemptsAt(ctx.db, fresh._id, fresh.level);
  const summaries = partSummaries(attempts);
  const standing = promotionStatus(config, summaries);
  const parts = standing.parts.map((p) => {
    const part = p.part;
    const retake = retakeStatus(config, part, summaries, now);
    const limits =
      part === 'theory'
        ? { questions: config.theory.questions, timeLimitMinutes: config.theory.timeLimitMinutes }
        : part === 'practical'
          ? { items: config.practical.items, timeLimitMinutes: config.practical.timeLimitMinutes, overtime: config.practical.overtime }
          : part === 'review'
            ? { items: config.review.items, timeLimitMinutes: config.review.timeLimitMinutes }
            : {};
    // The comprehensive review is asked for only once the other parts are passed.
    const start = part === 'comprehensive' ? comprehensiveStatus(config, attempts, now) : retake;
    const open = attempts.find((a) => a.part === part && a.status !== 'graded');
    return {
      ...p,
      available: true,
      canStart: start.allowed,
      ...(start.allowed ? {} : { refusal: start.reason, earliest: start.earliest?.toISOString() ?? null }),
      // Specification exercise and comprehensive review: the one running or waiting for its graders.
      ...(open && (part === 'specification' || part === 'comprehensive') ? { openAttemptId: open._id.toHexString() } : {}),
      ...limits,
    };
  });
  const certificates = await certificationRepo.certificatesOf(ctx.db, [fresh._id]);
  return {
    level: fresh.level,
    nextLevel: nextLevel(fresh.level),
    parts,
    ready: standing.ready,
    maxAttempts: config.maxAttempts,
    cooldownHours: config.cooldownHours,
    attempts: attempts.map((a) => ({
      id: a._id.toHexString(),
      part: a.part,
      guideline: a.guideline,
      status: a.status,
      startedAt: a.startedAt.toISOString(),
      finishedAt: a.finishedAt?.toISOString() ?? null,
      score: a.score,
      passed: a.passed,
      timedOut: a.timedOut,
    })),
    certificates: certificates.map((c) => toCertificate(c, { username: fresh.username, displayName: fresh.displayName })),
    guidelines: trainingGuidelines(ctx),
    practice: await practiceProgress(ctx, fresh._id),
    pauses: await myPauses(ctx, fresh),
  };
}

async function practiceProgress(ctx: AppContext, userId: ObjectId) {
  const answers = await certificationRepo.practiceOf(ctx.db, [userId]);
  const perLabel = sumLabelScores(answers);
  const weak = Object.entries(perLabel)
    .filter(([, s]) => s.f1 !== null && s.f1 < 0.6)
    .map(([label]) => label)
    .sort();
  const times = answers.map((a) => a.timeMs).filter((t): t is number => t !== null);
  return {
    answered: answers.length,
    meanScore: answers.length ? answers.reduce((s, a) => s + a.score, 0) / answers.length : null,
    perLabel,
    weakLabels: weak,
    meanTimeMs: times.length ? times.reduce((s, t) => s + t, 0) / times.length : null,
  };
}

/** The practice half of a guideline's set, without gold, with the user's counted score per item. */
export async function practiceItems(ctx: AppContext, user: UserDoc, slug: string, version: string) {
  const { guideline, practice } = trainingContent(ctx, slug, version);
  const mine = new Map(
    (await certificationRepo.practiceOf(ctx.db, [user._id]))
      .filter((p) => p.guideline.slug === slug && p.guideline.version === version)
      .map((p) => [p.itemId, p.score]),
  );
  return {
    guideline: { slug, version, title: guideline.title, kind: guideline.kind, labelSchema: guideline.labelSchema },
    items: practice.practice.map((it) => ({ ...publicItem(it), firstScore: mine.get(it.id) ?? null })),
  };
}

/**
 * Grades a practice answer against the gold and returns the side-by-side feedback, the gold and the
 * guideline's hard case for the item. Only the first answer to an item is stored and counts.
 */
export async function answerPractice(
  ctx: AppContext,
  user: UserDoc,
  slug: string,
  version: string,
  itemId: string,
  regions: Region[],
  timeMs: number | null,
  lang: Lang,
) {
  const { guideline, practice } = trainingContent(ctx, slug, version);
  const item = practice.practice.find((it) => it.id === itemId);
  if (!item) throw new AppError('NOT_FOUND', 'no such practice item');
  const feedback = itemFeedback(item.gold, regions, guideline.labelSchema);
  const counted = await certificationRepo.insertPractice(ctx.db, {
    _id: `${user._id.toHexString()}:${slug}@${version}:${itemId}`,
    schemaVersion: 1,
    userId: user._id,
    guideline: { slug, version },
    itemId,
    at: new Date(ctx.now()),
    score: feedback.score,
    perLabel: feedback.perLabel,
    byTool: feedback.byTool,
    timeMs,
  });
  const hardCase = item.hardCase === undefined ? null : (hardCases(guideline, lang).find((h) => h.number === item.hardCase) ?? null);
  return { counted, feedback, gold: item.gold, answer: regions, hardCase };
}

/** A practice image (practice half only: exam items are served to their attempt alone). */
export function practiceMediaFile(ctx: AppContext, slug: string, version: string, itemId: string): string {
  const { practice } = trainingContent(ctx, slug, version);
  const item = practice.practice.find((it) => it.id === itemId);
  if (!item || item.media.kind !== 'image') throw new AppError('NOT_FOUND', 'no such image');
  return `${practice.dir}/${item.media.file}`;
}

/** A drawn exam item's image, for the attempt's candidate only. */
export async function attemptMediaFile(ctx: AppContext, user: UserDoc, attemptId: ObjectId, itemId: string): Promise<string> {
  const doc = await certificationRepo.attempt(ctx.db, attemptId);
  if (!doc || !doc.userId.equals(user._id) || doc.part === 'theory' || !doc.draw.includes(itemId))
    throw new AppError('NOT_FOUND', 'no such image');
  const { practice } = trainingContent(ctx, doc.guideline.slug, doc.guideline.version);
  const item = practice.exam.find((it) => it.id === itemId);
  if (!item || item.media.kind !== 'image') throw new AppError('NOT_FOUND', 'no such image');
  return `${practice.dir}/${item.media.file}`;
}

/** The lead's view of the cohort: every non-admin user's level, attempts, certificates and practice. */
export async function trainees(ctx: AppContext) {
  const users = (await usersRepo.list(ctx.db)).filter((u) => u.role !== 'admin' && !u.disabled);
  const ids = users.map((u) => u._id);
  const [attempts, certificates, practice] = await Promise.all([
    certificationRepo.attemptsOf(ctx.db, ids),
    certificationRepo.certificatesOf(ctx.db, ids),
    certificationRepo.practiceOf(ctx.db, ids),
  ]);
  const config = await certificationConfig(ctx);
  return users.map((u) => {
    const mine = attempts.filter((a) => a.userId.equals(u._id));
    const practised = practice.filter((p) => p.userId.equals(u._id));
    return {
      id: u._id.toHexString(),
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      level: u.level,
      parts: enabledParts(config.levels[u.level]),
      attempts: mine.map((a) => ({
        id: a._id.toHexString(),
        level: a.level,
        part: a.part,
        status: a.status,
        startedAt: a.startedAt.toISOString(),
        score: a.score,
        passed: a.passed,
        timedOut: a.timedOut,
      })),
      certificates: certificates
        .filter((c) => c.userId.equals(u._id))
        .map((c) => ({ id: c._id.toHexString(), number: c.number, level: c.level, issuedAt: c.issuedAt.toISOString() })),
      practice: {
        answered: practised.length,
        meanScore: practised.length ? practised.reduce((s, p) => s + p.score, 0) / practised.length : null,
      },
    };
  });
}

/** A certificate, for its holder, leads and admins. */
export async function certificate(ctx: AppContext, user: UserDoc, id: ObjectId) {
  const c = await certificationRepo.certificate(ctx.db, id);
  if (!c || (!c.userId.equals(user._id) && user.role !== 'admin' && user.role !== 'lead'))
    throw new AppError('NOT_FOUND', 'no such certificate');
  const holder = await usersRepo.byId(ctx.db, c.userId);
  // Examiners are stored by id (or `system`); the certificate names them.
  const ids = c.examiners.filter((x) => x !== 'system' && ObjectId.isValid(x)).map((x) => new ObjectId(x));
  const people = ids.length > 0 ? await usersRepo.byIds(ctx.db, ids) : [];
  return {
    ...toCertificate(c, holder ? { username: holder.username, displayName: holder.displayName } : null),
    examinerNames: c.examiners.map((x) => people.find((p) => p._id.toHexString() === x)?.displayName ?? x),
  };
}
