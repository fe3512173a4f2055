import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interleaveReplicas, replicaJobId } from '@labelwork/core';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { makeUsers, startTestWorkers, textProject, waitFor, type TestUser } from '../support/tasks.ts';

let t: TestApp;
let workers: RunningWorkers;

beforeAll(async () => {
  t = await startTestApp({ LEASE_MS: '8000' });
  workers = await startTestWorkers(t);
});
afterAll(async () => {
  await workers?.close(1000);
  await t?.close();
});

describe('requeue-all', () => {
  it("puts replicas back interleaved by the project's spread, in the same order as normal queueing", async () => {
    const admin = await t.admin();
    const [lead] = (await makeUsers(admin, 'ilead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    const annos = await makeUsers(admin, 'i', 2);
    const { projectId } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: 7, overlap: 2, queue: false },
    );
    expect((await lead.client.patch(`/api/projects/${projectId}/queue`, { spread: 3 })).status).toBe(200);
    expect((await lead.client.post(`/api/projects/${projectId}/queue/items`, { all: true })).body).toMatchObject({ queued: 7 });
    const ctx = t.app.ctx;
    const keys = ctx.tasks.keys(projectId);
    const order = () => ctx.redis.zrange(keys.bull.prioritized, 0, -1);

    // Normal queueing: windows of 3 items, replica 0 of the window before replica 1.
    const queued = await order();
    const items = [...new Set(queued.map((id) => id.slice(0, id.lastIndexOf('-'))))];
    expect(items).toHaveLength(7);
    const interleaved = interleaveReplicas(
      items.map((itemId) => ({ itemId, k: 2, priority: 50 })),
      3,
    ).map((s) => replicaJobId(s.itemId, s.r));
    expect(queued).toEqual(interleaved);

    // The project's Redis state is lost; requeue-all rebuilds it from MongoDB.
    const lost = await ctx.redis.keys(`${t.prefix}:annotate-{${projectId}}*`);
    await ctx.redis.del(...lost);
    const started = await lead.client.post(`/api/projects/${projectId}/queue/requeue-all`);
    expect(started.status).toBe(202);
    const done = await waitFor('the rebuild', async () => {
      const j = (await lead.client.get(`/api/projects/${projectId}/queue/jobs/${started.body.jobId}`)).body;
      return j.state === 'completed' ? j : null;
    });
    expect(done.result).toMatchObject({ items: 7, jobsAdded: 14 });
    expect(await order()).toEqual(interleaved);
  });
});
