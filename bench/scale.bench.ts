/**
 * Scale-out benchmark (`npm run bench:scale`): the assignment loop of bench:assign (the same simulated
 * annotators, tests/support/annotators.ts) against 1 and 2 server processes (+2 workers) behind a
 * TCP load balancer, on one Redis and on a local Redis Cluster (3 masters + 3 replicas), then a
 * failover: with 2 servers on the cluster and annotators working, the master serving the project's
 * slot is SIGKILLed and its replica promoted.
 *
 * Each configuration has its own database and Redis prefix; SCALE_ANNOTATORS (default 40) annotators
 * loop next → submit with no think time for SCALE_SECONDS (default 15) after a 3 s warm-up
 * (throughput = successful submits per second). Afterwards every project is reconciled with the
 * database (lost_db: submits told successful but not stored, or stored but never told; duplicates_db:
 * a second annotation of one (item, user) or more than k per item). Redis CPU per task (INFO cpu of every
 * Redis process, replicas included, over the measured window) says where a cluster on one small
 * machine spends what a single Redis does not. One JSON line; raw figures go to
 * bench/results/scale.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient, ObjectId } from 'mongodb';
import type { Socket } from 'socket.io-client';
import type { Database } from '@labelwork/engine';
import { startServices } from '../scripts/services.ts';
import { startRedisCluster } from '../scripts/redis-cluster.ts';
import { startRecording } from './results.ts';
import { ApiClient } from '../tests/support/api-client.ts';
import {
  annotate,
  longestStall,
  newRun,
  pct,
  reconcileDatabase,
  signUpAnnotators,
  sleep,
  type Annotator,
  type Run,
} from '../tests/support/annotators.ts';
import { startLoadBalancer } from '../tests/support/load-balancer.ts';
import { spawnServer, spawnWorkers, type Proc } from '../tests/support/processes.ts';

const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const N = num('SCALE_ANNOTATORS', 40);
const SECONDS = num('SCALE_SECONDS', 15);
const WARMUP_S = 3;
const ITEMS = num('SCALE_ITEMS', 3000);
const K = 2;
const ADMIN_PASSWORD = 'bench-admin-password';
const log = (l: string) => console.error(`[bench] ${l}`);
const schema = {
  labels: [
    { name: 'pos', color: '#e6194b', tool: 'class-single' },
    { name: 'neg', color: '#3cb44b', tool: 'class-single' },
  ],
};

interface ConfigResult {
  name: string;
  redis: 'single' | 'cluster';
  servers: number;
  tasks_per_s: number;
  next_p50_ms: number;
  next_p99_ms: number;
  submitted: number;
  client_errors: number;
  failover_recovery_s?: number;
  /** CPU time of every Redis process (masters and replicas) per successful submit in the measured window. */
  redis_cpu_ms_per_task: number;
  lost_db: number;
  duplicates_db: number;
}

/** User + system CPU milliseconds each Redis process has used so far (INFO cpu), summed. */
async function redisCpuMs(ports: number[]): Promise<number> {
  let total = 0;
  for (const port of ports) {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await r.connect();
      const info = await r.info('cpu');
      total += (Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1])) * 1000;
    } finally {
      r.disconnect();
    }
  }
  return total;
}

async function runConfig(
  name: string,
  mongoUrl: string,
  redisUrl: string,
  redisPorts: number[],
  servers: number,
  failover?: (projectId: string) => Promise<{ kill(): Promise<void> }>,
): Promise<ConfigResult> {
  const id = name.replace(/[^a-z0-9]/gi, '');
  const env = { MONGO_URL: mongoUrl, REDIS_URL: redisUrl, MONGO_DB: `scale_${id}`, REDIS_PREFIX: `sc${id}` };
  const procs: Proc[] = [];
  const serverEnv = { ...env, ADMIN_PASSWORD, LOGIN_MAX_PER_MINUTE: '100000', LOG_LEVEL: 'error' };
  const srv = await Promise.all(Array.from({ length: servers }, () => spawnServer(serverEnv)));
  procs.push(...srv);
  const workerEnv = { ...env, LOG_LEVEL: 'warn', PROJECT_AGREEMENT_DEBOUNCE_MS: '10000', WORKER_NICE: '10' };
  procs.push(...(await Promise.all([spawnWorkers(workerEnv), spawnWorkers(workerEnv)])));
  const lb = await startLoadBalancer(srv.map((s) => s.url));
  const mongo = await new MongoClient(mongoUrl).connect();
  const sockets: Socket[] = [];
  try {
    const admin = new ApiClient(lb.url);
    await admin.login('admin', ADMIN_PASSWORD);
    await admin.post('/api/users', { username: 'lead', password: 'lead-password', role: 'lead', level: 'L1' });
    const lead = new ApiClient(lb.url);
    await lead.login('lead', 'lead-password');
    const annotators: Annotator[] = await signUpAnnotators(admin, lb.url, N, { connectRetries: 10, onSocket: (s) => sockets.push(s) });
    const p = await lead.post('/api/projects', { name: 'scale', kind: 'text', labelSchema: schema, overlap: K });
    const projectId = p.body.project.id as string;
    await lead.put(`/api/projects/${projectId}/members`, { userIds: annotators.map((a) => a.id) });
    const lines = Array.from({ length: ITEMS }, (_, i) => JSON.stringify({ id: i, text: `sentence ${i}: the quick brown fox` }));
    const imp = await lead.upload(`/api/projects/${projectId}/items/text`, 'file', [{ name: 'scale.jsonl', data: lines.join('\n') }]);
    if (imp.status !== 201) throw new Error(`import failed: ${JSON.stringify(imp.body)}`);
    await lead.post(`/api/projects/${projectId}/queue/items`, { all: true });

    // Saturation: no think time; throughput = successful submits per second after the warm-up.
    const run = newRun(Date.now() + WARMUP_S * 1000);
    const until = run.from + SECONDS * 1000;
    // Redis CPU over the measured window (the cluster's replicas apply every write too).
    const cpuAt = (t: number) => sleep(Math.max(0, t - Date.now())).then(() => redisCpuMs(redisPorts));
    const [, cpuFrom, cpuTo] = await Promise.all([
      Promise.all(annotators.map((a) => annotate(a, projectId, until, () => 0, run))),
      cpuAt(run.from),
      cpuAt(until),
    ]);
    const result: ConfigResult = {
      name,
      redis: redisUrl.startsWith('redis-cluster') ? 'cluster' : 'single',
      servers,
      tasks_per_s: Math.round((run.measured / SECONDS) * 10) / 10,
      next_p50_ms: pct(run.next, 50),
      next_p99_ms: pct(run.next, 99),
      submitted: run.submitted,
      client_errors: run.errors.length + run.failedSubmits.length,
      lost_db: 0,
      duplicates_db: 0,
      redis_cpu_ms_per_task: Math.round(((cpuTo - cpuFrom) / Math.max(1, run.measured)) * 100) / 100,
    };
    const runs: Run[] = [run];
    if (failover) {
      // Annotators with a think time (heartbeating) while the project's Redis master dies.
      const fo = newRun();
      const foUntil = Date.now() + 25_000;
      const loops = Promise.all(annotators.map((a) => annotate(a, projectId, foUntil, () => 300 + Math.random() * 500, fo, 500)));
      await sleep(5000);
      const node = await failover(projectId);
      const killedAt = Date.now();
      await node.kill();
      await loops;
      result.failover_recovery_s = longestStall(fo.submittedAt, killedAt);
      result.client_errors += fo.errors.length + fo.failedSubmits.length;
      if (fo.errors.length + fo.failedSubmits.length)
        log(`failover client errors: ${[...fo.errors, ...fo.failedSubmits].slice(0, 4).join(' | ')}`);
      runs.push(fo);
    }
    // Reconcile with the database once the submits in flight have landed.
    await sleep(1000);
    const db = { annotations: mongo.db(env.MONGO_DB).collection('annotations') } as unknown as Database;
    const told = runs.reduce((s, r) => s + r.submitted, 0);
    const rec = await reconcileDatabase(db, new ObjectId(projectId), told, K);
    result.lost_db = rec.lost_db;
    result.duplicates_db = rec.duplicates_db;
    log(`${name}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    for (const s of sockets) s.disconnect();
    await Promise.all(procs.map((p) => p.stop()));
    await lb.close();
    await mongo
      .db(env.MONGO_DB)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
  }
}

async function main(): Promise<void> {
  const recording = startRecording('scale');
  const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-scale-'));
  const services = await startServices({ dir, log: (l) => console.error(`[services] ${l}`) });
  const cluster = await startRedisCluster({ dir, nodeTimeoutMs: 1500, log: (l) => console.error(`[services] ${l}`) });
  try {
    const results: ConfigResult[] = [];
    const single = [Number(new URL(services.redisUrl).port)];
    const nodes = cluster.nodes.map((n) => n.port);
    results.push(await runConfig('single-1', services.mongoUrl, services.redisUrl, single, 1));
    results.push(await runConfig('single-2', services.mongoUrl, services.redisUrl, single, 2));
    results.push(await runConfig('cluster-1', services.mongoUrl, cluster.url, nodes, 1));
    results.push(
      await runConfig('cluster-2', services.mongoUrl, cluster.url, nodes, 2, async (projectId) => cluster.masterOf(`{${projectId}}`)),
    );
    const by = (n: string) => results.find((r) => r.name === n)!;
    const figures = {
      annotators: N,
      seconds: SECONDS,
      items: ITEMS,
      overlap: K,
      // Redis kind compared with 2 servers; server count compared on the cluster.
      single_redis_tasks_per_s: by('single-2').tasks_per_s,
      cluster_tasks_per_s: by('cluster-2').tasks_per_s,
      servers_1_tasks_per_s: by('cluster-1').tasks_per_s,
      servers_2_tasks_per_s: by('cluster-2').tasks_per_s,
      single_redis_servers_1_tasks_per_s: by('single-1').tasks_per_s,
      next_p99_ms: by('cluster-2').next_p99_ms,
      failover_recovery_s: by('cluster-2').failover_recovery_s,
      single_redis_cpu_ms_per_task: by('single-2').redis_cpu_ms_per_task,
      cluster_redis_cpu_ms_per_task: by('cluster-2').redis_cpu_ms_per_task,
      lost_db: results.reduce((s, r) => s + r.lost_db, 0),
      duplicates_db: results.reduce((s, r) => s + r.duplicates_db, 0),
      client_errors: results.reduce((s, r) => s + r.client_errors, 0),
    };
    const file = recording.write({ ...figures, configs: results });
    log(`raw figures: ${file}`);
    console.log(JSON.stringify(figures));
  } finally {
    await cluster.stop();
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
