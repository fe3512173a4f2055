import type { ObjectId } from 'mongodb';
import { canExamineLevel } from '@labelwork/core';
import type { UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { usersRepo } from '../users/index.ts';
import { mentoringRepo } from './certification.mentoring.repository.ts';

/** Why someone may not examine a candidate (grade their specification, sit on their panel). */
export type ExaminerRefusal = 'role' | 'own-attempt' | 'level' | 'conflict';

/** People who share a conflict with the candidate: their mentor (the mentoring record), who may not examine them. */
export async function conflictsOf(ctx: AppContext, candidateId: ObjectId): Promise<Set<string>> {
  const mentorship = await mentoringRepo.mentorshipOf(ctx.db, candidateId);
  return new Set(mentorship ? [mentorship.mentorId.toHexString()] : []);
}

/**
 * Whether `examiner` may examine `candidate`: a lead or admin, never the candidate, at a higher
 * level than the candidate (L1 by L1), and not their mentor. Null when they may.
 */
export function examinerRefusal(examiner: UserDoc, candidate: UserDoc, conflicts: Set<string>): ExaminerRefusal | null {
  if (examiner.role !== 'lead' && examiner.role !== 'admin') return 'role';
  if (examiner._id.equals(candidate._id)) return 'own-attempt';
  if (!canExamineLevel(examiner.level, candidate.level)) return 'level';
  if (conflicts.has(examiner._id.toHexString())) return 'conflict';
  return null;
}

/** The candidate of an attempt (as they are now), or NOT_FOUND. */
export async function candidateOf(ctx: AppContext, userId: ObjectId): Promise<UserDoc> {
  const u = await usersRepo.byId(ctx.db, userId);
  if (!u) throw new AppError('NOT_FOUND', 'the candidate no longer exists');
  return u;
}

/** Throws NOT_AN_EXAMINER (403, details.reason) unless `examiner` may examine `candidate`. */
export async function assertExaminer(ctx: AppContext, examiner: UserDoc, candidate: UserDoc, level: UserDoc['level']): Promise<void> {
  // The level the attempt was taken at is what is examined, even if the candidate moved since.
  const refusal = examinerRefusal(examiner, { ...candidate, level }, await conflictsOf(ctx, candidate._id));
  if (refusal) throw new AppError('NOT_AN_EXAMINER', `you may not examine this candidate (${refusal})`, { reason: refusal });
}
