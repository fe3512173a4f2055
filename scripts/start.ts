/**
 * `npm start`: the whole app on one machine. Builds the client if needed, starts Redis and a
 * MongoDB-protocol server with data under ./data (unless MONGO_URL/REDIS_URL are set), then the
 * server and the workers. Ctrl-C stops everything cleanly. `npm start -- --ml-backends` also starts
 * the reference model backends (python/backends: pedestrians on 127.0.0.1:9090, chinese_ner on :9091).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, startServices } from './services.ts';
import { REFERENCE_BACKENDS, startPythonBackend, type BackendProc } from './ml-backends.ts';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

/** Builds client/dist when it is missing or older than the client's sources. */
export function ensureClientBuilt(log: (l: string) => void): void {
  // CLIENT_DIST (also read by the server) lets parallel test runs build and serve their own copy.
  const outDir = process.env.CLIENT_DIST || path.join(repoRoot, 'client', 'dist');
  const index = path.join(outDir, 'index.html');
  const src = path.join(repoRoot, 'client', 'src');
  const core = path.join(repoRoot, 'core', 'src');
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(newestMtime(src), newestMtime(core))) return;
  log('building the client (vite build)…');
  // NODE_ENV decides React's build: under vitest it is "test", which would ship React's development build.
  const env = { ...process.env, NODE_ENV: 'production' };
  const r = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      'client',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: repoRoot, stdio: 'inherit', env },
  );
  if (r.status !== 0) throw new Error('client build failed');
}

async function main(): Promise<void> {
  const log = (l: string) => console.error(`[start] ${l}`);
  const t0 = Date.now();
  ensureClientBuilt(log);
  const dataDir = process.env.LABELWORK_DATA_DIR || path.join(repoRoot, 'data');
  const services = await startServices({ dir: dataDir, log: (l) => console.error(`[services] ${l}`) });
  log(`services ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${services.redisKind}, ${services.mongoKind}; data under ${dataDir})`);
  const env = { ...process.env, MONGO_URL: services.mongoUrl, REDIS_URL: services.redisUrl };
  const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const children: ChildProcess[] = [];
  const backends: BackendProc[] = [];
  const run = (name: string, entry: string) => {
    const c = spawn(process.execPath, [tsx, entry], { cwd: repoRoot, env, stdio: 'inherit' });
    c.on('exit', (code, signal) => {
      if (!stopping) {
        log(`${name} exited (${signal ?? code}); stopping`);
        void stop(code ?? 1);
      }
    });
    children.push(c);
  };
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    await Promise.all(backends.map((b) => b.stop()));
    await services.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  if (process.argv.includes('--ml-backends')) {
    for (const [i, name] of REFERENCE_BACKENDS.entries()) {
      const b = await startPythonBackend(name, { port: 9090 + i });
      backends.push(b);
      log(`model backend ${name} on ${b.url} (register it as an admin: Models → add, allow-listed)`);
    }
  }
  run('server', 'server/src/main.ts');
  if (existsSync(path.join(repoRoot, 'workers', 'src', 'main.ts'))) run('workers', 'workers/src/main.ts');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(`[start] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
