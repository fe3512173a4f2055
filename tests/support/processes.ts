import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { freePort, repoRoot } from '../../scripts/services.ts';

/** Server and worker processes for the multi-process and crash tests (real `main.ts` entry points). */

/** Same as test-app.ts's (kept here so benches can use these helpers outside vitest). */
const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface Proc {
  proc: ChildProcess;
  /** Output so far (stdout + stderr), for diagnostics. */
  output(): string;
  /** SIGKILL: no cleanup at all. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

export interface ServerProc extends Proc {
  url: string;
}

function run(entry: string, env: Record<string, string>): Proc {
  // One process, no tsx CLI wrapper: a SIGKILL must kill the real server, not a wrapper that
  // leaves it running as an orphan. BENCH_NODE_ARGS (e.g. "--cpu-prof") lets a bench profile it.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d) => (out += d.toString()));
  proc.stderr?.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

async function until(what: string, p: Proc, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.proc.exitCode !== null) throw new Error(`${what} exited (${p.proc.exitCode}):\n${p.output().slice(-3000)}`);
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms:\n${p.output().slice(-3000)}`);
}

/** Names shared by the processes of one test: database, Redis prefix. */
export function sharedEnv(mongoUrl: string, redisUrl: string): Record<string, string> {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  return { MONGO_URL: mongoUrl, REDIS_URL: redisUrl, MONGO_DB: `t_${id}`, REDIS_PREFIX: `t${id}` };
}

export async function spawnServer(env: Record<string, string>): Promise<ServerProc> {
  const port = await freePort();
  const p = run('server/src/main.ts', {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    CLIENT_DIST: '/nonexistent',
    LOGIN_MAX_PER_MINUTE: '1000',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await until('server', p, async () => (await fetch(`${url}/api/health`)).status === 200);
  return { ...p, url };
}

export async function spawnWorkers(env: Record<string, string>): Promise<Proc> {
  const p = run('workers/src/main.ts', {
    LOG_LEVEL: 'info',
    PROJECT_AGREEMENT_DEBOUNCE_MS: '300',
    PROJECT_AGREEMENT_MAX_WINDOW_MS: '2000',
    ...env,
  });
  await until('workers', p, () => p.output().includes('Labelwork workers ready'));
  return p;
}
