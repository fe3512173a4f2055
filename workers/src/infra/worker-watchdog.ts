import type { Queue, Worker } from 'bullmq';
import type { Logger } from './logger.ts';

/**
 * Replaces BullMQ workers that stopped taking jobs. After a Redis Cluster failover a Worker's
 * blocking fetch can hang for good (BullMQ 6.7 with ioredis 5.9: BullMQ's own watchdog resets the
 * blocking cluster connection, and the reconnect never settles): the process looks healthy, its
 * queue fills, nothing runs (tests/integration/cluster-failover.test.ts kills the master serving
 * the workers' queues to show it).
 *
 * A worker counts as stuck when its queue has had jobs waiting (wait or prioritized) for `stallMs`
 * while it started none and had room for more (jobs in hand below its concurrency, so a long export
 * or rebuild never counts). A healthy worker takes a waiting job within milliseconds, so `stallMs`
 * can be generous. The stuck one is closed (forced; its connections dropped if that hangs too: a
 * job it held comes back through the stalled check, and every processor is idempotent) and a new
 * one, built by `make`, takes its place.
 */
export interface WorkerSlot {
  readonly queue: Queue;
  readonly concurrency: number;
  /** Builds the queue's worker (at start, and again to replace a stuck one). */
  make(): Worker;
}

export interface WorkerWatchdog {
  /** The workers now, one per slot (a replaced one gives way to its successor). */
  workers(): Worker[];
  /** Workers replaced so far (by queue name). */
  readonly replaced: Readonly<Record<string, number>>;
  stop(): void;
}

/** Starts a worker per slot and watches them (see the module comment). */
export function watchWorkers(
  slots: WorkerSlot[],
  opts: { log: Logger; everyMs: number; stallMs: number; now?: () => number },
): WorkerWatchdog {
  const now = opts.now ?? Date.now;
  const replaced: Record<string, number> = {};
  const live = new Map<WorkerSlot, { worker: Worker; inHand: number; lastStart: number; waitingSince: number | null }>();
  // The listeners go on in the same tick as the worker is built, before it can start a job.
  const start = (slot: WorkerSlot) => {
    const s = { worker: slot.make(), inHand: 0, lastStart: now(), waitingSince: null as number | null };
    live.set(slot, s);
    s.worker.on('active', () => {
      s.inHand++;
      s.lastStart = now();
    });
    const done = () => {
      s.inHand = Math.max(0, s.inHand - 1);
    };
    s.worker.on('completed', done);
    s.worker.on('failed', done);
    return s.worker;
  };
  for (const slot of slots) start(slot);

  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      for (const slot of slots) {
        const s = live.get(slot)!;
        const counts = await slot.queue.getJobCounts('wait', 'prioritized');
        const waiting = (counts.wait ?? 0) + (counts.prioritized ?? 0);
        if (!waiting || (await slot.queue.isPaused())) {
          s.waitingSince = null;
          continue;
        }
        s.waitingSince ??= now();
        const t = now();
        if (t - s.waitingSince < opts.stallMs || t - s.lastStart < opts.stallMs || s.inHand >= slot.concurrency) continue;
        opts.log.warn('a worker took no job for a while although jobs wait; replacing it', {
          queue: slot.queue.name,
          waiting,
          idleMs: t - s.lastStart,
        });
        const old = s.worker;
        start(slot);
        replaced[slot.queue.name] = (replaced[slot.queue.name] ?? 0) + 1;
        const closing = old.close(true).catch(() => undefined);
        const gaveUp = await Promise.race([closing.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5000))]);
        if (gaveUp) await old.disconnect().catch(() => undefined);
      }
    } catch (e) {
      opts.log.warn('worker watchdog check failed', { err: e });
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), opts.everyMs);
  timer.unref();
  return {
    workers: () => slots.map((slot) => live.get(slot)!.worker),
    replaced,
    stop: () => clearInterval(timer),
  };
}
