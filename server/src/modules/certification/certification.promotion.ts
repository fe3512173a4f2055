import { ObjectId } from 'mongodb';
import {
  CertificationConfig,
  certificateNumber,
  defaultCertificationConfig,
  enabledParts,
  nextLevel,
  partPassed,
  promotionStatus,
  type Level,
  type PartAttemptSummary,
} from '@labelwork/core';
import type { CertAttemptDoc, CertificateDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { audit } from '../audit/index.ts';
import { promoteUserLevel } from '../users/index.ts';
import { certificationRepo } from './certification.repository.ts';

/** The admins' configuration, or the defaults when none was saved (or the saved one no longer parses). */
export async function certificationConfig(ctx: AppContext): Promise<CertificationConfig> {
  const doc = await certificationRepo.config(ctx.db);
  const parsed = doc ? CertificationConfig.safeParse(doc.config) : null;
  return parsed?.success ? parsed.data : defaultCertificationConfig();
}

export function partSummaries(
  attempts: readonly Pick<CertAttemptDoc, 'part' | 'startedAt' | 'finishedAt' | 'score' | 'passed'>[],
): PartAttemptSummary[] {
  return attempts.map((a) => ({ part: a.part, startedAt: a.startedAt, finishedAt: a.finishedAt, score: a.score, passed: a.passed }));
}

/**
 * Promotes the user one level when every enabled part of their level's exam has a passing attempt:
 * the level moves only if it is still `level` (two closes racing promote once), then the
 * certificate is written with the best passing attempt of each part. Returns the certificate, if any.
 */
export async function promoteIfReady(ctx: AppContext, userId: ObjectId, level: Level): Promise<CertificateDoc | null> {
  const config = (await certificationConfig(ctx)).levels[level];
  const attempts = (await certificationRepo.attemptsAt(ctx.db, userId, level)).filter((a) => a.status === 'graded');
  if (!promotionStatus(config, partSummaries(attempts)).ready) return null;
  const to = nextLevel(level);
  const now = new Date(ctx.now());
  const year = now.getUTCFullYear();
  const number = certificateNumber(year, level, await certificationRepo.nextCertificateSeq(ctx.db, year));
  const parts = enabledParts(config).flatMap((part) => {
    const best = attempts
      .filter((a) => a.part === part && partPassed(config, part, a.score) && a.passed !== false)
      .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))[0];
    return best ? [{ part, score: best.score as number, passMark: best.passMark, attemptId: best._id }] : [];
  });
  const used = attempts.filter((a) => parts.some((p) => p.attemptId.equals(a._id)));
  const guidelines = [...new Map(used.map((a) => [`${a.guideline.slug}@${a.guideline.version}`, a.guideline])).values()];
  const cert: CertificateDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    levelKey: `${userId.toHexString()}:${level}`,
    number,
    userId,
    level,
    promotedTo: to,
    issuedAt: now,
    parts,
    // `system` for the machine-graded parts, then the people who graded the others (a lead, a panel).
    examiners: [...(used.some((a) => !a.examiners) ? ['system'] : []), ...new Set(used.flatMap((a) => a.examiners ?? []))],
    guidelines,
  };
  // The certificate first (unique per user and level): of two closes racing, one issues and promotes.
  if (!(await certificationRepo.insertCertificate(ctx.db, cert))) return null;
  if (to !== null) await promoteUserLevel(ctx, userId, level, to, { certificate: number });
  await audit(ctx, null, 'certificate.issue', { type: 'user', id: userId }, { number, level, promotedTo: to });
  return cert;
}

/** A certificate as the API shows it. */
export function toCertificate(c: CertificateDoc, holder: { username: string; displayName: string } | null) {
  return {
    id: c._id.toHexString(),
    number: c.number,
    userId: c.userId.toHexString(),
    holder,
    level: c.level,
    promotedTo: c.promotedTo,
    issuedAt: c.issuedAt.toISOString(),
    parts: c.parts.map((p) => ({ part: p.part, score: p.score, passMark: p.passMark, attemptId: p.attemptId.toHexString() })),
    examiners: c.examiners,
    guidelines: c.guidelines,
  };
}
