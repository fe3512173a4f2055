import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ObjectId } from 'mongodb';
import { GuidelineRef, Id, Lang, Region } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth, requireRole } from '../../http/middleware.ts';
import { getAttempt, saveAttemptAnswers, startAttempt, submitAttempt } from './certification.attempts.ts';
import {
  answerPractice,
  attemptMediaFile,
  certificate,
  myCertification,
  practiceItems,
  practiceMediaFile,
  trainees,
  updateCertificationConfig,
} from './certification.service.ts';
import { certificationConfig } from './certification.promotion.ts';
import { activePauses, liftPause } from './certification.pauses.ts';
import { contestGold, openContests, resolveContest } from './certification.contests.ts';
import { questionRoutes } from './certification.questions.routes.ts';
import { mentoringRoutes } from './certification.mentoring.routes.ts';
import { gradingRoutes } from './certification.grading.ts';

const StartInput = z.strictObject({ part: z.enum(['theory', 'practical', 'review']), guideline: GuidelineRef });
const PracticeAnswer = z.strictObject({ regions: z.array(Region).max(500), timeMs: z.number().int().min(0).max(86_400_000).optional() });
const AnswersInput = z.strictObject({ answers: z.record(z.string(), z.unknown()) });
const SubmitInput = z.strictObject({ answers: z.record(z.string(), z.unknown()).optional() });
const ContestInput = z.strictObject({ itemId: Id, note: z.string().trim().min(1).max(2000) });
const ResolveInput = z.strictObject({ accept: z.boolean(), note: z.string().trim().max(2000).optional() });

const noAttempt = () => new AppError('NOT_FOUND', 'no such attempt');
const param = (req: Request, name: string) => String(req.params[name]);

/** The language questions and hard cases come in: `?lang=`, else the user's. */
function langOf(req: Request): Lang {
  const q = Lang.safeParse(req.query.lang);
  return q.success ? q.data : me(req).lang;
}

function sendImage(res: Response, file: string): void {
  // Exam and practice media are nobody's business but the candidate's: never cached by shared caches.
  res.setHeader('Cache-Control', 'private, no-store');
  res.sendFile(file, { dotfiles: 'deny' });
}

export function certificationRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  r.get('/me', async (req, res) => {
    res.json(await myCertification(ctx, me(req)));
  });
  r.get('/config', async (_req, res) => {
    res.json({ config: await certificationConfig(ctx) });
  });
  r.put('/config', requireRole('admin'), async (req, res) => {
    res.json({ config: await updateCertificationConfig(ctx, me(req), req.body) });
  });
  r.get('/practice/:slug/:version/items', async (req, res) => {
    res.json(await practiceItems(ctx, me(req), param(req, 'slug'), param(req, 'version')));
  });
  r.get('/practice/:slug/:version/items/:itemId/image', (req, res) => {
    sendImage(res, practiceMediaFile(ctx, param(req, 'slug'), param(req, 'version'), param(req, 'itemId')));
  });
  r.post('/practice/:slug/:version/items/:itemId/answers', async (req, res) => {
    const body = parseBody(PracticeAnswer, req.body);
    const out = await answerPractice(
      ctx,
      me(req),
      param(req, 'slug'),
      param(req, 'version'),
      param(req, 'itemId'),
      body.regions,
      body.timeMs ?? null,
      langOf(req),
    );
    res.status(201).json(out);
  });
  r.post('/attempts', async (req, res) => {
    const body = parseBody(StartInput, req.body);
    res.status(201).json({ attempt: await startAttempt(ctx, me(req), body.part, body.guideline, langOf(req)) });
  });
  r.get('/attempts/:id', async (req, res) => {
    res.json({ attempt: await getAttempt(ctx, me(req), idParam(req, 'id', noAttempt()), langOf(req)) });
  });
  r.put('/attempts/:id/answers', async (req, res) => {
    const body = parseBody(AnswersInput, req.body);
    res.json(await saveAttemptAnswers(ctx, me(req), idParam(req, 'id', noAttempt()), body.answers));
  });
  r.post('/attempts/:id/submit', async (req, res) => {
    const body = parseBody(SubmitInput, req.body);
    res.json({ attempt: await submitAttempt(ctx, me(req), idParam(req, 'id', noAttempt()), body.answers, langOf(req)) });
  });
  r.get('/attempts/:id/items/:itemId/image', async (req, res) => {
    sendImage(res, await attemptMediaFile(ctx, me(req), idParam(req, 'id', noAttempt()), param(req, 'itemId')));
  });
  r.get('/certificates/:id', async (req, res) => {
    res.json({ certificate: await certificate(ctx, me(req), idParam(req, 'id', new AppError('NOT_FOUND', 'no such certificate'))) });
  });
  r.get('/pauses', requireRole('admin', 'lead'), async (req, res) => {
    res.json({ pauses: await activePauses(ctx, me(req)) });
  });
  r.post('/pauses/:projectId/:userId/lift', requireRole('admin', 'lead'), async (req, res) => {
    const notPaused = new AppError('NOT_FOUND', 'this person is not paused on this project');
    await liftPause(ctx, me(req), idParam(req, 'projectId', notPaused), idParam(req, 'userId', notPaused));
    res.json({ ok: true });
  });
  r.post('/contests', async (req, res) => {
    const body = parseBody(ContestInput, req.body);
    res.status(201).json({ contest: await contestGold(ctx, me(req), new ObjectId(body.itemId), body.note) });
  });
  r.get('/contests', requireRole('admin', 'lead'), async (req, res) => {
    res.json({ contests: await openContests(ctx, me(req)) });
  });
  r.post('/contests/:id/resolve', requireRole('admin', 'lead'), async (req, res) => {
    const body = parseBody(ResolveInput, req.body);
    const id = idParam(req, 'id', new AppError('NOT_FOUND', 'no such contest'));
    res.json({ contest: await resolveContest(ctx, me(req), id, body.accept, body.note ?? null) });
  });
  gradingRoutes(ctx, r);
  questionRoutes(ctx, r);
  mentoringRoutes(ctx, r);
  r.get('/trainees', requireRole('admin', 'lead'), async (_req, res) => {
    res.json({ trainees: await trainees(ctx) });
  });
  return r;
}
