/**
 * What the browser benches of the annotator's workspace share (bench:canvas, bench:tiles): the app
 * as users get it (services of the bench's own, the production client build, a server and a workers
 * process), the percentile helpers, and the frame probe (real `requestAnimationFrame` intervals and
 * long tasks on the page while input is played).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot, startServices } from '../scripts/services.ts';
import { ensureClientBuilt } from '../scripts/start.ts';
import { ApiClient } from '../tests/support/api-client.ts';
import { spawnServer, spawnWorkers, sharedEnv, type Proc } from '../tests/support/processes.ts';

/** Same as processes.ts gives the server it spawns. */
export const ADMIN_PASSWORD = 'admin-password-for-tests';

export const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
export const r2 = (x: number) => Math.round(x * 100) / 100;

export interface BenchApp {
  url: string;
  admin: ApiClient;
  procs: Proc[];
  stopServices(): Promise<void>;
}

/** Services, the built client, a server and a workers process (extra `env` for both), all of the bench's own. */
export async function startBenchApp(name: string, env: Record<string, string> = {}): Promise<BenchApp> {
  const dir = mkdtempSync(path.join(tmpdir(), `labelwork-bench-${name}-`));
  const services = await startServices({ dir, log: (l) => console.error(`[services] ${l}`) });
  // The client as users get it (production build), in a directory of the bench's own.
  const clientDist = process.env.CLIENT_DIST ?? path.join(repoRoot, 'bench', 'out', 'client');
  process.env.CLIENT_DIST = clientDist;
  ensureClientBuilt((l) => console.error(l));
  const all = { ...sharedEnv(services.mongoUrl, services.redisUrl), CLIENT_DIST: clientDist, ...env };
  const server = await spawnServer(all);
  const workers = await spawnWorkers(all);
  const admin = new ApiClient(server.url);
  await admin.login('admin', ADMIN_PASSWORD);
  return {
    url: server.url,
    admin,
    procs: [server, workers],
    async stopServices() {
      await services.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FrameIntervals {
  intervals: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  longTasks: number;
  longTaskMs: number;
  longTaskMaxMs: number;
}

/**
 * Records every frame's interval (rAF deltas) and every long task on the page. A string, not a
 * function: tsx's helpers (`__name`) do not exist in the page.
 */
const FRAME_INTERVAL_PROBE = `(() => {
  const probe = { intervals: [], longTasks: [], running: true };
  window.__frames = probe;
  let last = 0;
  const tick = (t) => {
    if (!probe.running) return;
    if (last) probe.intervals.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  try {
    probe.observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) probe.longTasks.push(e.duration); });
    probe.observer.observe({ type: 'longtask' });
  } catch {}
})()`;

export async function startFrameProbe(page: Page): Promise<void> {
  await page.evaluate(FRAME_INTERVAL_PROBE);
}

/** Stops the probe and summarises what it recorded. */
export async function stopFrameProbe(page: Page): Promise<FrameIntervals> {
  const st = await page.evaluate(() => {
    const p = (
      window as unknown as { __frames: { intervals: number[]; longTasks: number[]; running: boolean; observer?: PerformanceObserver } }
    ).__frames;
    p.running = false;
    p.observer?.disconnect();
    return { intervals: p.intervals, longTasks: p.longTasks };
  });
  return {
    intervals: st.intervals.length,
    p50: r2(pct(st.intervals, 50)),
    p95: r2(pct(st.intervals, 95)),
    p99: r2(pct(st.intervals, 99)),
    max: r2(st.intervals.length ? Math.max(...st.intervals) : NaN),
    longTasks: st.longTasks.length,
    longTaskMs: r2(st.longTasks.reduce((a, b) => a + b, 0)),
    longTaskMaxMs: r2(st.longTasks.length ? Math.max(...st.longTasks) : 0),
  };
}
