/**
 * Assignment benchmark (`npm run bench:assign`). Starts its own Redis + database (launcher), a
 * server process and a workers process, then over the real HTTP API and Socket.IO:
 *
 *  1. N annotators (default 200) each loop next → think (uniform 1–3 s, heartbeating over
 *     Socket.IO meanwhile) → submit, for BENCH_SECONDS (default 60);
 *  2. the same annotators with no think time for SATURATION_SECONDS (default 20): saturation;
 *  3. next-task latency with 10k, 100k and 1M queued tasks (BENCH_SCALE, "0" skips): a fresh project
 *     per size, items inserted into MongoDB and put up with the server's own queueing code.
 *
 * Checks afterwards: no item got more than k annotations and no annotator got an item twice
 * (double assignments), every replica task is waiting, leased or done and every lease handed out
 * ended in a successful submit (lost). Then the database, the record, is reconciled through the
 * engine's collections: annotations stored = successful submits (`lost_db`), one annotation per
 * (item, user) and at most k per item (`duplicates_db`). Ends with one JSON line of figures; the
 * raw figures go to bench/results/assign.json.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import { createApp } from '../server/src/app.ts';
import { loadConfig } from '../server/src/config.ts';
import { createLogger } from '../server/src/infra/logger.ts';
import { connectDatabase, type Database, type ItemDoc } from '@labelwork/engine';
import { queueItemDocs } from '../server/src/modules/tasks/tasks.queueing.ts';
import { nextTask } from '../server/src/modules/tasks/tasks.service.ts';
import { submitTask } from '../server/src/modules/tasks/tasks.submit.ts';
import { startServices } from '../scripts/services.ts';
import { startRecording } from './results.ts';
import { ApiClient } from '../tests/support/api-client.ts';
import { spawnServer, spawnWorkers } from '../tests/support/processes.ts';
import {
  annotate,
  LeanClient,
  newRun,
  pct,
  reconcileDatabase,
  sid,
  signUpAnnotators,
  sleep,
  type Annotator,
} from '../tests/support/annotators.ts';

const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const N = num('ANNOTATORS', 200);
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
const log = (l: string) => console.error(`[bench] ${l}`);

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

async function main(): Promise<void> {
  const recording = startRecording('assign');
  const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-bench-'));
  const services = await startServices({ dir, log: (l) => console.error(`[services] ${l}`) });
  const env = { MONGO_URL: services.mongoUrl, REDIS_URL: services.redisUrl, MONGO_DB: 'bench', REDIS_PREFIX: 'bench' };
  log(`${services.redisKind} + ${services.mongoKind}; starting server and workers`);
  const server = await spawnServer({ ...env, ADMIN_PASSWORD, LOGIN_MAX_PER_MINUTE: '100000', LOG_LEVEL: 'error' });
  // Everything shares two cores here: quality jobs are background work and yield to the server.
  const workers = await spawnWorkers({
    ...env,
    LOG_LEVEL: 'warn',
    PROJECT_AGREEMENT_DEBOUNCE_MS: '10000',
    WORKER_NICE: process.env.WORKER_NICE ?? '10',
  });
  const mongo = await new MongoClient(services.mongoUrl).connect();
  const db = mongo.db('bench');
  const engineDb = await connectDatabase(services.mongoUrl, 'bench', { maxPoolSize: 4, ensureIndexes: false });
  const cleanup = async () => {
    await Promise.all([server.stop(), workers.stop()]);
    await engineDb.close();
    await mongo.close();
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const admin = new ApiClient(server.url);
    await admin.login('admin', ADMIN_PASSWORD);
    await admin.post('/api/users', { username: 'benchlead', password: 'benchlead-password', role: 'lead', level: 'L1' });
    const lead = new ApiClient(server.url);
    await lead.login('benchlead', 'benchlead-password');
    log(`creating ${N} annotators`);
    const annotators: Annotator[] = await signUpAnnotators(admin, server.url, N);
    const p = await lead.post('/api/projects', { name: 'bench', kind: 'text', labelSchema: schema, overlap: K });
    const projectId = p.body.project.id as string;
    await lead.put(`/api/projects/${projectId}/members`, { userIds: annotators.map((a) => a.id) });
    const lines = Array.from({ length: ITEMS }, (_, i) =>
      JSON.stringify({ id: i, text: `句子 ${i}: the quick brown fox jumps over the lazy dog` }),
    );
    const imp = await lead.upload(`/api/projects/${projectId}/items/text`, 'file', [{ name: 'bench.jsonl', data: lines.join('\n') }]);
    if (imp.status !== 201) throw new Error(`import failed: ${JSON.stringify(imp.body)}`);
    let t0 = performance.now();
    const q = await lead.post(`/api/projects/${projectId}/queue/items`, { all: true });
    log(`queued ${q.body.queued} items × ${K} in ${Math.round(performance.now() - t0)} ms`);

    // Probes: how long a trivial database read and a Redis PING take while the load runs.
    const probes = { mongo: [] as number[], redis: [] as number[] };
    const { Redis } = await import('ioredis');
    const probeRedis = new Redis(services.redisUrl);
    const someUser = new ObjectId(annotators[0]!.id);
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
    const pids: Record<string, number | undefined> = {
      server: server.proc.pid,
      workers: workers.proc.pid,
      redis: pidOf(path.join(dir, 'redis', 'launcher.pid')),
      database: pidOf(path.join(dir, 'mongo', 'launcher.pid')),
    };
    const benchCpu0 = process.cpuUsage();
    const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
    log(`phase 1: ${N} annotators, think 1–3 s, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s`);
    const think = newRun(Date.now() + WARMUP_SECONDS * 1000);
    let until = think.from + SECONDS * 1000;
    await Promise.all(annotators.map((a) => annotate(a, projectId, until, () => 1000 + Math.random() * 2000, think, 3000)));
    if (process.env.BENCH_SLOW) {
      const slow = [...think.nextAt]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 40)
        .sort((x, y) => x[0] - y[0]);
      log(`slowest next: ${slow.map(([at, ms]) => `${((at - slow[0]![0]) / 1000).toFixed(2)}s:${Math.round(ms)}`).join(' ')}`);
    }
    // CPU share of each process during phase 1 (a 2-core machine is 200%).
    const cpuPhase1: Record<string, number> = Object.fromEntries(
      Object.entries(pids).map(([k, pid]) => [k, Math.round(((cpuSeconds(pid) - (cpu0[k] ?? 0)) / (SECONDS + WARMUP_SECONDS)) * 100)]),
    );
    const benchCpu = process.cpuUsage(benchCpu0);
    cpuPhase1.bench = Math.round(((benchCpu.user + benchCpu.system) / 1e6 / (SECONDS + WARMUP_SECONDS)) * 100);
    log(`phase 2: saturation, no think time, ${WARMUP_SECONDS} s warm-up + ${SAT_SECONDS} s`);
    const sat = newRun(Date.now() + WARMUP_SECONDS * 1000);
    until = sat.from + SAT_SECONDS * 1000;
    await Promise.all(annotators.map((a) => annotate(a, projectId, until, () => 0, sat)));
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
    const reconciled = await reconcileDatabase(engineDb, new ObjectId(projectId), submitted, K);
    log(
      `database: ${reconciled.stored} annotations stored for ${submitted} successful submits; ` +
        `${reconciled.repeated_item_user} repeated (item, user), ${reconciled.items_over_k} items over k`,
    );

    // Phase 3: latency against queue size.
    const scale: {
      queued: number;
      next_p50_ms: number;
      next_p99_ms: number;
      service_next_p50_ms: number;
      service_next_p99_ms: number;
      queue_seconds: number;
    }[] = [];
    if (SCALE.length) {
      const app = await createApp(loadConfig({ ...env, PORT: '0', LOG_LEVEL: 'silent', ADMIN_PASSWORD, CLIENT_DIST: '/nonexistent' }), {
        log: createLogger('silent'),
      });
      try {
        for (const size of SCALE) {
          const pr = await lead.post('/api/projects', { name: `scale-${size}`, kind: 'text', labelSchema: schema, overlap: 1 });
          const sp = pr.body.project.id as string;
          await lead.put(`/api/projects/${sp}/members`, { userIds: annotators.map((a) => a.id) });
          const project = (await app.ctx.db.projects.findOne({ _id: new ObjectId(sp) }))!;
          const importId = new ObjectId();
          t0 = performance.now();
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
          const run = newRun(Date.now() + 3000);
          const stop = run.from + 15_000;
          await Promise.all(annotators.slice(0, 50).map((a) => annotate(a, sp, stop, () => 500 + Math.random() * 1000, run, 1000)));
          // The same use case called in-process (no HTTP, no load): what the queue size itself costs.
          const user = (await app.ctx.db.users.findOne({ _id: new ObjectId(annotators[60]!.id) }))!;
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
            queue_seconds: Math.round(queueSeconds * 10) / 10,
          });
          log(`scale ${size}: in-process nextTask p50 ${pct(service, 50)} ms, p99 ${pct(service, 99)} ms`);
          log(`scale ${size}: next p50 ${pct(run.next, 50)} ms, p99 ${pct(run.next, 99)} ms (${run.next.length} requests)`);
        }
      } finally {
        await app.close();
      }
    }

    for (const a of annotators) a.socket.disconnect();
    const result = {
      annotators: N,
      tasks_per_s: Math.round((think.measured / SECONDS) * 10) / 10,
      saturation_tasks_per_s: Math.round((sat.measured / SAT_SECONDS) * 10) / 10,
      next_p50_ms: pct(think.next, 50),
      next_p99_ms: pct(think.next, 99),
      submit_p99_ms: pct(think.submit, 99),
      double_assignments: doubles,
      lost,
      lost_db: reconciled.lost_db,
      duplicates_db: reconciled.duplicates_db,
    };
    const details = {
      ...result,
      overlap: K,
      items: ITEMS,
      seconds: SECONDS,
      saturation_seconds: SAT_SECONDS,
      warmup_seconds: WARMUP_SECONDS,
      mongo: services.mongoKind,
      saturation_next_p50_ms: pct(sat.next, 50),
      saturation_next_p99_ms: pct(sat.next, 99),
      saturation_submit_p99_ms: pct(sat.submit, 99),
      submit_p50_ms: pct(think.submit, 50),
      probe_mongo_p50_ms: pct(probes.mongo, 50),
      probe_mongo_p99_ms: pct(probes.mongo, 99),
      probe_redis_p50_ms: pct(probes.redis, 50),
      probe_redis_p99_ms: pct(probes.redis, 99),
      nothing_to_do: think.nothing + sat.nothing,
      cpu_percent_phase1: cpuPhase1,
      counts,
      database: reconciled,
      submitted,
      failed_submits: failed,
      connection_retries: LeanClient.retries,
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

main().catch((e: unknown) => {
  console.error(`[bench] failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
