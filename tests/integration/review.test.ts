import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { ObjectId } from 'mongodb';
import type { Ack, ReviewComment, ReviewQueuedPayload, ReviewVerdictPayload } from '@labelwork/core';
import { heartbeatMsOf } from '@labelwork/core';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { ApiClient } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { signedInUser } from '../support/project-setup.ts';
import { answer, connected, sid, socketFor, startTestWorkers, textProject, waitFor, type TestUser } from '../support/tasks.ts';

let t: TestApp;
let workers: RunningWorkers;
let admin: ApiClient;
let lead: TestUser;
let annos: TestUser[];
let trainee: TestUser;
let reviewer: TestUser;
let reviewer2: TestUser;
let lowReviewer: TestUser;
let noFlag: TestUser;
let outsider: TestUser;
const sockets: Socket[] = [];

const user = (username: string, role: string, level: string, reviewer = false) =>
  signedInUser(admin, { name: username, role, level, reviewer });

function sock(u: TestUser): Socket {
  const s = socketFor(u.client);
  sockets.push(s);
  return s;
}
const emitAck = <T extends object = object>(s: Socket, ev: string, p: unknown) => new Promise<Ack<T>>((resolve) => s.emit(ev, p, resolve));

async function project(opts: {
  n: number;
  overlap?: number;
  policy: Record<string, unknown>;
  members?: TestUser[];
}): Promise<{ projectId: string; itemIds: string[] }> {
  const members = opts.members ?? [...annos, trainee, reviewer, reviewer2, lowReviewer, noFlag];
  return textProject(
    lead.client,
    members.map((m) => m.id),
    { n: opts.n, overlap: opts.overlap ?? 1, reviewPolicy: opts.policy },
  );
}

async function annotate(u: TestUser, projectId: string, i = 0): Promise<{ itemId: string; annotationId: string }> {
  const n = await u.client.post(`/api/projects/${projectId}/tasks/next`);
  if (n.status !== 200) throw new Error(`next: ${JSON.stringify(n.body)}`);
  const s = await u.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, { submissionId: sid(), ...answer(i) });
  if (s.status !== 201) throw new Error(`submit: ${JSON.stringify(s.body)}`);
  return { itemId: n.body.task.item.id, annotationId: s.body.annotation.id };
}

const nextReview = (u: TestUser, projectId: string) => u.client.post(`/api/projects/${projectId}/review/next`);
const verdict = (u: TestUser, projectId: string, taskId: string, body: Record<string, unknown>) =>
  u.client.post(`/api/projects/${projectId}/review/tasks/${taskId}/verdict`, body);

beforeAll(async () => {
  t = await startTestApp({ LEASE_MS: '5000', STALLED_INTERVAL_MS: '500' });
  workers = await startTestWorkers(t);
  admin = await t.admin();
  lead = await user('lead', 'lead', 'L2');
  annos = [await user('anno0', 'annotator', 'L4'), await user('anno1', 'annotator', 'L4')];
  trainee = await user('trainee', 'annotator', 'L5');
  reviewer = await user('rev', 'annotator', 'L2', true);
  reviewer2 = await user('rev2', 'annotator', 'L1', true);
  lowReviewer = await user('revl3', 'annotator', 'L3', true);
  noFlag = await user('noflag', 'annotator', 'L1');
  outsider = await user('outsider', 'annotator', 'L1', true);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await workers?.close(1000);
  await t?.close();
});

describe('review lifecycle', () => {
  it('reject → rework → re-review → accept, live to both sides, stored and audited', async () => {
    const { projectId } = await project({ n: 2, policy: { sampleRate: 1 } });
    const a = annos[0]!;
    const [rs, as] = [sock(reviewer), sock(a)];
    await Promise.all([connected(rs), connected(as)]);
    expect(await emitAck(rs, 'review:join', { projectId })).toEqual({ ok: true });
    const queued = new Promise<ReviewQueuedPayload>((resolve) => rs.once('review:queued', resolve));
    const started = Date.now();
    const { itemId, annotationId } = await annotate(a, projectId, 0);
    const q = await queued;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(q).toMatchObject({ projectId, itemId, annotationId, annotatorId: a.id, reasons: ['sample'], round: 0 });

    const n = await nextReview(reviewer, projectId);
    expect(n.status).toBe(200);
    const task = n.body.task;
    // Reviewer leases beat like the annotators' (one rule, heartbeatMsOf): it was leaseMs / 3 with a 1 s floor.
    expect(task.heartbeatMs).toBe(heartbeatMsOf(task.leaseMs));
    expect(task).toMatchObject({
      taskId: q.taskId,
      itemId,
      annotationId,
      annotatorId: a.id,
      round: 0,
      reasons: ['sample'],
      resumed: false,
    });
    expect(task.item.text).toMatch(/^text number/);
    expect(task.annotations).toEqual([
      expect.objectContaining({ id: annotationId, userId: a.id, username: a.username, underReview: true, regions: answer(0).regions }),
    ]);
    // Drawing again resumes the same lease; a second reviewer does not get it.
    expect((await nextReview(reviewer, projectId)).body.task).toMatchObject({ taskId: task.taskId, token: task.token, resumed: true });
    expect((await nextReview(reviewer2, projectId)).body.error.code).toBe('NOTHING_TO_DO');

    const gotVerdict = new Promise<ReviewVerdictPayload>((resolve) => as.once('review:verdict', resolve));
    const rej = await verdict(reviewer, projectId, task.taskId, {
      token: task.token,
      verdict: 'reject',
      comments: [{ anchor: { kind: 'region', regionId: 'c' }, text: '这个类别不对' }],
    });
    expect(rej.status).toBe(201);
    const v = await gotVerdict;
    expect(v).toMatchObject({
      taskId: task.taskId,
      annotationId,
      itemId,
      verdict: 'reject',
      comments: [{ anchor: { kind: 'region', regionId: 'c' }, text: '这个类别不对' }],
    });
    // The lease is spent: the token no longer works.
    expect((await verdict(reviewer, projectId, task.taskId, { token: task.token, verdict: 'accept' })).status).toBe(409);

    const rw = await a.client.get(`/api/projects/${projectId}/rework`);
    expect(rw.body.tasks).toEqual([
      expect.objectContaining({
        taskId: task.taskId,
        annotationId,
        version: 1,
        comments: [expect.objectContaining({ text: '这个类别不对' })],
        item: expect.objectContaining({ id: itemId, kind: 'text', text: task.item.text }),
      }),
    ]);
    // Someone else cannot submit the rework.
    expect((await annos[1]!.client.post(`/api/projects/${projectId}/rework/${task.taskId}`, { version: 1, ...answer(1) })).status).toBe(
      404,
    );
    const requeued = new Promise<ReviewQueuedPayload>((resolve) => rs.once('review:queued', resolve));
    const fixed = await a.client.post(`/api/projects/${projectId}/rework/${task.taskId}`, { version: 1, ...answer(1) });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toEqual({ taskId: `${annotationId}-1`, version: 2 });
    expect(await requeued).toMatchObject({ taskId: `${annotationId}-1`, reasons: ['rework'], round: 1 });
    expect((await a.client.get(`/api/projects/${projectId}/rework`)).body.tasks).toEqual([]);

    const again = (await nextReview(reviewer, projectId)).body.task;
    expect(again).toMatchObject({ taskId: `${annotationId}-1`, round: 1, reasons: ['rework'] });
    expect(again.annotations[0]).toMatchObject({ version: 2, regions: answer(1).regions });
    expect(again.comments).toHaveLength(1);
    const accepted = new Promise<ReviewVerdictPayload>((resolve) => as.once('review:verdict', resolve));
    expect((await verdict(reviewer, projectId, again.taskId, { token: again.token, verdict: 'accept' })).status).toBe(201);
    expect((await accepted).verdict).toBe('accept');

    const history = (await lead.client.get(`/api/projects/${projectId}/reviews?annotationId=${annotationId}`)).body.reviews;
    expect(history.map((r: { verdict: string; round: number }) => [r.verdict, r.round])).toEqual([
      ['accept', 1],
      ['reject', 0],
    ]);
    const auditActions = (await t.app.ctx.db.audit.find({ targetType: 'annotation', targetId: annotationId }).toArray())
      .map((d) => d.action)
      .sort();
    expect(auditActions).toEqual(['annotation.edit', 'review.accept', 'review.reject', 'review.rework']);
    // What a client that was offline missed: one verdict per review, comments with the reject.
    const inbox = (await a.client.get(`/api/review/inbox?since=${new Date(started - 1).toISOString()}`)).body;
    expect(inbox.verdicts.map((r: { verdict: string }) => r.verdict)).toEqual(['reject', 'accept']);
    expect(inbox.verdicts[0].comments).toHaveLength(1);
    expect(await reviewCounts(projectId)).toMatchObject({ pending: 0, leased: 0, rework: 0 });
  });

  it("fix keeps the annotator's version and the reviewer's; comments reach the annotator and the item room live", async () => {
    const { projectId } = await project({ n: 1, policy: { sampleRate: 1 } });
    const a = annos[1]!;
    const { itemId, annotationId } = await annotate(a, projectId, 0);
    const task = (await nextReview(reviewer2, projectId)).body.task;
    const as = sock(a);
    await connected(as);
    expect(await emitAck(as, 'item:join', { projectId, itemId })).toMatchObject({ ok: true });
    const live = new Promise<ReviewComment>((resolve) => as.once('review:comment', resolve));
    const c = await reviewer2.client.post(`/api/projects/${projectId}/review/tasks/${task.taskId}/comments`, {
      token: task.token,
      anchor: { kind: 'span', start: 0, end: 4 },
      text: 'Alice 不是 PER?',
    });
    expect(c.status).toBe(201);
    expect(await live).toMatchObject({ anchor: { kind: 'span', start: 0, end: 4 }, annotationId });
    // Fixed regions must fit the label schema.
    expect(
      (
        await verdict(reviewer2, projectId, task.taskId, {
          token: task.token,
          verdict: 'fix',
          regions: [{ id: 'x', type: 'class', label: 'nope' }],
        })
      ).status,
    ).toBe(400);
    const fix = await verdict(reviewer2, projectId, task.taskId, { token: task.token, verdict: 'fix', regions: answer(1).regions });
    expect(fix.status).toBe(201);
    expect(fix.body.review).toMatchObject({ verdict: 'fix', originalRegions: answer(0).regions, fixedRegions: answer(1).regions });
    const ann = await t.app.ctx.db.annotations.findOne({ _id: new ObjectId(annotationId) });
    expect(ann?.regions).toEqual(answer(0).regions);
  });

  it('gives the lead one item with every annotation, agreement, consensus, verdicts and comments', async () => {
    const { projectId, itemIds } = await project({ n: 1, overlap: 2, policy: { sampleRate: 1 } });
    const [a0, a1] = [annos[0]!, annos[1]!];
    const first = await annotate(a0, projectId, 0);
    const second = await annotate(a1, projectId, 1);
    expect([first.itemId, second.itemId]).toEqual([itemIds[0], itemIds[0]]);
    const task = (await nextReview(reviewer, projectId)).body.task;
    const rej = await verdict(reviewer, projectId, task.taskId, {
      token: task.token,
      verdict: 'reject',
      comments: [{ anchor: { kind: 'span', start: 0, end: 4 }, text: '边界不对' }],
    });
    expect(rej.status).toBe(201);
    const url = `/api/projects/${projectId}/items/${first.itemId}/detail`;
    // The quality worker completes the item (two annotations of overlap 2).
    const d = await waitFor('item quality', async () => {
      const b = (await lead.client.get(url)).body;
      return b.quality ? b : null;
    });
    expect(d.item).toMatchObject({ id: first.itemId, kind: 'text' });
    expect(d.annotations.map((a: { username: string; underReview: boolean }) => [a.username, a.underReview]).sort()).toEqual([
      [a0.username, false],
      [a1.username, false],
    ]);
    expect(d.quality.agreement).toEqual(expect.any(Object));
    expect(d.quality.consensus).toEqual(expect.any(Array));
    expect(d.gold).toBeNull();
    expect(d.reviews).toEqual([
      expect.objectContaining({
        annotationId: task.annotationId,
        verdict: 'reject',
        round: 0,
        comments: [expect.objectContaining({ text: '边界不对' })],
      }),
    ]);
    expect(d.comments).toEqual([expect.objectContaining({ annotationId: task.annotationId, anchor: { kind: 'span', start: 0, end: 4 } })]);
    // Leads only; the item must belong to the project in the path.
    expect((await a0.client.get(url)).body.error.code).toBe('FORBIDDEN');
    expect((await lead.client.get(`/api/projects/${projectId}/items/nope/detail`)).status).toBe(404);
    const other = await project({ n: 1, policy: {} });
    const cross = await lead.client.get(`/api/projects/${other.projectId}/items/${first.itemId}/detail`);
    expect([cross.status, cross.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it("routes trainees' submissions by level and wrong gold answers, and not the others", async () => {
    const { projectId } = await project({ n: 4, policy: { belowLevel: 'L4', sampleRate: 0 } });
    const mine = await annotate(trainee, projectId, 0);
    await annotate(annos[0]!, projectId, 0);
    const task = (await nextReview(reviewer, projectId)).body.task;
    expect(task).toMatchObject({ annotationId: mine.annotationId, reasons: ['trainee'] });
    expect((await nextReview(reviewer2, projectId)).status).toBe(404);
  });

  it('sends every annotation of an item whose agreement is under the threshold to review', async () => {
    const { projectId, itemIds } = await project({ n: 1, overlap: 2, policy: { agreementBelow: 0.99, sampleRate: 0 } });
    await annotate(annos[0]!, projectId, 0);
    await annotate(annos[1]!, projectId, 1);
    const c = await waitFor(
      'low-agreement routing',
      async () => {
        const r = await reviewCounts(projectId);
        return r.pending === 2 ? r : null;
      },
      15_000,
    );
    expect(c.pending).toBe(2);
    const task = (await nextReview(reviewer, projectId)).body.task;
    expect(task).toMatchObject({ itemId: itemIds[0], reasons: ['low-agreement'] });
    expect(task.annotations).toHaveLength(2);
    expect(task.quality.agreement).toBeTypeOf('object');
  });
});

async function reviewCounts(projectId: string) {
  return (await lead.client.get(`/api/projects/${projectId}/review/counts`)).body;
}

describe('review permissions', () => {
  it('never hands reviewers their own work; gates on the reviewer flag, level L2 and project membership', async () => {
    const { projectId } = await project({ n: 2, policy: { sampleRate: 1 } });
    const own = await annotate(reviewer, projectId, 0);
    expect((await nextReview(reviewer, projectId)).body.error.code).toBe('NOTHING_TO_DO');
    expect((await nextReview(lowReviewer, projectId)).body.error.code).toBe('LEVEL_TOO_LOW');
    expect((await nextReview(noFlag, projectId)).body.error.code).toBe('FORBIDDEN');
    expect((await nextReview(outsider, projectId)).body.error.code).toBe('FORBIDDEN');
    const task = (await nextReview(reviewer2, projectId)).body.task;
    expect(task.annotationId).toBe(own.annotationId);
    // The author cannot act on it even with the task id; a stolen id without the token is refused.
    expect((await verdict(reviewer, projectId, task.taskId, { token: task.token, verdict: 'accept' })).body.error.code).toBe('FORBIDDEN');
    expect((await verdict(lead, projectId, task.taskId, { token: 'f'.repeat(32), verdict: 'accept' })).body.error.code).toBe('FORBIDDEN');
    // Cross-project: the same task through another project the reviewer belongs to is not found.
    const other = await project({ n: 1, policy: { sampleRate: 0 } });
    expect((await verdict(reviewer2, other.projectId, task.taskId, { token: task.token, verdict: 'accept' })).body.error.code).toBe(
      'NOT_FOUND',
    );
    expect((await verdict(outsider, projectId, task.taskId, { token: task.token, verdict: 'accept' })).body.error.code).toBe('FORBIDDEN');
    // A reject needs a reason.
    expect((await verdict(reviewer2, projectId, task.taskId, { token: task.token, verdict: 'reject', comments: [] })).status).toBe(400);
    expect((await verdict(reviewer2, projectId, task.taskId, { token: task.token, verdict: 'accept' })).status).toBe(201);
  });

  it('delivers review events only to permitted rooms', async () => {
    const { projectId } = await project({ n: 2, policy: { sampleRate: 1 } });
    const [rs, os, ns, a0s, a1s] = [sock(reviewer), sock(outsider), sock(noFlag), sock(annos[0]!), sock(annos[1]!)];
    await Promise.all([rs, os, ns, a0s, a1s].map(connected));
    expect(await emitAck(rs, 'review:join', { projectId })).toEqual({ ok: true });
    expect(await emitAck(os, 'review:join', { projectId })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await emitAck(ns, 'review:join', { projectId })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const leaks: string[] = [];
    for (const [name, s] of [
      ['outsider', os],
      ['noflag', ns],
      ['anno1', a1s],
    ] as const) {
      for (const ev of ['review:queued', 'review:verdict', 'review:comment']) s.on(ev, () => leaks.push(`${name} got ${ev}`));
    }
    const queued = new Promise<ReviewQueuedPayload>((resolve) => rs.once('review:queued', resolve));
    const { itemId } = await annotate(annos[0]!, projectId, 0);
    await queued;
    expect(await emitAck(os, 'item:join', { projectId, itemId })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const presence = await emitAck<{ users: { username: string }[] }>(a0s, 'item:join', { projectId, itemId });
    expect(presence).toMatchObject({ ok: true, users: [{ username: 'anno0' }] });
    const task = (await nextReview(reviewer, projectId)).body.task;
    const got = new Promise<ReviewVerdictPayload>((resolve) => a0s.once('review:verdict', resolve));
    await verdict(reviewer, projectId, task.taskId, {
      token: task.token,
      verdict: 'reject',
      comments: [{ anchor: { kind: 'item' }, text: 'redo' }],
    });
    await got;
    await new Promise((r) => setTimeout(r, 300));
    expect(leaks).toEqual([]);
  });
});
