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

/** One server process of an {@link OwnCluster}. */
export interface OwnServer {
  /** `http://127.0.0.1:<port>`: each server listens on a port of its own. */
  url: string;
  port: number;
  /** Pid of the running server's process group (tsx CLI), null while it is stopped. */
  pid(): number | null;
  /** SIGKILL this server: connections drop, nothing is flushed. */
  kill(): Promise<void>;
  /** Starts it again (same port, database and Redis prefix) and waits until it is healthy. */
  start(): Promise<void>;
}

/**
 * Several server processes (and one workers process) behind the same database and Redis prefix,
 * like a deployment behind a load balancer: sessions, queues and Socket.IO rooms (Redis adapter)
 * are shared, so an event emitted on one server reaches sockets connected to another.
 */
export interface OwnCluster {
  servers: OwnServer[];
  adminPassword: string;
  /** Server and workers output so far, each line prefixed with its process (`[server 0]`, `[workers]`). */
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

/**
 * Starts `servers` server processes one after the other (the first creates the admin and the
 * indexes), each on a free port, then the workers; all share a fresh database and Redis prefix.
 */
export async function startOwnCluster(
  services: { mongoUrl: string; redisUrl: string },
  opts: { servers?: number; env?: Record<string, string> } = {},
): Promise<OwnCluster> {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const baseEnv = {
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    MONGO_URL: services.mongoUrl,
    REDIS_URL: services.redisUrl,
    MONGO_DB: `e2e_own_${id}`,
    REDIS_PREFIX: `e2e${id}`,
    ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    LOGIN_MAX_PER_MINUTE: '1000',
    ...opts.env,
  };
  let log = '';
  const run = (entry: string, name: string, env: NodeJS.ProcessEnv) => {
    const c = spawn(process.execPath, [tsx, entry], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const append = (d: Buffer) => {
      log += d.toString().replace(/^(?=.)/gm, `[${name}] `);
    };
    c.stdout?.on('data', append);
    c.stderr?.on('data', append);
    return c;
  };
  const children = new Set<ChildProcess>();
  const makeServer = async (i: number): Promise<OwnServer> => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let child: ChildProcess | null = null;
    const start = async () => {
      const c = run('server/src/main.ts', `server ${i}`, { ...baseEnv, PORT: String(port) });
      child = c;
      children.add(c);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (c.exitCode !== null) throw new Error(`server ${i} exited (${c.exitCode}):\n${log.slice(-3000)}`);
        try {
          if ((await fetch(`${url}/api/health`)).ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`server ${i} not healthy within 60 s:\n${log.slice(-3000)}`);
    };
    return {
      url,
      port,
      pid: () => child?.pid ?? null,
      start,
      async kill() {
        const c = child;
        if (!c) return;
        signal(c, 'SIGKILL');
        await exited(c);
        children.delete(c);
        child = null;
      },
    };
  };
  const servers: OwnServer[] = [];
  for (let i = 0; i < (opts.servers ?? 1); i++) {
    const s = await makeServer(i);
    await s.start();
    servers.push(s);
  }
  children.add(run('workers/src/main.ts', 'workers', baseEnv));
  return {
    servers,
    adminPassword: E2E_ADMIN_PASSWORD,
    output: () => log,
    async close() {
      await Promise.all(
        [...children].map(async (c) => {
          signal(c, 'SIGTERM');
          const t = setTimeout(() => signal(c, 'SIGKILL'), 10_000);
          await exited(c);
          clearTimeout(t);
        }),
      );
    },
  };
}

/** One server and the workers (see {@link startOwnCluster}). */
export async function startOwnApp(services: { mongoUrl: string; redisUrl: string }, env: Record<string, string> = {}): Promise<OwnApp> {
  const cluster = await startOwnCluster(services, { servers: 1, env });
  const server = cluster.servers[0]!;
  return {
    url: server.url,
    adminPassword: cluster.adminPassword,
    killServer: () => server.kill(),
    startServer: () => server.start(),
    output: cluster.output,
    close: () => cluster.close(),
  };
}
