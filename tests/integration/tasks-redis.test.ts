import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { Redis } from 'ioredis';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { startRedis, type RedisProcess } from '../support/redis-process.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  annotateUntilDone,
  answer,
  checkExact,
  makeUsers,
  newStats,
  sid,
  startTestWorkers,
  textProject,
  waitFor,
  type TestUser,
} from '../support/tasks.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-redis-'));
let redis: RedisProcess;
let t: TestApp;
let workers: RunningWorkers;

beforeAll(async () => {
  redis = await startRedis(dir);
  t = await startTestApp({ REDIS_URL: redis.url, LEASE_MS: '8000', STALLED_INTERVAL_MS: '500' });
  workers = await startTestWorkers(t, { REDIS_URL: redis.url });
});
afterAll(async () => {
  await workers?.close(1000);
  await t?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis restart', () => {
  it('keeps queues, leases, exclusions and counts across a Redis restart (AOF)', async () => {
    const admin = await t.admin();
    const [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    const annos = await makeUsers(admin, 'r', 5);
    const { projectId, itemIds } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: 10, overlap: 2 },
    );
    const stats = newStats();
    // One submit before the restart, three leases held across it.
    const first = (await annos[0]!.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
    expect((await annos[0]!.client.post(`/api/tasks/${first.leaseId}/submit`, { submissionId: sid(), ...answer(0) })).status).toBe(201);
    stats.submitted.push({ userId: annos[0]!.id, itemId: first.item.id, leaseId: first.leaseId, annotationId: '' });
    stats.holds.set(annos[0]!.id, [{ itemId: first.item.id, from: 0, to: 0 }]);
    const held = await Promise.all(
      annos.slice(1, 4).map(async (a) => (await a.client.post(`/api/projects/${projectId}/tasks/next`)).body.task),
    );
    const before = (await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts;
    expect(before).toMatchObject({ done: 1, leased: 3, waiting: 16 });

    await redis.restart();

    // Sessions, leases and the queue are all still there.
    await waitFor('the app to reconnect', async () => (await lead.client.get(`/api/projects/${projectId}/queue`)).status === 200, 20_000);
    expect((await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts).toMatchObject({ done: 1, leased: 3, waiting: 16 });
    for (let i = 0; i < 3; i++) {
      const a = annos[i + 1]!;
      expect((await a.client.post(`/api/tasks/${held[i].leaseId}/heartbeat`)).status).toBe(200);
      expect((await a.client.post(`/api/projects/${projectId}/tasks/next`)).body.task.leaseId).toBe(held[i].leaseId);
      expect((await a.client.post(`/api/tasks/${held[i].leaseId}/submit`, { submissionId: sid(), ...answer(i) })).status).toBe(201);
      stats.submitted.push({ userId: a.id, itemId: held[i].item.id, leaseId: held[i].leaseId, annotationId: '' });
      stats.holds.set(a.id, [{ itemId: held[i].item.id, from: 0, to: 0 }]);
    }
    // The one who submitted before the restart is still never offered that item again.
    await Promise.all(annos.map((a) => annotateUntilDone(a, projectId, stats, { idleLimit: 3, idleMs: 200 })));
    await checkExact(t.app.ctx.db, projectId, itemIds, 2, stats);
    await waitFor(
      'all complete',
      async () => (await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts.itemsComplete === 10,
      30_000,
    );
  }, 120_000);

  it('rebuilds a project whose Redis state was lost from MongoDB (requeue-all), exactly', async () => {
    const admin = await t.admin();
    const [lead] = (await makeUsers(admin, 'rlead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    const annos = await makeUsers(admin, 'q', 4);
    const { projectId, itemIds } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: 8, overlap: 2, gold: 1 },
    );
    const stats = newStats();
    // Half the work is done, one item is skipped by its only taker so far.
    for (const a of annos.slice(0, 2)) {
      for (let i = 0; i < 3; i++) {
        const task = (await a.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
        const s = await a.client.post(`/api/tasks/${task.leaseId}/submit`, { submissionId: sid(), ...answer(i) });
        expect(s.status).toBe(201);
        stats.submitted.push({ userId: a.id, itemId: task.item.id, leaseId: task.leaseId, annotationId: s.body.annotation.id });
        stats.holds.set(a.id, [...(stats.holds.get(a.id) ?? []), { itemId: task.item.id, from: 0, to: 0 }]);
      }
    }
    const skipped = (await annos[2]!.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
    expect((await annos[2]!.client.post(`/api/tasks/${skipped.leaseId}/skip`, { reason: 'unreadable' })).status).toBe(200);

    // Every key of the project queue is gone (as after a Redis loss without AOF).
    const ctx = t.app.ctx;
    const keys = await ctx.redis.keys(`${t.prefix}:annotate-{${projectId}}*`);
    expect(keys.length).toBeGreaterThan(10);
    await ctx.redis.del(...keys);
    expect((await annos[3]!.client.post(`/api/projects/${projectId}/tasks/next`)).body.error.code).toBe('NOTHING_TO_DO');

    const started = await lead.client.post(`/api/projects/${projectId}/queue/requeue-all`);
    expect(started.status).toBe(202);
    const done = await waitFor('the rebuild', async () => {
      const j = (await lead.client.get(`/api/projects/${projectId}/queue/jobs/${started.body.jobId}`)).body;
      return j.state === 'completed' ? j : null;
    });
    expect(done.result).toMatchObject({ items: 9, jobsAdded: 16 - 6 });
    expect((await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts).toMatchObject({
      waiting: 10,
      leased: 0,
      gold: { pool: 1 },
    });
    // Exclusions came back too: the skipper never sees the skipped item, nobody redoes an item.
    await Promise.all(annos.map((a) => annotateUntilDone(a, projectId, stats, { idleLimit: 2, idleMs: 100 })));
    const skipper = stats.holds.get(annos[2]!.id) ?? [];
    expect(skipper.map((h) => h.itemId)).not.toContain(skipped.item.id);
    const goldIds = new Set(
      (await ctx.db.items.find({ isGold: true, projectId: new ObjectId(projectId) }).toArray()).map((d) => d._id.toHexString()),
    );
    await checkExact(
      ctx.db,
      projectId,
      itemIds.filter((id) => !goldIds.has(id)),
      2,
      stats,
    );
  }, 120_000);
});

describe('Redis that cannot take writes', () => {
  it('answers 503 UNAVAILABLE (reason redis), not 500, while Redis refuses writes as a demoted master, and works again after', async () => {
    const admin = await t.admin();
    const [lead] = (await makeUsers(admin, 'dlead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    const [anno] = (await makeUsers(admin, 'd', 1)) as [TestUser];
    const { projectId } = await textProject(lead.client, [anno.id], { n: 4, overlap: 1 });
    const held = (await anno.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
    const body = { submissionId: sid(), ...answer(0) };
    // What a master that a failover demoted answers until the client follows the new one: the data
    // is there, writes are refused with READONLY (a replica of a master that does not answer).
    const direct = new Redis(redis.url);
    try {
      await direct.replicaof('127.0.0.1', '1');
      const hb = await anno.client.post(`/api/tasks/${held.leaseId}/heartbeat`);
      expect(hb.status).toBe(503);
      expect(hb.body.error).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'redis' } });
      const sub = await anno.client.post(`/api/tasks/${held.leaseId}/submit`, body);
      expect(sub.status).toBe(503);
      expect(sub.body.error).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'redis' } });
    } finally {
      await direct.replicaof('NO', 'ONE');
      direct.disconnect();
    }
    // The annotator's client sends the same submission again: stored once, the lease ends normally.
    expect((await anno.client.post(`/api/tasks/${held.leaseId}/submit`, body)).status).toBe(201);
    expect((await anno.client.post(`/api/projects/${projectId}/tasks/next`)).status).toBe(200);
  }, 60_000);
});
