import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { ObjectId } from 'mongodb';
import { interleaveReplicas, projectKeys, replicaJob, replicaJobId } from '@labelwork/core';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { settleSlotsFilledMeanwhile } from '../../workers/src/processors/requeue-all.ts';
import { annotationDoc } from '../support/annotation-doc.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { answer, makeUsers, sid, startTestWorkers, textProject, waitFor, type TestUser } from '../support/tasks.ts';

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

  it('removes a replica job it added back for a slot a submit filled meanwhile, and marks a held-over one filled', async () => {
    const admin = await t.admin();
    const [lead] = (await makeUsers(admin, 'glead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    const [a] = (await makeUsers(admin, 'g', 1)) as [TestUser];
    const { projectId, itemIds } = await textProject(lead.client, [a.id], { n: 2, overlap: 1 });
    const keys = projectKeys(t.prefix, projectId);
    const queue = new Queue(keys.queueName, { connection: t.app.ctx.redis, prefix: t.prefix });
    try {
      // a does one task: its annotation is stored, its job completed and removed.
      const task = (await a.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
      expect((await a.client.post(`/api/tasks/${task.leaseId}/submit`, { submissionId: sid(), ...answer(0) })).status).toBe(201);
      const doneSlot = replicaJobId(task.item.id, 0);
      const otherItem = itemIds.find((id) => id !== task.item.id)!;
      const otherSlot = replicaJobId(otherItem, 0);
      expect(await queue.getJob(doneSlot)).toBeUndefined();
      // The other slot was filled by a submit that stored its annotation and died before finishing.
      await t.app.ctx.db.annotations.insertOne(
        annotationDoc({ projectId: new ObjectId(projectId), itemId: new ObjectId(otherItem), userId: new ObjectId(a.id), slot: otherSlot }),
      );
      // A rebuild that read the annotations before that submit adds both jobs back.
      const addedAt = Date.now();
      const added = await queue.addBulk([
        replicaJob(projectId, { itemId: task.item.id, r: 0, k: 1, priority: 50 }),
        replicaJob(projectId, { itemId: otherItem, r: 0, k: 1, priority: 50 }),
      ]);
      expect(
        await settleSlotsFilledMeanwhile(
          workers.ctx,
          keys,
          queue,
          added.map((j) => j.id!),
          addedAt,
        ),
      ).toBe(2);
      // The job the add created for a finished slot is gone; the one that was there stays, marked.
      expect(await queue.getJob(doneSlot)).toBeUndefined();
      expect(await queue.getJob(otherSlot)).toBeDefined();
      expect(await t.app.ctx.redis.get(keys.filled(otherSlot))).toBe('rebuild');
      // The next fetch finishes the stored submission instead of handing the task out.
      const next = await a.client.post(`/api/projects/${projectId}/tasks/next`);
      expect(next.body.error?.code).toBe('NOTHING_TO_DO');
      expect((await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts).toMatchObject({ waiting: 0, leased: 0, done: 2 });
    } finally {
      await queue.close();
    }
  });
});
