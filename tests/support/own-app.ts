import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { freePort, repoRoot } from '../../scripts/services.ts';
import { E2E_ADMIN_PASSWORD } from './global-app.ts';

/**
 * A browser test's own app: server and workers processes on a port of its own, against the e2e
 * services with a fresh database and Redis prefix, so the test may kill the server (SIGKILL, no
 * cleanup) and start it again on the same port while the page stays open.
 */
export interface OwnApp {
  url: string;
  adminPassword: string;
  /** SIGKILL the server: connections drop, nothing is flushed. */
  killServer(): Promise<void>;
  /** Starts the server again (same port, database and Redis prefix) and waits until it is healthy. */
  startServer(): Promise<void>;
  /** Server and workers output so far, for diagnostics. */
  output(): string;
  close(): Promise<void>;
}

const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/**
 * tsx runs the entry in a child node process: signals go to the whole process group (each entry
 * gets its own, `detached`), or SIGKILL would leave the real server running as an orphan.
 */
function signal(c: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-c.pid!, sig);
  } catch {
    // already gone
  }
}

function exited(c: ChildProcess): Promise<void> {
  return c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((resolve) => c.once('exit', () => resolve()));
}

export async function startOwnApp(services: { mongoUrl: string; redisUrl: string }, env: Record<string, string> = {}): Promise<OwnApp> {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fullEnv = {
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    MONGO_URL: services.mongoUrl,
    REDIS_URL: services.redisUrl,
    MONGO_DB: `e2e_own_${id}`,
    REDIS_PREFIX: `e2e${id}`,
    ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    LOGIN_MAX_PER_MINUTE: '1000',
    ...env,
  };
  let log = '';
  const run = (entry: string) => {
    const c = spawn(process.execPath, [tsx, entry], { cwd: repoRoot, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    c.stdout?.on('data', (d) => (log += d.toString()));
    c.stderr?.on('data', (d) => (log += d.toString()));
    return c;
  };
  let server: ChildProcess | null = null;
  const startServer = async () => {
    server = run('server/src/main.ts');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (server.exitCode !== null) throw new Error(`server exited (${server.exitCode}):\n${log.slice(-3000)}`);
      try {
        if ((await fetch(`${url}/api/health`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server not healthy within 60 s:\n${log.slice(-3000)}`);
  };
  await startServer();
  const workers = run('workers/src/main.ts');
  return {
    url,
    adminPassword: E2E_ADMIN_PASSWORD,
    async killServer() {
      const s = server;
      if (!s) return;
      signal(s, 'SIGKILL');
      await exited(s);
      server = null;
    },
    startServer,
    output: () => log,
    async close() {
      await Promise.all(
        [server, workers].map(async (c) => {
          if (!c) return;
          signal(c, 'SIGTERM');
          const t = setTimeout(() => signal(c, 'SIGKILL'), 10_000);
          await exited(c);
          clearTimeout(t);
        }),
      );
    },
  };
}
