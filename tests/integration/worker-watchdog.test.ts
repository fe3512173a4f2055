import { afterAll, describe, expect, inject, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../workers/src/infra/logger.ts';
import { watchWorkers, type WorkerSlot } from '../../workers/src/infra/worker-watchdog.ts';
import { testRedis } from '../support/redis-client.ts';
import { waitFor } from '../support/tasks.ts';

// The workers' watchdog (workers/src/infra/worker-watchdog.ts) against real Redis and BullMQ: a
// worker that no longer takes jobs while its queue has some is replaced, and the jobs run; a worker
// busy with long jobs up to its concurrency is left alone.

const redis = testRedis(inject('redisUrl'), 'watchdog-test');
const prefix = `wd${randomUUID().slice(0, 8)}`;
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  redis.disconnect();
});

function slotFor(name: string, concurrency: number, processor: () => Promise<void>): WorkerSlot {
  const queue = new Queue(name, { connection: redis, prefix });
  closers.push(() => queue.close());
  const make = () => {
    const w = new Worker(name, processor, { connection: redis, prefix, concurrency, drainDelay: 1 });
    closers.push(() => w.close(true));
    return w;
  };
  return { queue, concurrency, make };
}

const log = createLogger('silent');

describe('worker watchdog', () => {
  it('replaces a worker that takes no job while jobs wait, and the new one runs them', async () => {
    let ran = 0;
    const slot = slotFor('stuck', 2, async () => void ran++);
    const dog = watchWorkers([slot], { log, everyMs: 100, stallMs: 500 });
    closers.push(async () => dog.stop());
    const [first] = dog.workers() as [Worker];
    await first.waitUntilReady();
    // This worker stops fetching (as one whose blocking connection hangs does) but stays "running".
    await first.pause(true);
    await slot.queue.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: 'j', data: { i } })));
    await waitFor('the jobs run on a new worker', async () => ran === 5, 15_000, 50);
    expect(dog.workers()[0]).not.toBe(first);
    expect(dog.replaced).toEqual({ stuck: 1 });
    expect(await slot.queue.getJobCounts('wait', 'completed')).toMatchObject({ wait: 0, completed: 5 });
  });

  it('leaves a worker alone while its jobs in hand fill its concurrency, however long they take', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    const slot = slotFor('busy', 1, async () => {
      started++;
      await gate;
    });
    const dog = watchWorkers([slot], { log, everyMs: 100, stallMs: 300 });
    closers.push(async () => dog.stop());
    const [first] = dog.workers() as [Worker];
    await first.waitUntilReady();
    // Jobs already there when the worker starts: the first starts at once.
    await slot.queue.addBulk(Array.from({ length: 3 }, (_, i) => ({ name: 'j', data: { i } })));
    await waitFor('a job in hand', async () => started === 1, 5000, 20);
    // Several stall periods with jobs waiting: not stuck, only busy.
    await new Promise((r) => setTimeout(r, 1500));
    expect(dog.workers()[0]).toBe(first);
    expect(dog.replaced).toEqual({});
    release();
    await waitFor('all three done', async () => (await slot.queue.getJobCounts('completed')).completed === 3, 10_000, 50);
  });
});
