/**
 * Real-time benchmark (`npm run bench:realtime`). Starts its own Redis + database (launcher) and one
 * server process (the real `server/src/main.ts`, restarted once after the sign-ins), signs in CLIENTS users (default 1000; distinct
 * users, each its own session), connects one Socket.IO client per session to one project room, then
 * the project's lead broadcasts BROADCASTS announcements (`project:announce`, every GAP_MS).
 *
 * The clients live in CLIENT_PROCESSES child processes (default 2, bench/realtime-clients.ts), not in
 * this one: decoding 1000 messages per broadcast in one event loop would queue the last clients
 * behind the first and measure the bench as much as the server. The lead's socket stays here.
 *
 * Reports delivery latency (lead's emit → each client's receipt, on the machine's monotonic clock
 * shared by all processes) as p50/p99/max; the fan-out part alone (server's emit time in the payload
 * → receipt, 1 ms resolution) as fanout_p50/p99; the lead's ack (emit → ack: the server's access
 * check and its send loop over 1000 sockets); the spread of one broadcast (first → last receipt);
 * the busiest client process's event-loop utilisation while broadcasting; deliveries missed; and the
 * server's memory per connected client: `kb_per_client` is the growth of its live memory (V8 heap
 * used + external buffers) from connecting and joining, over the clients connected in between (see
 * the comment at the measurement: a fresh server process, a first tenth connected before), each
 * side taken after full GCs the bench asks for (the server runs with `--expose-gc` and a preload that
 * collects on SIGUSR2 and writes `process.memoryUsage()`); `rss_kb_per_client` is the same for the
 * resident set, which mostly shows how much freed memory the allocator had to reuse (it varies from
 * run to run by tens of KB per client) and so is reported but not the figure. Ends with one JSON line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack } from '../core/src/index.ts';
import { freePort, repoRoot, startServices } from '../scripts/services.ts';
import { hashPassword } from '../server/src/modules/users/password.ts';
import { ApiClient } from '../tests/support/api-client.ts';
import type { FromClients, ToClients } from './realtime-clients.ts';

const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const CLIENTS = num('CLIENTS', 1000);
const BROADCASTS = num('BROADCASTS', 100);
const WARMUP = num('WARMUP_BROADCASTS', 10);
const GAP_MS = num('GAP_MS', 50);
const CLIENT_PROCESSES = num('CLIENT_PROCESSES', 2);
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
  process.kill(pid, 'SIGUSR2');
  await sleep(2000);
  const m = JSON.parse(readFileSync(memFile, 'utf8')) as NodeJS.MemoryUsage;
  const r = { rssKb: rssKb(pid), heapKb: (m.heapUsed + m.external) / 1024 };
  log(
    `server memory after GC: rss ${(r.rssKb / 1024).toFixed(1)} MB, heap used ${(m.heapUsed / 2 ** 20).toFixed(1)} of ${(m.heapTotal / 2 ** 20).toFixed(1)} MB, external ${(m.external / 2 ** 20).toFixed(1)} MB`,
  );
  return r;
}

/** A child process of bench/realtime-clients.ts and a way to wait for its next message. */
function clientProcess(): { child: ChildProcess; send(m: ToClients): void; next(): Promise<FromClients> } {
  const child = fork(path.join(repoRoot, 'bench', 'realtime-clients.ts'), [], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: FromClients[] = [];
  let waiting: ((m: FromClients) => void) | null = null;
  child.on('message', (m: FromClients) => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(m);
    } else inbox.push(m);
  });
  return {
    child,
    send: (m) => child.send(m),
    next: () => {
      const m = inbox.shift();
      if (m) return Promise.resolve(m);
      return new Promise<FromClients>((resolve, reject) => {
        waiting = resolve;
        child.once('exit', (code) => reject(new Error(`client process exited (${code})`)));
      });
    },
  };
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
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
    const s = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', gcOnSignal, 'server/src/main.ts'], {
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
    const p = await lead.post('/api/projects', {
      name: 'realtime bench',
      kind: 'text',
      labelSchema: { labels: [{ name: 'pos', color: '#e6194b', tool: 'class-single' }] },
    });
    const projectId = p.body.project.id as string;

    // Users straight into the database (one password hash for all); sign-ins go through the API.
    await mongo.connect();
    const db = mongo.db('bench_rt');
    const hash = await hashPassword(USER_PASSWORD);
    const now = new Date();
    const ids = Array.from({ length: CLIENTS }, () => new ObjectId());
    await db.collection('users').insertMany(
      ids.map((_id, i) => ({
        _id,
        schemaVersion: 1,
        username: `rt${i}`,
        usernameLower: `rt${i}`,
        displayName: `rt${i}`,
        role: 'annotator',
        reviewer: false,
        level: 'L4',
        lang: 'zh-CN',
        passwordHash: hash,
        disabled: false,
        createdAt: now,
        updatedAt: now,
      })),
    );
    await db.collection('projects').updateOne({ _id: new ObjectId(projectId) }, { $set: { memberIds: ids } });
    let t = performance.now();
    const clients = await pool(CLIENTS, 32, async (i) => {
      const c = new ApiClient(url);
      const r = await c.login(`rt${i}`, USER_PASSWORD);
      if (r.status !== 200) throw new Error(`login rt${i}: ${r.status} ${JSON.stringify(r.body)}`);
      return c;
    });
    log(`${CLIENTS} sessions in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // A fresh server process for the measured part (sessions live in Redis): the sign-ins' garbage
    // would otherwise be reused by the connections and hide their memory. The lead's socket and a
    // first tenth of the clients connect before the memory is taken (one-time initialisation, the
    // database connection pool and V8's young generation grow then); the per-client figure is the
    // growth from the other nine tenths, over their count.
    await stopServer();
    const measured = await startServer();
    const leadSocket = connect(url, {
      transports: ['websocket'],
      extraHeaders: { cookie: lead.cookie },
      reconnection: false,
      forceNew: true,
    });
    sockets.push(leadSocket);
    await new Promise<void>((resolve, reject) => {
      leadSocket.once('connect', () => resolve());
      leadSocket.once('connect_error', reject);
    });
    for (let k = 0; k < Math.min(CLIENT_PROCESSES, CLIENTS); k++) procs.push(clientProcess());
    /** Connects clients [from, to) spread over the client processes, and waits until all joined. */
    const connectRange = async (from: number, to: number) => {
      const per = Math.ceil((to - from) / procs.length);
      const busy = procs.filter((_, k) => from + k * per < to);
      busy.forEach((c, k) =>
        c.send({
          type: 'connect',
          url,
          projectId,
          cookies: clients.slice(from + k * per, Math.min(to, from + (k + 1) * per)).map((x) => x.cookie),
          width: Math.ceil(100 / procs.length),
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

    for (const c of procs) c.send({ type: 'start' });
    const sentAt: number[] = [];
    const ackMs: number[] = [];
    for (let n = 0; n < WARMUP + BROADCASTS; n++) {
      sentAt[n] = hrMs();
      leadSocket.emit('project:announce', { projectId, text: `b#${n}` }, (a: Ack) => {
        if (n >= WARMUP) ackMs.push(hrMs() - sentAt[n]!);
        if (!a.ok) log(`announce ${n}: ${a.code} ${a.message}`);
      });
      await sleep(GAP_MS);
    }
    for (const c of procs) c.send({ type: 'collect', broadcasts: WARMUP + BROADCASTS, deadlineMs: 10_000 });
    const lat: number[] = [];
    const fanout: number[] = [];
    const byBroadcast = new Map<number, { first: number; last: number }>();
    let elu = 0;
    for (const c of procs) {
      const m = await c.next();
      if (m.type !== 'result') throw new Error(`client process: ${m.type === 'error' ? m.message : m.type}`);
      elu = Math.max(elu, m.elu);
      for (let i = 0; i < m.receipts.length; i += 3) {
        const n = m.receipts[i]!;
        if (n < WARMUP) continue;
        const at = m.receipts[i + 1]!;
        lat.push(at - sentAt[n]!);
        fanout.push(m.receipts[i + 2]!);
        const b = byBroadcast.get(n);
        if (!b) byBroadcast.set(n, { first: at, last: at });
        else {
          b.first = Math.min(b.first, at);
          b.last = Math.max(b.last, at);
        }
      }
    }
    lat.sort((a, b) => a - b);
    fanout.sort((a, b) => a - b);
    ackMs.sort((a, b) => a - b);
    const spread = [...byBroadcast.values()].map((b) => b.last - b.first).sort((a, b) => a - b);
    const expected = BROADCASTS * CLIENTS;
    const ms = (v: number) => Number(v.toFixed(2));
    const out = {
      bench: 'realtime',
      clients: CLIENTS,
      broadcasts: BROADCASTS,
      deliveries: lat.length,
      missed: expected - lat.length,
      p50_ms: ms(quantile(lat, 0.5)),
      p99_ms: ms(quantile(lat, 0.99)),
      max_ms: ms(lat[lat.length - 1] ?? NaN),
      fanout_p50_ms: quantile(fanout, 0.5),
      fanout_p99_ms: quantile(fanout, 0.99),
      ack_p50_ms: ms(quantile(ackMs, 0.5)),
      ack_p99_ms: ms(quantile(ackMs, 0.99)),
      spread_p50_ms: ms(quantile(spread, 0.5)),
      client_processes: procs.length,
      client_elu_max: Number(elu.toFixed(2)),
      kb_per_client: Number(((after.heapKb - before.heapKb) / (CLIENTS - warm)).toFixed(1)),
      rss_kb_per_client: Number(((after.rssKb - before.rssKb) / (CLIENTS - warm)).toFixed(1)),
      server_rss_mb: Number((after.rssKb / 1024).toFixed(1)),
      targets: { p99_ms: 100, kb_per_client: 50 },
    };
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
