import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  annotateUntilDone,
  checkExact,
  makeUsers,
  newStats,
  sid,
  startTestWorkers,
  textProject,
  waitFor,
  type TestUser,
} from '../support/tasks.ts';

let t: TestApp;
let workers: RunningWorkers;
let lead: TestUser;
let annos: TestUser[];

beforeAll(async () => {
  t = await startTestApp({ LEASE_MS: '10000', LOGIN_MAX_PER_MINUTE: '1000' });
  workers = await startTestWorkers(t);
  const admin = await t.admin();
  [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  annos = await makeUsers(admin, 'racer', 50);
}, 120_000);
afterAll(async () => {
  await workers?.close(1000);
  await t?.close();
});

describe('50 annotators racing on overlap 3', () => {
  it('gives every item exactly 3 annotations from 3 people and loses no lease', async () => {
    const N_ITEMS = 60;
    const K = 3;
    const { projectId, itemIds } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: N_ITEMS, overlap: K },
    );
    const stats = newStats();
    await Promise.all(annos.map((a) => annotateUntilDone(a, projectId, stats, { idleLimit: 3, idleMs: 200 })));
    await checkExact(t.app.ctx.db, projectId, itemIds, K, stats);
    const counts = (await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts;
    expect(counts).toMatchObject({ itemsQueued: N_ITEMS, waiting: 0, leased: 0, done: N_ITEMS * K });
    // Every item gets its quality computed once, by the workers.
    await waitFor(
      'all items complete',
      async () => (await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts.itemsComplete === N_ITEMS,
      30_000,
    );
    const pid = new ObjectId(projectId);
    expect(await t.app.ctx.db.agreements.countDocuments({ projectId: pid, scope: 'item' })).toBe(N_ITEMS);
    // The item documents and the project's done count follow in the background.
    await waitFor(
      'item documents complete',
      async () => (await t.app.ctx.db.items.countDocuments({ projectId: pid, status: 'complete' })) === N_ITEMS,
      30_000,
    );
    await waitFor(
      'project done count',
      async () => (await lead.client.get(`/api/projects/${projectId}`)).body.project.counts.done === N_ITEMS,
      30_000,
    );
    // Every lease ended in a submit: the lease history (persisted by the workers) has one document
    // per lease, all "submitted".
    await waitFor(
      'the lease history',
      async () => (await t.app.ctx.db.assignments.countDocuments({ projectId: pid })) === N_ITEMS * K,
      20_000,
    );
    expect(await t.app.ctx.db.assignments.countDocuments({ projectId: pid, event: 'submitted' })).toBe(N_ITEMS * K);
  }, 120_000);
});

describe('two people asking at the same moment near the end of a project', () => {
  it('does not tell either "nothing to do" when each holds, while looking, the task the other can take', async () => {
    // Overlap 2 on 2 items: after one task each, what is left is often one task of each item, each
    // excluded for one of the two. A "next" holds the tasks it passes over while it looks, so two
    // nexts at once can each hold the other's task and find the queue empty.
    const [a, b] = annos as [TestUser, TestUser];
    const misses: string[] = [];
    for (let trial = 0; trial < 12; trial++) {
      const { projectId } = await textProject(lead.client, [a.id, b.id], { n: 2, overlap: 2 });
      const next = (u: TestUser) => u.client.post(`/api/projects/${projectId}/tasks/next`);
      const first = await Promise.all([next(a), next(b)]);
      for (const [i, u] of [a, b].entries()) {
        expect(first[i]!.status).toBe(200);
        const s = await u.client.post(`/api/tasks/${first[i]!.body.task.leaseId}/submit`, {
          submissionId: sid(),
          regions: [{ id: 'c', type: 'class', label: 'pos' }],
        });
        expect(s.status).toBe(201);
      }
      const second = await Promise.all([next(a), next(b)]);
      for (const [i, r] of second.entries())
        if (r.status !== 200) misses.push(`trial ${trial}, annotator ${i}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    expect(misses).toEqual([]);
  }, 120_000);
});
