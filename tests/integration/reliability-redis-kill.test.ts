import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { ApiClient } from '../support/api-client.ts';
import { spawnServer, spawnWorkers, sharedEnv, type Proc } from '../support/processes.ts';
import { startRedis, type RedisProcess } from '../support/redis-process.ts';
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

const dirs: string[] = [];
const procs: Proc[] = [];
const redises: RedisProcess[] = [];
const dbs: string[] = [];
let mongo: MongoClient | null = null;

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  await Promise.all(redises.map((r) => r.stop()));
  if (mongo) {
    for (const db of dbs)
      await mongo
        .db(db)
        .dropDatabase()
        .catch(() => undefined);
    await mongo.close();
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A Redis of the test's own (AOF everysec), a server and a workers process on it, an admin. */
async function setUp(leaseMs: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-redis-kill-'));
  dirs.push(dir);
  const redis = await startRedis(dir);
  redises.push(redis);
  const env = sharedEnv(inject('mongoUrl'), redis.url);
  dbs.push(env.MONGO_DB!);
  mongo ??= await new MongoClient(env.MONGO_URL!).connect();
  const server = await spawnServer({ ...env, LEASE_MS: String(leaseMs), STALLED_INTERVAL_MS: '300' });
  procs.push(server);
  procs.push(await spawnWorkers({ ...env, WORKER_LOCK_MS: '2000' }));
  const admin = new ApiClient(server.url);
  await admin.login('admin', ADMIN_PASSWORD);
  const [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  return { redis, env, admin, lead, db: mongo.db(env.MONGO_DB) };
}

/**
 * SIGKILL alone loses nothing Redis acknowledged: it writes the AOF before it replies, and the
 * kernel keeps the written file. What `everysec` can lose is what a crash of the machine loses —
 * the writes of the last second that were not fsynced yet. The tests kill Redis with SIGKILL and
 * then cut its AOF back to its size at an earlier moment, so that loss really happens.
 */
describe('Redis SIGKILLed under load (appendfsync everysec), its last writes lost', () => {
  it('loses no acknowledged submit: the database holds each once, every item ends done with k, no lease is stuck', async () => {
    const LEASE_MS = 5000;
    const { redis, admin, lead, db } = await setUp(LEASE_MS);
    const annos = await makeUsers(admin, 'k', 10);
    const N = 60;
    const K = 2;
    const { projectId, itemIds } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: N, overlap: K },
    );

    const stats = newKillStats();
    let outageOver = false;
    const deadline = Date.now() + 70_000;
    const loops = annos.map((a) =>
      annotateThroughOutages(a, projectId, stats, { idleMs: LEASE_MS + 2500, deadline, until: () => outageOver }),
    );
    // Under load: sample the AOF's size every 50 ms, kill, cut the AOF back by a second.
    const sizes: { at: number; size: number }[] = [];
    const sampler = setInterval(() => sizes.push({ at: Date.now(), size: redis.aofSize() }), 50);
    await waitFor('submits under way', async () => stats.acked.length >= 40 && sizes.length >= 30, 30_000, 20);
    const ackedBefore = stats.acked.length;
    const killedAt = Date.now();
    await redis.kill();
    clearInterval(sampler);
    const fullSize = redis.aofSize();
    const cut = [...sizes].reverse().find((s) => s.at <= killedAt - 1000) ?? sizes[0]!;
    redis.truncateAof(cut.size);
    const atRisk = stats.acked.filter((a) => a.at > cut.at).length;
    await new Promise((r) => setTimeout(r, 1000));
    const restartedAt = Date.now();
    await redis.start();
    outageOver = true;
    await Promise.all(loops);
    const recovery = recoveryMs(stats, restartedAt);

    const stored = await checkDatabase(db, projectId, itemIds, K, stats);
    await waitUntilSettled(lead.client, projectId, N, K);
    console.log(
      `[redis SIGKILL] ${stats.acked.length} submits acknowledged (${ackedBefore} before the kill), ${stats.sends} sent; ` +
        `stored ${stored}; AOF cut from ${fullSize} to ${cut.size} bytes (the last ${killedAt - cut.at} ms, ${atRisk} acknowledged submits in it); ` +
        `Redis down ${restartedAt - killedAt} ms, first success ${recovery} ms after its restart; ` +
        `errors: ${errorSummary(stats)}`,
    );
    expect(stats.acked.length).toBe(N * K);
    expect(atRisk).toBeGreaterThan(0);
    expect(recovery).not.toBeNull();
  }, 110_000);

  it('rebuilds from MongoDB after the restart: a submit Redis forgot is finished, not handed out again, and counted once', async () => {
    const LEASE_MS = 3000;
    const { redis, admin, lead } = await setUp(LEASE_MS);
    const [a, b] = (await makeUsers(admin, 'f', 2)) as [TestUser, TestUser];
    const { projectId } = await textProject(lead.client, [a.id, b.id], { n: 1, overlap: 1 });
    const task = (await a.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
    expect(task.leaseId).toBeTruthy();
    // Redis has the lease on disk; everything the submit writes to Redis will be lost.
    await new Promise((r) => setTimeout(r, 1200));
    const before = redis.aofSize();
    const s = await a.client.post(`/api/tasks/${task.leaseId}/submit`, { submissionId: sid(), ...answer(0) });
    expect(s.status).toBe(201);
    await redis.kill();
    redis.truncateAof(before);
    await redis.start();

    // The workers see the new run id and queue the rebuild of the project (one job per restart).
    const info = new Redis(redis.url, { maxRetriesPerRequest: null });
    const runId = /^run_id:(\w+)/m.exec(await info.info('server'))![1]!;
    info.disconnect();
    const jobId = `requeue-all-${projectId}-restart-${runId.slice(0, 16)}`;
    const rebuilt = await waitFor(
      'the rebuild',
      async () => {
        const j = (await lead.client.get(`/api/projects/${projectId}/queue/jobs/${jobId}`)).body;
        return j.state === 'completed' ? j : null;
      },
      30_000,
      200,
    );
    // It counted the stored annotation (once) and marked its slot: the job, back from the lapsed
    // lease, is finished by the next fetch instead of being handed to b, who would otherwise
    // annotate it for nothing (409 SLOT_FILLED).
    expect(rebuilt.result).toMatchObject({ items: 1, jobsAdded: 0, filledMarked: 1 });
    expect((await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts.done).toBe(1);
    const deadline = Date.now() + LEASE_MS + 8000;
    let got: unknown = null;
    while (Date.now() < deadline) {
      const n = await b.client.post(`/api/projects/${projectId}/tasks/next`);
      if (n.status === 200) {
        got = n.body.task;
        break;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(got, `b was handed ${JSON.stringify(got)}; a's task ${JSON.stringify(task)}`).toBeNull();
    await waitUntilSettled(lead.client, projectId, 1, 1);
  }, 90_000);
});
