import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { DRAIN_CLAIM_IDLE_MS, field, startStreamDrain, type StreamEntry } from '../../workers/src/infra/stream-drain.ts';
import { createLogger } from '../../workers/src/infra/logger.ts';
import { itemStatusStream } from '../../workers/src/item-status.ts';
import { signedInUser } from '../support/project-setup.ts';
import { annotateUntilDone, makeUsers, newStats, startTestWorkers, textProject, waitFor } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The workers' status updates go through a Redis stream read by a consumer group. A worker
 * SIGKILLed after its drain read an entry leaves it pending under its name forever: another
 * worker must take it over soon, or the item never becomes `complete` in MongoDB while its k
 * annotations are stored (cluster-failover.test.ts timed out on that once).
 */

let t: TestApp;
const running: RunningWorkers[] = [];

beforeAll(async () => {
  t = await startTestApp();
}, 60_000);
afterAll(async () => {
  await Promise.all(running.map((w) => w.close(0)));
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('item status drain', () => {
  it('marks an item complete within seconds when the worker that had read its status update died before storing it', async () => {
    const admin = await t.admin();
    const lead = await signedInUser(admin, { name: 'status-lead', role: 'lead', level: 'L2' });
    const { itemIds } = await textProject(lead.client, [], { n: 2, overlap: 2, queue: false });
    const itemId = itemIds[0]!;
    const redis = t.app.ctx.redis;
    const stream = itemStatusStream(t.prefix);
    await redis.xgroup('CREATE', stream, 'item-status', '0', 'MKSTREAM');
    await redis.xadd(stream, '*', 'item', itemId, 'n', '2', 'at', String(Date.now()));
    // What a SIGKILLed worker leaves behind: the entry delivered to its consumer, never acknowledged.
    const read = (await redis.xreadgroup('GROUP', 'item-status', 'killed-worker-1234', 'COUNT', 10, 'STREAMS', stream, '>')) as [
      string,
      StreamEntry[],
    ][];
    expect(read[0]?.[1]).toHaveLength(1);

    const startedAt = Date.now();
    running.push(await startTestWorkers(t));
    const item = async () => t.app.ctx.db.items.findOne({ _id: new ObjectId(itemId) });
    await waitFor('the item complete in MongoDB', async () => (await item())?.status === 'complete', 20_000);
    const tookS = (Date.now() - startedAt) / 1000;
    // Claimed once idle DRAIN_CLAIM_IDLE_MS (checked every half of it); it was 30 s plus up to 30 s.
    expect(tookS).toBeLessThan((DRAIN_CLAIM_IDLE_MS * 1.5) / 1000 + 3);
    expect(await item()).toMatchObject({ status: 'complete', annotationCount: 2 });
    await waitFor('the entry acknowledged', async () => ((await redis.xpending(stream, 'item-status')) as [number])[0] === 0, 5000);
  }, 60_000);

  it('leaves the entries a live drain is still storing to it, however long its handler takes', async () => {
    const redis = t.app.ctx.redis;
    const stream = `${t.prefix}:{drain-test-${randomUUID().slice(0, 6)}}`;
    const handled: string[] = [];
    const claimIdleMs = 600;
    const start = () =>
      startStreamDrain(redis, createLogger('silent'), {
        stream,
        group: 'g',
        batch: 5,
        claimIdleMs,
        handle: async (entries) => {
          for (const [, f] of entries) handled.push(field(f, 'item') ?? '');
          // Far longer than the claim idle time, as a throttled status update under load can be.
          await sleep(claimIdleMs * 4);
        },
      });
    const drains = [await start(), await start()];
    try {
      for (let i = 0; i < 4; i++) await redis.xadd(stream, '*', 'item', `i${i}`);
      await waitFor(
        'every entry stored and acknowledged',
        async () => {
          const [pending] = (await redis.xpending(stream, 'g')) as [number];
          return new Set(handled).size === 4 && pending === 0;
        },
        20_000,
      );
      // Each entry handled once: neither drain took over what the other was still storing.
      expect([...handled].sort()).toEqual(['i0', 'i1', 'i2', 'i3']);
      expect(new Set(drains.map((d) => d.consumer)).size).toBe(2);
    } finally {
      await Promise.all(drains.map((d) => d.stop()));
    }
  }, 60_000);

  it('queues the status update again on requeue-all when an item is complete in Redis but its document is not', async () => {
    if (!running.length) running.push(await startTestWorkers(t));
    const admin = await t.admin();
    const lead = await signedInUser(admin, { name: 'rq-status-lead', role: 'lead', level: 'L2' });
    const annos = await makeUsers(admin, 'rqs', 2);
    const { projectId, itemIds } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: 2, overlap: 2 },
    );
    const stats = newStats();
    await Promise.all(annos.map((a) => annotateUntilDone(a, projectId, stats)));
    expect(stats.submitted).toHaveLength(4);
    const items = t.app.ctx.db.items;
    const complete = async () => items.countDocuments({ _id: { $in: itemIds.map((id) => new ObjectId(id)) }, status: 'complete' });
    await waitFor('both items complete', async () => (await complete()) === 2, 20_000);
    // Its status entry was lost (written to Redis just before it went down): Redis says complete, the document not.
    const lost = new ObjectId(itemIds[0]);
    await items.updateOne({ _id: lost }, { $set: { status: 'queued' }, $unset: { completedAt: '' } });
    expect(await t.app.ctx.redis.sismember(t.app.ctx.tasks.keys(projectId).complete, itemIds[0]!)).toBe(1);

    const started = await lead.client.post(`/api/projects/${projectId}/queue/requeue-all`);
    expect(started.status).toBe(202);
    await waitFor(
      'the rebuild',
      async () => (await lead.client.get(`/api/projects/${projectId}/queue/jobs/${started.body.jobId}`)).body.state === 'completed',
    );
    await waitFor('the item complete again', async () => (await items.findOne({ _id: lost }))?.status === 'complete', 20_000);
    expect(await items.findOne({ _id: lost })).toMatchObject({ status: 'complete', annotationCount: 2 });
  }, 90_000);
});
