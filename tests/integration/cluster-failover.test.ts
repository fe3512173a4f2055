import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MongoClient, ObjectId } from 'mongodb';
import { io as connect, type Socket } from 'socket.io-client';
import { Job, Queue } from 'bullmq';
import { projectKeys, QUEUES, itemAgreementJobId } from '@labelwork/core';
import type { Database, RedisClient } from '@labelwork/engine';
import { startRedisCluster, type RedisCluster } from '../../scripts/redis-cluster.ts';
import { ApiClient } from '../support/api-client.ts';
import { annotate, LeanClient, longestStall, newRun, reconcileDatabase, sleep, type Annotator } from '../support/annotators.ts';
import { startLoadBalancer, type LoadBalancer } from '../support/load-balancer.ts';
import { spawnServer, spawnWorkers, sharedEnv, type Proc } from '../support/processes.ts';
import { testRedis } from '../support/redis-client.ts';
import { ADMIN_PASSWORD } from '../support/test-app.ts';
import { waitUntilSettled } from '../support/reliability.ts';
import { makeUsers, textProject, waitFor, type TestUser } from '../support/tasks.ts';

/**
 * Failover on a real Redis Cluster (its own: this test kills nodes), two server processes behind a
 * load balancer and two workers. Under load from simulated annotators a Redis master (the one
 * serving the project's slot) is SIGKILLed and its replica promoted, then a server process, then
 * a worker. Afterwards MongoDB, the record, must hold exactly what the annotators were told.
 */

const ANNOTATORS = 12;
const ITEMS = 100;
const K = 2;
const LEASE_MS = 4000;
let dir: string;
let cluster: RedisCluster;
let mongo: MongoClient;
let lb: LoadBalancer | null = null;
const procs: Proc[] = [];
const sockets: Socket[] = [];

/**
 * Why items are not `complete` in MongoDB: per item its annotations against k and what Redis says
 * (complete set, hand-off, its agreement job), and the item-status stream's consumers and pending
 * entries (which worker holds what, for how long).
 */
async function incompleteItems(db: Database, redis: RedisClient, prefix: string, projectId: string, k: number) {
  const pid = new ObjectId(projectId);
  const keys = projectKeys(prefix, projectId);
  const quality = new Queue(QUEUES.quality, { connection: redis, prefix });
  const stream = `${prefix}:{item-status}`;
  try {
    const items = await db.items.find({ projectId: pid, status: { $ne: 'complete' } }, { projection: { status: 1 } }).toArray();
    const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
    const pending = (await redis.xpending(stream, 'item-status', '-', '+', 1000)) as [string, string, number, number][];
    const perItem = await Promise.all(
      items.slice(0, 5).map(async (d) => {
        const itemId = d._id.toHexString();
        const job = await Job.fromId(quality, itemAgreementJobId(itemId));
        const queued = entries.filter(([, f]) => f[f.indexOf('item') + 1] === itemId).map(([id]) => id);
        return {
          itemId,
          status: d.status,
          annotations: await db.annotations.countDocuments({ itemId: d._id, gold: false }),
          k,
          redisComplete: await redis.sismember(keys.complete, itemId),
          handoff: await redis.hlen(keys.itemAnnotations(itemId)),
          agreementJob: job ? { state: await job.getState(), attempts: job.attemptsMade, failed: job.failedReason } : null,
          statusEntries: queued.map((id) => ({ id, pending: pending.find((p) => p[0] === id) ?? null })),
        };
      }),
    );
    const consumers = ((await redis.xinfo('CONSUMERS', stream, 'item-status').catch(() => [])) as unknown[][]).map((c) =>
      Object.fromEntries([0, 2, 4, 6].map((i) => [String(c[i]), c[i + 1]])),
    );
    return { incomplete: items.length, items: perItem, statusStream: { entries: entries.length, pending: pending.length, consumers } };
  } finally {
    await quality.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'labelwork-failover-'));
  // A master unreachable for 1.5 s is failed over to its replica.
  cluster = await startRedisCluster({ dir, nodeTimeoutMs: 1500, log: () => undefined });
  mongo = await new MongoClient(inject('mongoUrl')).connect();
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await Promise.all(procs.map((p) => p.kill()));
  await lb?.close();
  await mongo.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('failover on a Redis Cluster', () => {
  it('loses nothing and duplicates nothing when a Redis master, a server and a worker are SIGKILLed under load', async () => {
    const env: Record<string, string> = {
      ...sharedEnv(inject('mongoUrl'), cluster.url),
      LEASE_MS: String(LEASE_MS),
      STALLED_INTERVAL_MS: '500',
    };
    // A worker that stops taking jobs after the failover is replaced within a few seconds.
    const workerEnv = { WORKER_LOCK_MS: '1500', WORKER_STALL_MS: '4000', WORKER_WATCHDOG_EVERY_MS: '1000' };
    const [s1, s2] = await Promise.all([spawnServer(env), spawnServer(env)]);
    procs.push(s1, s2);
    const [w1, w2] = await Promise.all([spawnWorkers({ ...env, ...workerEnv }), spawnWorkers({ ...env, ...workerEnv })]);
    procs.push(w1, w2);
    lb = await startLoadBalancer([s1.url, s2.url]);
    const admin = new ApiClient(lb.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const [lead] = (await makeUsers(admin, 'flead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    const users = await makeUsers(admin, 'fa', ANNOTATORS);
    const { projectId, itemIds } = await textProject(
      lead.client,
      users.map((u) => u.id),
      { n: ITEMS, overlap: K },
    );
    expect(itemIds).toHaveLength(ITEMS);

    // Annotators reach the servers only through the balancer; their sockets reconnect by themselves.
    const reconnects = new Map<Socket, { drops: number; connects: number }>();
    const annotators: Annotator[] = await Promise.all(
      users.map(async (u) => {
        const socket = connect(lb!.url, {
          transports: ['websocket'],
          extraHeaders: { cookie: u.client.cookie },
          forceNew: true,
          reconnectionDelay: 200,
          reconnectionDelayMax: 1000,
        });
        sockets.push(socket);
        const seen = { drops: 0, connects: 0 };
        reconnects.set(socket, seen);
        socket.on('connect', () => seen.connects++);
        socket.on('disconnect', () => seen.drops++);
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        return { id: u.id, client: new LeanClient(lb!.url, u.client.cookie, u.client.csrf, 10), socket };
      }),
    );

    const pid = new ObjectId(projectId);
    const items = mongo.db(env.MONGO_DB!).collection('items');
    let finished = false;
    let allCompleteAt = 0;
    // Items `complete` in MongoDB every 5 s: how fast the workers' status updates follow.
    const progress: number[] = [];
    const watcher = (async () => {
      for (let i = 0; !finished; i++) {
        const n = await items.countDocuments({ projectId: pid, status: 'complete' });
        if (i % 10 === 0) progress.push(n);
        finished = n === ITEMS;
        if (finished) allCompleteAt = Date.now();
        await sleep(500);
      }
    })();
    const run = newRun();
    const startedAt = Date.now();
    const retries0 = LeanClient.retries;
    const until = Date.now() + 120_000;
    const loops = Promise.all(
      annotators.map((a) =>
        annotate(
          a,
          projectId,
          until,
          () => 150 + Math.random() * 300,
          run,
          500,
          () => finished,
        ),
      ),
    );

    // 1. The Redis master serving the project's slot dies; its replica takes over.
    await waitFor('load running', async () => run.submitted >= 40, 30_000);
    const master = await cluster.masterOf(process.env.LW_FAILOVER_KEY ?? `{${projectId}}`);
    // When it also serves the workers' queues ({quality}), their blocking fetches were on it: a worker
    // whose fetch then hangs for good is replaced by the workers' watchdog.
    const queuesOnKilled = (await cluster.masterOf(QUEUES.quality)).port === master.port;
    const redisKilledAt = Date.now();
    await master.kill();
    await cluster.waitHealthy(30_000);
    const clusterOkS = (Date.now() - redisKilledAt) / 1000;
    await waitFor('a submit after the failover', async () => run.submittedAt.some((t) => t > redisKilledAt), 30_000);

    // 2. A server process dies: its clients go on through the other one.
    await sleep(1500);
    const serverKilledAt = Date.now();
    await s1.kill();
    await waitFor('a submit after the server died', async () => run.submittedAt.some((t) => t > serverKilledAt + 200), 30_000).catch(
      (e: unknown) => {
        const last = Math.max(...run.submittedAt);
        throw new Error(
          `${String(e)}: ${run.submitted} submits, the last ${((serverKilledAt - last) / 1000).toFixed(1)} s before the kill; ` +
            `errors: ${[...run.errors, ...run.failedSubmits].slice(0, 6).join(' | ')}`,
          { cause: e },
        );
      },
    );

    // 3. A worker dies: its quality jobs are taken over by the other.
    await sleep(1500);
    const workerKilledAt = Date.now();
    await w1.kill();

    await loops;
    finished = true;
    // Recovery: the longest time without a successful submit after each kill.
    const recoveryS = longestStall(run.submittedAt, redisKilledAt);
    const serverRecoveryS = longestStall(run.submittedAt, serverKilledAt);
    await watcher;
    const done = (await items.countDocuments({ projectId: pid, status: 'complete' })) === ITEMS;
    // Seconds from the start of the annotators' loops.
    const since = (t: number) => (t ? Math.round((t - startedAt) / 100) / 10 : null);
    const timeline = {
      redis_killed_s: since(redisKilledAt),
      queues_on_killed_master: queuesOnKilled,
      server_killed_s: since(serverKilledAt),
      worker_killed_s: since(workerKilledAt),
      last_submit_s: since(Math.max(...run.submittedAt)),
      all_complete_s: since(allCompleteAt),
      complete_every_5s: progress,
    };
    console.log(`[failover] timeline ${JSON.stringify(timeline)}`);
    let stuck: unknown = null;
    if (!done) {
      const redis = testRedis(cluster.url, 'failover-diagnostics');
      const db = { items, annotations: mongo.db(env.MONGO_DB!).collection('annotations') } as unknown as Database;
      stuck = await incompleteItems(db, redis, env.REDIS_PREFIX!, projectId, K).catch((e: unknown) => String(e));
      redis.disconnect();
      console.log(`[failover] not complete: ${JSON.stringify(stuck)}`);
      console.log(`[failover] surviving worker's output:\n${w2.output().slice(-4000)}`);
    }

    // Every socket was reconnected by its client, through the balancer, to the live server.
    await waitFor('every socket connected', async () => sockets.every((s) => s.connected), 15_000);
    const dropped = [...reconnects.values()].filter((r) => r.drops > 0);
    const figures = {
      submits: run.submitted,
      client_errors: run.errors.length + run.failedSubmits.length,
      connection_retries: LeanClient.retries - retries0,
      redis_failover_recovery_s: recoveryS,
      cluster_state_ok_after_s: clusterOkS,
      server_kill_recovery_s: serverRecoveryS,
      sockets_dropped: dropped.length,
      sockets_reconnected: dropped.filter((r) => r.connects > r.drops).length,
      workers_replaced: w2
        .output()
        .split('\n')
        .filter((l) => l.includes('replacing it')).length,
    };
    console.log(`[failover] ${JSON.stringify(figures)}`);
    if (run.errors.length || run.failedSubmits.length)
      console.log(`[failover] client errors: ${[...run.errors, ...run.failedSubmits].slice(0, 8).join(' | ')}`);

    // No lease stuck: every item got its k annotations, nothing waits or is held.
    expect(done, `items not complete: ${JSON.stringify({ timeline, stuck })}`).toBe(true);
    // Redis's counts settle too: a scan the killed server held, or a lease whose holder's submit
    // completed on the other server, comes back within a lease time and is finished or put back.
    await waitUntilSettled(lead.client, projectId, ITEMS, K).catch(async (e: unknown) => {
      const redis = testRedis(cluster.url, 'failover-diagnostics');
      const keys = projectKeys(env.REDIS_PREFIX!, projectId);
      const q = new Queue(keys.queueName, { connection: redis, prefix: env.REDIS_PREFIX! });
      const annotations = mongo.db(env.MONGO_DB!).collection('annotations');
      const left = await Promise.all(
        (await q.getJobs(['wait', 'prioritized', 'active', 'delayed'])).map(async (j) => ({
          id: j.id,
          state: await j.getState(),
          filled: await redis.get(keys.filled(j.id!)),
          holder: await redis.hget(keys.holders, j.id!),
          stored: (await annotations.findOne({ slot: j.id }, { projection: { userId: 1, createdAt: 1 } })) ?? null,
        })),
      );
      await q.close();
      redis.disconnect();
      throw new Error(`${String(e)}; jobs left: ${JSON.stringify(left)}`, { cause: e });
    });
    // Exactly one annotation per successful submit, unique (item, user), none over the overlap.
    const db = { annotations: mongo.db(env.MONGO_DB!).collection('annotations') } as unknown as Database;
    const r = await reconcileDatabase(db, pid, run.submitted, K);
    expect(r).toMatchObject({ stored: ITEMS * K, lost_db: 0, duplicates_db: 0, items_over_k: 0, repeated_item_user: 0 });
    expect(run.submitted).toBe(ITEMS * K);
    expect(dropped.length).toBeGreaterThan(0);
    expect(figures.sockets_reconnected).toBe(dropped.length);
    expect(recoveryS).toBeLessThan(15);
    await mongo
      .db(env.MONGO_DB!)
      .dropDatabase()
      .catch(() => undefined);
  }, 240_000);
});
