/**
 * Pre-annotation benchmark (`npm run bench:predict`). Starts its own Redis + database (launcher), a
 * server process and a workers process, imports BENCH_ITEMS (default 10,000) Chinese text items,
 * registers a local Label Studio-protocol backend that answers instantly (one span per task, in
 * this process) and runs pre-annotation over the real API, the real {ml} queue and the real
 * predictions store. Reports, as one JSON line (raw figures under bench/results/):
 *
 *  - items_per_s: items / run wall time (from the start call to the run's `done`);
 *  - overhead_ms_p50 / _p99: per item, the time the backend waited for Labelwork before each batch —
 *    from the moment it had no call in hand (its last answer) to the batch's arrival, 0 when a call
 *    was still in hand (calls overlap, ML_PREDICT_CONCURRENCY) — divided by the batch size; it is
 *    what validation, conversion, storing, the cursor and the next read and request cost the run;
 *  - run_created_s, run_started_s, first_request_s: from the start call to the run stored by the
 *    server, taken by the workers, and the backend's first /predict (the run's start-up);
 *  - peak_rss_mb: the workers process's peak resident memory (VmHWM);
 *  - a reconciliation with the database: predictions of the run = distinct items among them =
 *    items = the run's `done` and `stored` (no duplicates, nothing missing);
 *  - loadavg: /proc/loadavg before and after (the machine may be shared).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import { repoRoot, startServices } from '../scripts/services.ts';
import { ApiClient } from '../tests/support/api-client.ts';
import { spawnServer, spawnWorkers } from '../tests/support/processes.ts';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const ADMIN_PASSWORD = 'bench-admin-password';
const log = (l: string) => console.error(`[bench] ${l}`);
const schema = {
  labels: [
    { name: 'PER', color: '#e6194b', tool: 'span' },
    { name: 'LOC', color: '#3cb44b', tool: 'span' },
  ],
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const peakRssMb = (pid: number | undefined) => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
};

/** A backend that answers at once: one PER span on the first two code points of every task. */
async function instantBackend() {
  const batches: { arrived: number; answered: number; tasks: number }[] = [];
  const server = http.createServer((req, res) => {
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      let body: string;
      if (path === '/health') body = JSON.stringify({ status: 'UP', model_class: 'Instant' });
      else if (path === '/setup') body = JSON.stringify({ model_version: 'instant-1' });
      else {
        const { tasks } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { tasks: { id: number }[] };
        body = JSON.stringify({
          results: tasks.map(() => ({
            result: [{ from_name: 'label', to_name: 'text', type: 'labels', value: { start: 0, end: 2, labels: ['PER'] } }],
            score: 0.9,
            model_version: 'instant-1',
          })),
        });
        batches.push({ arrived, answered: performance.now(), tasks: tasks.length });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    batches,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-bench-'));
  const services = await startServices({ dir, log: (l) => console.error(`[services] ${l}`) });
  const env = { MONGO_URL: services.mongoUrl, REDIS_URL: services.redisUrl, MONGO_DB: 'bench', REDIS_PREFIX: 'bench' };
  log(`${services.redisKind} + ${services.mongoKind}; starting server and workers`);
  const server = await spawnServer({ ...env, ADMIN_PASSWORD, LOG_LEVEL: 'error', MAX_IMPORT_BYTES: String(512 * 1024 * 1024) });
  const workers = await spawnWorkers({ ...env, LOG_LEVEL: 'warn' });
  const backend = await instantBackend();
  const mongo = await new MongoClient(services.mongoUrl).connect();
  try {
    const admin = new ApiClient(server.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const p = await admin.post('/api/projects', {
      name: 'bench',
      kind: 'text',
      labelSchema: schema,
      overlap: 1,
      goldRate: 0,
      minLevel: 'L5',
    });
    const projectId = p.body.project.id as string;
    const lines = Array.from({ length: ITEMS }, (_, i) =>
      JSON.stringify({ id: `n${i}`, text: `张三${i}在北京大学读书，王建国去了上海。` }),
    );
    const imp = await admin.upload(`/api/projects/${projectId}/items/text`, 'file', [{ name: 'items.jsonl', data: lines.join('\n') }]);
    if (imp.status !== 201) throw new Error(`import: ${JSON.stringify(imp.body)}`);
    log(`${ITEMS} items imported`);
    const reg = await admin.post('/api/ml/backends', { name: 'instant', url: backend.url, allowPrivate: true });
    if (reg.status !== 201) throw new Error(`register: ${JSON.stringify(reg.body)}`);
    const backendId = reg.body.backend.id as string;
    await admin.post(`/api/projects/${projectId}/ml/attach`, { backendId });
    const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
    const t0 = performance.now();
    const t0Wall = Date.now();
    const start = await admin.post(`/api/projects/${projectId}/ml/runs`, { backendId });
    const runId = start.body.run.id as string;
    let run: { status: string; done: number; stored: number; refusedBatches: number } | undefined;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      run = (
        (await admin.get(`/api/projects/${projectId}/ml`)).body.runs as {
          id: string;
          status: string;
          done: number;
          stored: number;
          refusedBatches: number;
        }[]
      ).find((r) => r.id === runId);
      if (run && ['done', 'failed', 'cancelled'].includes(run.status)) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const b = [...backend.batches].sort((x, y) => x.arrived - y.arrived);
    const overheadPerItem: number[] = [];
    let idleSince = b[0]?.answered ?? 0;
    for (const x of b.slice(1)) {
      overheadPerItem.push(Math.max(0, x.arrived - idleSince) / x.tasks);
      idleSince = Math.max(idleSince, x.answered);
    }
    const backendPerItem = b.map((x) => (x.answered - x.arrived) / x.tasks);
    const predictions = mongo.db('bench').collection('predictions');
    const stored = await predictions.countDocuments({ 'source.id': runId });
    const distinctItems = (await predictions.distinct('itemId', { 'source.id': runId })).length;
    const itemsInDb = await mongo.db('bench').collection('items').countDocuments({});
    const runDoc = await mongo
      .db('bench')
      .collection('mlRuns')
      .findOne({ _id: new ObjectId(runId) });
    const sinceStart = (d: unknown) => (d instanceof Date ? Number(((d.getTime() - t0Wall) / 1000).toFixed(2)) : null);
    const figures = {
      bench: 'predict',
      items: ITEMS,
      status: run!.status,
      seconds: Number(seconds.toFixed(2)),
      items_per_s: Number((ITEMS / seconds).toFixed(1)),
      batches: b.length,
      batch_size: b[0]?.tasks ?? 0,
      // Start-up: the run stored by the server (after counting the items), taken by the workers, first /predict.
      run_created_s: sinceStart(runDoc?.createdAt),
      run_started_s: sinceStart(runDoc?.startedAt),
      first_request_s: Number((((b[0]?.arrived ?? t0) - t0) / 1000).toFixed(2)),
      overhead_ms_p50: Number(pct(overheadPerItem, 50).toFixed(3)),
      overhead_ms_p99: Number(pct(overheadPerItem, 99).toFixed(3)),
      backend_ms_per_item_p50: Number(pct(backendPerItem, 50).toFixed(3)),
      peak_rss_mb: peakRssMb(workers.proc.pid),
      stored_predictions: stored,
      distinct_items_predicted: distinctItems,
      items_in_db: itemsInDb,
      run_done: run!.done,
      run_stored: run!.stored,
      reconciled: itemsInDb === ITEMS && stored === ITEMS && distinctItems === ITEMS && run!.done === ITEMS && run!.stored === ITEMS,
      refused_batches: run!.refusedBatches,
      concurrency: Number(process.env.ML_PREDICT_CONCURRENCY ?? 2),
      loadavg: { before: loadBefore, after: readFileSync('/proc/loadavg', 'utf8').trim() },
    };
    console.log(JSON.stringify(figures));
    log(
      `reconciliation: ${itemsInDb} items in the database, ${stored} predictions of the run for ${distinctItems} distinct items, ` +
        `run done ${run!.done} / stored ${run!.stored} → ${figures.reconciled ? 'OK' : 'MISMATCH'}`,
    );
    if (!figures.reconciled) process.exitCode = 1;
    const out = path.join(repoRoot, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      path.join(out, `predict-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      JSON.stringify({ figures, batches: b, overheadPerItem }, null, 1),
    );
  } finally {
    await backend.close();
    await Promise.all([server.stop(), workers.stop()]);
    await mongo.close();
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
