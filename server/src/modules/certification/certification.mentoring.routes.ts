import type { Router } from 'express';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireRole } from '../../http/middleware.ts';
import { z } from 'zod';
import { ObjectId } from 'mongodb';
import {
  GoalInput,
  MentorInput,
  NoteInput,
  addGoal,
  addNote,
  assignMentor,
  mentoringOverview,
  mentoringRecord,
  myMentoring,
  setGoalDone,
  unassignMentor,
} from './certification.mentoring.ts';

const noTrainee = () => new AppError('NOT_FOUND', 'no such trainee');
const DoneInput = z.strictObject({ done: z.boolean() });

/** Mentoring: `/mentoring/...` (who mentors whom, coaching notes, goals). */
export function mentoringRoutes(ctx: AppContext, r: Router): void {
  r.get('/mentoring/me', async (req, res) => {
    res.json(await myMentoring(ctx, me(req)));
  });
  r.get('/mentoring/overview', requireRole('admin', 'lead'), async (req, res) => {
    res.json({ trainees: await mentoringOverview(ctx, me(req)) });
  });
  r.get('/mentoring/:traineeId', async (req, res) => {
    res.json(await mentoringRecord(ctx, me(req), idParam(req, 'traineeId', noTrainee())));
  });
  r.put('/mentoring/:traineeId/mentor', requireRole('admin', 'lead'), async (req, res) => {
    const body = parseBody(MentorInput, req.body);
    res.json(await assignMentor(ctx, me(req), idParam(req, 'traineeId', noTrainee()), new ObjectId(body.mentorId)));
  });
  r.delete('/mentoring/:traineeId/mentor', requireRole('admin', 'lead'), async (req, res) => {
    await unassignMentor(ctx, me(req), idParam(req, 'traineeId', noTrainee()));
    res.json({ ok: true });
  });
  r.post('/mentoring/:traineeId/notes', async (req, res) => {
    const body = parseBody(NoteInput, req.body);
    res.status(201).json({ note: await addNote(ctx, me(req), idParam(req, 'traineeId', noTrainee()), body) });
  });
  r.post('/mentoring/:traineeId/goals', async (req, res) => {
    const body = parseBody(GoalInput, req.body);
    res.status(201).json({ goal: await addGoal(ctx, me(req), idParam(req, 'traineeId', noTrainee()), body) });
  });
  r.post('/mentoring/:traineeId/goals/:goalId/done', async (req, res) => {
    const body = parseBody(DoneInput, req.body);
    const goalId = idParam(req, 'goalId', new AppError('NOT_FOUND', 'no such goal'));
    res.json({ goal: await setGoalDone(ctx, me(req), idParam(req, 'traineeId', noTrainee()), goalId, body.done) });
  });
}
