import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { ObjectId } from 'mongodb';
import { CLIENT_EVENTS, QUEUES, SERVER_EVENTS, type Ack } from '@labelwork/core';
import type { RunningWorkers } from '../../workers/src/app.ts';
import type { ApiClient } from '../support/api-client.ts';
import { keysEverywhere } from '../support/redis-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { answer, connected, makeUsers, sid, socketFor, startTestWorkers, textProject, waitFor, type TestUser } from '../support/tasks.ts';

const LEASE_MS = 1500;
let t: TestApp;
let workers: RunningWorkers;
let admin: ApiClient;
let lead: TestUser;
let annos: TestUser[];
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await startTestApp({ LEASE_MS: String(LEASE_MS), STALLED_INTERVAL_MS: '300' });
  workers = await startTestWorkers(t);
  admin = await t.admin();
  [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  annos = await makeUsers(admin, 'anno', 6);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await workers?.close(1000);
  await t?.close();
});

const next = (u: TestUser, projectId: string) => u.client.post(`/api/projects/${projectId}/tasks/next`);
const submit = (u: TestUser, leaseId: string, body: Record<string, unknown> = {}) =>
  u.client.post(`/api/tasks/${leaseId}/submit`, { submissionId: sid(), ...answer(0), ...body });
const ids = (us: TestUser[]) => us.map((u) => u.id);

describe('leases', () => {
  it('hands out a task and resumes it, with its saved draft, after a reload', async () => {
    const { projectId, itemIds } = await textProject(lead.client, ids(annos), { n: 3, overlap: 1 });
    const a = annos[0]!;
    const r = await next(a, projectId);
    expect(r.status).toBe(200);
    const task = r.body.task;
    expect(itemIds).toContain(task.item.id);
    expect(task).toMatchObject({ projectId, leaseMs: LEASE_MS, resumed: false });
    expect(task.item.text).toMatch(/^text number/);
    expect(task.item.gold).toBeUndefined();
    const d = await a.client.put(`/api/tasks/${task.leaseId}/draft`, answer(2));
    expect(d.status).toBe(200);
    const again = await next(a, projectId);
    expect(again.body.task).toMatchObject({ leaseId: task.leaseId, resumed: true, item: { id: task.item.id } });
    expect(again.body.task.draft.regions).toEqual(answer(2).regions);
    const s = await submit(a, task.leaseId);
    expect(s.status).toBe(201);
    expect(s.body.annotation).toMatchObject({ itemId: task.item.id, userId: a.id, version: 1 });
    // The draft is gone with the submit.
    expect((await lead.client.get(`/api/projects/${projectId}/drafts`)).body.drafts).toEqual([]);
  });

  it('keeps a lease alive while the client heartbeats over Socket.IO, and takes it back when it stops', async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 1, overlap: 1 });
    const [a, b] = [annos[0]!, annos[1]!];
    const task = (await next(a, projectId)).body.task;
    const s = socketFor(a.client);
    sockets.push(s);
    await connected(s);
    const ended: unknown[] = [];
    s.on(SERVER_EVENTS.leaseEnded, (p) => ended.push(p));
    // Three lease lengths of heartbeats: nobody else gets the item meanwhile.
    const until = Date.now() + 3 * LEASE_MS;
    while (Date.now() < until) {
      const ack = await new Promise<Ack<{ leaseUntil: string }>>((resolve) =>
        s.emit(CLIENT_EVENTS.leaseHeartbeat, { leaseId: task.leaseId }, resolve),
      );
      expect(ack.ok).toBe(true);
      expect((await next(b, projectId)).body.error.code).toBe('NOTHING_TO_DO');
      await new Promise((r) => setTimeout(r, task.heartbeatMs));
    }
    // The client goes away: after the lease time the task is offered to someone else.
    const started = Date.now();
    const taken = await waitFor(
      'the task to come back',
      async () => {
        const r = await next(b, projectId);
        return r.status === 200 ? r.body.task : null;
      },
      10 * LEASE_MS,
      100,
    );
    expect(taken.item.id).toBe(task.item.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE_MS - task.heartbeatMs - 200);
    await waitFor('lease:ended on the socket', async () => ended.length > 0, 5000);
    expect(ended[0]).toMatchObject({ leaseId: task.leaseId, reason: 'expired' });
    // The late submit is refused with a clear code; the work is kept as a draft for the lead.
    const late = await submit(a, task.leaseId, answer(3));
    expect(late.status).toBe(410);
    expect(late.body.error).toMatchObject({ code: 'LEASE_EXPIRED', details: { draftSaved: true } });
    const hb = await new Promise<Ack>((resolve) => s.emit(CLIENT_EVENTS.leaseHeartbeat, { leaseId: task.leaseId }, resolve));
    expect(hb).toMatchObject({ ok: false, code: 'LEASE_EXPIRED' });
    const drafts = (await lead.client.get(`/api/projects/${projectId}/drafts`)).body.drafts;
    expect(drafts).toEqual([expect.objectContaining({ userId: a.id, itemId: task.item.id, leaseLive: false, regions: answer(3).regions })]);
    expect(drafts[0].orphanedAt).toBeTruthy();
    expect((await submit(b, taken.leaseId)).status).toBe(201);
  });

  it('hands out tasks over Socket.IO too', async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 1, overlap: 1 });
    const s = socketFor(annos[2]!.client);
    sockets.push(s);
    await connected(s);
    const ack = await new Promise<Ack<{ task: { leaseId: string } }>>((resolve) => s.emit(CLIENT_EVENTS.taskNext, { projectId }, resolve));
    expect(ack.ok).toBe(true);
    if (ack.ok) expect((await submit(annos[2]!, ack.task.leaseId)).status).toBe(201);
    const none = await new Promise<Ack>((resolve) => s.emit(CLIENT_EVENTS.taskNext, { projectId }, resolve));
    expect(none).toMatchObject({ ok: false, code: 'NOTHING_TO_DO' });
  });
});

/** Redis Cluster's key slot: CRC16/XMODEM of the hash tag (or the key) mod 16384. */
function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

describe('Redis layout', () => {
  it("keeps every key of a project queue, BullMQ's and ours, in one Redis Cluster slot", async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 2, overlap: 2, gold: 1 });
    const task = (await next(annos[0]!, projectId)).body.task;
    await submit(annos[0]!, task.leaseId);
    await next(annos[0]!, projectId);
    const keys = await keysEverywhere(t.app.ctx.redis, `${t.prefix}:*${projectId}*`);
    expect(keys.length).toBeGreaterThan(10);
    expect(new Set(keys.map(keySlot)).size).toBe(1);
    const quality = await keysEverywhere(t.app.ctx.redis, `${t.prefix}:${QUEUES.quality}:*`);
    expect(new Set(quality.map(keySlot)).size).toBe(1);
  });
});

describe('submit', () => {
  it('finishes a submit that stored its annotation but died before completing the task', async () => {
    const { projectId, itemIds } = await textProject(lead.client, ids(annos), { n: 1, overlap: 1 });
    const [a, b] = [annos[0]!, annos[1]!];
    const task = (await next(a, projectId)).body.task;
    // The state a crash right after the annotation insert leaves behind.
    const ctx = t.app.ctx;
    const k = ctx.tasks.keys(projectId);
    const lease = await ctx.redis.hgetall(k.lease(task.leaseId.split('.')[1]));
    const submissionId = sid();
    await ctx.redis.set(k.filled(lease.jobId!), submissionId);
    const now = new Date();
    await ctx.db.annotations.insertOne({
      _id: new ObjectId(),
      schemaVersion: 1,
      projectId: new ObjectId(projectId),
      itemId: new ObjectId(itemIds[0]),
      userId: new ObjectId(a.id),
      slot: lease.jobId!,
      submissionId,
      leaseId: task.leaseId,
      gold: false,
      regions: answer(0).regions as never,
      version: 1,
      status: 'submitted',
      createdAt: now,
      updatedAt: now,
    });
    // The lease lapses; whoever fetches the task next finishes the submit instead of getting it.
    await new Promise((r) => setTimeout(r, LEASE_MS + 800));
    expect((await next(b, projectId)).body.error.code).toBe('NOTHING_TO_DO');
    expect((await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts).toMatchObject({ waiting: 0, leased: 0, done: 1 });
    const retry = await a.client.post(`/api/tasks/${task.leaseId}/submit`, { submissionId, ...answer(0) });
    expect(retry.status).toBe(200);
    expect(await ctx.db.annotations.countDocuments({ itemId: new ObjectId(itemIds[0]) })).toBe(1);
    await waitFor('item complete', async () => (await lead.client.get(`/api/items/${itemIds[0]}`)).body.item.status === 'complete');
  });

  it('checks regions against the label schema, with field paths', async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 1, overlap: 1 });
    const task = (await next(annos[0]!, projectId)).body.task;
    const bad = await submit(annos[0]!, task.leaseId, {
      regions: [
        { id: 'a', type: 'class', label: 'nope' },
        { id: 'b', type: 'span', label: 'PER', start: 0, end: 999 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['regions[0].label', 'regions[1]']);
    expect((await submit(annos[0]!, task.leaseId)).status).toBe(201);
  });

  it('gives one annotation for a duplicate submit, sequential or concurrent', async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 2, overlap: 1 });
    const a = annos[1]!;
    const t1 = (await next(a, projectId)).body.task;
    const body = { submissionId: sid(), ...answer(1) };
    const [x, y] = await Promise.all([
      a.client.post(`/api/tasks/${t1.leaseId}/submit`, body),
      a.client.post(`/api/tasks/${t1.leaseId}/submit`, body),
    ]);
    const z = await a.client.post(`/api/tasks/${t1.leaseId}/submit`, body);
    expect([x.status, y.status].sort()).toEqual([200, 201]);
    expect(z.status).toBe(200);
    expect(new Set([x.body.annotation.id, y.body.annotation.id, z.body.annotation.id]).size).toBe(1);
    expect(await t.app.ctx.db.annotations.countDocuments({ submissionId: body.submissionId })).toBe(1);
    // The task was completed once (the second finish found the job gone) and the other one still waits.
    expect((await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts).toMatchObject({ waiting: 1, leased: 0, done: 1 });
    // Someone else replaying that id is refused.
    expect((await annos[2]!.client.post(`/api/tasks/${t1.leaseId}/submit`, body)).status).toBe(409);
  });

  it('edits a submitted annotation with optimistic versioning', async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 1, overlap: 1 });
    const a = annos[3]!;
    const task = (await next(a, projectId)).body.task;
    const ann = (await submit(a, task.leaseId)).body.annotation;
    const ok = await a.client.patch(`/api/annotations/${ann.id}`, { version: 1, ...answer(3) });
    expect(ok.status).toBe(200);
    expect(ok.body.annotation).toMatchObject({ version: 2, regions: answer(3).regions });
    const stale = await a.client.patch(`/api/annotations/${ann.id}`, { version: 1, ...answer(4) });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { current: { version: 2 } } });
    expect((await annos[4]!.client.patch(`/api/annotations/${ann.id}`, { version: 2, ...answer(4) })).status).toBe(404);
    expect((await lead.client.get(`/api/annotations/${ann.id}`)).body.annotation.version).toBe(2);
  });
});

describe('exclusion, skip and release', () => {
  it('never offers an item twice to one user and never two replicas of one item at once', async () => {
    const { projectId, itemIds } = await textProject(lead.client, ids(annos), { n: 4, overlap: 3 });
    const a = annos[0]!;
    const seen: string[] = [];
    for (;;) {
      const r = await next(a, projectId);
      if (r.status !== 200) {
        expect(r.body.error.code).toBe('NOTHING_TO_DO');
        break;
      }
      seen.push(r.body.task.item.id);
      expect((await submit(a, r.body.task.leaseId)).status).toBe(201);
    }
    expect(seen.sort()).toEqual([...itemIds].sort());
    const counts = (await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts;
    expect(counts).toMatchObject({ itemsQueued: 4, waiting: 8, leased: 0, done: 4 });
  });

  it('skips with a reason (never offered again) and releases (offered again)', async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 1, overlap: 1 });
    const [a, b] = [annos[4]!, annos[5]!];
    const t1 = (await next(a, projectId)).body.task;
    expect((await a.client.post(`/api/tasks/${t1.leaseId}/skip`, { reason: '' })).status).toBe(400);
    expect((await a.client.post(`/api/tasks/${t1.leaseId}/skip`, { reason: 'text is not Chinese' })).status).toBe(200);
    expect((await next(a, projectId)).body.error.code).toBe('NOTHING_TO_DO');
    const t2 = (await next(b, projectId)).body.task;
    expect(t2.item.id).toBe(t1.item.id);
    expect((await b.client.post(`/api/tasks/${t2.leaseId}/release`)).status).toBe(200);
    expect((await b.client.post(`/api/tasks/${t2.leaseId}/release`)).body.error.code).toBe('LEASE_EXPIRED');
    const t3 = (await next(b, projectId)).body.task;
    expect(t3.item.id).toBe(t1.item.id);
    expect(t3.leaseId).not.toBe(t2.leaseId);
    expect(await t.app.ctx.db.skips.countDocuments({ reason: 'text is not Chinese' })).toBe(1);
    const mine = (await lead.client.get(`/api/projects/${projectId}/queue`)).body.annotators.find(
      (x: { userId: string }) => x.userId === a.id,
    );
    expect(mine).toMatchObject({ skipped: 1, done: 0 });
  });
});

describe('lead controls', () => {
  it('gates by certification level', async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 1, overlap: 1, minLevel: 'L3' });
    const r = await next(annos[0]!, projectId);
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: 'LEVEL_TOO_LOW', details: { required: 'L3', yours: 'L4' } });
    expect(r.body.error.message).toMatch(/L3/);
  });

  it('pauses and resumes a project; leases in hand go on', async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 2, overlap: 1 });
    const held = (await next(annos[0]!, projectId)).body.task;
    expect((await lead.client.post(`/api/projects/${projectId}/queue/pause`)).body.counts.paused).toBe(true);
    expect((await next(annos[1]!, projectId)).body.error.code).toBe('PROJECT_PAUSED');
    expect((await submit(annos[0]!, held.leaseId)).status).toBe(201);
    await lead.client.post(`/api/projects/${projectId}/queue/resume`);
    expect((await next(annos[1]!, projectId)).status).toBe(200);
  });

  it('requeues and reassigns a leased task, and assigns a waiting one', async () => {
    const { projectId, itemIds } = await textProject(lead.client, ids(annos), { n: 2, overlap: 1 });
    const [a, b, c] = [annos[0]!, annos[1]!, annos[2]!];
    const t1 = (await next(a, projectId)).body.task;
    const leases = (await lead.client.get(`/api/projects/${projectId}/queue/leases`)).body.leases;
    expect(leases).toEqual([expect.objectContaining({ leaseId: t1.leaseId, userId: a.id, itemId: t1.item.id })]);
    expect((await annos[3]!.client.post(`/api/tasks/${t1.leaseId}/requeue`)).status).toBe(403);
    const moved = await lead.client.post(`/api/tasks/${t1.leaseId}/reassign`, { userId: b.id });
    expect(moved.status).toBe(200);
    expect((await submit(a, t1.leaseId)).body.error.code).toBe('LEASE_EXPIRED');
    const tb = (await next(b, projectId)).body.task;
    expect(tb).toMatchObject({ leaseId: moved.body.leaseId, item: { id: t1.item.id } });
    expect((await lead.client.post(`/api/tasks/${tb.leaseId}/requeue`)).status).toBe(200);
    expect((await b.client.post(`/api/tasks/${tb.leaseId}/heartbeat`)).body.error.code).toBe('LEASE_EXPIRED');
    const other = itemIds.find((i) => i !== t1.item.id)!;
    const given = await lead.client.post(`/api/projects/${projectId}/queue/items/${other}/assign`, { userId: c.id });
    expect(given.status).toBe(200);
    const tc = (await next(c, projectId)).body.task;
    expect(tc).toMatchObject({ leaseId: given.body.leaseId, item: { id: other }, resumed: true });
    const progress = (await lead.client.get(`/api/projects/${projectId}/queue/items/${other}`)).body;
    expect(progress).toMatchObject({ k: 1, done: 0, replicas: [{ r: 0, state: 'leased', holder: c.id }] });
  });

  it('queues imported items automatically when autoQueue is on, with the overlap of the moment', async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 2, overlap: 2 });
    expect((await lead.client.patch(`/api/projects/${projectId}/queue`, { autoQueue: true })).body.settings.autoQueue).toBe(true);
    const p = (await lead.client.get(`/api/projects/${projectId}`)).body.project;
    await lead.client.patch(`/api/projects/${projectId}`, { version: p.version, overlap: 3 });
    const imp = await lead.client.upload(`/api/projects/${projectId}/items/text`, 'file', [
      { name: 'more.jsonl', data: '{"text":"later one"}\n{"text":"later two"}' },
    ]);
    expect(imp.status).toBe(201);
    const counts = (await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts;
    // Earlier items keep overlap 2; the new ones get 3.
    expect(counts).toMatchObject({ itemsQueued: 4, waiting: 2 * 2 + 2 * 3 });
    const again = await lead.client.post(`/api/projects/${projectId}/queue/items`, { all: true });
    expect(again.body).toMatchObject({ queued: 0, already: 4 });
  });
});

describe('quality', () => {
  it('computes and stores agreement and consensus when an item gets its k-th annotation', async () => {
    const { projectId, itemIds } = await textProject(lead.client, ids(annos), { n: 1, overlap: 3 });
    const s = socketFor(lead.client);
    sockets.push(s);
    await connected(s);
    await new Promise<Ack>((resolve) => s.emit(CLIENT_EVENTS.joinProject, { projectId }, resolve));
    const complete: unknown[] = [];
    const counts: { done: number }[] = [];
    s.on(SERVER_EVENTS.itemComplete, (p) => complete.push(p));
    s.on(SERVER_EVENTS.queueCounts, (p) => counts.push(p));
    const regions = [
      [{ id: 'c', type: 'class', label: 'pos' }],
      [{ id: 'c', type: 'class', label: 'pos' }],
      [{ id: 'c', type: 'class', label: 'neg' }],
    ];
    for (let i = 0; i < 3; i++) {
      const task = (await next(annos[i]!, projectId)).body.task;
      expect((await submit(annos[i]!, task.leaseId, { regions: regions[i] })).status).toBe(201);
    }
    await waitFor('item:complete', async () => complete.length > 0);
    await waitFor('live counts in the project room', async () => counts.some((c) => c.done === 3));
    expect(complete[0]).toMatchObject({ projectId, itemId: itemIds[0], annotators: 3, agreement: { 'class-single': 1 / 3 } });
    const progress = (await lead.client.get(`/api/projects/${projectId}/queue/items/${itemIds[0]}`)).body;
    expect(progress).toMatchObject({ complete: true, done: 3, quality: { scope: 'item', summary: { 'class-single': 1 / 3 } } });
    expect(progress.quality.consensus.regions).toEqual([{ id: 'consensus-class', type: 'class', label: 'pos' }]);
    const item = await waitFor('the item marked complete', async () => {
      const it = (await lead.client.get(`/api/items/${itemIds[0]}`)).body.item;
      return it.status === 'complete' ? it : null;
    });
    expect(item).toMatchObject({ status: 'complete', annotationCount: 3 });
    const agreement = await waitFor('project agreement', async () => {
      const r = (await lead.client.get(`/api/projects/${projectId}/agreement`)).body;
      return r.latest ? r : null;
    });
    expect(agreement.latest).toMatchObject({ items: 1, annotators: ids(annos.slice(0, 3)).sort() });
    expect(agreement.latest.pairs).toHaveLength(3);
    await waitFor('project done count', async () => (await lead.client.get(`/api/projects/${projectId}`)).body.project.counts.done === 1);
    // A recompute (workers) reads everything back from MongoDB and adds a point to the series.
    const rc = await lead.client.post(`/api/projects/${projectId}/queue/recompute`);
    expect(rc.status).toBe(202);
    await waitFor(
      'the recompute',
      async () => (await lead.client.get(`/api/projects/${projectId}/queue/jobs/${rc.body.jobId}`)).body.state === 'completed',
    );
    const after = (await lead.client.get(`/api/projects/${projectId}/agreement`)).body;
    expect(after.history.length).toBeGreaterThan(agreement.history.length);
    expect(after.latest.byTool['class-single'].meanItem).toBeCloseTo(1 / 3);
  });

  it("mixes gold into a new annotator's stream and scores it into their accuracy", async () => {
    const { projectId } = await textProject(lead.client, ids(annos), { n: 3, overlap: 1, gold: 2 });
    await lead.client.patch(`/api/projects/${projectId}/queue`, { goldWarmup: 2 });
    const a = annos[5]!;
    const golds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const task = (await next(a, projectId)).body.task;
      expect(task.item.text).toMatch(/^gold text/);
      golds.push(task.item.id);
      // One right, one wrong.
      expect((await submit(a, task.leaseId, { regions: [{ id: 'c', type: 'class', label: i === 0 ? 'pos' : 'neg' }] })).status).toBe(201);
    }
    expect(new Set(golds).size).toBe(2);
    const third = (await next(a, projectId)).body.task;
    expect(third.item.text).toMatch(/^text number/);
    const mine = await waitFor('accuracy', async () => {
      const r = (await lead.client.get(`/api/projects/${projectId}/queue`)).body;
      const me = r.annotators.find((x: { userId: string }) => x.userId === a.id);
      return me?.accuracy !== null && me?.accuracy !== undefined ? { me, counts: r.counts } : null;
    });
    expect(mine.me).toMatchObject({ gold: 2, accuracy: 0.5 });
    expect(mine.counts.gold).toMatchObject({ pool: 2, served: 2, done: 2 });
  });
});
