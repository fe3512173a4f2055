import { ObjectId } from 'mongodb';
import { goldPauseDecision } from '@labelwork/core';
import type { CertPauseDoc, ProjectDoc, UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { canAccess, loadProject } from '../access/index.ts';
import { audit } from '../audit/index.ts';
import { certificationRepo } from './certification.repository.ts';
import { goldResultsRepo } from './certification.gold.repository.ts';
import { certificationConfig } from './certification.promotion.ts';

const pauseId = (projectId: ObjectId, userId: ObjectId) => `${projectId.toHexString()}:${userId.toHexString()}`;

function pausedError(p: Pick<CertPauseDoc, 'accuracy' | 'answers' | 'threshold'>): AppError {
  return new AppError(
    'GOLD_PAUSED',
    'your accuracy on gold items here fell below the threshold: practise, then ask a lead to lift the pause',
    {
      accuracy: p.accuracy,
      answers: p.answers,
      threshold: p.threshold,
    },
  );
}

/**
 * The rolling gold accuracy can change only when a new gold score is recorded (the engine's per-user
 * `accN` counter moves: the quality worker stores the score first, then counts it), a pause is lifted,
 * a contest is accepted or the rule changes (each bumps the generation below). The check is repeated
 * only then: re-reading the gold answers on every task drawn scans the results on FerretDB and made
 * next-task take seconds under load (bench:assign).
 *
 * A person's first draw in a project needs no database read either once the project's gold answerers
 * are counted: one background scan per project (and per Redis lifetime) puts everyone with a gold
 * answer on record into `gold-answerers` and then sets `gold-counted`; a score recorded after the
 * scan started moves its person's `accN`. So with `gold-counted` set, someone with no `accN` and not
 * in the set has no gold answer here, hence neither a pause nor a reason for one (a pause is only
 * made from answers). Redis losing everything takes the marker with it, so the scan runs again.
 */
/** In the project's hash tag, like every key naming a project (one Redis Cluster slot per project). */
const certKey = (ctx: AppContext, projectId: ObjectId, name: string) =>
  `${ctx.config.REDIS_PREFIX}:cert-{${projectId.toHexString()}}:${name}`;
const checkedKey = (ctx: AppContext, projectId: ObjectId, userId: ObjectId) =>
  certKey(ctx, projectId, `gold-checked:${userId.toHexString()}`);
const generationKey = (ctx: AppContext) => `${ctx.config.REDIS_PREFIX}:cert:gold-generation`;
const CHECKED_TTL_S = 24 * 3600;
/** How long one process may take to count a project's gold answerers before another may try. */
const COUNTING_LOCK_S = 120;

/**
 * Counts a project's gold answerers into Redis (see above), once: runs in the background of a first
 * draw, one process at a time; a failure leaves the marker unset (first draws keep reading the database).
 */
async function countGoldAnswerers(ctx: AppContext, projectId: ObjectId): Promise<void> {
  if ((await ctx.redis.set(certKey(ctx, projectId, 'gold-counting'), '1', 'EX', COUNTING_LOCK_S, 'NX')) !== 'OK') return;
  const users = await goldResultsRepo.answerers(ctx.db, projectId);
  const m = ctx.redis.multi();
  if (users.length) m.sadd(certKey(ctx, projectId, 'gold-answerers'), ...users.map((u) => u.toHexString()));
  m.set(certKey(ctx, projectId, 'gold-counted'), '1');
  await m.exec();
}

/** A pause was lifted, a contest accepted or the rule changed: every person's gold accuracy is checked afresh. */
export async function goldRuleChanged(ctx: AppContext): Promise<void> {
  await ctx.redis.incr(generationKey(ctx));
}

/** What {@link goldPauseQuick} found: `done` when nothing more needs checking. */
export interface GoldPauseQuick {
  done: boolean;
  /** The state the check is made in (`accN:generation`), marked once found not paused. */
  state: string;
  scored: string | null;
}

/**
 * The Redis-only part of the gold-pause check (one round trip): done when the person was already
 * found not paused in the current state, or is a lead or admin. Kept apart so that "next" can send
 * it beside its first queue read rather than before it.
 */
export async function goldPauseQuick(ctx: AppContext, user: UserDoc, project: ProjectDoc): Promise<GoldPauseQuick> {
  if (user.role === 'admin' || user.role === 'lead') return { done: true, state: '', scored: null };
  const [scored, generation, checked] = await Promise.all([
    ctx.redis.hget(ctx.tasks.keys(project._id.toHexString()).user(user._id.toHexString()), 'accN'),
    ctx.redis.get(generationKey(ctx)),
    ctx.redis.get(checkedKey(ctx, project._id, user._id)),
  ]);
  const state = `${scored ?? '0'}:${generation ?? '0'}`;
  // Checked and not paused in this very state (a pause is only made below, in a state never marked; lifting one moves the generation).
  return { done: checked === state, state, scored };
}

/**
 * Staying certified: before a person draws a task, their rolling accuracy over their latest gold
 * answers on this project (since a pause was last lifted) is checked against the rule; below it, they
 * are paused here (recorded once, audited) until a lead lifts it. Leads and admins are not checked.
 * `quick` is {@link goldPauseQuick}'s answer when the caller already asked for it.
 */
export async function assertNotGoldPaused(ctx: AppContext, user: UserDoc, project: ProjectDoc, quick?: GoldPauseQuick): Promise<void> {
  const { done, state, scored } = quick ?? (await goldPauseQuick(ctx, user, project));
  if (done) return;
  const id = pauseId(project._id, user._id);
  const pid = project._id.toHexString();
  const uid = user._id.toHexString();
  // No gold answer here at all (see above): nothing to check. Read only now: most draws stop above.
  const [counted, answered] = await Promise.all([
    ctx.redis.get(certKey(ctx, project._id, 'gold-counted')),
    ctx.redis.sismember(certKey(ctx, project._id, 'gold-answerers'), uid),
  ]);
  if (counted === '1' && !Number(scored ?? 0) && answered === 0) {
    await ctx.redis.set(checkedKey(ctx, project._id, user._id), state, 'EX', CHECKED_TTL_S);
    return;
  }
  if (counted !== '1')
    countGoldAnswerers(ctx, project._id).catch((e: unknown) => ctx.log.warn('gold answerers not counted', { projectId: pid, err: e }));
  // Side by side, not one after the other: this runs at a person's first draw in a project, and a
  // thousand people starting at once queue these reads on the database (bench:assign).
  const [current, config] = await Promise.all([certificationRepo.pause(ctx.db, id), certificationConfig(ctx)]);
  if (current?.active) throw pausedError(current);
  const rule = config.goldAccuracy;
  const since = current?.liftedAt ?? undefined;
  const answers = await certificationRepo.goldAnswers(ctx.db, project._id, user._id, rule.window, since);
  const decision = goldPauseDecision(answers, rule, since);
  if (!decision.pause || decision.value === null) {
    await ctx.redis.set(checkedKey(ctx, project._id, user._id), state, 'EX', CHECKED_TTL_S);
    return;
  }
  const doc: CertPauseDoc = {
    _id: id,
    schemaVersion: 1,
    projectId: project._id,
    userId: user._id,
    active: true,
    pausedAt: new Date(ctx.now()),
    accuracy: decision.value,
    answers: decision.n,
    threshold: rule.threshold,
    liftedAt: null,
    liftedBy: null,
  };
  await certificationRepo.putPause(ctx.db, doc);
  await audit(
    ctx,
    null,
    'certification.pause',
    { type: 'user', id: user._id },
    { projectId: project._id.toHexString(), accuracy: decision.value, answers: decision.n },
  );
  throw pausedError(doc);
}

function toPause(p: CertPauseDoc, names: Map<string, { username: string; projectName: string }>) {
  const n = names.get(p._id);
  return {
    projectId: p.projectId.toHexString(),
    projectName: n?.projectName ?? '',
    userId: p.userId.toHexString(),
    username: n?.username ?? '',
    pausedAt: p.pausedAt.toISOString(),
    accuracy: p.accuracy,
    answers: p.answers,
    threshold: p.threshold,
  };
}

/** Active pauses on the projects the caller manages (admins: all). */
export async function activePauses(ctx: AppContext, user: UserDoc) {
  const pauses = await certificationRepo.activePauses(ctx.db);
  const projects = await certificationRepo.projectsByIds(
    ctx.db,
    [...new Set(pauses.map((p) => p.projectId.toHexString()))].map((s) => new ObjectId(s)),
  );
  const byId = new Map(projects.map((p) => [p._id.toHexString(), p]));
  const mine = pauses.filter((p) => {
    const project = byId.get(p.projectId.toHexString());
    return project !== undefined && (user.role === 'admin' || canAccess(user, project, 'manage'));
  });
  const users = await certificationRepo.usersByIds(
    ctx.db,
    mine.map((p) => p.userId),
  );
  const names = new Map(
    mine.map((p) => [
      p._id,
      { username: users.find((u) => u._id.equals(p.userId))?.username ?? '', projectName: byId.get(p.projectId.toHexString())?.name ?? '' },
    ]),
  );
  return mine.map((p) => toPause(p, names));
}

/** The caller's own active pauses (shown on their Training page with the reason). */
export async function myPauses(ctx: AppContext, user: UserDoc) {
  const pauses = (await certificationRepo.activePauses(ctx.db)).filter((p) => p.userId.equals(user._id));
  const projects = await certificationRepo.projectsByIds(
    ctx.db,
    pauses.map((p) => p.projectId),
  );
  return pauses.map((p) =>
    toPause(p, new Map([[p._id, { username: user.username, projectName: projects.find((x) => x._id.equals(p.projectId))?.name ?? '' }]])),
  );
}

/** A project manager lifts a pause: the person may draw tasks again, their gold history starts afresh; audited. */
export async function liftPause(ctx: AppContext, actor: UserDoc, projectId: ObjectId, userId: ObjectId): Promise<void> {
  await loadProject(ctx, actor, projectId, 'manage');
  const id = pauseId(projectId, userId);
  const lifted = await certificationRepo.liftPause(ctx.db, id, actor._id, new Date(ctx.now()));
  if (!lifted) throw new AppError('NOT_FOUND', 'this person is not paused on this project');
  await goldRuleChanged(ctx);
  await audit(ctx, actor._id, 'certification.pause.lift', { type: 'user', id: userId }, { projectId: projectId.toHexString() });
}
