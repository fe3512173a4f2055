/**
 * Real-time benchmark (`npm run bench:realtime`). Starts its own Redis + database (launcher) and one
 * server process (the real `server/src/main.ts`), signs in CLIENTS users (default 1000; distinct
 * users, each its own session), connects one Socket.IO client per session to one project room, then
 * the project's lead broadcasts BROADCASTS announcements (`project:announce`, every GAP_MS).
 *
 * Reports delivery latency (lead's emit → each client's receipt, one clock: all clients live in this
 * process, so this process's own event loop is part of the figure) as p50/p99/max; the fan-out part
 * alone (server's emit time in the payload → receipt, 1 ms resolution) as fanout_p50/p99; deliveries missed,
 * and the server's resident memory per connected client (RSS after connecting and joining minus RSS
 * before, over the client count). Ends with one JSON line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, AnnouncementPayload } from '../core/src/index.ts';
import { freePort, repoRoot, startServices } from '../scripts/services.ts';
import { hashPassword } from '../server/src/modules/auth/password.ts';
import { ApiClient } from '../tests/support/api-client.ts';

const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const CLIENTS = num('CLIENTS', 1000);
const BROADCASTS = num('BROADCASTS', 100);
const WARMUP = num('WARMUP_BROADCASTS', 10);
const GAP_MS = num('GAP_MS', 50);
const ADMIN_PASSWORD = 'bench-admin-password';
const USER_PASSWORD = 'bench-user-password';
const log = (l: string) => console.error(`[bench] ${l}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

async function pool<T>(n: number, width: number, f: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await f(i);
    }
  }));
  return out;
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
    ...process.env, MONGO_URL: services.mongoUrl, REDIS_URL: services.redisUrl, MONGO_DB: 'bench_rt', REDIS_PREFIX: 'bench-rt', HOST: '127.0.0.1', PORT: String(port),
    ADMIN_PASSWORD, LOG_LEVEL: 'warn', LOGIN_MAX_PER_MINUTE: '1000000', CLIENT_DIST: '/nonexistent',
  };
  // `node --import tsx` (not the tsx CLI, which runs the app in a child): the measured pid is the server.
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const sockets: Socket[] = [];
  const mongo = new MongoClient(services.mongoUrl);
  try {
    for (let i = 0; ; i++) {
      if (server.exitCode !== null) throw new Error('server exited');
      try {
        if ((await fetch(`${url}/api/health`)).status === 200) break;
      } catch {
        // not yet
      }
      if (i > 600) throw new Error('server did not start');
      await sleep(100);
    }
    const admin = new ApiClient(url);
    await admin.login('admin', ADMIN_PASSWORD);
    await admin.post('/api/users', { username: 'bench-lead', password: USER_PASSWORD, role: 'lead', level: 'L2' });
    const lead = new ApiClient(url);
    await lead.login('bench-lead', USER_PASSWORD);
    const p = await lead.post('/api/projects', { name: 'realtime bench', kind: 'text', labelSchema: { labels: [{ name: 'pos', color: '#e6194b', tool: 'class-single' }] } });
    const projectId = p.body.project.id as string;

    // Users straight into the database (one password hash for all); sign-ins go through the API.
    await mongo.connect();
    const db = mongo.db('bench_rt');
    const hash = await hashPassword(USER_PASSWORD);
    const now = new Date();
    const ids = Array.from({ length: CLIENTS }, () => new ObjectId());
    await db.collection('users').insertMany(ids.map((_id, i) => ({
      _id, schemaVersion: 1, username: `rt${i}`, usernameLower: `rt${i}`, displayName: `rt${i}`, role: 'annotator', reviewer: false, level: 'L4', lang: 'zh-CN',
      passwordHash: hash, disabled: false, createdAt: now, updatedAt: now,
    })));
    await db.collection('projects').updateOne({ _id: new ObjectId(projectId) }, { $set: { memberIds: ids } });
    let t = performance.now();
    const clients = await pool(CLIENTS, 32, async (i) => {
      const c = new ApiClient(url);
      const r = await c.login(`rt${i}`, USER_PASSWORD);
      if (r.status !== 200) throw new Error(`login rt${i}: ${r.status} ${JSON.stringify(r.body)}`);
      return c;
    });
    log(`${CLIENTS} sessions in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    await sleep(2000);
    const rssBefore = rssKb(server.pid!);
    const got = new Map<number, number[]>();
    const fanout: number[] = [];
    const sentAt = new Map<number, number>();
    t = performance.now();
    await pool(CLIENTS, 100, async (i) => {
      const s = connect(url, { transports: ['websocket'], extraHeaders: { cookie: clients[i]!.cookie }, reconnection: false, forceNew: true });
      sockets.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      s.on('project:announcement', (a: AnnouncementPayload) => {
        const at = performance.now();
        const n = Number(a.text.slice(2));
        const sent = sentAt.get(n);
        if (sent !== undefined) (got.get(n) ?? got.set(n, []).get(n)!).push(at - sent);
        if (n >= WARMUP) fanout.push(Date.now() - Date.parse(a.at));
      });
      const ack = await new Promise<Ack>((resolve) => s.emit('project:join', { projectId }, resolve));
      if (!ack.ok) throw new Error(`join: ${ack.message}`);
    });
    log(`${CLIENTS} sockets connected and joined in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await sleep(3000);
    const rssAfter = rssKb(server.pid!);

    const leadSocket = connect(url, { transports: ['websocket'], extraHeaders: { cookie: lead.cookie }, reconnection: false, forceNew: true });
    sockets.push(leadSocket);
    await new Promise<void>((resolve, reject) => {
      leadSocket.once('connect', () => resolve());
      leadSocket.once('connect_error', reject);
    });
    for (let n = 0; n < WARMUP + BROADCASTS; n++) {
      sentAt.set(n, performance.now());
      leadSocket.emit('project:announce', { projectId, text: `b#${n}` }, (a: Ack) => {
        if (!a.ok) log(`announce ${n}: ${a.code} ${a.message}`);
      });
      await sleep(GAP_MS);
    }
    const expected = (WARMUP + BROADCASTS) * CLIENTS;
    const deadline = Date.now() + 10_000;
    const count = () => [...got.values()].reduce((s, v) => s + v.length, 0);
    while (count() < expected && Date.now() < deadline) await sleep(100);
    const lat: number[] = [];
    for (const [n, v] of got) if (n >= WARMUP) lat.push(...v);
    lat.sort((a, b) => a - b);
    fanout.sort((a, b) => a - b);
    const measured = BROADCASTS * CLIENTS;
    const out = {
      bench: 'realtime',
      clients: CLIENTS,
      broadcasts: BROADCASTS,
      deliveries: lat.length,
      missed: measured - lat.length,
      p50_ms: Number(quantile(lat, 0.5).toFixed(2)),
      p99_ms: Number(quantile(lat, 0.99).toFixed(2)),
      max_ms: Number((lat[lat.length - 1] ?? NaN).toFixed(2)),
      fanout_p50_ms: quantile(fanout, 0.5),
      fanout_p99_ms: quantile(fanout, 0.99),
      kb_per_client: Number(((rssAfter - rssBefore) / CLIENTS).toFixed(1)),
      server_rss_mb: Number((rssAfter / 1024).toFixed(1)),
      targets: { p99_ms: 100, kb_per_client: 50 },
    };
    console.log(JSON.stringify(out));
  } finally {
    for (const s of sockets) s.disconnect();
    await mongo.close().catch(() => undefined);
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
