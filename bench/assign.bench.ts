/**
 * Assignment benchmark (`npm run bench:assign`). Starts its own Redis + database (launcher) and a
 * workers process, then, for each server-process count in SERVERS (default "1,2"), that many server
 * processes and, over the real HTTP API and Socket.IO:
 *
 *  1. N annotators (ANNOTATORS, default 1000) each loop next → think (uniform THINK_MS, default
 *     1000-3000 ms, heartbeating over Socket.IO meanwhile) → submit, for BENCH_SECONDS (default 60);
 *  2. the same annotators with no think time for SATURATION_SECONDS (default 20): saturation, the
 *     throughput figure compared between 1 and 2 server processes (`servers_<n>_tasks_per_s`);
 *  3. (with the last server count) next-task latency with 10k, 100k and 1M queued tasks (BENCH_SCALE,
 *     "0" skips): a fresh project per size, items inserted into MongoDB and put up with the server's
 *     own queueing code.
 *
 * The annotators live in CLIENT_PROCESSES child processes (default 4, bench/assign-clients.ts): one
 * process generating 1,000 annotators' load would measure its own event loop. Annotator i talks to
 * server i mod SERVERS (HTTP and socket), as a load balancer spreads users. Latencies are taken in the
 * client processes; each reports its event-loop utilisation and delay, and the bench reports how many
 * annotators were handed a task in the measured window (`annotators_with_tasks`).
 *
 * Checks per server count: no item got more than k annotations and no annotator got an item twice
 * (double assignments), every replica task is waiting, leased or done and every lease handed out
 * ended in a successful submit (lost). Then the database, the record, is reconciled through the
 * engine's collections: annotations stored = successful submits (`lost_db`), one annotation per
 * (item, user) and at most k per item (`duplicates_db`). Ends with one JSON line of figures with the
 * load averages; the raw figures go to bench/results/assign.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import { createApp } from '../server/src/app.ts';
import { loadConfig } from '../server/src/config.ts';
import { createLogger } from '../server/src/infra/logger.ts';
import { Redis } from 'ioredis';
import type { Database, ItemDoc } from '@labelwork/engine';
import { queueItemDocs } from '../server/src/modules/tasks/tasks.queueing.ts';
import { nextTask } from '../server/src/modules/tasks/tasks.service.ts';
import { submitTask } from '../server/src/modules/tasks/tasks.submit.ts';
import { repoRoot, startServices } from '../scripts/services.ts';
import { ipcChild, type IpcChild } from './ipc.ts';
import { startRecording } from './results.ts';
import type { AnnotatorLogin, FromAnnotators, ToAnnotators } from './assign-clients.ts';
import { ApiClient } from '../tests/support/api-client.ts';
import { benchSessions, seedBenchUsers } from '../tests/support/bench-users.ts';
import { spawnServer, spawnWorkers, type Proc, type ServerProc } from '../tests/support/processes.ts';
import { newRun, pct, reconcileDatabase, sid, sleep, type Run } from '../tests/support/annotators.ts';

const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const N = num('ANNOTATORS', 1000);
const SERVERS = (process.env.SERVERS ?? '1,2')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const CLIENT_PROCESSES = Math.max(1, Math.min(num('CLIENT_PROCESSES', 4), N));
const [THINK_MIN, THINK_MAX] = (process.env.THINK_MS ?? '1000-3000').split('-').map(Number) as [number, number];
const SECONDS = num('BENCH_SECONDS', 60);
const SAT_SECONDS = num('SATURATION_SECONDS', 20);
/** Each phase first runs this long unmeasured (JIT, caches, connection pools warm up). */
const WARMUP_SECONDS = num('WARMUP_SECONDS', 5);
const ITEMS = num('BENCH_ITEMS', 10_000);
const K = num('BENCH_OVERLAP', 3);
const SCALE = (process.env.BENCH_SCALE ?? '10000,100000,1000000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const ADMIN_PASSWORD = 'bench-admin-password';
const USER_PASSWORD = 'bench-annotator-password';
const log = (l: string) => console.error(`[bench] ${l}`);
const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

const schema = {
  labels: [
    { name: 'pos', color: '#e6194b', tool: 'class-single' },
    { name: 'neg', color: '#3cb44b', tool: 'class-single' },
  ],
};

/** CPU seconds (user + system) a process and its descendants have used so far (Linux /proc; 0 elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  const stat = (p: number) => {
    try {
      return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
    } catch {
      return null;
    }
  };
  let all: number[] = [];
  try {
    all = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return 0;
  }
  const parent = new Map(all.map((p) => [p, Number(stat(p)?.[1] ?? 0)]));
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp] of parent)
      if (!tree.has(p) && tree.has(pp)) {
        tree.add(p);
        grew = true;
      }
  }
  let sum = 0;
  for (const p of tree) {
    const f = stat(p);
    if (f) sum += (Number(f[11]) + Number(f[12])) / 100;
  }
  return sum;
}

/** A child process of bench/assign-clients.ts. */
type ClientProcess = IpcChild<ToAnnotators, FromAnnotators>;

function clientProcess(): ClientProcess {
  return ipcChild(
    fork(path.join(repoRoot, 'bench', 'assign-clients.ts'), [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
}

async function expect<T extends FromAnnotators['type']>(c: ClientProcess, type: T): Promise<Extract<FromAnnotators, { type: T }>> {
  const m = await c.next();
  if (m.type === 'error') throw new Error(`client process: ${m.message}`);
  if (m.type !== type) throw new Error(`client process: expected ${type}, got ${m.type}`);
  return m as Extract<FromAnnotators, { type: T }>;
}

async function pool<T>(n: number, width: number, f: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await f(i);
      }
    }),
  );
  return out;
}

/** The runs of every client process as one (arrays joined, counters added). */
function mergeRuns(runs: Run[]): Run {
  const all = newRun(runs[0]?.from ?? 0);
  for (const r of runs) {
    all.measured += r.measured;
    all.submitted += r.submitted;
    all.nothing += r.nothing;
    for (const k of ['next', 'nextAt', 'submit', 'turnaround', 'leases', 'submittedAt', 'failedSubmits', 'errors', 'servedUsers'] as const)
      (all[k] as unknown[]).push(...(r[k] as unknown[]));
  }
  return all;
}

interface PhaseHealth {
  /** Highest event-loop utilisation (0–1) and delay of any client process: near 1 means the clients, not the server, set the pace. */
  client_elu_max: number;
  client_loop_delay_p99_ms_max: number;
  client_loop_delay_max_ms: number;
  connection_retries: number;
}

/** Successful submits answered in [from, until] (epoch ms). */
const answeredIn = (r: Run, from: number, until: number) => r.submittedAt.filter((t) => t >= from && t <= until).length;

/** Runs one phase in every client process and merges what they measured. */
async function phase(
  procs: ClientProcess[],
  m: Omit<Extract<ToAnnotators, { type: 'run' }>, 'type'>,
): Promise<{ run: Run; health: PhaseHealth }> {
  for (const c of procs) c.send({ type: 'run', ...m });
  const results = await Promise.all(procs.map((c) => expect(c, 'result')));
  return {
    run: mergeRuns(results.map((r) => r.run)),
    health: {
      client_elu_max: Math.round(Math.max(...results.map((r) => r.elu)) * 100) / 100,
      client_loop_delay_p99_ms_max: round1(Math.max(...results.map((r) => r.loop_delay_p99_ms))),
      client_loop_delay_max_ms: round1(Math.max(...results.map((r) => r.loop_delay_max_ms))),
      connection_retries: results.reduce((s, r) => s + r.connection_retries, 0),
    },
  };
}

/**
 * Annotators stored through the users module (one password hash for all), each with a session made by
 * the server's own session store (tests/support/bench-users.ts: 1,000 sign-ins through the API spend
 * minutes of scrypt on two cores, and they are set-up, not what is measured). The first few sign in
 * through the API instead, so that path is exercised too.
 */
async function createAnnotators(
  db: ReturnType<MongoClient['db']>,
  url: string,
  env: Record<string, string>,
): Promise<{ id: string; cookie: string; csrf: string }[]> {
  const ids = (await seedBenchUsers(db, { count: N, prefix: 'ann', password: USER_PASSWORD, lang: 'en' })).map((x) => x.toHexString());
  const config = loadConfig({ ...env, ADMIN_PASSWORD, CLIENT_DIST: '/nonexistent' });
  const stored = await benchSessions(config.REDIS_URL, config.REDIS_PREFIX, config.SESSION_TTL_S, ids.slice(API_SIGN_INS));
  const viaApi = await pool(Math.min(API_SIGN_INS, N), 16, async (i) => {
    const c = new ApiClient(url);
    const r = await c.login(`ann${i}`, USER_PASSWORD);
    if (r.status !== 200) throw new Error(`login ann${i}: ${r.status} ${JSON.stringify(r.body)}`);
    return { cookie: c.cookie, csrf: c.csrf };
  });
  return [...viaApi, ...stored].map((s, i) => ({ id: ids[i]!, ...s }));
}

const API_SIGN_INS = 16;

/** Which of the client processes annotator i lives in: contiguous slices, so `only` picks the first of each. */
const sliceOf = (i: number) => Math.floor(i / Math.ceil(N / CLIENT_PROCESSES));

async function main(): Promise<void> {
  const recording = startRecording('assign');
  const loadStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-bench-'));
  const services = await startServices({ dir, log: (l) => console.error(`[services] ${l}`) });
  log(`${services.redisKind} + ${services.mongoKind}`);
  const mongo = await new MongoClient(services.mongoUrl).connect();
  let servers: ServerProc[] = [];
  let workers: Proc | null = null;
  let procs: ClientProcess[] = [];
  const stopClients = async () => {
    for (const c of procs) if (c.child.connected) c.send({ type: 'close' });
    await sleep(200);
    for (const c of procs) if (c.child.exitCode === null) c.child.kill();
    procs = [];
  };
  const stopServers = async () => {
    await Promise.all([...servers.map((s) => s.stop()), workers?.stop()]);
    servers = [];
    workers = null;
  };
  const cleanup = async () => {
    await stopClients();
    await stopServers();
    await mongo.close();
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const perServers: Record<string, unknown>[] = [];
    let scale: Record<string, number>[] = [];
    for (const [round, S] of SERVERS.entries()) {
      // Each server count on its own database and Redis prefix, with its own workers and annotators:
      // the second run does not inherit the first one's data or its background quality work.
      const env = { MONGO_URL: services.mongoUrl, REDIS_URL: services.redisUrl, MONGO_DB: `bench_s${S}`, REDIS_PREFIX: `bench-s${S}` };
      const db = mongo.db(env.MONGO_DB);
      log(`--- ${S} server process(es) ---`);
      // Everything shares two cores here: quality jobs are background work and yield to the server.
      workers = await spawnWorkers({
        ...env,
        LOG_LEVEL: 'warn',
        PROJECT_AGREEMENT_DEBOUNCE_MS: '10000',
        WORKER_NICE: process.env.WORKER_NICE ?? '10',
      });
      const serverEnv = { ...env, ADMIN_PASSWORD, LOGIN_MAX_PER_MINUTE: '1000000', LOG_LEVEL: 'error' };
      servers = await Promise.all(Array.from({ length: S }, () => spawnServer(serverEnv)));
      const url = servers[0]!.url;
      const admin = new ApiClient(url);
      await admin.login('admin', ADMIN_PASSWORD);
      await admin.post('/api/users', { username: 'benchlead', password: 'benchlead-password', role: 'lead', level: 'L1' });
      const t = performance.now();
      const logins = await createAnnotators(db, url, env);
      log(`${N} annotators with sessions in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      const lead = new ApiClient(url);
      await lead.login('benchlead', 'benchlead-password');
      const p = await lead.post('/api/projects', { name: `bench-${S}`, kind: 'text', labelSchema: schema, overlap: K });
      const projectId = p.body.project.id as string;
      await lead.put(`/api/projects/${projectId}/members`, { userIds: logins.map((a) => a.id) });
      const lines = Array.from({ length: ITEMS }, (_, i) =>
        JSON.stringify({ id: i, text: `句子 ${i}: the quick brown fox jumps over the lazy dog` }),
      );
      const imp = await lead.upload(`/api/projects/${projectId}/items/text`, 'file', [{ name: 'bench.jsonl', data: lines.join('\n') }]);
      if (imp.status !== 201) throw new Error(`import failed: ${JSON.stringify(imp.body)}`);
      let t0 = performance.now();
      const q = await lead.post(`/api/projects/${projectId}/queue/items`, { all: true });
      log(`queued ${q.body.queued} items × ${K} in ${Math.round(performance.now() - t0)} ms`);

      // The annotators, spread over the client processes (contiguous slices) and the servers (i mod S).
      procs = Array.from({ length: CLIENT_PROCESSES }, () => clientProcess());
      const slices: AnnotatorLogin[][] = procs.map(() => []);
      logins.forEach((a, i) => slices[sliceOf(i)]!.push({ ...a, url: servers[i % S]!.url }));
      t0 = performance.now();
      procs.forEach((c, k) => c.send({ type: 'connect', annotators: slices[k]! }));
      await Promise.all(procs.map((c) => expect(c, 'ready')));
      log(`${N} sockets connected from ${procs.length} client processes in ${Math.round(performance.now() - t0)} ms`);

      // Probes: how long a trivial database read and a Redis PING take while the load runs.
      const probes = { mongo: [] as number[], redis: [] as number[] };
      const probeRedis = new Redis(services.redisUrl);
      const someUser = new ObjectId(logins[0]!.id);
      let probing = true;
      const probeLoop = (async () => {
        while (probing) {
          let t = performance.now();
          await db.collection('users').findOne({ _id: someUser });
          probes.mongo.push(performance.now() - t);
          t = performance.now();
          await probeRedis.ping();
          probes.redis.push(performance.now() - t);
          await sleep(100);
        }
      })();
      const pidOf = (f: string) => (existsSync(f) ? Number(readFileSync(f, 'utf8')) : undefined);
      const pids: Record<string, (number | undefined)[]> = {
        servers: servers.map((s) => s.proc.pid),
        workers: [workers.proc.pid],
        redis: [pidOf(path.join(dir, 'redis', 'launcher.pid'))],
        database: [pidOf(path.join(dir, 'mongo', 'launcher.pid'))],
        clients: procs.map((c) => c.child.pid),
      };
      const cpuOf = () =>
        Object.fromEntries(Object.entries(pids).map(([k, ps]) => [k, ps.reduce<number>((sum, pid) => sum + cpuSeconds(pid), 0)]));
      const cpu0 = cpuOf();
      const benchCpu0 = process.cpuUsage();
      const wall0 = performance.now();
      log(`phase 1: ${N} annotators, think ${THINK_MIN}–${THINK_MAX} ms, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s`);
      const from1 = Date.now() + WARMUP_SECONDS * 1000;
      const p1 = await phase(procs, {
        projectId,
        from: from1,
        until: from1 + SECONDS * 1000,
        thinkMin: THINK_MIN,
        thinkMax: THINK_MAX,
        startWithin: 3000,
      });
      const think = p1.run;
      // CPU share of each group of processes during phase 1 (a 2-core machine is 200%), over the phase's
      // real duration (it ends when the last annotator's loop does, which can be well after `until`).
      const cpu1 = cpuOf();
      const wall1 = performance.now();
      const phase1Seconds = (wall1 - wall0) / 1000;
      const cpuPhase1 = Object.fromEntries(Object.keys(pids).map((k) => [k, Math.round(((cpu1[k]! - cpu0[k]!) / phase1Seconds) * 100)]));
      const bench = process.cpuUsage(benchCpu0);
      // What a task costs: CPU milliseconds of each group per successful submit of the phase (warm-up included).
      const msPerTask = (a: Record<string, number>, b: Record<string, number>, tasks: number) =>
        Object.fromEntries(Object.keys(pids).map((k) => [k, tasks ? round2(((b[k]! - a[k]!) * 1000) / tasks) : null]));
      log(`phase 2: saturation, no think time, ${WARMUP_SECONDS} s warm-up + ${SAT_SECONDS} s`);
      const from2 = Date.now() + WARMUP_SECONDS * 1000;
      const p2 = await phase(procs, {
        projectId,
        from: from2,
        until: from2 + SAT_SECONDS * 1000,
        thinkMin: 0,
        thinkMax: 0,
        startWithin: 0,
      });
      const sat = p2.run;
      const cpu2 = cpuOf();
      probing = false;
      await probeLoop;
      probeRedis.disconnect();

      // Checks.
      const leases = [...think.leases, ...sat.leases];
      const seen = new Set<string>();
      let doubles = 0;
      for (const l of leases) {
        const key = `${l.user}:${l.item}`;
        if (seen.has(key)) doubles++;
        seen.add(key);
      }
      const perItem = await db
        .collection('annotations')
        .aggregate<{ _id: ObjectId; n: number }>([
          { $match: { projectId: new ObjectId(projectId) } },
          { $group: { _id: '$itemId', n: { $sum: 1 } } },
        ])
        .toArray();
      doubles += perItem.filter((x) => x.n > K).length;
      const counts = (await lead.get(`/api/projects/${projectId}/queue`)).body.counts as { waiting: number; leased: number; done: number };
      const submitted = think.submitted + sat.submitted;
      const failed = think.failedSubmits.length + sat.failedSubmits.length;
      const lost =
        Math.abs(ITEMS * K - (counts.waiting + counts.leased + counts.done)) + Math.abs(counts.done - submitted) + counts.leased + failed;
      if (failed) log(`failed submits: ${[...think.failedSubmits, ...sat.failedSubmits].slice(0, 5).join(' | ')}`);
      const errors = [...think.errors, ...sat.errors];
      if (errors.length) log(`next errors: ${errors.slice(0, 5).join(' | ')}`);
      const annotations = { annotations: db.collection('annotations') } as unknown as Database;
      const reconciled = await reconcileDatabase(annotations, new ObjectId(projectId), submitted, K);
      log(
        `database: ${reconciled.stored} annotations stored for ${submitted} successful submits; ` +
          `${reconciled.repeated_item_user} repeated (item, user), ${reconciled.items_over_k} items over k`,
      );
      // Who actually worked: annotators handed a task by a next started in the measured window (an
      // annotator stuck all along, in a next or a submit, measured nothing).
      const withTasks = (r: Run) => new Set(r.servedUsers).size;
      const figures = {
        servers: S,
        // Throughput: successful submits answered inside the measured window, whenever they started
        // (counting only those started inside it as well drops every submit slower than the window).
        tasks_per_s: round1(answeredIn(think, from1, from1 + SECONDS * 1000) / SECONDS),
        saturation_tasks_per_s: round1(answeredIn(sat, from2, from2 + SAT_SECONDS * 1000) / SAT_SECONDS),
        next_p50_ms: pct(think.next, 50),
        next_p99_ms: pct(think.next, 99),
        next_requests: think.next.length,
        // The p99 of the nexts started in each 10 s of the measured window: whether slow ones are a
        // start-up wave (1,000 people's first draws) or the steady state.
        next_p99_ms_by_10s: Array.from({ length: Math.ceil(SECONDS / 10) }, (_, i) =>
          pct(
            think.nextAt.filter(([at]) => at >= from1 + i * 10_000 && at < from1 + (i + 1) * 10_000).map(([, ms]) => ms),
            99,
          ),
        ),
        submit_p50_ms: pct(think.submit, 50),
        submit_p99_ms: pct(think.submit, 99),
        // From "Submit" to the next task in hand (submit, then next): the wait a person sees between two tasks.
        submit_to_next_p50_ms: pct(think.turnaround, 50),
        submit_to_next_p99_ms: pct(think.turnaround, 99),
        annotators_with_tasks: withTasks(think),
        saturation_annotators_with_tasks: withTasks(sat),
        saturation_next_p50_ms: pct(sat.next, 50),
        saturation_next_p99_ms: pct(sat.next, 99),
        saturation_submit_p99_ms: pct(sat.submit, 99),
        double_assignments: doubles,
        lost,
        lost_db: reconciled.lost_db,
        duplicates_db: reconciled.duplicates_db,
        next_errors: errors.length,
        nothing_to_do: think.nothing + sat.nothing,
        client_health_phase1: p1.health,
        client_health_saturation: p2.health,
        probe_mongo_p50_ms: pct(probes.mongo, 50),
        probe_mongo_p99_ms: pct(probes.mongo, 99),
        probe_redis_p50_ms: pct(probes.redis, 50),
        probe_redis_p99_ms: pct(probes.redis, 99),
        cpu_percent_phase1: { ...cpuPhase1, bench: Math.round(((bench.user + bench.system) / 1e6 / phase1Seconds) * 100) },
        cpu_ms_per_task_phase1: msPerTask(cpu0, cpu1, think.submitted),
        cpu_ms_per_task_saturation: msPerTask(cpu1, cpu2, sat.submitted),
        load_average: os.loadavg().map((x) => Math.round(x * 100) / 100),
        counts,
        database: reconciled,
        submitted,
        failed_submits: failed,
      };
      log(`${S} server(s): ${JSON.stringify(figures)}`);
      perServers.push(figures);

      // Phase 3 (with the last server count): latency against queue size.
      if (round === SERVERS.length - 1 && SCALE.length) scale = await scalePhase(env, lead, logins, procs);
      await stopClients();
      await stopServers();
    }

    const last = perServers[perServers.length - 1]!;
    const result: Record<string, unknown> = {
      annotators: N,
      servers: last.servers,
      client_processes: CLIENT_PROCESSES,
      think_ms: [THINK_MIN, THINK_MAX],
      next_p50_ms: last.next_p50_ms,
      next_p99_ms: last.next_p99_ms,
      next_requests: last.next_requests,
      tasks_per_s: last.tasks_per_s,
      annotators_with_tasks: last.annotators_with_tasks,
    };
    for (const f of perServers) {
      result[`servers_${String(f.servers)}_tasks_per_s`] = f.saturation_tasks_per_s;
      result[`servers_${String(f.servers)}_next_p99_ms`] = f.next_p99_ms;
    }
    Object.assign(result, {
      submit_p99_ms: last.submit_p99_ms,
      submit_to_next_p99_ms: last.submit_to_next_p99_ms,
      double_assignments: perServers.reduce((s, f) => s + Number(f.double_assignments), 0),
      lost: perServers.reduce((s, f) => s + Number(f.lost), 0),
      lost_db: perServers.reduce((s, f) => s + Number(f.lost_db), 0),
      duplicates_db: perServers.reduce((s, f) => s + Number(f.duplicates_db), 0),
      load_average_start: loadStart,
      load_average_end: os.loadavg().map((x) => Math.round(x * 100) / 100),
    });
    const details = {
      ...result,
      overlap: K,
      items: ITEMS,
      seconds: SECONDS,
      saturation_seconds: SAT_SECONDS,
      warmup_seconds: WARMUP_SECONDS,
      mongo: services.mongoKind,
      per_servers: perServers,
      scale,
    };
    log(`raw figures in ${recording.write(details)}`);
    console.log(JSON.stringify(result));
  } catch (e) {
    // Said before the cleanup, whose own errors (closing a client mid-operation) would hide it.
    log(`failed: ${e instanceof Error ? e.stack : String(e)}`);
    throw e;
  } finally {
    await cleanup();
  }
}

/** Phase 3: next-task latency against queue size (a fresh project per size), over HTTP and in-process. */
async function scalePhase(
  env: Record<string, string>,
  lead: ApiClient,
  logins: { id: string }[],
  procs: ClientProcess[],
): Promise<Record<string, number>[]> {
  const scale: Record<string, number>[] = [];
  const app = await createApp(loadConfig({ ...env, PORT: '0', LOG_LEVEL: 'silent', ADMIN_PASSWORD, CLIENT_DIST: '/nonexistent' }), {
    log: createLogger('silent'),
  });
  try {
    for (const size of SCALE) {
      const pr = await lead.post('/api/projects', { name: `scale-${size}`, kind: 'text', labelSchema: schema, overlap: 1 });
      const sp = pr.body.project.id as string;
      await lead.put(`/api/projects/${sp}/members`, { userIds: logins.map((a) => a.id) });
      const project = (await app.ctx.db.projects.findOne({ _id: new ObjectId(sp) }))!;
      const importId = new ObjectId();
      const t0 = performance.now();
      for (let i = 0; i < size; i += 5000) {
        const docs: ItemDoc[] = Array.from({ length: Math.min(5000, size - i) }, (_, j) => ({
          _id: new ObjectId(),
          schemaVersion: 1,
          projectId: project._id,
          seq: i + j + 1,
          kind: 'text',
          text: `item ${i + j} of the scale run`,
          textLength: 20,
          isGold: false,
          status: 'new',
          annotationCount: 0,
          importId,
          createdAt: new Date(),
        }));
        await app.ctx.db.items.insertMany(docs, { ordered: false });
        await queueItemDocs(app.ctx, project, docs, 50, project.ownerId);
      }
      const queueSeconds = (performance.now() - t0) / 1000;
      log(`scale ${size}: ${size} tasks queued in ${queueSeconds.toFixed(1)} s; measuring next`);
      // 50 annotators (the first of each client process), think 0.5–1.5 s.
      const from = Date.now() + 3000;
      const { run } = await phase(procs, {
        projectId: sp,
        from,
        until: from + 15_000,
        thinkMin: 500,
        thinkMax: 1500,
        startWithin: 1000,
        only: Math.ceil(50 / procs.length),
      });
      // The same use case called in-process (no HTTP, no load): what the queue size itself costs.
      const user = (await app.ctx.db.users.findOne({ _id: new ObjectId(logins[logins.length - 1]!.id) }))!;
      const service: number[] = [];
      for (let i = 0; i < 300; i++) {
        const t1 = performance.now();
        const task = await nextTask(app.ctx, user, project._id);
        service.push(performance.now() - t1);
        await submitTask(app.ctx, user, task.leaseId, { submissionId: sid(), regions: [{ id: 'c', type: 'class', label: 'pos' }] });
      }
      scale.push({
        queued: size,
        next_p50_ms: pct(run.next, 50),
        next_p99_ms: pct(run.next, 99),
        service_next_p50_ms: pct(service, 50),
        service_next_p99_ms: pct(service, 99),
        queue_seconds: round1(queueSeconds),
      });
      log(`scale ${size}: in-process nextTask p50 ${pct(service, 50)} ms, p99 ${pct(service, 99)} ms`);
      log(`scale ${size}: next p50 ${pct(run.next, 50)} ms, p99 ${pct(run.next, 99)} ms (${run.next.length} requests)`);
    }
  } finally {
    await app.close();
  }
  return scale;
}

main().catch((e: unknown) => {
  console.error(`[bench] failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
