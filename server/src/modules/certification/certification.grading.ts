import { type Router } from 'express';
import { z } from 'zod';
import { ObjectId } from 'mongodb';
import { GuidelineRef, Id } from '@labelwork/core';
import type { UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireRole } from '../../http/middleware.ts';
import { usersRepo } from '../users/index.ts';
import { conflictsOf, examinerRefusal } from './certification.examiners.ts';
import { gradedRepo } from './certification.graded.repository.ts';
import { convenePanel, getPanel, scorePanel, submitPortfolio } from './certification.panel.ts';
import {
  claimSpecification,
  getSpecification,
  gradeSpecification,
  releaseSpecification,
  saveSpecification,
  startSpecification,
  submitSpecification,
} from './certification.specification.ts';

const Comment = z.string().trim().max(4000);
const Points = z.record(z.string().max(40), z.number()).refine((r) => Object.keys(r).length <= 20, 'at most 20 criteria');
const Comments = z.record(z.string().max(40), Comment).optional();
const StartSpec = z.strictObject({ guideline: GuidelineRef });
const SpecBody = z.strictObject({ spec: z.unknown() });
const SubmitSpec = z.strictObject({ spec: z.unknown().optional() });
const GradeBody = z.strictObject({ points: Points, comments: Comments, comment: Comment.min(1) });
const PortfolioBody = z.strictObject({
  statement: z.string().trim().min(1).max(8000),
  links: z.array(z.string().trim().url().max(500)).max(20).default([]),
});
const ConveneBody = z.strictObject({ members: z.array(Id).min(1).max(9) });
const PanelScoreBody = z.strictObject({ points: Points, comments: Comments, comment: Comment.min(1), defenseNote: Comment.min(1) });

const noSpec = () => new AppError('NOT_FOUND', 'no such specification exercise');
const noPanel = () => new AppError('NOT_FOUND', 'no such comprehensive review');

/**
 * The leads' grading queue: handed-in specification exercises (who holds each) and comprehensive
 * reviews (to convene, or waiting for the caller's score), with counts. The caller's own attempts
 * and candidates they may not examine are left out.
 */
export async function gradingQueue(ctx: AppContext, user: UserDoc) {
  const [specs, panels] = await Promise.all([gradedRepo.openSpecifications(ctx.db), gradedRepo.openPanels(ctx.db)]);
  const ids = [
    ...specs.flatMap((s) => [s.userId, ...(s.claimedBy ? [s.claimedBy] : [])]),
    ...panels.flatMap((p) => [p.userId, ...p.members]),
  ];
  const people = await usersRepo.byIds(ctx.db, ids);
  const person = (id: ObjectId) => people.find((p) => p._id.equals(id));
  const may = async (candidateId: ObjectId, level: UserDoc['level']) => {
    const c = person(candidateId);
    return c !== undefined && examinerRefusal(user, { ...c, level }, await conflictsOf(ctx, candidateId)) === null;
  };
  const specifications = [];
  for (const s of specs) {
    if (!(await may(s.userId, s.level))) continue;
    specifications.push({
      id: s._id.toHexString(),
      candidate: person(s.userId)?.displayName ?? null,
      level: s.level,
      guideline: s.guideline,
      submittedAt: s.submittedAt?.toISOString() ?? null,
      timedOut: s.timedOut,
      claimedBy: s.claimedBy ? (person(s.claimedBy)?.displayName ?? null) : null,
      claimedByMe: s.claimedBy?.equals(user._id) ?? false,
    });
  }
  const reviews = [];
  for (const p of panels) {
    const isMember = p.members.some((m) => m.equals(user._id));
    if (!isMember && !(await may(p.userId, p.level))) continue;
    const scores = await gradedRepo.panelScores(ctx.db, p._id);
    reviews.push({
      id: p._id.toHexString(),
      candidate: person(p.userId)?.displayName ?? null,
      level: p.level,
      submittedAt: p.submittedAt.toISOString(),
      convened: p.members.length > 0,
      members: p.members.length,
      scored: scores.length,
      awaitingMyScore: isMember && !scores.some((s) => s.memberId.equals(user._id)),
    });
  }
  return {
    counts: {
      specificationsOpen: specifications.filter((s) => s.claimedBy === null).length,
      specificationsMine: specifications.filter((s) => s.claimedByMe).length,
      specificationsClaimed: specifications.filter((s) => s.claimedBy !== null && !s.claimedByMe).length,
      panelsToConvene: reviews.filter((r) => !r.convened).length,
      panelsAwaitingMyScore: reviews.filter((r) => r.awaitingMyScore).length,
      panelsInProgress: reviews.filter((r) => r.convened).length,
    },
    specifications,
    panels: reviews,
  };
}

/** Routes of the parts graded by people, on the certification router (README "Certification"). */
export function gradingRoutes(ctx: AppContext, r: Router): void {
  r.get('/grading', requireRole('admin', 'lead'), async (req, res) => {
    res.json(await gradingQueue(ctx, me(req)));
  });
  r.post('/specifications', async (req, res) => {
    const body = parseBody(StartSpec, req.body);
    res.status(201).json({ specification: await startSpecification(ctx, me(req), body.guideline) });
  });
  r.get('/specifications/:id', async (req, res) => {
    res.json({ specification: await getSpecification(ctx, me(req), idParam(req, 'id', noSpec())) });
  });
  r.put('/specifications/:id', async (req, res) => {
    const body = parseBody(SpecBody, req.body);
    res.json(await saveSpecification(ctx, me(req), idParam(req, 'id', noSpec()), body.spec));
  });
  r.post('/specifications/:id/submit', async (req, res) => {
    const body = parseBody(SubmitSpec, req.body ?? {});
    res.json({ specification: await submitSpecification(ctx, me(req), idParam(req, 'id', noSpec()), body.spec) });
  });
  r.post('/specifications/:id/claim', requireRole('admin', 'lead'), async (req, res) => {
    res.json({ specification: await claimSpecification(ctx, me(req), idParam(req, 'id', noSpec())) });
  });
  r.post('/specifications/:id/release', requireRole('admin', 'lead'), async (req, res) => {
    res.json(await releaseSpecification(ctx, me(req), idParam(req, 'id', noSpec())));
  });
  r.post('/specifications/:id/grade', requireRole('admin', 'lead'), async (req, res) => {
    const body = parseBody(GradeBody, req.body);
    res.json({ specification: await gradeSpecification(ctx, me(req), idParam(req, 'id', noSpec()), body) });
  });
  r.post('/panels', async (req, res) => {
    const body = parseBody(PortfolioBody, req.body);
    res.status(201).json({ panel: await submitPortfolio(ctx, me(req), body) });
  });
  r.get('/panels/:id', async (req, res) => {
    res.json({ panel: await getPanel(ctx, me(req), idParam(req, 'id', noPanel())) });
  });
  r.post('/panels/:id/convene', requireRole('admin', 'lead'), async (req, res) => {
    const body = parseBody(ConveneBody, req.body);
    const members = body.members.map((m) => new ObjectId(m));
    res.json({ panel: await convenePanel(ctx, me(req), idParam(req, 'id', noPanel()), members) });
  });
  r.post('/panels/:id/scores', requireRole('admin', 'lead'), async (req, res) => {
    const body = parseBody(PanelScoreBody, req.body);
    res.status(201).json({ panel: await scorePanel(ctx, me(req), idParam(req, 'id', noPanel()), body) });
  });
}
