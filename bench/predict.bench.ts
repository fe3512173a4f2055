/**
 * Pre-annotation benchmark (`npm run bench:predict`). Starts its own Redis + database (launcher), a
 * server process and a workers process, imports BENCH_ITEMS (default 10,000) Chinese text items,
 * registers a local Label Studio-protocol backend that answers instantly (one span per task, in
 * this process) and runs pre-annotation over the real API, the real {ml} queue and the real
 * predictions store. Reports, as one JSON line (raw figures under bench/results/):
 *
 *  - items_per_s: items / run wall time (from the start call to the run's `done`);
 *  - overhead_ms_p50 / _p99: per item, the time each batch spent outside the backend — from the
 *    backend's answer to the next request's arrival (validation, conversion, storing, the cursor,
 *    the next batch's read and request) — divided by the batch size;
 *  - peak_rss_mb: the workers process's peak resident memory (VmHWM);
 *  - a reconciliation: predictions stored = items.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
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
    const t0 = performance.now();
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
    const b = backend.batches;
    const overheadPerItem = b.slice(1).map((x, i) => (x.arrived - b[i]!.answered) / x.tasks);
    const backendPerItem = b.map((x) => (x.answered - x.arrived) / x.tasks);
    const stored = await mongo.db('bench').collection('predictions').countDocuments({ 'source.id': runId });
    const figures = {
      bench: 'predict',
      items: ITEMS,
      status: run!.status,
      seconds: Number(seconds.toFixed(2)),
      items_per_s: Number((ITEMS / seconds).toFixed(1)),
      batches: b.length,
      batch_size: b[0]?.tasks ?? 0,
      overhead_ms_p50: Number(pct(overheadPerItem, 50).toFixed(3)),
      overhead_ms_p99: Number(pct(overheadPerItem, 99).toFixed(3)),
      backend_ms_per_item_p50: Number(pct(backendPerItem, 50).toFixed(3)),
      peak_rss_mb: peakRssMb(workers.proc.pid),
      stored_predictions: stored,
      reconciled: stored === ITEMS && run!.done === ITEMS,
      refused_batches: run!.refusedBatches,
    };
    console.log(JSON.stringify(figures));
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
