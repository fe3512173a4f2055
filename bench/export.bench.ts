/**
 * Export benchmark (`npm run bench:export`). Starts its own Redis + database (launcher), a server
 * process and a workers process, fills an image project with BENCH_IMAGES × BENCH_BOXES box
 * annotations (default 10,000 × 100 = 1,000,000) straight through the engine's collections in bulk,
 * then through the real API and the real worker job:
 *
 *  1. exports it as COCO and as YOLO (POST /exports, polled until complete, downloaded), timing each
 *     from the request to the finished file, and samples the worker process's peak RSS (VmHWM);
 *  2. imports the COCO file back as predictions (dataset import: preview + confirm), timed until
 *     the import is complete — `import_coco_s` is null when that route is not there or the import
 *     takes longer than BENCH_IMPORT_TIMEOUT_S (default 900). The bench's server raises its limits for
 *     this (MAX_UPLOAD_BYTES, MAX_IMPORT_BYTES 2 GiB; IMPORT_PLAN_HEAP_MB 8192), as an operator importing
 *     such files would.
 *
 * Checks the COCO file's annotation count against the database. Ends with one JSON line;
 * the raw figures go to bench/results/export-<time>.json, with the CPU seconds of each step
 * (`coco_cpu_s`, `yolo_cpu_s`: workers + database; `import_cpu_s`: server + workers + database; each
 * with the database's share `*_db_cpu_s`), the database's peak RSS and the load average before and
 * after. BENCH_IMPORT=0 skips the import; BENCH_NODE_ARGS (e.g. "--cpu-prof") profiles the processes.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ObjectId } from 'mongodb';
import yauzl from 'yauzl';
import { connectDatabase } from '@labelwork/engine';
import { repoRoot, startServices } from '../scripts/services.ts';
import { ApiClient } from '../tests/support/api-client.ts';
import { seedBoxProject } from '../tests/support/dataset-seed.ts';
import { spawnServer, spawnWorkers } from '../tests/support/processes.ts';

const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const IMAGES = num('BENCH_IMAGES', 10_000);
const BOXES = num('BENCH_BOXES', 100);
const ADMIN_PASSWORD = 'admin-password-for-tests';
/** The import back is given this long; past it `import_coco_s` is null and the log says so. */
const IMPORT_TIMEOUT_S = num('BENCH_IMPORT_TIMEOUT_S', 900);
/** BENCH_IMPORT=0 skips the import back (profiling the exports alone); `import_coco_s` is then null. */
const IMPORT = process.env.BENCH_IMPORT !== '0';
const log = (l: string) => console.error(`[bench] ${l}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Peak resident set of a process so far (Linux VmHWM), in MB. */
function peakRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; null elsewhere). */
function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/** The pid of the process whose command line mentions `needle` (the database server started for this run). */
function pidOf(needle: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) return Number(d);
    } catch {
      // gone
    }
  }
  return undefined;
}

function entryOf(zip: Buffer, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, z) => {
      if (err) return reject(err);
      z.on('entry', (e: yauzl.Entry) => {
        if (e.fileName !== name) return z.readEntry();
        z.openReadStream(e, (err2, s) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          (s as Readable).on('data', (c: Buffer) => chunks.push(c));
          (s as Readable).on('end', () => resolve(Buffer.concat(chunks)));
        });
      });
      z.on('end', () => reject(new Error(`${name} not in the zip`)));
      z.readEntry();
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-bench-export-'));
  const services = await startServices({ dir, log: (l) => console.error(`[services] ${l}`) });
  const env = { MONGO_URL: services.mongoUrl, REDIS_URL: services.redisUrl, MONGO_DB: 'bench_export', REDIS_PREFIX: 'benchexp' };
  log(`${services.redisKind} + ${services.mongoKind}`);
  // The bench's own server takes the 1M-box COCO file back: uploads and annotation text up to 2 GiB
  // (the defaults, 200 MiB of annotation text, refused it), and a planning thread heap of 8 GiB.
  const server = await spawnServer({
    ...env,
    LOG_LEVEL: 'error',
    MAX_UPLOAD_BYTES: String(2 * 1024 ** 3),
    MAX_IMPORT_BYTES: String(2 * 1024 ** 3),
    IMPORT_PLAN_HEAP_MB: '8192',
  });
  const workers = await spawnWorkers({ ...env, LOG_LEVEL: 'warn' });
  const db = await connectDatabase(services.mongoUrl, env.MONGO_DB, { maxPoolSize: 10, ensureIndexes: false });
  const result: Record<string, unknown> = {};
  try {
    const admin = new ApiClient(server.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const p = await admin.post('/api/projects', {
      name: 'export-bench',
      kind: 'image',
      labelSchema: {
        labels: ['car', 'person', 'bicycle', 'bus', '交通标志'].map((name, i) => ({
          name,
          color: `#${String(i + 1).repeat(6)}`,
          tool: 'bbox',
        })),
      },
      overlap: 1,
      goldRate: 0,
      minLevel: 'L5',
    });
    if (p.status !== 201) throw new Error(`project: ${JSON.stringify(p.body)}`);
    const projectId = p.body.project.id as string;
    const adminId = new ObjectId((await admin.get('/api/auth/me')).body.user.id as string);

    let t = performance.now();
    const { annotations } = await seedBoxProject(db, {
      projectId: new ObjectId(projectId),
      images: IMAGES,
      boxes: BOXES,
      labels: ['car', 'person', 'bicycle', 'bus', '交通标志'],
      annotators: [adminId],
    });
    const boxes = annotations * BOXES;
    log(`seeded ${IMAGES} images, ${boxes} boxes in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    result.seed_s = Math.round((performance.now() - t) / 100) / 10;

    const rssBefore = peakRssMb(workers.proc.pid);
    const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
    // CPU seconds of the workers process and of the database server: what an export costs whatever
    // else the machine is doing (wall-clock figures on a shared, loaded machine overstate it).
    const dbPid = services.mongoKind === 'ferretdb' ? pidOf(`--sqlite-url=file:${dir}`) : undefined;
    const cpu = () => (cpuSeconds(workers.proc.pid) ?? 0) + (cpuSeconds(dbPid) ?? 0);
    const exportAs = async (format: string) => {
      const t0 = performance.now();
      const c0 = cpu();
      const db0 = cpuSeconds(dbPid) ?? 0;
      const r = await admin.post(`/api/projects/${projectId}/exports`, { format, annotations: 'consensus' });
      if (r.status !== 201) throw new Error(`export: ${JSON.stringify(r.body)}`);
      const id = r.body.export.id as string;
      for (;;) {
        const e = (await admin.get(`/api/projects/${projectId}/exports/${id}`)).body.export;
        if (e.status === 'complete') break;
        if (e.status !== 'queued' && e.status !== 'running') throw new Error(`export ${format} ${e.status}: ${e.error}`);
        await sleep(200);
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpuS = cpu() - c0;
      const dbCpuS = (cpuSeconds(dbPid) ?? 0) - db0;
      const d = await fetch(`${server.url}/api/projects/${projectId}/exports/${id}/download`, { headers: { cookie: admin.cookie } });
      const zip = Buffer.from(await d.arrayBuffer());
      log(
        `${format}: ${seconds.toFixed(1)} s (CPU ${cpuS.toFixed(1)} s, of which the database ${dbCpuS.toFixed(1)} s), zip ${(zip.length / 1e6).toFixed(1)} MB, worker peak RSS ${peakRssMb(workers.proc.pid)} MB`,
      );
      return { seconds, cpuS, dbCpuS, zip };
    };
    const coco = await exportAs('coco');
    const cocoJson = await entryOf(coco.zip, 'annotations.json');
    const parsed = JSON.parse(cocoJson.toString('utf8')) as { images: unknown[]; annotations: unknown[] };
    if (parsed.annotations.length !== boxes || parsed.images.length !== IMAGES)
      throw new Error(
        `COCO has ${parsed.images.length} images / ${parsed.annotations.length} annotations, the database ${IMAGES} / ${boxes}`,
      );
    const yolo = await exportAs('yolo');
    const peak = peakRssMb(workers.proc.pid);

    // Import the COCO file back as predictions (the dataset-import route, if there).
    let importSeconds: number | null = null;
    // The import runs in the server (upload, preview), the workers (planning, storing) and the database.
    const importCpu = () => (cpuSeconds(server.proc.pid) ?? 0) + cpu();
    let importCpuS: number | null = null;
    let importDbCpuS: number | null = null;
    try {
      if (!IMPORT) throw new Error('skipped (BENCH_IMPORT=0)');
      const t1 = performance.now();
      const ic0 = importCpu();
      const idb0 = cpuSeconds(dbPid) ?? 0;
      const up = await admin.upload(`/api/projects/${projectId}/dataset-imports`, 'file', [{ name: 'annotations.json', data: cocoJson }], {
        format: 'coco',
        as: 'predictions',
      });
      if (up.status !== 201) throw new Error(`preview ${up.status}: ${JSON.stringify(up.body).slice(0, 300)}`);
      const importId = up.body.import.id as string;
      const c = await admin.post(`/api/projects/${projectId}/dataset-imports/${importId}/confirm`, {});
      // 200 when stored at once, 202 while a large import is stored in the background (polled below).
      if (c.status !== 200 && c.status !== 202) throw new Error(`confirm ${c.status}: ${JSON.stringify(c.body).slice(0, 300)}`);
      for (;;) {
        const s = (await admin.get(`/api/projects/${projectId}/dataset-imports/${importId}`)).body.import;
        if (s.status === 'complete') break;
        if (s.status === 'failed') throw new Error(`import failed: ${JSON.stringify(s).slice(0, 300)}`);
        if (performance.now() - t1 > IMPORT_TIMEOUT_S * 1000)
          throw new Error(`import not complete after ${IMPORT_TIMEOUT_S} s (${s.done}/${s.total})`);
        await sleep(500);
      }
      importSeconds = (performance.now() - t1) / 1000;
      importCpuS = importCpu() - ic0;
      importDbCpuS = (cpuSeconds(dbPid) ?? 0) - idb0;
      log(`import: ${importSeconds.toFixed(1)} s (CPU ${importCpuS.toFixed(1)} s, of which the database ${importDbCpuS.toFixed(1)} s)`);
    } catch (e) {
      log(`import_coco_s left null: ${String(e)}`);
    }

    t = performance.now();
    Object.assign(result, {
      annotations: boxes,
      images: IMAGES,
      coco_s: Math.round(coco.seconds * 10) / 10,
      yolo_s: Math.round(yolo.seconds * 10) / 10,
      peak_rss_mb: peak,
      import_coco_s: importSeconds === null ? null : Math.round(importSeconds * 10) / 10,
      import_cpu_s: importCpuS === null ? null : Math.round(importCpuS * 10) / 10,
      import_db_cpu_s: importDbCpuS === null ? null : Math.round(importDbCpuS * 10) / 10,
      coco_cpu_s: Math.round(coco.cpuS * 10) / 10,
      yolo_cpu_s: Math.round(yolo.cpuS * 10) / 10,
      coco_db_cpu_s: Math.round(coco.dbCpuS * 10) / 10,
      yolo_db_cpu_s: Math.round(yolo.dbCpuS * 10) / 10,
      load_average_before: loadBefore,
      load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
      coco_zip_mb: Math.round(coco.zip.length / 1e5) / 10,
      yolo_zip_mb: Math.round(yolo.zip.length / 1e5) / 10,
      worker_rss_before_mb: rssBefore,
      // The database server's peak resident set over the whole run (seed, exports and import): FerretDB
      // sorts a find in memory, so an export's sorted read of the annotations is held there whole.
      database_peak_rss_mb: peakRssMb(dbPid),
      database: services.mongoKind,
    });
    mkdirSync(path.join(repoRoot, 'bench', 'results'), { recursive: true });
    writeFileSync(
      path.join(repoRoot, 'bench', 'results', `export-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      `${JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2)}\n`,
    );
    console.log(
      JSON.stringify({
        annotations: result.annotations,
        coco_s: result.coco_s,
        yolo_s: result.yolo_s,
        peak_rss_mb: result.peak_rss_mb,
        import_coco_s: result.import_coco_s,
      }),
    );
  } finally {
    await db.close().catch(() => undefined);
    await workers.stop();
    await server.stop();
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
