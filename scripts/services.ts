/**
 * The services launcher: Redis and a MongoDB-protocol server for local runs and tests.
 *
 * Order for the database: MONGO_URL if set → a `mongod` on PATH → FerretDB 1.24.2 (SQLite backend),
 * built once from scripts/ferretdb with Go (and its patches.json) and cached outside the checkout. Redis: REDIS_URL if set
 * → `redis-server` on PATH → installed with apt when we are root.
 *
 * CLI: `npm run services -- [--dir ./data] [--redis-cluster]` starts both, prints their URLs and runs until
 * Ctrl-C; `--redis-cluster` starts a local Redis Cluster instead of one Redis (scripts/redis-cluster.ts);
 * `--install-only` installs or builds what is missing and exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisCluster } from './redis-cluster.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..');
const FERRETDB_VERSION = '1.24.2';

export interface Services {
  redisUrl: string;
  mongoUrl: string;
  /** What runs the database: "external", "mongod" or "ferretdb". */
  mongoKind: 'external' | 'mongod' | 'ferretdb';
  redisKind: 'external' | 'redis-server' | 'redis-cluster';
  /** The local Redis Cluster when started with `redisCluster` (redisUrl is then its `redis-cluster://` seed list). */
  cluster?: RedisCluster;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where data lives: `<dir>/redis`, `<dir>/mongo`. Created if missing. */
  dir: string;
  /** Use these instead of starting our own (defaults: process.env.MONGO_URL / REDIS_URL). */
  mongoUrl?: string | undefined;
  redisUrl?: string | undefined;
  /** Start a local Redis Cluster (3 masters + 3 replicas) instead of one redis-server; ignores REDIS_URL. */
  redisCluster?: boolean | { nodeTimeoutMs?: number };
  log?: (line: string) => void;
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return r.status === 0 && out ? out : null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The command line of every redis-server the project starts (one Redis, the cluster's nodes, the
 * tests' own): loopback only, AOF with `everysec`, no eviction (queues and leases must never be
 * evicted), no RDB snapshots, in the foreground; `extra` adds e.g. the cluster options.
 */
export function redisServerArgs(port: number, dir: string, extra: string[] = []): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    ...extra,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ];
}

/** Makes sure `redis-server` exists, installing Debian's package when we are root. */
export function ensureRedisBinary(log: (l: string) => void): string {
  const found = which('redis-server');
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error('redis-server is not installed and we are not root: install it (apt-get install redis-server) or set REDIS_URL');
  }
  log('installing redis-server with apt-get (one time)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const upd = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const inst = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
  if (upd.status !== 0 || inst.status !== 0) throw new Error('apt-get install redis-server failed; set REDIS_URL to an existing Redis');
  // Debian starts a system-wide redis on 6379 after install; we run our own per data dir.
  spawnSync('sh', ['-c', 'service redis-server stop || true'], { stdio: 'ignore' });
  const again = which('redis-server');
  if (!again) throw new Error('redis-server still not on PATH after install');
  return again;
}

/** Path of the cached FerretDB binary, keyed by the pinned version and the wrapper module's contents. */
export function ferretdbBinaryPath(): string {
  const wrapper = path.join(repoRoot, 'scripts', 'ferretdb');
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go', 'patches.json']) h.update(readFileSync(path.join(wrapper, f)));
  const cache = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(cache, 'labelwork', `ferretdb-${FERRETDB_VERSION}-${h.digest('hex').slice(0, 12)}`);
}

/** The Go version scripts/ferretdb/go.mod asks for (its `go` line). */
function goVersionNeeded(): string {
  const mod = readFileSync(path.join(repoRoot, 'scripts', 'ferretdb', 'go.mod'), 'utf8');
  return /^go (\S+)/m.exec(mod)?.[1] ?? '1.24';
}

/** Builds FerretDB from the pinned wrapper module unless the cached binary exists. */
export function ensureFerretdbBinary(log: (l: string) => void): string {
  const bin = ferretdbBinaryPath();
  if (existsSync(bin)) return bin;
  if (!which('go')) {
    throw new Error(
      `no database: MONGO_URL is not set, there is no mongod on PATH, and no Go toolchain to build FerretDB. ` +
        `Install Go ≥ ${goVersionNeeded()} (https://go.dev/dl/ or your package manager; the one-time build takes a few minutes), ` +
        `or set MONGO_URL to a MongoDB ≥ 6 server, or put mongod on PATH.`,
    );
  }
  mkdirSync(path.dirname(bin), { recursive: true });
  log(`building FerretDB ${FERRETDB_VERSION} with Go (one time, a few minutes)…`);
  const started = Date.now();
  const tmp = `${bin}.tmp-${process.pid}`;
  const cwd = path.join(repoRoot, 'scripts', 'ferretdb');
  const env = { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' };
  let r: ReturnType<typeof spawnSync>;
  try {
    const modfile = ferretdbPatchedModule(cwd, env, `${tmp}.patches`);
    r = spawnSync('go', ['build', '-trimpath', '-modfile', modfile, '-o', tmp, '.'], { cwd, stdio: ['ignore', 'inherit', 'inherit'], env });
  } finally {
    rmSync(`${tmp}.patches`, { recursive: true, force: true });
  }
  if (r.status !== 0) throw new Error('building FerretDB failed (see the Go output above); set MONGO_URL to use another server');
  spawnSync('mv', [tmp, bin]);
  log(`FerretDB built in ${((Date.now() - started) / 1000).toFixed(1)} s → ${bin}`);
  return bin;
}

/**
 * Our fixes to FerretDB's sources (scripts/ferretdb/patches.json: each replaces one exact line and
 * says why). The module is copied out of Go's module cache, patched, and used through a `replace`
 * in a build-only copy of go.mod (`go build -modfile`), so neither the module cache nor our go.mod
 * changes. A line that is not found fails the build: a new FerretDB version must be looked at again.
 * Returns the go.mod to build with.
 */
function ferretdbPatchedModule(cwd: string, env: NodeJS.ProcessEnv, dir: string): string {
  const patches = JSON.parse(readFileSync(path.join(cwd, 'patches.json'), 'utf8')) as { file: string; from: string; to: string }[];
  const module = 'github.com/FerretDB/FerretDB';
  const dl = spawnSync('go', ['mod', 'download', module], { cwd, stdio: ['ignore', 'inherit', 'inherit'], env });
  const src = spawnSync('go', ['list', '-m', '-f', '{{.Dir}}', module], { cwd, encoding: 'utf8', env }).stdout.trim();
  if (dl.status !== 0 || !src) throw new Error(`building FerretDB failed: could not download ${module}`);
  const copy = path.join(dir, 'ferretdb-src');
  mkdirSync(dir, { recursive: true });
  cpSync(src, copy, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', copy]);
  patches.forEach((p, i) => {
    const file = path.join(copy, p.file);
    const text = readFileSync(file, 'utf8');
    if (text.split(p.from).length !== 2) throw new Error(`building FerretDB failed: patch ${i} does not match ${p.file} exactly once`);
    writeFileSync(file, text.replace(p.from, p.to));
  });
  const mod = path.join(dir, 'go.mod');
  writeFileSync(mod, `${readFileSync(path.join(cwd, 'go.mod'), 'utf8')}\nreplace ${module} => ${copy}\n`);
  cpSync(path.join(cwd, 'go.sum'), path.join(dir, 'go.sum'));
  return mod;
}

function sendRaw(port: number, payload: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    sock.on('connect', () => sock.write(payload));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      if (buf.includes('\r\n')) {
        clearTimeout(timer);
        sock.end();
        resolve(buf);
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer within ${timeoutMs} ms`);
}

async function pingMongo(url: string): Promise<boolean> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000, directConnection: true });
  try {
    await client.connect();
    const r = await client.db('admin').command({ ping: 1 });
    return r.ok === 1;
  } finally {
    await client.close();
  }
}

/** Kills a process left from an earlier run in the same data dir (pid file), so restarts after a crash work. */
export function killStale(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 1) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(pidFile, { force: true });
}

export function stopChild(child: ChildProcess, pidFile: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      rmSync(pidFile, { force: true });
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      done();
    });
    child.kill('SIGTERM');
  });
}

export function spawnLogged(bin: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logFile, 'a');
  return spawn(bin, args, { stdio: ['ignore', fd, fd], ...(env ? { env } : {}) });
}

/**
 * FerretDB's environment: Go's collector at GOGC=400 (FERRETDB_GOGC; Go's default is 100). About a
 * quarter of FerretDB's CPU on a large read is garbage collection of decoded documents; at 400 a
 * 100,000-box export read took 29 % less of its CPU for about twice its peak memory (docs/datasets.md).
 */
export function ferretdbEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOGC: process.env.FERRETDB_GOGC ?? '400' };
}

/** Starts (or adopts, when URLs are given) Redis and the database; resolves when both answer. */
export async function startServices(opts: StartOptions): Promise<Services> {
  const log = opts.log ?? ((l: string) => console.error(`[services] ${l}`));
  const dir = path.resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s();
  };

  try {
    // Redis
    let redisUrl = opts.redisCluster ? undefined : (opts.redisUrl ?? process.env.REDIS_URL);
    let redisKind: Services['redisKind'] = 'external';
    let cluster: RedisCluster | undefined;
    if (opts.redisCluster) {
      const { startRedisCluster } = await import('./redis-cluster.ts');
      const c = await startRedisCluster({ dir, log, ...(typeof opts.redisCluster === 'object' ? opts.redisCluster : {}) });
      stops.push(() => c.stop());
      cluster = c;
      redisUrl = c.url;
      redisKind = 'redis-cluster';
    } else if (!redisUrl) {
      const bin = ensureRedisBinary(log);
      const rdir = path.join(dir, 'redis');
      mkdirSync(rdir, { recursive: true });
      const pidFile = path.join(rdir, 'launcher.pid');
      killStale(pidFile);
      const port = await freePort();
      const child = spawnLogged(bin, redisServerArgs(port, rdir), path.join(rdir, 'redis.log'));
      writeFileSync(pidFile, String(child.pid));
      stops.push(() => stopChild(child, pidFile));
      await waitFor('redis-server', async () => (await sendRaw(port, 'PING\r\n', 500)).startsWith('+PONG'), child, 20_000);
      redisUrl = `redis://127.0.0.1:${port}`;
      redisKind = 'redis-server';
    }

    // MongoDB-protocol server
    let mongoUrl = opts.mongoUrl ?? process.env.MONGO_URL;
    let mongoKind: Services['mongoKind'] = 'external';
    if (!mongoUrl) {
      const mdir = path.join(dir, 'mongo');
      mkdirSync(mdir, { recursive: true });
      const pidFile = path.join(mdir, 'launcher.pid');
      killStale(pidFile);
      const port = await freePort();
      const mongod = which('mongod');
      let child: ChildProcess;
      if (mongod) {
        child = spawnLogged(mongod, ['--port', String(port), '--bind_ip', '127.0.0.1', '--dbpath', mdir], path.join(mdir, 'mongod.log'));
        mongoKind = 'mongod';
      } else {
        const bin = ensureFerretdbBinary(log);
        const sqliteDir = path.join(mdir, 'sqlite');
        mkdirSync(sqliteDir, { recursive: true });
        child = spawnLogged(
          bin,
          [`--listen-addr=127.0.0.1:${port}`, `--sqlite-url=file:${sqliteDir}/`, '--log-level=warn'],
          path.join(mdir, 'ferretdb.log'),
          ferretdbEnv(),
        );
        mongoKind = 'ferretdb';
      }
      writeFileSync(pidFile, String(child.pid));
      stops.push(() => stopChild(child, pidFile));
      mongoUrl = `mongodb://127.0.0.1:${port}/?directConnection=true`;
      const url = mongoUrl;
      await waitFor(mongoKind, () => pingMongo(url), child, 60_000);
    }

    return { redisUrl, mongoUrl, mongoKind, redisKind, ...(cluster ? { cluster } : {}), stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--install-only')) {
    // Used by .ci/run: install/build what is missing, start nothing.
    const log = (l: string) => console.error(`[services] ${l}`);
    if (!process.env.REDIS_URL) ensureRedisBinary(log);
    if (!process.env.MONGO_URL && !which('mongod')) log(`FerretDB ready: ${ensureFerretdbBinary(log)}`);
    return;
  }
  const i = args.indexOf('--dir');
  const dir = i >= 0 && args[i + 1] ? args[i + 1]! : path.join(repoRoot, 'data');
  const s = await startServices({ dir, redisCluster: args.includes('--redis-cluster') });
  console.log(`REDIS_URL=${s.redisUrl}`);
  console.log(`MONGO_URL=${s.mongoUrl}`);
  console.error(`[services] ${s.redisKind} and ${s.mongoKind} running with data under ${dir}; Ctrl-C stops them`);
  const shutdown = async () => {
    await s.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  setInterval(() => {}, 1 << 30);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(`[services] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
