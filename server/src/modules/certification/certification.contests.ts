import { ObjectId } from 'mongodb';
import type { CertContestDoc, UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { canAccess, loadProject } from '../access/index.ts';
import { audit } from '../audit/index.ts';
import { certificationRepo } from './certification.repository.ts';
import { goldRuleChanged } from './certification.pauses.ts';

function toContest(c: CertContestDoc, names: { username?: string; projectName?: string } = {}) {
  return {
    id: c._id.toHexString(),
    projectId: c.projectId.toHexString(),
    projectName: names.projectName ?? '',
    itemId: c.itemId.toHexString(),
    userId: c.userId.toHexString(),
    username: names.username ?? '',
    note: c.note,
    status: c.status,
    at: c.at.toISOString(),
    resolvedAt: c.resolvedAt?.toISOString() ?? null,
    resolution: c.resolution,
  };
}

/** "The gold answer is wrong": only for a gold item the caller answered (and was scored on). */
export async function contestGold(ctx: AppContext, user: UserDoc, itemId: ObjectId, note: string) {
  const answer = await certificationRepo.goldAnswerOf(ctx.db, itemId, user._id);
  if (!answer || answer.scope !== 'gold') throw new AppError('NOT_FOUND', 'you have no scored answer to this gold item');
  const doc: CertContestDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    contestKey: `${itemId.toHexString()}:${user._id.toHexString()}`,
    projectId: answer.projectId,
    itemId,
    userId: user._id,
    note,
    status: 'open',
    at: new Date(ctx.now()),
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
  };
  if (!(await certificationRepo.insertContest(ctx.db, doc))) throw new AppError('CONFLICT', 'you already contested this gold item');
  await audit(ctx, user._id, 'certification.contest', { type: 'item', id: itemId }, { projectId: answer.projectId.toHexString() });
  return toContest(doc, { username: user.username });
}

/** Open contests on the projects the caller manages (admins: all). */
export async function openContests(ctx: AppContext, user: UserDoc) {
  const contests = await certificationRepo.openContests(ctx.db);
  const projects = await certificationRepo.projectsByIds(
    ctx.db,
    [...new Set(contests.map((c) => c.projectId.toHexString()))].map((s) => new ObjectId(s)),
  );
  const mine = contests.filter((c) => {
    const p = projects.find((x) => x._id.equals(c.projectId));
    return p !== undefined && (user.role === 'admin' || canAccess(user, p, 'manage'));
  });
  const users = await certificationRepo.usersByIds(
    ctx.db,
    mine.map((c) => c.userId),
  );
  return mine.map((c) =>
    toContest(c, {
      username: users.find((u) => u._id.equals(c.userId))?.username ?? '',
      projectName: projects.find((p) => p._id.equals(c.projectId))?.name ?? '',
    }),
  );
}

/**
 * A manager of the project accepts or rejects a contest (audited). Accepting takes every answer to
 * the item up to now out of everyone's rolling gold accuracy; the manager fixes the gold itself with
 * `PUT /api/items/:id/gold`, so later answers are scored against the corrected gold.
 */
export async function resolveContest(ctx: AppContext, actor: UserDoc, id: ObjectId, accept: boolean, resolution: string | null) {
  const c = await certificationRepo.contest(ctx.db, id);
  if (!c) throw new AppError('NOT_FOUND', 'no such contest');
  await loadProject(ctx, actor, c.projectId, 'manage');
  const set = {
    status: accept ? ('accepted' as const) : ('rejected' as const),
    resolvedAt: new Date(ctx.now()),
    resolvedBy: actor._id,
    resolution,
  };
  if (!(await certificationRepo.resolveContest(ctx.db, id, set))) throw new AppError('CONFLICT', 'this contest is already resolved');
  if (accept) await goldRuleChanged(ctx);
  await audit(
    ctx,
    actor._id,
    accept ? 'certification.contest.accept' : 'certification.contest.reject',
    { type: 'item', id: c.itemId },
    { contestId: id.toHexString() },
  );
  return toContest({ ...c, ...set });
}
