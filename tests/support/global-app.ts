import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, repoRoot, startServices } from '../../scripts/services.ts';
import { ensureClientBuilt } from '../../scripts/start.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    adminPassword: string;
    redisUrl: string;
    mongoUrl: string;
    mongoKind: string;
  }
}

export const E2E_ADMIN_PASSWORD = 'e2e-admin-password';

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become healthy');
}

/** Browser tests run against the real app: built client, server and workers processes, real services. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureClientBuilt((l) => console.error(l));
  const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-e2e-'));
  const services = await startServices({ dir, log: (l) => console.error(`[services] ${l}`) });
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    MONGO_URL: services.mongoUrl,
    REDIS_URL: services.redisUrl,
    MONGO_DB: `e2e_${Date.now()}`,
    ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
  };
  const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const log = openSync(path.join(dir, 'app.log'), 'a');
  const children = [spawn(process.execPath, [tsx, 'server/src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', log, log] })];
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, children[0]!, 60_000);
  // The quality workers complete what annotators submit (agreement, gold scores, lease history).
  children.push(spawn(process.execPath, [tsx, 'workers/src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', log, log] }));
  project.provide('appUrl', url);
  project.provide('adminPassword', E2E_ADMIN_PASSWORD);
  project.provide('redisUrl', services.redisUrl);
  project.provide('mongoUrl', services.mongoUrl);
  project.provide('mongoKind', services.mongoKind);
  return async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
