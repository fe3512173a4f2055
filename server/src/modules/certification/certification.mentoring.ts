import { ObjectId } from 'mongodb';
import { LEVELS } from '@labelwork/core';
import type { CertCoachingNoteDoc, CertGoalDoc, UserDoc } from '@labelwork/engine';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { canAccess } from '../access/index.ts';
import { usersRepo } from '../users/index.ts';
import { certificationRepo } from './certification.repository.ts';
import { mentoringRepo } from './certification.mentoring.repository.ts';

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD')
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'must be a real day',
  );
export const NoteInput = z.strictObject({
  date: Day,
  text: z.string().trim().min(1).max(4000),
  links: z
    .array(z.strictObject({ kind: z.enum(['attempt', 'practice']), id: z.string().min(1).max(200) }))
    .max(20)
    .default([]),
});
export const GoalInput = z.strictObject({ text: z.string().trim().min(1).max(1000), due: Day });
export const MentorInput = z.strictObject({ mentorId: z.string().regex(/^[0-9a-f]{24}$/, 'must be a user id') });

/**
 * Whether `mentorId` is the mentor of `traineeId` now. Graders use it to keep a mentor from grading
 * their own mentee (specification exercises, comprehensive-review panels).
 */
export async function isMentorOf(ctx: AppContext, mentorId: ObjectId, traineeId: ObjectId): Promise<boolean> {
  const m = await mentoringRepo.mentorshipOf(ctx.db, traineeId);
  return m !== null && m.mentorId.equals(mentorId);
}

/** Leads who share a project with the trainee, and admins, manage a trainee's mentoring. */
async function managesTrainee(ctx: AppContext, user: UserDoc, traineeId: ObjectId): Promise<boolean> {
  if (user.role === 'admin') return true;
  if (user.role !== 'lead') return false;
  return (await mentoringRepo.projectsWith(ctx.db, traineeId)).some((p) => canAccess(user, p, 'manage'));
}

const forbidden = () =>
  new AppError('FORBIDDEN', 'only the mentor, the trainee, leads of the trainee’s projects and admins see this record');

async function traineeOf(ctx: AppContext, id: ObjectId): Promise<UserDoc> {
  const u = await usersRepo.byId(ctx.db, id);
  if (!u || u.role === 'admin') throw new AppError('NOT_FOUND', 'no such trainee');
  return u;
}

const person = (u: Pick<UserDoc, '_id' | 'username' | 'displayName' | 'level' | 'role'>) => ({
  id: u._id.toHexString(),
  username: u.username,
  displayName: u.displayName,
  level: u.level,
  role: u.role,
});

const goalView = (g: CertGoalDoc) => ({
  id: g._id.toHexString(),
  text: g.text,
  due: g.due,
  done: g.done,
  doneAt: g.doneAt?.toISOString() ?? null,
});

/** Assigns `mentorId` as the trainee's mentor: a lead, or a user at a higher level; audited. */
export async function assignMentor(ctx: AppContext, user: UserDoc, traineeId: ObjectId, mentorId: ObjectId) {
  const trainee = await traineeOf(ctx, traineeId);
  if (!(await managesTrainee(ctx, user, traineeId))) throw forbidden();
  const mentor = await usersRepo.byId(ctx.db, mentorId);
  if (!mentor || mentor.disabled) throw new AppError('NOT_FOUND', 'no such user');
  const higher = LEVELS.indexOf(mentor.level) > LEVELS.indexOf(trainee.level);
  if (mentor._id.equals(trainee._id) || !(mentor.role === 'lead' || higher))
    throw new AppError('MENTOR_NOT_ELIGIBLE', 'a mentor is a lead or a user at a higher level than the trainee', {
      mentorLevel: mentor.level,
      traineeLevel: trainee.level,
    });
  const before = await mentoringRepo.mentorshipOf(ctx.db, traineeId);
  await mentoringRepo.putMentorship(ctx.db, {
    _id: traineeId,
    schemaVersion: 1,
    mentorId,
    assignedBy: user._id,
    assignedAt: new Date(ctx.now()),
  });
  await audit(
    ctx,
    user._id,
    'certification.mentor.assign',
    { type: 'user', id: traineeId },
    {
      before: before?.mentorId.toHexString() ?? null,
      after: mentorId.toHexString(),
    },
  );
  return { mentor: person(mentor) };
}

export async function unassignMentor(ctx: AppContext, user: UserDoc, traineeId: ObjectId) {
  await traineeOf(ctx, traineeId);
  if (!(await managesTrainee(ctx, user, traineeId))) throw forbidden();
  const before = await mentoringRepo.mentorshipOf(ctx.db, traineeId);
  if (!before) throw new AppError('NOT_FOUND', 'this trainee has no mentor');
  await mentoringRepo.deleteMentorship(ctx.db, traineeId);
  await audit(
    ctx,
    user._id,
    'certification.mentor.unassign',
    { type: 'user', id: traineeId },
    { before: before.mentorId.toHexString(), after: null },
  );
}

/** A trainee's mentoring record: mentor, notes, goals and the attempts notes can link to. */
export async function mentoringRecord(ctx: AppContext, user: UserDoc, traineeId: ObjectId) {
  const trainee = await traineeOf(ctx, traineeId);
  const ship = await mentoringRepo.mentorshipOf(ctx.db, traineeId);
  const isMentor = ship !== null && ship.mentorId.equals(user._id);
  if (!isMentor && !user._id.equals(traineeId) && !(await managesTrainee(ctx, user, traineeId))) throw forbidden();
  const [mentor, notes, goals, attempts, practice] = await Promise.all([
    ship ? usersRepo.byId(ctx.db, ship.mentorId) : null,
    mentoringRepo.notesOf(ctx.db, traineeId),
    mentoringRepo.goalsOf(ctx.db, [traineeId]),
    certificationRepo.attemptsOf(ctx.db, [traineeId]),
    certificationRepo.practiceOf(ctx.db, [traineeId]),
  ]);
  const authors = new Map(
    (
      await usersRepo.byIds(
        ctx.db,
        [...new Set(notes.map((n) => n.authorId.toHexString()))].map((s) => new ObjectId(s)),
      )
    ).map((u) => [u._id.toHexString(), u.username]),
  );
  return {
    trainee: person(trainee),
    mentor: mentor ? person(mentor) : null,
    canWrite: isMentor,
    canAssign: await managesTrainee(ctx, user, traineeId),
    notes: notes.map((n) => ({
      id: n._id.toHexString(),
      date: n.date,
      text: n.text,
      links: n.links,
      author: authors.get(n.authorId.toHexString()) ?? null,
      at: n.at.toISOString(),
    })),
    goals: goals.map(goalView),
    attempts: attempts.map((a) => ({
      id: a._id.toHexString(),
      level: a.level,
      part: a.part,
      startedAt: a.startedAt.toISOString(),
      score: a.score,
      passed: a.passed,
    })),
    practice: practice.map((p) => ({
      id: `${p.guideline.slug}@${p.guideline.version}:${p.itemId}`,
      score: p.score,
      at: p.at.toISOString(),
    })),
  };
}

async function asMentor(ctx: AppContext, user: UserDoc, traineeId: ObjectId): Promise<void> {
  await traineeOf(ctx, traineeId);
  if (!(await isMentorOf(ctx, user._id, traineeId))) throw new AppError('FORBIDDEN', 'only the trainee’s mentor writes notes and goals');
}

/** A coaching note by the mentor; links must be the trainee's own attempts or practice answers. */
export async function addNote(ctx: AppContext, user: UserDoc, traineeId: ObjectId, input: z.infer<typeof NoteInput>) {
  await asMentor(ctx, user, traineeId);
  const attempts = new Set((await certificationRepo.attemptsOf(ctx.db, [traineeId])).map((a) => a._id.toHexString()));
  const practice = new Set(
    (await certificationRepo.practiceOf(ctx.db, [traineeId])).map((p) => `${p.guideline.slug}@${p.guideline.version}:${p.itemId}`),
  );
  input.links.forEach((l, i) => {
    if (!(l.kind === 'attempt' ? attempts : practice).has(l.id))
      throw new AppError('VALIDATION_FAILED', 'a link is not one of the trainee’s attempts or practice answers', [
        { path: `links[${i}].id`, reason: 'invalid_value', message: 'not one of the trainee’s attempts or practice answers' },
      ]);
  });
  const doc: CertCoachingNoteDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    traineeId,
    authorId: user._id,
    date: input.date,
    text: input.text,
    links: input.links,
    at: new Date(ctx.now()),
  };
  await mentoringRepo.insertNote(ctx.db, doc);
  await audit(ctx, user._id, 'certification.mentor.note', { type: 'user', id: traineeId }, { noteId: doc._id.toHexString() });
  return { id: doc._id.toHexString(), date: doc.date, text: doc.text, links: doc.links, author: user.username, at: doc.at.toISOString() };
}

export async function addGoal(ctx: AppContext, user: UserDoc, traineeId: ObjectId, input: z.infer<typeof GoalInput>) {
  await asMentor(ctx, user, traineeId);
  const doc: CertGoalDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    traineeId,
    authorId: user._id,
    text: input.text,
    due: input.due,
    done: false,
    doneAt: null,
    at: new Date(ctx.now()),
  };
  await mentoringRepo.insertGoal(ctx.db, doc);
  return goalView(doc);
}

export async function setGoalDone(ctx: AppContext, user: UserDoc, traineeId: ObjectId, goalId: ObjectId, done: boolean) {
  await asMentor(ctx, user, traineeId);
  const g = await mentoringRepo.goal(ctx.db, goalId);
  if (!g || !g.traineeId.equals(traineeId)) throw new AppError('NOT_FOUND', 'no such goal');
  const at = new Date(ctx.now());
  await mentoringRepo.setGoalDone(ctx.db, goalId, done, at);
  return goalView({ ...g, done, doneAt: done ? at : null });
}

/** The caller's mentor and mentees (with their open goals), for the Training page. */
export async function myMentoring(ctx: AppContext, user: UserDoc) {
  const [ship, mine] = await Promise.all([mentoringRepo.mentorshipOf(ctx.db, user._id), mentoringRepo.menteesOf(ctx.db, user._id)]);
  const mentor = ship ? await usersRepo.byId(ctx.db, ship.mentorId) : null;
  const mentees = await usersRepo.byIds(
    ctx.db,
    mine.map((m) => m._id),
  );
  const goals = await mentoringRepo.goalsOf(ctx.db, [user._id, ...mentees.map((m) => m._id)]);
  const open = (id: ObjectId) => goals.filter((g) => g.traineeId.equals(id) && !g.done).map(goalView);
  return {
    mentor: mentor ? person(mentor) : null,
    openGoals: open(user._id),
    mentees: mentees.map((m) => ({ ...person(m), openGoals: open(m._id) })),
  };
}

/** Mentor and open goals of each trainee the caller manages, for the Trainees view. */
export async function mentoringOverview(ctx: AppContext, user: UserDoc) {
  const users = (await usersRepo.list(ctx.db)).filter((u) => u.role !== 'admin' && !u.disabled);
  // A lead sees the people of the projects they are a member of; an admin sees everyone.
  const shared =
    user.role === 'admin'
      ? null
      : new Set(
          (await mentoringRepo.projectsWith(ctx.db, user._id)).flatMap((p) => [p.ownerId, ...p.memberIds].map((id) => id.toHexString())),
        );
  const visible = users.filter((u) => shared === null || shared.has(u._id.toHexString()));
  const ids = visible.map((u) => u._id);
  const [ships, goals] = await Promise.all([mentoringRepo.mentorships(ctx.db, ids), mentoringRepo.goalsOf(ctx.db, ids)]);
  const mentors = new Map(
    (
      await usersRepo.byIds(
        ctx.db,
        ships.map((s) => s.mentorId),
      )
    ).map((u) => [u._id.toHexString(), u]),
  );
  return visible.map((u) => {
    const ship = ships.find((s) => s._id.equals(u._id));
    const mentor = ship ? mentors.get(ship.mentorId.toHexString()) : undefined;
    return {
      traineeId: u._id.toHexString(),
      mentor: mentor ? person(mentor) : null,
      openGoals: goals.filter((g) => g.traineeId.equals(u._id) && !g.done).map(goalView),
    };
  });
}
