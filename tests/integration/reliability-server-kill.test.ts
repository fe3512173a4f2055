import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MongoClient } from 'mongodb';
import { ApiClient } from '../support/api-client.ts';
import { spawnServer, spawnWorkers, sharedEnv, type Proc, type ServerProc } from '../support/processes.ts';
import { makeUsers, textProject, waitFor, type TestUser } from '../support/tasks.ts';
import {
  ADMIN_PASSWORD,
  annotateThroughOutages,
  checkDatabase,
  errorSummary,
  newKillStats,
  waitUntilSettled,
} from '../support/reliability.ts';

const env = sharedEnv(inject('mongoUrl'), inject('redisUrl'));
const procs: Proc[] = [];
let mongo: MongoClient | null = null;

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  if (mongo) {
    await mongo
      .db(env.MONGO_DB)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
  }
});

/** The same session on another server process (sessions live in Redis, shared by all servers). */
function moveTo(u: TestUser, url: string): void {
  const c = new ApiClient(url);
  c.cookie = u.client.cookie;
  c.csrf = u.client.csrf;
  u.client = c;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

describe('the server SIGKILLed in the middle of submits, again and again', () => {
  it('loses no acknowledged submit and counts none twice across repeated kills (5–10) at random points', async () => {
    const LEASE_MS = 8000;
    const serverEnv = { ...env, LEASE_MS: String(LEASE_MS), STALLED_INTERVAL_MS: '300' };
    const SERVERS = 4;
    const first = await Promise.all(Array.from({ length: SERVERS }, () => spawnServer(serverEnv)));
    procs.push(...first);
    let server: ServerProc = first[0]!;
    procs.push(await spawnWorkers({ ...env, WORKER_LOCK_MS: '2000' }));
    const admin = new ApiClient(server.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    const annos = await makeUsers(admin, 's', 8);
    const N = 60;
    const K = 2;
    const { projectId, itemIds } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: N, overlap: K },
    );

    const stats = newKillStats();
    const started = Date.now();
    // Submits in flight right now (sent, not answered), to kill the server in the middle of them.
    let inFlight = 0;
    let killsDone = false;
    const deadline = Date.now() + 100_000;
    const loops = annos.map((a) =>
      annotateThroughOutages(a, projectId, stats, {
        idleMs: LEASE_MS + 2500,
        deadline,
        until: () => killsDone,
        // Think while the kills go on (the work must outlast them), then finish quickly.
        thinkMs: () => (killsDone ? 0 : 1000 + Math.random() * 1000),
        onSubmit: (phase) => (inFlight += phase === 'sent' ? 1 : -1),
      }),
    );
    // Four server processes in turn (as behind a load balancer): the annotators work through one;
    // it is SIGKILLed in the middle of their submits, they go on through the next one (their retries
    // too), and the killed one is started again in the background — so the kills are not spaced by
    // the 5–10 s a server takes to start on this loaded machine.
    const KILLS = 10;
    const restartMs: number[] = [];
    const pool: Promise<ServerProc>[] = first.map((p) => Promise.resolve(p));
    let hitInFlight = 0;
    let kills = 0;
    // Up to ten kills, while there is work left and for at most a minute (a server takes 5–15 s to
    // start on this machine under load, which bounds how often one can be killed).
    for (let i = 0; i < KILLS && stats.acked.length < N * K - 20 && Date.now() - started < 60_000; i++) {
      // A random moment while submits are going through this server (once the next one is up).
      const next = await pool[(i + 1) % SERVERS]!;
      const ackedNow = stats.acked.length;
      await waitFor('submits going through', async () => stats.acked.length >= ackedNow + 1 && inFlight > 0, 30_000, 5).catch(
        (e: unknown) => {
          throw new Error(`${String(e)}; errors: ${errorSummary(stats)}; server output: ${server.output().slice(-1500)}`);
        },
      );
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      await waitFor('a submit in flight', async () => inFlight > 0, 10_000, 1);
      hitInFlight += inFlight;
      await server.kill();
      for (const u of [lead, ...annos]) moveTo(u, next.url);
      const t0 = Date.now();
      pool[i % SERVERS] = spawnServer(serverEnv).then((p) => {
        procs.push(p);
        restartMs.push(Date.now() - t0);
        return p;
      });
      server = next;
      kills++;
      console.error(`[server SIGKILL] kill ${i + 1} at ${Date.now() - started} ms: ${stats.acked.length} acknowledged`);
    }
    killsDone = true;
    await Promise.all(loops);
    console.error(`[server SIGKILL] loops done at ${Date.now() - started} ms`);
    await Promise.all(pool);

    mongo = await new MongoClient(env.MONGO_URL!).connect();
    const stored = await checkDatabase(mongo.db(env.MONGO_DB), projectId, itemIds, K, stats);
    await waitUntilSettled(lead.client, projectId, N, K);
    console.log(
      `[server SIGKILL] ${kills} kills with ${hitInFlight} submits in flight at them; ${stats.acked.length} submits acknowledged, ` +
        `${stats.sends} sent; stored ${stored}; a server start took ${median(restartMs)} ms (median); errors: ${errorSummary(stats)}`,
    );
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(hitInFlight).toBeGreaterThanOrEqual(kills);
    expect(stats.acked.length).toBe(N * K);
  }, 150_000);
});
