import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { MongoClient, ObjectId } from 'mongodb';
import { QUEUES } from '@labelwork/core';
import type { Database } from '@labelwork/engine';
import { ApiClient } from '../support/api-client.ts';
import { testRedis } from '../support/redis-client.ts';
import { spawnServer, spawnWorkers, sharedEnv, type Proc, type ServerProc } from '../support/processes.ts';
import { ADMIN_PASSWORD } from '../support/test-app.ts';
import { annotateUntilDone, answer, checkExact, makeUsers, newStats, sid, textProject, waitFor, type TestUser } from '../support/tasks.ts';

const env = sharedEnv(inject('mongoUrl'), inject('redisUrl'));
// Long enough that a server restart on a loaded machine (tsx start-up, connections) ends inside the lease.
const LEASE_MS = 15_000;
const procs: Proc[] = [];
let mongo: MongoClient;
let redis: Redis;
/** The quality queue, read through BullMQ's API (jobs in hand, their progress). */
let quality: Queue;

function moveTo(u: TestUser, url: string): void {
  const c = new ApiClient(url);
  c.cookie = u.client.cookie;
  c.csrf = u.client.csrf;
  u.client = c;
}

beforeAll(async () => {
  mongo = await new MongoClient(env.MONGO_URL!).connect();
  redis = testRedis(env.REDIS_URL!);
  quality = new Queue(QUEUES.quality, { connection: redis, prefix: env.REDIS_PREFIX! });
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  await mongo
    .db(env.MONGO_DB)
    .dropDatabase()
    .catch(() => undefined);
  await mongo.close();
  await quality.close();
  redis.disconnect();
});

describe('crashes', () => {
  it('loses nothing and counts nothing twice when the server is SIGKILLed with leases out and a worker dies mid-quality-job', async () => {
    const serverEnv = { ...env, LEASE_MS: String(LEASE_MS), STALLED_INTERVAL_MS: '300' };
    let s1: ServerProc | null = await spawnServer(serverEnv);
    procs.push(s1);
    const w1 = await spawnWorkers({ ...env, QUALITY_JOB_DELAY_MS: '3000', WORKER_LOCK_MS: '1500' });
    procs.push(w1);
    const admin = new ApiClient(s1.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    const annos = await makeUsers(admin, 'a', 8);
    const { projectId, itemIds } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: 12, overlap: 2 },
    );

    // Six annotators hold a task; two of them saved a draft.
    const held = await Promise.all(
      annos.slice(0, 6).map(async (a) => (await a.client.post(`/api/projects/${projectId}/tasks/next`)).body.task),
    );
    expect(held.every((x) => x?.leaseId)).toBe(true);
    expect((await annos[0]!.client.put(`/api/tasks/${held[0].leaseId}/draft`, answer(5))).status).toBe(200);

    await s1.kill();
    s1 = null;
    const s2 = await spawnServer(serverEnv);
    procs.push(s2);
    for (const u of [lead, ...annos]) moveTo(u, s2.url);

    // After the restart the lease and its draft are still there; four of six submit in time.
    const resumed = (await annos[0]!.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
    expect(resumed).toMatchObject({ leaseId: held[0].leaseId, resumed: true, draft: { regions: answer(5).regions } });
    for (let i = 0; i < 4; i++) {
      const r = await annos[i]!.client.post(`/api/tasks/${held[i].leaseId}/submit`, { submissionId: sid(), ...answer(i) });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    // Annotators 4 and 5 are gone for good: their tasks come back by themselves.

    // A quality job is in hand when the worker dies (its job sleeps 3 s): it is retried elsewhere.
    const stats = newStats();
    const loops = [...annos.slice(0, 4), ...annos.slice(6)].map((a) =>
      annotateUntilDone(a, projectId, stats, { idleLimit: 25, idleMs: 1000 }),
    );
    await waitFor(
      'an item-agreement job in hand',
      async () => (await quality.getActive()).some((j) => j.id?.startsWith('agree-')),
      30_000,
      20,
    );
    await w1.kill();
    const w2 = await spawnWorkers({ ...env, WORKER_LOCK_MS: '1500' });
    procs.push(w2);
    await Promise.all(loops);
    stats.submitted.push(
      ...held.slice(0, 4).map((h, i) => ({ userId: annos[i]!.id, itemId: h.item.id, leaseId: h.leaseId, annotationId: '' })),
    );
    for (let i = 0; i < 4; i++)
      stats.holds.set(annos[i]!.id, [...(stats.holds.get(annos[i]!.id) ?? []), { itemId: held[i].item.id, from: 0, to: 0 }]);

    const db = { annotations: mongo.db(env.MONGO_DB).collection('annotations') } as unknown as Database;
    await checkExact(db, projectId, itemIds, 2, stats);
    const pid = new ObjectId(projectId);
    await waitFor(
      'every item complete',
      async () => (await mongo.db(env.MONGO_DB).collection('items').countDocuments({ projectId: pid, status: 'complete' })) === 12,
      30_000,
    );
    await waitFor(
      'project counts',
      async () => (await lead.client.get(`/api/projects/${projectId}`)).body.project.counts.done === 12,
      30_000,
    );
    expect(await mongo.db(env.MONGO_DB).collection('agreements').countDocuments({ projectId: pid, scope: 'item' })).toBe(12);
    const counts = (await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts;
    expect(counts).toMatchObject({ itemsQueued: 12, itemsComplete: 12, waiting: 0, leased: 0, done: 24 });
    // The abandoned leases were logged as expired; the killed worker's job ran again, once more.
    await waitFor(
      'expiries in the lease log',
      async () => (await mongo.db(env.MONGO_DB).collection('assignments').countDocuments({ projectId: pid, event: 'expired' })) >= 2,
      20_000,
    );
    await Promise.all([s2.stop(), w2.stop()]);
  }, 180_000);

  it('lets a worker on SIGTERM finish the job in hand within its grace period, or let it go to be retried', async () => {
    const s = await spawnServer({ ...env, LEASE_MS: String(LEASE_MS) });
    procs.push(s);
    const admin = new ApiClient(s.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const [lead] = (await makeUsers(admin, 'glead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    const [a] = (await makeUsers(admin, 'g', 1)) as [TestUser];
    const { projectId, itemIds } = await textProject(lead.client, [a.id], { n: 2, overlap: 1 });
    const agreements = mongo.db(env.MONGO_DB).collection('agreements');
    const annotateOne = async () => {
      const task = (await a.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
      expect((await a.client.post(`/api/tasks/${task.leaseId}/submit`, { submissionId: sid(), ...answer(0) })).status).toBe(201);
      return task.item.id as string;
    };

    // Grace longer than the job: it finishes, then the process exits cleanly.
    const patient = await spawnWorkers({ ...env, QUALITY_JOB_DELAY_MS: '1500', SHUTDOWN_GRACE_MS: '10000', WORKER_LOCK_MS: '1500' });
    procs.push(patient);
    const first = await annotateOne();
    // In hand = its processor is running (it reports progress first thing).
    const inHand = (itemId: string) =>
      waitFor('the item job in hand', async () => ((await quality.getJob(`agree-${itemId}`))?.progress ?? 0) !== 0, 10_000, 20);
    await inHand(first);
    expect(await patient.stop()).toBe(0);
    expect(await agreements.countDocuments({ _id: `item:${first}` } as never)).toBe(1);

    // Grace shorter than the job: the process exits at once and leaves the job to be retried.
    const hasty = await spawnWorkers({ ...env, QUALITY_JOB_DELAY_MS: '5000', SHUTDOWN_GRACE_MS: '200', WORKER_LOCK_MS: '1500' });
    procs.push(hasty);
    const second = await annotateOne();
    await inHand(second);
    const t0 = Date.now();
    expect(await hasty.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await agreements.countDocuments({ _id: `item:${second}` } as never)).toBe(0);
    const next = await spawnWorkers({ ...env, WORKER_LOCK_MS: '1500' });
    procs.push(next);
    await waitFor('the job retried', async () => (await agreements.countDocuments({ _id: `item:${second}` } as never)) === 1, 20_000);
    expect(itemIds).toEqual(expect.arrayContaining([first, second]));
    await Promise.all([s.stop(), next.stop()]);
  }, 120_000);
});
