import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { CLIENT_EVENTS, SERVER_EVENTS, type Ack, type QueueCounts } from '@labelwork/core';
import { COUNTS_MIN_GAP_MS, touchCounts } from '../../server/src/modules/tasks/task-runtime.ts';
import type { ApiClient } from '../support/api-client.ts';
import { connected, makeUsers, sid, socketFor, textProject, waitFor, type TestUser } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Live queue counts (`queue:counts`) on the project dashboards: pushed at once after a change (no
 * fixed debounce), once per change to every member's dashboard, bursts coalesced into one push per
 * gap, and a removed member's dashboard no longer receives them.
 */
let t: TestApp;
let admin: ApiClient;
let lead: TestUser;
let annos: TestUser[];
let projectId = '';
const sockets: Socket[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Dashboard {
  socket: Socket;
  counts: { at: number; c: QueueCounts }[];
}
async function dashboard(c: ApiClient): Promise<Dashboard> {
  const socket = socketFor(c);
  sockets.push(socket);
  await connected(socket);
  const d: Dashboard = { socket, counts: [] };
  socket.on(SERVER_EVENTS.queueCounts, (c: QueueCounts) => d.counts.push({ at: performance.now(), c }));
  expect(await new Promise<Ack>((resolve) => socket.emit(CLIENT_EVENTS.joinProject, { projectId }, resolve))).toEqual({ ok: true });
  return d;
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
  lead = (await makeUsers(admin, 'qc-lead', 1, { role: 'lead', level: 'L2' }))[0]!;
  annos = await makeUsers(admin, 'qc-anno', 3);
  ({ projectId } = await textProject(
    lead!.client,
    annos.map((a) => a.id),
    { n: 6, overlap: 1 },
  ));
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

describe('live queue counts', () => {
  it('pushes a submit’s counts to every member’s dashboard at once, once per change; a removed member’s dashboard stops receiving them', async () => {
    const [a0, a1, removed] = annos as [TestUser, TestUser, TestUser];
    const boards = [await dashboard(lead!.client), await dashboard(a1.client), await dashboard(removed.client)];
    const lease = (await a0.client.post(`/api/projects/${projectId}/tasks/next`)).body.task.leaseId as string;
    await waitFor('the lease’s counts on every dashboard', async () => boards.every((b) => b.counts.some((x) => x.c.leased === 1)));
    await sleep(COUNTS_MIN_GAP_MS + 200); // quiet again
    for (const b of boards) b.counts.length = 0;
    const r = await a0.client.post(`/api/tasks/${lease}/submit`, {
      submissionId: sid(),
      regions: [{ id: 'c', type: 'class', label: 'pos' }],
    });
    expect(r.status).toBe(201);
    const answeredAt = performance.now();
    await waitFor('the submit’s counts on every dashboard', async () => boards.every((b) => b.counts.length > 0));
    await sleep(COUNTS_MIN_GAP_MS + 300);
    for (const b of boards) {
      // One push for the one change, with the counts after it.
      expect(b.counts.map((x) => x.c)).toEqual([expect.objectContaining({ projectId, done: 1, leased: 0 })]);
      // Read and sent right after the change: before, a fixed 300 ms debounce came first.
      expect(b.counts[0]!.at - answeredAt).toBeLessThan(250);
    }

    expect((await lead!.client.del(`/api/projects/${projectId}/members/${removed.id}`)).status).toBe(200);
    await sleep(300);
    for (const b of boards) b.counts.length = 0;
    const lease2 = (await a1.client.post(`/api/projects/${projectId}/tasks/next`)).body.task.leaseId as string;
    expect(
      (await a1.client.post(`/api/tasks/${lease2}/submit`, { submissionId: sid(), regions: [{ id: 'c', type: 'class', label: 'neg' }] }))
        .status,
    ).toBe(201);
    await waitFor('the counts after the removal on the members’ dashboards', async () =>
      boards.slice(0, 2).every((b) => b.counts.some((x) => x.c.done === 2)),
    );
    await sleep(COUNTS_MIN_GAP_MS + 300);
    expect(boards[2]!.counts).toEqual([]);
    expect(boards[2]!.socket.connected).toBe(true); // still signed in, only out of the project's room
  });

  it('decides a dashboard’s join on the membership as it is now: refused before being added, accepted right after, refused right after removal', async () => {
    const [late] = await makeUsers(admin, 'qc-late', 1);
    const socket = socketFor(late!.client);
    sockets.push(socket);
    await connected(socket);
    const join = () => new Promise<Ack>((resolve) => socket.emit(CLIENT_EVENTS.joinProject, { projectId }, resolve));
    expect(await join()).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const members = [...annos.map((a) => a.id), late!.id];
    expect((await lead!.client.put(`/api/projects/${projectId}/members`, { userIds: members })).status).toBe(200);
    expect(await join()).toEqual({ ok: true });
    expect((await lead!.client.del(`/api/projects/${projectId}/members/${late!.id}`)).status).toBe(200);
    expect(await join()).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it(`coalesces a burst into one push at once and one at the end of the ${COUNTS_MIN_GAP_MS} ms gap, with the counts after the last change`, async () => {
    const board = await dashboard(lead!.client);
    await sleep(COUNTS_MIN_GAP_MS + 200);
    board.counts.length = 0;
    let reads = 0;
    let changes = 0;
    // Ten changes in one go; each read reports how many changes it saw (in `done`).
    const compute = async (): Promise<QueueCounts> => {
      reads++;
      const seen = changes;
      await sleep(5);
      return {
        projectId,
        paused: false,
        itemsQueued: 0,
        itemsComplete: 0,
        waiting: 0,
        leased: 0,
        done: seen,
        skips: 0,
        gold: { pool: 0, served: 0, done: 0 },
      };
    };
    const burstAt = performance.now();
    for (let i = 0; i < 10; i++) {
      changes++;
      touchCounts(t.app.ctx, projectId, compute);
    }
    await waitFor('the coalesced push', async () => board.counts.some((x) => x.c.done === 10), 5000, 10);
    await sleep(COUNTS_MIN_GAP_MS + 200);
    expect(reads).toBe(2);
    expect(board.counts.map((x) => x.c.done)).toEqual([1, 10]);
    expect(board.counts[0]!.at - burstAt).toBeLessThan(250); // before: one push, after a fixed 300 ms
    expect(board.counts[1]!.at - burstAt).toBeGreaterThanOrEqual(COUNTS_MIN_GAP_MS);
    // Quiet again: the next change is pushed at once.
    changes++;
    const again = performance.now();
    touchCounts(t.app.ctx, projectId, compute);
    await waitFor('the next push', async () => board.counts.length === 3, 5000, 5);
    expect(board.counts[2]!.c.done).toBe(11);
    expect(board.counts[2]!.at - again).toBeLessThan(250);
  });
});
