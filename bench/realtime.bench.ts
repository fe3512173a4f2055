/**
 * Real-time benchmark (`npm run bench:realtime`). Starts its own Redis + database (launcher) and one
 * server process (the real `server/src/main.ts`, restarted once after the setup), gives CLIENTS
 * users (default 5000; distinct users, each its own session) a signed-in session and connects one
 * Socket.IO client per session to the project room, as the project dashboard and queue tab do. Then
 * it measures two events a user sees, through the real code path (HTTP request → service →
 * database → Socket.IO):
 *
 *  - `queue:counts`: an annotator submits (`POST /api/tasks/:lease/submit`); latency is from the
 *    start of that request to each dashboard client's receipt of the counts that include it. The
 *    server reads and sends the counts right after a change; changes within COUNTS_MIN_GAP_MS
 *    (100 ms) of the previous push wait for the end of that gap (server/src/modules/tasks/task-runtime.ts),
 *    so a burst is one broadcast; the events here are spaced (the lease before each submit is
 *    600 ms earlier), and any such wait would be counted. No fixed wait of the bench is inside the
 *    measured span: it runs from the submit's start to each receipt. Where the time goes is in the
 *    raw figures, per event (`counts_breakdown`): the submit request's duration, the first
 *    dashboard's receipt (the server's part: the submit's work up to the change, the counts read
 *    and the first socket write) and the spread from the first to the last receipt (the fan-out to
 *    every socket, then the client processes' decoding, on the same two cores);
 *  - `review:verdict`: a reviewer accepts the annotation (`POST …/review/tasks/:task/verdict`);
 *    latency is from the start of that request to the annotator's receipt (their inbox write included).
 *
 * Each is measured in ROUNDS rounds of EVENTS events, alternately with the access decision warm (the
 * server's access cache as it is in use) and cold (the access epoch in Redis is moved before every
 * request, exactly what a role or membership change does, so every request pays the fresh reads of
 * the session, the user and the project). Reported: p50/p99 of each mode over all its events, and the
 * median and range of the rounds' p99 (not the best round). The headline keys (`event`, `p99_ms`,
 * `p99_ms_cold_access`) are those of `queue:counts`, the event that reaches all CLIENTS. Times are on
 * the machine's monotonic clock (`process.hrtime`, the same in every process).
 *
 * Sessions (setup, not measured): by default created in the server's own session store (what a
 * sign-in does after its password check; scrypt would make 5,000 sign-ins take minutes); SIGN_IN=api
 * signs each client in through the API. Each socket's handshake resolves its session as usual.
 * Each handshake reads its user (by _id: an index lookup, also on the FerretDB the launcher builds,
 * scripts/ferretdb/patches.json; upstream FerretDB 1.24 scanned the users collection, ~25 ms at 5,000
 * users, and connecting took minutes). Open files: the server and each
 * client process get a soft limit raised to what their sockets need (`ulimit -n` up to the hard limit).
 *
 * The clients live in CLIENT_PROCESSES child processes (default 4, bench/realtime-clients.ts): 5,000
 * decodings per event in one event loop would queue the later clients and measure the bench itself.
 * CLIENT_LIB `wire` (default) has each dashboard speak the Engine.IO/Socket.IO protocol over `ws`
 * and decode every event frame with JSON.parse; `socket.io` runs a socket.io-client per dashboard,
 * whose own dispatch, 5,000 times per broadcast on the server's two cores, adds CPU no single
 * dashboard pays (see realtime-clients.ts). The line names the one used (`client_lib`).
 * Memory: `kb_per_client` is the growth of the server's live memory (V8 heap used + external) from
 * connecting and joining, over the clients connected in between (a fresh server process, a first
 * tenth connected before), each side after full GCs the bench asks for (`--expose-gc` and a preload
 * that collects on SIGUSR2); `rss_kb_per_client` is the resident-set growth, reported but not the
 * figure (the allocator's reuse varies by run). Ends with one JSON line; raw figures, with the load
 * averages at start and end, go to bench/results/realtime.json.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { io as connect, type Socket } from 'socket.io-client';
import { SERVER_EVENTS, type ReviewVerdictPayload } from '../core/src/index.ts';
import { freePort, repoRoot, startServices } from '../scripts/services.ts';
import { loadConfig } from '../server/src/config.ts';
import { COUNTS_MIN_GAP_MS } from '../server/src/modules/tasks/task-runtime.ts';
import { benchSessions, seedBenchUsers } from '../tests/support/bench-users.ts';
import { ApiClient } from '../tests/support/api-client.ts';
import { signedInUser } from '../tests/support/project-setup.ts';
import { textProject } from '../tests/support/tasks.ts';
import { ipcChild, type IpcChild } from './ipc.ts';
import { startRecording } from './results.ts';
import type { ClientLib, FromClients, ToClients } from './realtime-clients.ts';

const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const CLIENTS = num('CLIENTS', 5000);
const EVENTS = num('EVENTS', 15);
const ROUNDS = num('ROUNDS', 3);
const WARMUP = num('WARMUP_EVENTS', 3);
const CLIENT_PROCESSES = num('CLIENT_PROCESSES', 4);
/** `store` (default): the clients' sessions are created in the server's session store directly; `api`: each signs in through POST /api/auth/login. */
const SIGN_IN = process.env.SIGN_IN === 'api' ? 'api' : 'store';
/** How each dashboard client reads the socket (bench/realtime-clients.ts): `wire` (default) or `socket.io`. */
const CLIENT_LIB: ClientLib = process.env.CLIENT_LIB === 'socket.io' ? 'socket.io' : 'wire';
const ADMIN_PASSWORD = 'bench-admin-password';
const USER_PASSWORD = 'bench-user-password';
const log = (l: string) => console.error(`[bench] ${l}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The machine's monotonic clock in ms: the same in every process, so client processes' receipts compare with send times here. */
const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

async function pool<T>(n: number, width: number, f: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
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

/** The server's RSS and live memory (JS heap used + external) after full GCs (SIGUSR2 → the preload), so garbage not yet collected does not count. */
async function afterGc(pid: number, memFile: string): Promise<{ rssKb: number; heapKb: number }> {
  rmSync(memFile, { force: true });
  process.kill(pid, 'SIGUSR2');
  await sleep(2000);
  // A busy server writes the figures later: wait for them (a stale file gave the same heap twice).
  let m: NodeJS.MemoryUsage | null = null;
  for (let i = 0; !m; i++) {
    try {
      m = JSON.parse(readFileSync(memFile, 'utf8')) as NodeJS.MemoryUsage;
    } catch (e) {
      if (i >= 100) throw e;
      await sleep(200);
    }
  }
  const r = { rssKb: rssKb(pid), heapKb: (m.heapUsed + m.external) / 1024 };
  log(
    `server memory after GC: rss ${(r.rssKb / 1024).toFixed(1)} MB, heap used ${(m.heapUsed / 2 ** 20).toFixed(1)} of ${(m.heapTotal / 2 ** 20).toFixed(1)} MB, external ${(m.external / 2 ** 20).toFixed(1)} MB`,
  );
  return r;
}

/** The soft and hard limits of open files of this process (children inherit them). */
function fdLimits(): { soft: number; hard: number } {
  const m = /Max open files\s+(\S+)\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  const n = (v: string | undefined) => (v === undefined || v === 'unlimited' ? Infinity : Number(v));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

/**
 * A command that runs `node args` with at least `fds` open files allowed: through `sh -c 'ulimit -n'`
 * when the inherited soft limit is lower (a socket is a file descriptor: the server holds one per
 * client, a client process one per client it runs), an error when even the hard limit is lower.
 */
function nodeWithFds(fds: number, args: string[]): [string, string[]] {
  const { soft, hard } = fdLimits();
  if (soft >= fds) return [process.execPath, args];
  if (hard < fds) throw new Error(`${fds} open files needed, the hard limit is ${hard} (raise it: ulimit -Hn, /etc/security/limits.conf)`);
  log(`open files: soft limit ${soft} raised to ${fds} for the server and client processes`);
  return ['/bin/sh', ['-c', `ulimit -n ${fds} && exec "$0" "$@"`, process.execPath, ...args]];
}

/** A child process of bench/realtime-clients.ts. */
function clientProcess(clients: number): IpcChild<ToClients, FromClients> {
  const [cmd, args] = nodeWithFds(clients + 256, ['--import', 'tsx', path.join(repoRoot, 'bench', 'realtime-clients.ts')]);
  return ipcChild(spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface Measured {
  counts: number[][];
  verdict: number[][];
  verdictHttp: number[];
}

const ms = (v: number) => Number(v.toFixed(2));
const sortedQ = (xs: number[], q: number) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    q,
  );
/** p50/p99 over all events of a mode, and the median and range of its rounds' p99. */
function summary(rounds: number[][]): { p50_ms: number; p99_ms: number; round_p99_median_ms: number; round_p99_range_ms: number[] } {
  const all = rounds.flat();
  const p99s = rounds.map((r) => sortedQ(r, 0.99)).sort((a, b) => a - b);
  return {
    p50_ms: ms(sortedQ(all, 0.5)),
    p99_ms: ms(sortedQ(all, 0.99)),
    round_p99_median_ms: ms(quantile(p99s, 0.5)),
    round_p99_range_ms: [ms(p99s[0] ?? NaN), ms(p99s[p99s.length - 1] ?? NaN)],
  };
}

async function main(): Promise<void> {
  const recording = startRecording('realtime');
  const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-bench-rt-'));
  const services = await startServices({ dir, log: (l) => console.error(`[services] ${l}`) });
  const port = await freePort();
  const env = {
    ...process.env,
    MONGO_URL: services.mongoUrl,
    REDIS_URL: services.redisUrl,
    MONGO_DB: 'bench_rt',
    REDIS_PREFIX: 'bench-rt',
    HOST: '127.0.0.1',
    PORT: String(port),
    ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    LOGIN_MAX_PER_MINUTE: '1000000',
    CLIENT_DIST: '/nonexistent',
    BENCH_MEM_FILE: path.join(dir, 'server-memory.json'),
  };
  // `node --import tsx` (not the tsx CLI, which runs the app in a child): the measured pid is the server.
  // Bench only: --expose-gc and a preload that, on SIGUSR2, runs three full GCs 300 ms apart (V8
  // shrinks its heap over several) and writes process.memoryUsage() to BENCH_MEM_FILE.
  const gcOnSignal = `data:text/javascript,${encodeURIComponent('import { writeFileSync } from "node:fs"; process.on("SIGUSR2", () => { globalThis.gc(); setTimeout(() => globalThis.gc(), 300); setTimeout(() => { globalThis.gc(); writeFileSync(process.env.BENCH_MEM_FILE, JSON.stringify(process.memoryUsage())); }, 600); });')}`;
  const url = `http://127.0.0.1:${port}`;
  let server: ChildProcess | null = null;
  const startServer = async (): Promise<ChildProcess> => {
    const [cmd, args] = nodeWithFds(CLIENTS + 1024, ['--expose-gc', '--import', 'tsx', '--import', gcOnSignal, 'server/src/main.ts']);
    const s = spawn(cmd, args, {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    server = s;
    for (let i = 0; ; i++) {
      if (s.exitCode !== null) throw new Error('server exited');
      try {
        if ((await fetch(`${url}/api/health`)).status === 200) return s;
      } catch {
        // not yet
      }
      if (i > 600) throw new Error('server did not start');
      await sleep(100);
    }
  };
  const stopServer = async () => {
    const s = server;
    if (!s || s.exitCode !== null) return;
    s.kill('SIGTERM');
    await new Promise((r) => s.once('exit', r));
  };
  const sockets: Socket[] = [];
  const procs: ReturnType<typeof clientProcess>[] = [];
  const mongo = new MongoClient(services.mongoUrl);
  try {
    await startServer();
    const admin = new ApiClient(url);
    await admin.login('admin', ADMIN_PASSWORD);
    await admin.post('/api/users', { username: 'bench-lead', password: USER_PASSWORD, role: 'lead', level: 'L2' });
    const lead = new ApiClient(url);
    await lead.login('bench-lead', USER_PASSWORD);
    const anno = await signedInUser(admin, { name: 'bench-anno', role: 'annotator', level: 'L4' }, url);
    const rev = await signedInUser(admin, { name: 'bench-rev', role: 'annotator', level: 'L2', reviewer: true }, url);
    const totalEvents = WARMUP + 2 * ROUNDS * EVENTS;
    const { projectId } = await textProject(lead, [anno.id, rev.id], {
      n: totalEvents + 5,
      overlap: 1,
      reviewPolicy: { sampleRate: 1 },
      name: 'realtime bench',
    });

    // Users stored through the users module (one password hash for all; tests/support/bench-users.ts).
    await mongo.connect();
    const db = mongo.db('bench_rt');
    const ids = await seedBenchUsers(db, { count: CLIENTS, prefix: 'rt', password: USER_PASSWORD, lang: 'zh-CN' });
    // Members through the projects API (at most 1,000 per call).
    for (let i = 0; i < ids.length; i += 1000) {
      const r = await lead.put(`/api/projects/${projectId}/members`, { userIds: ids.slice(i, i + 1000).map((x) => x.toHexString()) });
      if (r.status !== 200) throw new Error(`members: ${r.status} ${JSON.stringify(r.body)}`);
    }
    let t = performance.now();
    let loginRetries = 0;
    let cookies: string[];
    if (SIGN_IN === 'store') {
      // Bench-only fast path (setup, not measured): scrypt makes a sign-in cost ~50 ms of a core, and
      // 5,000 of them would take minutes. The sessions are created by the server's own session store
      // (SessionStore.create, what POST /api/auth/login calls after the password check) in the same
      // Redis, prefix and lifetime, so each socket's handshake resolves its session exactly as after a
      // sign-in. SIGN_IN=api signs every client in through the API instead.
      const sessions = await benchSessions(
        services.redisUrl,
        env.REDIS_PREFIX,
        loadConfig(env).SESSION_TTL_S,
        ids.map((x) => x.toHexString()),
      );
      cookies = sessions.map((x) => x.cookie);
    } else {
      const signedIn = await pool(CLIENTS, 16, async (i) => {
        // Setup, not measured: a sign-in that failed with a 5xx (FerretDB's SQLite has answered
        // "unable to open database file" under heavy load here) is tried again, and counted.
        for (let attempt = 1; ; attempt++) {
          const c = new ApiClient(url);
          const r = await c.login(`rt${i}`, USER_PASSWORD);
          if (r.status === 200) return c;
          if (r.status < 500 || attempt === 3) throw new Error(`login rt${i}: ${r.status} ${JSON.stringify(r.body)}`);
          loginRetries++;
          await sleep(500);
        }
      });
      cookies = signedIn.map((c) => c.cookie);
    }
    log(
      `${CLIENTS} sessions (${SIGN_IN === 'store' ? 'session store' : 'sign-ins through the API'}) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    // A fresh server process for the measured part (sessions live in Redis): the setup's garbage
    // would otherwise be reused by the connections and hide their memory. The lead's socket and a
    // first tenth of the clients connect before the memory is taken (one-time initialisation, the
    // database connection pool and V8's young generation grow then); the per-client figure is the
    // growth from the other nine tenths, over their count.
    await stopServer();
    const measured = await startServer();
    // The annotator's socket (their user room gets `review:verdict`) stays in this process.
    const annoSocket = connect(url, {
      transports: ['websocket'],
      extraHeaders: { cookie: anno.client.cookie },
      reconnection: false,
      forceNew: true,
    });
    sockets.push(annoSocket);
    await new Promise<void>((resolve, reject) => {
      annoSocket.once('connect', () => resolve());
      annoSocket.once('connect_error', reject);
    });
    const verdictWaiters = new Map<string, (at: number) => void>();
    const verdictEarly = new Map<string, number>();
    annoSocket.on(SERVER_EVENTS.reviewVerdict, (v: ReviewVerdictPayload) => {
      const at = hrMs();
      const w = verdictWaiters.get(v.reviewId);
      if (w) w(at);
      else verdictEarly.set(v.reviewId, at);
    });
    const perProcess = Math.ceil(CLIENTS / Math.min(CLIENT_PROCESSES, CLIENTS));
    for (let k = 0; k < Math.min(CLIENT_PROCESSES, CLIENTS); k++) procs.push(clientProcess(perProcess));
    /** Connects clients [from, to) spread over the client processes, and waits until all joined. */
    const connectRange = async (from: number, to: number) => {
      const per = Math.ceil((to - from) / procs.length);
      const busy = procs.filter((_, k) => from + k * per < to);
      busy.forEach((c, k) =>
        c.send({
          type: 'connect',
          url,
          projectId,
          cookies: cookies.slice(from + k * per, Math.min(to, from + (k + 1) * per)),
          width: Math.ceil(100 / procs.length),
          lib: CLIENT_LIB,
        }),
      );
      for (const c of busy) {
        const m = await c.next();
        if (m.type !== 'ready') throw new Error(`client process: ${m.type === 'error' ? m.message : m.type}`);
      }
    };
    const warm = Math.floor(CLIENTS / 10);
    await connectRange(0, warm);
    await sleep(1000);
    const before = await afterGc(measured.pid!, env.BENCH_MEM_FILE);
    t = performance.now();
    await connectRange(warm, CLIENTS);
    log(
      `${CLIENTS} sockets in ${procs.length} client processes connected and joined (${CLIENTS - warm} of them in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );
    await sleep(2000);
    const after = await afterGc(measured.pid!, env.BENCH_MEM_FILE);

    const { Redis } = await import('ioredis');
    const redis = new Redis(services.redisUrl);
    /** What a role or membership change does: every server process drops its cached access decisions, users and projects. */
    const dropAccessCaches = async () => void (await redis.incr(`${env.REDIS_PREFIX}:access:epoch`));
    const submitAt: number[] = []; // by the queue's `done` after that submit
    const submitHttpMs: number[] = []; // the submit request's duration, by `done`
    const modeOf: ('warm' | 'cold' | 'warmup')[] = [];
    const roundOf: number[] = [];
    const events: Record<'warm' | 'cold', Measured> = {
      warm: { counts: [], verdict: [], verdictHttp: [] },
      cold: { counts: [], verdict: [], verdictHttp: [] },
    };
    let done = 0;
    /** One annotation submitted and accepted; records the submit time and the verdict's arrival. */
    const oneEvent = async (mode: 'warm' | 'cold' | 'warmup', round: number) => {
      const cold = mode === 'cold';
      const n = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
      if (n.status !== 200) throw new Error(`next: ${n.status} ${JSON.stringify(n.body)}`);
      await sleep(600); // the counts the lease changed go out first (they wait at most COUNTS_MIN_GAP_MS)
      if (cold) await dropAccessCaches();
      const t0 = hrMs();
      const s = await anno.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, {
        submissionId: `s${done}-${Date.now()}`,
        regions: [{ id: 'c', type: 'class', label: 'pos' }],
      });
      const answered = hrMs();
      if (s.status !== 201) throw new Error(`submit: ${s.status} ${JSON.stringify(s.body)}`);
      done++;
      submitAt[done] = t0;
      submitHttpMs[done] = answered - t0;
      modeOf[done] = mode;
      roundOf[done] = round;
      await sleep(700);
      const task = await rev.client.post(`/api/projects/${projectId}/review/next`);
      if (task.status !== 200) throw new Error(`review next: ${task.status} ${JSON.stringify(task.body)}`);
      if (cold) await dropAccessCaches();
      const t1 = hrMs();
      const v = await rev.client.post(`/api/projects/${projectId}/review/tasks/${task.body.task.taskId}/verdict`, {
        token: task.body.task.token,
        verdict: 'accept',
        comments: [],
      });
      const httpMs = hrMs() - t1;
      if (v.status !== 201) throw new Error(`verdict: ${v.status} ${JSON.stringify(v.body)}`);
      const reviewId = v.body.review.id as string;
      const at =
        verdictEarly.get(reviewId) ??
        (await new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`verdict ${reviewId} not received in 10 s`)), 10_000);
          verdictWaiters.set(reviewId, (x) => {
            clearTimeout(timer);
            resolve(x);
          });
        }));
      if (mode !== 'warmup') {
        events[mode].verdict[round]!.push(at - t1);
        events[mode].verdictHttp.push(httpMs);
      }
    };

    for (const c of procs) c.send({ type: 'start' });
    for (let i = 0; i < WARMUP; i++) await oneEvent('warmup', 0);
    for (let r = 0; r < ROUNDS; r++)
      for (const mode of ['warm', 'cold'] as const) {
        events[mode].counts[r] = [];
        events[mode].verdict[r] = [];
        for (let i = 0; i < EVENTS; i++) await oneEvent(mode, r);
        log(`round ${r + 1} ${mode}: verdict p50 ${ms(sortedQ(events[mode].verdict[r]!, 0.5))} ms`);
      }
    for (const c of procs) c.send({ type: 'collect', finalDone: done, deadlineMs: 15_000 });
    redis.disconnect();
    let elu = 0;
    let missed = 0;
    const received: number[] = [];
    const receiptsOf: number[][] = []; // by `done`: each receipt's latency
    for (const c of procs) {
      const m = await c.next();
      if (m.type !== 'result') throw new Error(`client process: ${m.type === 'error' ? m.message : m.type}`);
      elu = Math.max(elu, m.elu);
      // Per client, the first receipt of counts that include submit d (done ≥ d) measures submit d.
      const firstAt = new Map<number, Map<number, number>>();
      for (let i = 0; i < m.receipts.length; i += 3) {
        const client = m.receipts[i]!;
        const d = m.receipts[i + 1]!;
        const at = m.receipts[i + 2]!;
        let f = firstAt.get(client);
        if (!f) firstAt.set(client, (f = new Map()));
        for (let k = 1; k <= d; k++) if (!f.has(k) && at >= submitAt[k]!) f.set(k, at);
      }
      for (let k = 1; k <= done; k++) {
        const mode = modeOf[k]!;
        for (const f of firstAt.values()) {
          const at = f.get(k);
          if (at === undefined) continue;
          received[k] = (received[k] ?? 0) + 1;
          (receiptsOf[k] ??= []).push(at - submitAt[k]!);
          if (mode !== 'warmup') events[mode].counts[roundOf[k]!]!.push(at - submitAt[k]!);
        }
      }
    }
    for (let k = 1; k <= done; k++) missed += CLIENTS - (received[k] ?? 0);
    // Where each measured event's time went: the submit request, the first receipt (the server's
    // part), the spread from the first to the 99th-percentile and the last receipt (fan-out and decoding).
    const breakdown = { warm: [] as number[][], cold: [] as number[][] };
    for (let k = 1; k <= done; k++) {
      const mode = modeOf[k]!;
      if (mode === 'warmup') continue;
      const xs = (receiptsOf[k] ?? []).sort((a, b) => a - b);
      breakdown[mode].push([
        submitHttpMs[k]!,
        xs[0] ?? NaN,
        quantile(xs, 0.99) - (xs[0] ?? NaN),
        (xs[xs.length - 1] ?? NaN) - (xs[0] ?? NaN),
      ]);
    }
    const medianOf = (rows: number[][], col: number): number => {
      const column = rows.map((r) => r[col]!);
      return ms(sortedQ(column, 0.5));
    };
    const out = {
      bench: 'realtime',
      clients: CLIENTS,
      // The headline (issue #17): the event that fans out to every client, queue:counts on CLIENTS
      // dashboards, p99 over all receipts of all rounds; the verdict's figures follow.
      event: 'queue:counts',
      p99_ms: summary(events.warm.counts).p99_ms,
      p99_ms_cold_access: summary(events.cold.counts).p99_ms,
      p99_ms_round_median: summary(events.warm.counts).round_p99_median_ms,
      p99_ms_round_range: summary(events.warm.counts).round_p99_range_ms,
      events_per_round: EVENTS,
      rounds: ROUNDS,
      counts_event: 'queue:counts',
      counts_p50_ms: summary(events.warm.counts).p50_ms,
      counts_p99_ms: summary(events.warm.counts).p99_ms,
      counts_p99_ms_cold_access: summary(events.cold.counts).p99_ms,
      counts_gap_ms: COUNTS_MIN_GAP_MS,
      // Medians over the warm events: the submit request, its first receipt, first → 99th-percentile receipt.
      counts_submit_http_p50_ms: medianOf(breakdown.warm, 0),
      counts_first_receipt_p50_ms: medianOf(breakdown.warm, 1),
      counts_spread_p99_p50_ms: medianOf(breakdown.warm, 2),
      verdict_event: 'review:verdict',
      verdict_p50_ms: summary(events.warm.verdict).p50_ms,
      verdict_p99_ms: summary(events.warm.verdict).p99_ms,
      verdict_p99_ms_cold_access: summary(events.cold.verdict).p99_ms,
      missed,
      setup_login_retries: loginRetries,
      client_processes: procs.length,
      client_lib: CLIENT_LIB,
      client_elu_max: Number(elu.toFixed(2)),
      kb_per_client: Number(((after.heapKb - before.heapKb) / (CLIENTS - warm)).toFixed(1)),
      rss_kb_per_client: Number(((after.rssKb - before.rssKb) / (CLIENTS - warm)).toFixed(1)),
      server_rss_mb: Number((after.rssKb / 1024).toFixed(1)),
      targets: { p99_ms: 100, kb_per_client: 50 },
    };
    const details = {
      ...out,
      counts: { warm: summary(events.warm.counts), cold: summary(events.cold.counts) },
      verdict: { warm: summary(events.warm.verdict), cold: summary(events.cold.verdict) },
      counts_breakdown: {
        columns: ['submit_http_ms', 'first_receipt_ms', 'first_to_p99_receipt_ms', 'first_to_last_receipt_ms'],
        warm: breakdown.warm.map((r) => r.map(ms)),
        cold: breakdown.cold.map((r) => r.map(ms)),
      },
      verdict_http_p50_ms: { warm: ms(sortedQ(events.warm.verdictHttp, 0.5)), cold: ms(sortedQ(events.cold.verdictHttp, 0.5)) },
    };
    log(`counts warm ${JSON.stringify(details.counts.warm)} cold ${JSON.stringify(details.counts.cold)}`);
    log(`verdict warm ${JSON.stringify(details.verdict.warm)} cold ${JSON.stringify(details.verdict.cold)}`);
    log(
      `counts, medians of the warm events: submit request ${out.counts_submit_http_p50_ms} ms, first receipt ${out.counts_first_receipt_p50_ms} ms, first → p99 receipt ${out.counts_spread_p99_p50_ms} ms (${out.client_lib} clients)`,
    );
    log(`raw figures in ${recording.write(details)}`);
    console.log(JSON.stringify(out));
  } finally {
    for (const s of sockets) s.disconnect();
    for (const c of procs) if (c.child.exitCode === null) c.child.kill();
    await mongo.close().catch(() => undefined);
    await stopServer();
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
