import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { ObjectId } from 'mongodb';
import { expect, inject } from 'vitest';
import type { Database } from '@labelwork/engine';
import { loadWorkerConfig } from '../../workers/src/config.ts';
import { startWorkers, type RunningWorkers } from '../../workers/src/app.ts';
import { createLogger } from '../../workers/src/infra/logger.ts';
import { ApiClient } from './api-client.ts';
import { setUpProject, signedInUser, type TestUser } from './project-setup.ts';
import type { TestApp } from './test-app.ts';

export type { TestUser };

/** Helpers for the assignment-engine tests: users, a text project with items, annotator loops. */

export const classSchema = {
  labels: [
    { name: 'pos', color: '#e6194b', hotkey: 'p', tool: 'class-single' },
    { name: 'neg', color: '#3cb44b', hotkey: 'n', tool: 'class-single' },
    { name: 'PER', color: '#4363d8', tool: 'span' },
  ],
};

/** Creates users `<prefix>0`… through the admin API and signs each in on the given base URL(s), round robin. */
export async function makeUsers(
  admin: ApiClient,
  prefix: string,
  n: number,
  opts: { role?: string; level?: string; urls?: string[] } = {},
): Promise<TestUser[]> {
  const urls = opts.urls ?? [admin.baseUrl];
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      signedInUser(admin, { name: `${prefix}${i}`, role: opts.role ?? 'annotator', level: opts.level ?? 'L4' }, urls[i % urls.length]!),
    ),
  );
}

/** A text project with `n` items (plus gold ones), members added, the review policy set, and (unless `queue: false`) all items queued. */
export async function textProject(
  lead: ApiClient,
  members: string[],
  opts: {
    n: number;
    overlap: number;
    gold?: number;
    goldRate?: number;
    minLevel?: string;
    name?: string;
    queue?: boolean;
    reviewPolicy?: Record<string, unknown>;
  },
): Promise<{ projectId: string; itemIds: string[] }> {
  const lines: string[] = [];
  for (let i = 0; i < opts.n; i++) lines.push(JSON.stringify({ id: `t${i}`, text: `text number ${i} about Alice` }));
  for (let i = 0; i < (opts.gold ?? 0); i++)
    lines.push(JSON.stringify({ id: `g${i}`, text: `gold text ${i}`, gold: { regions: [{ id: 'g', type: 'class', label: 'pos' }] } }));
  const projectId = await setUpProject(lead, {
    name: opts.name ?? `p-${randomUUID().slice(0, 6)}`,
    kind: 'text',
    labelSchema: classSchema,
    overlap: opts.overlap,
    goldRate: opts.goldRate,
    minLevel: opts.minLevel,
    members,
    reviewPolicy: opts.reviewPolicy,
    text: { name: 'items.jsonl', data: lines.join('\n') },
    queue: opts.queue !== false,
  });
  const items = await lead.get(`/api/projects/${projectId}/items?pageSize=500`);
  return { projectId, itemIds: items.body.items.map((it: { id: string }) => it.id) };
}

/** An answer that fits `classSchema`: one class, sometimes a span. */
export function answer(i: number): { regions: unknown[] } {
  const regions: unknown[] = [{ id: 'c', type: 'class', label: i % 3 === 0 ? 'neg' : 'pos' }];
  if (i % 2 === 0) regions.push({ id: 's', type: 'span', label: 'PER', start: 0, end: 4 });
  return { regions };
}

export const sid = () => randomUUID().replace(/-/g, '');

export function socketFor(c: ApiClient): Socket {
  return connect(c.baseUrl, { transports: ['websocket'], extraHeaders: { cookie: c.cookie }, reconnection: false, forceNew: true });
}
export const connected = (s: Socket) =>
  new Promise<void>((resolve, reject) => {
    if (s.connected) return resolve();
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(e));
  });

/** Workers in-process against the test app's database and Redis prefix. */
export async function startTestWorkers(t: TestApp, env: Record<string, string> = {}): Promise<RunningWorkers> {
  const config = loadWorkerConfig({
    MONGO_URL: inject('mongoUrl'),
    MONGO_DB: t.dbName,
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: t.prefix,
    LOG_LEVEL: 'silent',
    PROJECT_AGREEMENT_DEBOUNCE_MS: '200',
    PROJECT_AGREEMENT_MAX_WINDOW_MS: '2000',
    WORKER_LOCK_MS: '3000',
    ...env,
  });
  return startWorkers(config, { log: createLogger('silent') });
}

export async function waitFor<T>(
  what: string,
  f: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export interface LoopStats {
  submitted: { userId: string; itemId: string; leaseId: string; annotationId: string }[];
  /** Per user: [itemId, leasedAt, endedAt] of every lease they held, to check for overlaps. */
  holds: Map<string, { itemId: string; from: number; to: number }[]>;
  nothing: number;
  errors: string[];
}

/**
 * An annotator loop: next → submit until the queue says there is nothing left for this user
 * `idleLimit` times in a row (waits `idleMs` between those tries).
 */
export async function annotateUntilDone(
  u: TestUser,
  projectId: string,
  stats: LoopStats,
  opts: { idleLimit?: number; idleMs?: number; thinkMs?: () => number } = {},
): Promise<void> {
  let idle = 0;
  const holds = stats.holds.get(u.id) ?? [];
  stats.holds.set(u.id, holds);
  while (idle < (opts.idleLimit ?? 3)) {
    const n = await u.client.post(`/api/projects/${projectId}/tasks/next`);
    if (n.status === 404 && n.body.error.code === 'NOTHING_TO_DO') {
      stats.nothing++;
      idle++;
      await new Promise((r) => setTimeout(r, opts.idleMs ?? 150));
      continue;
    }
    if (n.status !== 200) {
      stats.errors.push(`next ${n.status} ${JSON.stringify(n.body)}`);
      idle++;
      continue;
    }
    idle = 0;
    const task = n.body.task;
    const from = Date.now();
    if (opts.thinkMs) await new Promise((r) => setTimeout(r, opts.thinkMs!()));
    const s = await u.client.post(`/api/tasks/${task.leaseId}/submit`, { submissionId: sid(), ...answer(holds.length) });
    holds.push({ itemId: task.item.id, from, to: Date.now() });
    if (s.status !== 201) {
      stats.errors.push(`submit ${s.status} ${JSON.stringify(s.body)}`);
      continue;
    }
    stats.submitted.push({ userId: u.id, itemId: task.item.id, leaseId: task.leaseId, annotationId: s.body.annotation.id });
  }
}

export function newStats(): LoopStats {
  return { submitted: [], holds: new Map(), nothing: 0, errors: [] };
}

/** Checks the invariants of an assignment run against the database and the loops' own records. */
export async function checkExact(db: Database, projectId: string, itemIds: string[], k: number, stats: LoopStats): Promise<void> {
  expect(stats.errors).toEqual([]);
  const anns = await db.annotations.find({ projectId: new ObjectId(projectId) }).toArray();
  const byItem = new Map<string, string[]>();
  for (const a of anns) byItem.set(a.itemId.toHexString(), [...(byItem.get(a.itemId.toHexString()) ?? []), a.userId.toHexString()]);
  for (const id of itemIds) {
    const users = byItem.get(id) ?? [];
    // Exactly k submissions from k different people.
    expect(users, `item ${id}`).toHaveLength(k);
    expect(new Set(users).size, `item ${id}`).toBe(k);
  }
  expect(anns).toHaveLength(itemIds.length * k);
  expect(stats.submitted).toHaveLength(itemIds.length * k);
  // Nobody ever held two replicas of one item (their leases of the same item never overlap, and
  // in fact nobody got an item twice).
  for (const [user, holds] of stats.holds) {
    const items = holds.map((h) => h.itemId);
    expect(new Set(items).size, `user ${user}`).toBe(items.length);
  }
}
