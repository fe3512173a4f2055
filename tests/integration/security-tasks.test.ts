import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_EVENTS, type Ack } from '@labelwork/core';
import { startRedis, type RedisProcess } from '../support/redis-process.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { connected, makeUsers, socketFor, textProject, waitFor, type TestUser } from '../support/tasks.ts';

/**
 * Security issue #11: what an ordinary account could do to the task API. Runs against a Redis of
 * its own so that Redis' client count is this server's alone.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-sec-tasks-'));
const MAX_OPEN = 3;
let redis: RedisProcess;
let probe: Redis;
let t: TestApp;
let lead: TestUser;
let trainee: TestUser;
let annos: TestUser[];
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedis(dir);
  probe = new Redis(redis.url);
  t = await startTestApp({
    REDIS_URL: redis.url,
    LEASE_MS: '3000',
    STALLED_INTERVAL_MS: '300',
    TASK_QUEUES_MAX: String(MAX_OPEN),
    LOGIN_MAX_PER_MINUTE: '1000',
  });
  const admin = await t.admin();
  [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  [trainee] = (await makeUsers(admin, 'trainee', 1, { role: 'trainee', level: 'L5' })) as [TestUser];
  annos = await makeUsers(admin, 'anno', 2);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
  probe?.disconnect();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const randomLeaseId = () => `${hex(12)}.${hex(16)}`;
async function redisClients(): Promise<number> {
  const list = (await probe.client('LIST')) as string;
  return list.split('\n').filter((l) => l.trim()).length;
}

describe('lease ids of projects that do not exist', () => {
  it('opens no Redis connection for 300 made-up lease ids (HTTP and socket) and answers 403/404 with a code', async () => {
    // Warm-up: one of each so lazily created connections exist before the baseline.
    await trainee.client.post(`/api/tasks/${randomLeaseId()}/heartbeat`);
    const s = socketFor(trainee.client);
    sockets.push(s);
    await connected(s);
    const before = await redisClients();
    const actions: [string, string, unknown?][] = [
      ['POST', 'heartbeat'],
      ['PUT', 'draft', { regions: [] }],
      ['POST', 'submit', { submissionId: hex(16), regions: [] }],
      ['POST', 'skip', { reason: 'x' }],
      ['POST', 'release'],
      ['POST', 'requeue'],
      ['POST', 'reassign', { userId: hex(12) }],
    ];
    const answers: { status: number; code: unknown }[] = [];
    for (let i = 0; i < 250; i++) {
      const [method, action, body] = actions[i % actions.length]!;
      const r = await trainee.client.request(method, `/api/tasks/${randomLeaseId()}/${action}`, body ?? {});
      answers.push({ status: r.status, code: r.body?.error?.code });
    }
    const acks: Ack[] = [];
    for (let i = 0; i < 50; i++) {
      acks.push(await new Promise<Ack>((resolve) => s.emit(CLIENT_EVENTS.leaseHeartbeat, { leaseId: randomLeaseId() }, resolve)));
    }
    for (const a of answers) {
      expect([403, 404]).toContain(a.status);
      expect(['FORBIDDEN', 'NOT_FOUND']).toContain(a.code);
    }
    for (const a of acks) {
      expect(a.ok).toBe(false);
      if (!a.ok) expect(['FORBIDDEN', 'NOT_FOUND']).toContain(a.code);
    }
    // Give any connection a moment to show up, then count.
    await new Promise((r) => setTimeout(r, 300));
    const after = await redisClients();
    expect(after - before).toBeLessThanOrEqual(2);
    expect(t.app.ctx.tasks.openProjects).toBeLessThanOrEqual(MAX_OPEN);
  }, 120_000);
});

describe('open project queues', () => {
  it(`keeps at most ${MAX_OPEN} project queues open and still takes abandoned leases back in evicted projects`, async () => {
    const baseline = await redisClients();
    const members = annos.map((a) => a.id);
    const projects: string[] = [];
    for (let i = 0; i < MAX_OPEN + 3; i++) projects.push((await textProject(lead.client, members, { n: 1, overlap: 1 })).projectId);
    const [a, b] = [annos[0]!, annos[1]!];
    // The first project's only task is leased and then abandoned (no heartbeat).
    const first = await a.client.post(`/api/projects/${projects[0]}/tasks/next`);
    expect(first.status).toBe(200);
    // Using the other projects evicts the first one's queue from this process (closed after a
    // grace period of half the lease time, before the lease ends).
    for (const p of projects.slice(1)) {
      expect((await lead.client.get(`/api/projects/${p}/queue`)).status).toBe(200);
      expect(t.app.ctx.tasks.openProjects).toBeLessThanOrEqual(MAX_OPEN);
    }
    expect(t.app.ctx.tasks.hasOpen(projects[0]!)).toBe(false);
    // Nobody touches the first project: the sweep for projects with live leases reopens its queue,
    // and its abandoned lease goes back to the queue.
    const keys = t.app.ctx.tasks.keys(projects[0]!);
    await waitFor(
      'the abandoned lease back in the queue',
      async () =>
        (await probe.llen(keys.bull.active)) === 0 && (await probe.zcard(keys.bull.prioritized)) + (await probe.llen(keys.bull.wait)) === 1,
      15_000,
      200,
    );
    const again = await b.client.post(`/api/projects/${projects[0]}/tasks/next`);
    expect(again.status).toBe(200);
    expect(again.body.task.item.id).toBe(first.body.task.item.id);
    expect(t.app.ctx.tasks.openProjects).toBeLessThanOrEqual(MAX_OPEN);
    // Evicted queues closed their connections: one blocking connection per open queue is left.
    await waitFor('evicted queues closed', async () => (await redisClients()) <= baseline + MAX_OPEN, 5000, 100);
  }, 60_000);
});
