import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CLIENT_EVENTS, SERVER_EVENTS, type DatasetProgressPayload } from '@labelwork/core';
import { goldAnswers } from '@labelwork/engine';
import type { RunningWorkers } from '../../workers/src/app.ts';
import type { ApiClient } from '../support/api-client.ts';
import { seedBoxProject } from '../support/dataset-seed.ts';
import { spawnWorkers, type Proc } from '../support/processes.ts';
import { signedInUser } from '../support/project-setup.ts';
import { connected, socketFor, startTestWorkers, waitFor } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let lead: ApiClient;
let leadId = '';
let member = '';
const procs: Proc[] = [];
const running: RunningWorkers[] = [];

beforeAll(async () => {
  t = await startTestApp();
  const admin = await t.admin();
  const l = await signedInUser(admin, { name: 'jobs-lead', role: 'lead', level: 'L2' });
  lead = l.client;
  leadId = l.id;
  member = (await signedInUser(admin, { name: 'jobs-anno', role: 'annotator', level: 'L4' })).id;
}, 60_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  await Promise.all(running.map((w) => w.close(0)));
  await t?.close();
});

/** A project of `n` seeded 640×480 items, the member in it, and a COCO file with one box on each. */
async function bigProject(n: number): Promise<{ projectId: string; coco: string }> {
  const schema = { labels: [{ name: 'car', color: '#e6194b', tool: 'bbox' }] };
  const projectId = (await lead.post('/api/projects', { name: `jobs ${new ObjectId().toHexString()}`, kind: 'image', labelSchema: schema }))
    .body.project.id as string;
  expect((await lead.put(`/api/projects/${projectId}/members`, { userIds: [member] })).status).toBe(200);
  await seedBoxProject(t.app.ctx.db, {
    projectId: new ObjectId(projectId),
    images: n,
    boxes: 0,
    labels: ['car'],
    annotators: [new ObjectId(leadId)],
  });
  await t.app.ctx.db.annotations.deleteMany({ projectId: new ObjectId(projectId) });
  const images = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    file_name: `img-${String(i + 1).padStart(5, '0')}.jpg`,
    width: 640,
    height: 480,
  }));
  const annotations = images.map((im) => ({ id: im.id, image_id: im.id, category_id: 1, bbox: [10, 10, 50, 40], area: 2000, iscrowd: 0 }));
  return { projectId, coco: JSON.stringify({ images, annotations, categories: [{ id: 1, name: 'car' }] }) };
}

async function preview(projectId: string, as: string, coco: string): Promise<string> {
  const p = await lead.upload(`/api/projects/${projectId}/dataset-imports`, 'file', [{ name: 'big.json', data: coco }], {
    format: 'coco',
    as,
  });
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  return p.body.import.id as string;
}
const confirmOf = (projectId: string, id: string, body: Record<string, unknown> = {}) =>
  lead.post(`/api/projects/${projectId}/dataset-imports/${id}/confirm`, { mapping: {}, ...body });

async function confirm(projectId: string, as: string, body: Record<string, unknown>, coco: string) {
  const id = await preview(projectId, as, coco);
  const c = await confirmOf(projectId, id, body);
  // More than 2,000 items: the confirm answers at once, the workers store it.
  expect(c.status, JSON.stringify(c.body)).toBe(202);
  return id;
}

const session = async (projectId: string, id: string) => (await lead.get(`/api/projects/${projectId}/dataset-imports/${id}`)).body.import;

describe('dataset imports as worker jobs', () => {
  it('stores a confirmed import in the workers with progress over the socket, and a cancel takes back everything it stored', async () => {
    running.push(await startTestWorkers(t, { EXPORT_BATCH_DELAY_MS: '400' }));
    const { projectId, coco } = await bigProject(2500);
    const socket = socketFor(lead);
    await connected(socket);
    expect(await socket.emitWithAck(CLIENT_EVENTS.joinProject, { projectId })).toEqual({ ok: true });
    const events: DatasetProgressPayload[] = [];
    socket.on(SERVER_EVENTS.datasetProgress, (p: DatasetProgressPayload) => events.push(p));
    try {
      const id = await confirm(projectId, 'predictions', {}, coco);
      await waitFor('progress events of the import', async () => events.some((e) => e.kind === 'import' && e.id === id && e.done > 0));
      expect((await session(projectId, id)).status).toBe('running');
      expect(await t.app.ctx.db.predictions.countDocuments({ projectId: new ObjectId(projectId) })).toBeGreaterThan(0);
      const c = await lead.post(`/api/projects/${projectId}/dataset-imports/${id}/cancel`);
      expect(c.status).toBe(200);
      const done = await waitFor('the cancel', async () => {
        const s = await session(projectId, id);
        return s.status !== 'running' ? s : null;
      });
      expect(done).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
      expect(await t.app.ctx.db.predictions.countDocuments({ projectId: new ObjectId(projectId) })).toBe(0);
      await waitFor('the cancelled event', async () => events.some((e) => e.id === id && e.status === 'cancelled'));
      // The session's files are gone; a second cancel is refused.
      expect(
        await t.app.ctx.db.db.collection('datasetUploads.files').countDocuments({ 'metadata.datasetImportId': new ObjectId(id) }),
      ).toBe(0);
      expect((await lead.post(`/api/projects/${projectId}/dataset-imports/${id}/cancel`)).status).toBe(409);
    } finally {
      socket.close();
      await Promise.all(running.splice(0).map((w) => w.close(0)));
    }
  }, 90_000);

  it('a cancelled gold import puts back the gold answers items had before, and takes away those it gave items that had none', async () => {
    running.push(await startTestWorkers(t, { EXPORT_BATCH_DELAY_MS: '2000' }));
    try {
      const { projectId, coco } = await bigProject(120);
      const pid = new ObjectId(projectId);
      const items = await t.app.ctx.db.items.find({ projectId: pid }).sort({ seq: 1 }).project<{ _id: ObjectId }>({ _id: 1 }).toArray();
      // The first 30 items (in the first batch of the plan) are gold already, with an answer of their own.
      const earlier = (i: number) => ({ regions: [{ id: `old-${i}`, type: 'bbox' as const, label: 'car', x: 1, y: 2, w: 3, h: 4 }] });
      await goldAnswers.setMany(
        t.app.ctx.db,
        pid,
        items.slice(0, 30).map((it, i) => ({ id: it._id, gold: earlier(i) })),
      );
      await goldAnswers.recount(t.app.ctx.db, pid);
      const id = await preview(projectId, 'gold', coco);
      // A small import: the confirm waits for the job, so it runs beside the cancel.
      const confirmed = confirmOf(projectId, id);
      await waitFor('the first batch stored', async () => (await session(projectId, id)).done >= 50, 60_000);
      expect((await t.app.ctx.db.items.findOne({ _id: items[0]!._id }))?.gold?.regions[0]?.id).not.toBe('old-0');
      expect((await lead.post(`/api/projects/${projectId}/dataset-imports/${id}/cancel`)).status).toBe(200);
      await waitFor('the cancel', async () => ((await session(projectId, id)).status === 'cancelled' ? true : null), 60_000);
      // The confirm waited for the job up to 30 s: it answers 200 with the outcome, or 202 on a slow machine.
      expect([200, 202]).toContain((await confirmed).status);
      const after = await t.app.ctx.db.items.find({ projectId: pid }).sort({ seq: 1 }).toArray();
      after.slice(0, 30).forEach((it, i) => {
        expect(it.isGold).toBe(true);
        expect(it.gold).toEqual(earlier(i));
        expect(it.goldBefore).toBeUndefined();
      });
      expect(after.slice(30).filter((it) => it.isGold || it.gold || it.goldBefore).length).toBe(0);
      expect((await lead.get(`/api/projects/${projectId}`)).body.project.counts.gold).toBe(30);
    } finally {
      await Promise.all(running.splice(0).map((w) => w.close(0)));
    }
  }, 180_000);

  it('a cancelled import as annotations withdraws the review tasks made for them: none is left or served, a held one included', async () => {
    running.push(await startTestWorkers(t, { EXPORT_BATCH_DELAY_MS: '400' }));
    const admin = await t.admin();
    const reviewer = await signedInUser(admin, { name: `jobs-rev-${Date.now()}`, role: 'annotator', level: 'L1', reviewer: true });
    try {
      const { projectId, coco } = await bigProject(2500);
      const cur = (await lead.get(`/api/projects/${projectId}`)).body.project;
      expect((await lead.patch(`/api/projects/${projectId}`, { version: cur.version, reviewPolicy: { sampleRate: 1 } })).status).toBe(200);
      expect((await lead.put(`/api/projects/${projectId}/members`, { userIds: [member, reviewer.id] })).status).toBe(200);
      const id = await confirm(projectId, 'annotations', { annotators: { default: member } }, coco);
      const counts = async () => (await lead.get(`/api/projects/${projectId}/review/counts`)).body as { pending: number; leased: number };
      await waitFor('imported annotations in the review queue', async () => ((await counts()).pending >= 3 ? true : null), 60_000);
      // A reviewer holds one of them when the import is cancelled.
      const held = await reviewer.client.post(`/api/projects/${projectId}/review/next`);
      expect(held.status, JSON.stringify(held.body)).toBe(200);
      expect((await lead.post(`/api/projects/${projectId}/dataset-imports/${id}/cancel`)).status).toBe(200);
      await waitFor('the cancel', async () => ((await session(projectId, id)).status === 'cancelled' ? true : null), 90_000);
      const pid = new ObjectId(projectId);
      expect(await t.app.ctx.db.annotations.countDocuments({ projectId: pid })).toBe(0);
      await waitFor('the review tasks withdrawn', async () => {
        const c = await counts();
        return c.pending === 0 && c.leased === 0 ? true : null;
      });
      // The reviewer's queue serves nothing, and the held task takes no verdict.
      const next = await reviewer.client.post(`/api/projects/${projectId}/review/next`);
      expect(next.status).toBe(404);
      expect(next.body.error.code).toBe('NOTHING_TO_DO');
      const task = held.body.task as { taskId: string; token: string };
      const v = await reviewer.client.post(`/api/projects/${projectId}/review/tasks/${task.taskId}/verdict`, {
        token: task.token,
        verdict: 'accept',
      });
      expect(v.status).toBeGreaterThanOrEqual(400);
      expect(v.status).toBeLessThan(500);
    } finally {
      await Promise.all(running.splice(0).map((w) => w.close(0)));
    }
  }, 180_000);

  it('a SIGKILLed worker’s retry stores every annotation line once: no duplicates, nothing lost', async () => {
    const env = {
      MONGO_URL: inject('mongoUrl'),
      REDIS_URL: inject('redisUrl'),
      MONGO_DB: t.dbName,
      REDIS_PREFIX: t.prefix,
      WORKER_LOCK_MS: '1500',
    };
    const w1 = await spawnWorkers({ ...env, EXPORT_BATCH_DELAY_MS: '500' });
    procs.push(w1);
    const { projectId, coco } = await bigProject(120);
    const id = await preview(projectId, 'annotations', coco);
    // A small import: the confirm waits for the job (up to 30 s), so it runs beside the kill.
    const confirmed = confirmOf(projectId, id, { annotators: { default: member } });
    await waitFor('the import under way', async () => (await session(projectId, id)).done > 0, 60_000);
    await w1.kill();
    // Killed part-way: some lines are in, the import is not finished.
    const killed = await session(projectId, id);
    expect(killed.status).toBe('running');
    expect(killed.done).toBeLessThan(120);
    const w2 = await spawnWorkers(env);
    procs.push(w2);
    const done = await waitFor(
      'the retried import',
      async () => {
        const s = await session(projectId, id);
        return s.status !== 'running' ? s : null;
      },
      150_000,
    );
    expect(done).toMatchObject({ status: 'complete', result: { stored: 120, skipped: 0 } });
    expect([200, 202]).toContain((await confirmed).status);
    const pid = new ObjectId(projectId);
    expect(await t.app.ctx.db.annotations.countDocuments({ projectId: pid })).toBe(120);
    expect(await t.app.ctx.db.annotations.countDocuments({ projectId: pid, userId: new ObjectId(member) })).toBe(120);
    expect(await t.app.ctx.db.annotations.distinct('itemId', { projectId: pid })).toHaveLength(120);
  }, 300_000);
});
