import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { MongoClient, ObjectId } from 'mongodb';
import { DOMAIN_EVENTS, QUEUES, domainEventsStream, parseDomainEvent, projectKeys } from '@labelwork/core';
import { ApiClient } from '../support/api-client.ts';
import { startFerretdb, type FerretProcess } from '../support/ferretdb-process.ts';
import { spawnServer, spawnWorkers, sharedEnv, type Proc } from '../support/processes.ts';
import { answer, makeUsers, sid, textProject, waitFor, type TestUser } from '../support/tasks.ts';
import {
  ADMIN_PASSWORD,
  annotateThroughOutages,
  checkDatabase,
  errorSummary,
  newKillStats,
  recoveryMs,
  waitUntilSettled,
} from '../support/reliability.ts';

const procs: Proc[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  for (const c of cleanups) await c().catch(() => undefined);
});

/** A FerretDB of this test's own (it is killed), stopped and removed after the file. */
async function ownFerretdb(prefix: string): Promise<FerretProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const ferret = await startFerretdb(dir);
  cleanups.push(async () => {
    await ferret.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return ferret;
}

async function setUp(mongoUrl: string, serverEnv: Record<string, string>, workerEnv: Record<string, string>) {
  const env = sharedEnv(mongoUrl, inject('redisUrl'));
  const server = await spawnServer({ ...env, ...serverEnv });
  procs.push(server);
  const workers = await spawnWorkers({ ...env, ...workerEnv });
  procs.push(workers);
  const admin = new ApiClient(server.url);
  await admin.login('admin', ADMIN_PASSWORD);
  const [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  return { env, server, workers, admin, lead };
}

describe('the workers process SIGKILLed with quality jobs in hand', () => {
  it('computes every item agreement once after four kills: one result, one completion event, counted once', async () => {
    const workerEnv = { QUALITY_JOB_DELAY_MS: '700', WORKER_LOCK_MS: '1500' };
    const { env, workers, admin, lead } = await setUp(inject('mongoUrl'), { LEASE_MS: '8000' }, workerEnv);
    const redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
    const mongo = await new MongoClient(env.MONGO_URL!).connect();
    cleanups.push(async () => {
      redis.disconnect();
      await mongo.db(env.MONGO_DB).dropDatabase();
      await mongo.close();
    });
    const annos = await makeUsers(admin, 'w', 6);
    const N = 30;
    const K = 2;
    const { projectId, itemIds } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: N, overlap: K },
    );
    const stats = newKillStats();
    let killsDone = false;
    const loops = annos.map((a) =>
      annotateThroughOutages(a, projectId, stats, {
        idleMs: 3000,
        deadline: Date.now() + 90_000,
        until: () => killsDone,
        thinkMs: () => (killsDone ? 0 : 300 + Math.random() * 500),
      }),
    );
    const quality = new Queue(QUEUES.quality, { connection: redis, prefix: env.REDIS_PREFIX! });
    cleanups.push(() => quality.close());
    const inHand = async () => (await quality.getActive()).filter((j) => j.id?.startsWith('agree-')).length;
    const KILLS = 4;
    let current = workers;
    let killedInHand = 0;
    for (let i = 0; i < KILLS; i++) {
      // An item-agreement job in hand (its processor sleeps 700 ms before writing): kill then.
      await waitFor('an item-agreement job in hand', async () => (await inHand()) > 0, 40_000, 10);
      killedInHand += await inHand();
      await current.kill();
      current = await spawnWorkers({ ...env, ...workerEnv });
      procs.push(current);
    }
    killsDone = true;
    await Promise.all(loops);

    const db = mongo.db(env.MONGO_DB);
    await checkDatabase(db, projectId, itemIds, K, stats);
    await waitUntilSettled(lead.client, projectId, N, K);
    // One completion per item: a retried job records the same fact under the same event id.
    const events = (await redis.xrange(domainEventsStream(env.REDIS_PREFIX!), '-', '+'))
      .map(([, fields]) => parseDomainEvent(fields))
      .filter((e) => e?.type === DOMAIN_EVENTS.itemCompleted && (e.data as { projectId: string }).projectId === projectId);
    const byItem = new Map<string, Set<string>>();
    for (const e of events) {
      const id = (e!.data as { itemId: string }).itemId;
      byItem.set(id, (byItem.get(id) ?? new Set()).add(e!.eventId));
    }
    expect(byItem.size).toBe(N);
    for (const [id, ids] of byItem) expect(ids.size, `item ${id}: completion events`).toBe(1);
    await waitFor(
      'the project agreement',
      async () => (await lead.client.get(`/api/projects/${projectId}`)).body.project?.counts?.done === N,
      30_000,
      250,
    );
    console.log(
      `[workers SIGKILL] ${KILLS} kills with ${killedInHand} item-agreement jobs in hand; ${N} items, ` +
        `${await db.collection('agreements').countDocuments({ projectId: new ObjectId(projectId), scope: 'item' })} results, ` +
        `${events.length} completion entries for ${byItem.size} items (a retried job's entry repeats its event id); ` +
        `submits ${stats.acked.length}, errors: ${errorSummary(stats)}`,
    );
  }, 115_000);
});

describe('the database (FerretDB) SIGKILLed under submits', () => {
  it('answers 503 UNAVAILABLE while it is down and loses no acknowledged submit after it restarts', async () => {
    const ferret = await ownFerretdb('labelwork-ferret-kill-');
    const { env, admin, lead } = await setUp(ferret.url, { LEASE_MS: '20000' }, { WORKER_LOCK_MS: '2000' });
    const annos = await makeUsers(admin, 'd', 6);
    const N = 30;
    const K = 2;
    const { projectId, itemIds } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: N, overlap: K },
    );
    const stats = newKillStats();
    let outageOver = false;
    const loops = annos.map((a) =>
      annotateThroughOutages(a, projectId, stats, {
        idleMs: 3000,
        deadline: Date.now() + 90_000,
        until: () => outageOver,
        retryMs: 300,
        thinkMs: () => (outageOver ? 0 : 200 + Math.random() * 300),
      }),
    );
    await waitFor('submits under way', async () => stats.acked.length >= 12, 30_000, 20);
    const killedAt = Date.now();
    await ferret.kill();
    // Down for two seconds at least, and until several submits were refused (not just delayed).
    await new Promise((r) => setTimeout(r, 2000));
    await waitFor(
      'submits refused while the database is down',
      async () => (stats.errors.get('submit 503 UNAVAILABLE') ?? 0) >= 3,
      30_000,
      50,
    );
    const downMs = Date.now() - killedAt;
    const restartedAt = Date.now();
    await ferret.start();
    outageOver = true;
    await Promise.all(loops);
    const recovery = recoveryMs(stats, restartedAt);

    const mongo = await new MongoClient(ferret.url).connect();
    cleanups.unshift(() => mongo.close());
    const redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
    cleanups.unshift(async () => void redis.disconnect());
    await checkDatabase(mongo.db(env.MONGO_DB), projectId, itemIds, K, stats, { client: redis, prefix: env.REDIS_PREFIX! });
    await waitUntilSettled(lead.client, projectId, N, K);
    const unexpected = [...stats.errors.keys()].filter((k) => !/UNAVAILABLE|network|LEASE_EXPIRED|SLOT_FILLED/.test(k));
    console.log(
      `[FerretDB SIGKILL] down ${downMs} ms; ${stats.acked.length} submits acknowledged, ${stats.sends} sent; ` +
        `first success ${recovery} ms after its restart; errors: ${errorSummary(stats)}`,
    );
    // While it was down, the server said so (503), never a 500.
    expect(unexpected).toEqual([]);
    expect([...stats.errors.keys()].some((k) => k.includes('500'))).toBe(false);
  }, 115_000);
});

describe('the database down while a filled slot is checked', () => {
  it('puts the fetched job back at once instead of leaving it active until the stalled check', async () => {
    const ferret = await ownFerretdb('labelwork-ferret-filled-');
    // A long lease: a job left active would stay so for its whole lock.
    const { env, admin, lead } = await setUp(ferret.url, { LEASE_MS: '60000' }, {});
    const [a, b] = (await makeUsers(admin, 'fs', 2)) as [TestUser, TestUser];
    const { projectId } = await textProject(lead.client, [a.id, b.id], { n: 3, overlap: 1 });
    const redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
    cleanups.unshift(async () => void redis.disconnect());
    const keys = projectKeys(env.REDIS_PREFIX!, projectId);
    const queue = new Queue(keys.queueName, { connection: redis, prefix: env.REDIS_PREFIX! });
    cleanups.unshift(() => queue.close());
    const next = (u: TestUser) => u.client.post(`/api/projects/${projectId}/tasks/next`);
    // Both draw once (their access, the project and its settings are then cached), b finishes his.
    const ta = await next(a);
    const tb = await next(b);
    expect([ta.status, tb.status]).toEqual([200, 200]);
    expect((await b.client.post(`/api/tasks/${tb.body.task.leaseId}/submit`, { submissionId: sid(), ...answer(0) })).status).toBe(201);
    // The one job left has a filled-slot marker (a submit for it was under way when its lease ended).
    const [left] = await queue.getJobs(['wait', 'prioritized']);
    expect(left).toBeDefined();
    await redis.set(keys.filled(left!.id!), 'x', 'EX', 600);
    await ferret.kill();
    const refused = await next(b);
    expect(refused.status, JSON.stringify(refused.body)).toBeGreaterThanOrEqual(500);
    // The slot could not be checked on the database: the job is waiting again, not active.
    expect(['wait', 'prioritized']).toContain(await (await queue.getJob(left!.id!))!.getState());
    await ferret.start();
    // Once the database is back the slot turns out empty and is handed out at once.
    await waitFor(
      'the left item handed out',
      async () => {
        const r = await next(b);
        return r.status === 200 && r.body.task.item.id === (left!.data as { itemId: string }).itemId;
      },
      20_000,
      250,
    );
  }, 90_000);
});
