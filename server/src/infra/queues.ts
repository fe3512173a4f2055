import { Queue, Worker } from 'bullmq';
import { QUEUES } from '@labelwork/core';
import type { RedisClient } from '@labelwork/engine';
import { assertPinnedBullmq, engineKeys, type EngineKeys } from './bullmq-adapter.ts';
import type { Logger } from './logger.ts';
import { createRedis } from './redis.ts';

/** One project's annotation queue: a BullMQ queue and a manual worker whose lock is the lease. */
export interface ProjectQueue {
  projectId: string;
  keys: EngineKeys;
  queue: Queue;
  /** Processor-less worker: `getNextJob` hands out leases, its stalled checker takes them back. */
  worker: Worker;
}

export interface TaskQueuesOptions {
  prefix: string;
  redisUrl: string;
  leaseMs: number;
  stalledIntervalMs: number;
  /** At most this many project queues are open in this process (least recently used closed first). */
  maxOpenProjects: number;
  log: Logger;
  /** Called in the process whose stalled check returned abandoned leases to the queue. */
  onStalled?: (projectId: string, jobId: string) => void;
}

/**
 * BullMQ queues of the assignment engine. A project queue costs a Redis connection (its worker's
 * blocking client) and a stalled-check timer, so only queues of projects that exist are opened
 * (callers resolve the project first), and at most `maxOpenProjects` stay open: the least recently
 * used one is closed when another opens, after a grace period (a request may still be using it; a
 * use during the grace period keeps it). Stalled checkers are what bring abandoned leases back, so
 * the task runtime sweeps for projects with live leases whose queue is closed and reopens them
 * (`hasOpen`), and BullMQ's stalled-check lock makes one process per interval do the work.
 */
export class TaskQueues {
  readonly quality: Queue;
  readonly maintenance: Queue;
  /** Open project queues in least-recently-used order (first = oldest). */
  private readonly projects = new Map<string, ProjectQueue>();
  /** Evicted queues waiting out their grace period before they are closed. */
  private readonly retiring = new Map<string, { pq: ProjectQueue; timer: NodeJS.Timeout }>();
  /** Set on shutdown: no new leases are handed out. */
  closing = false;

  /**
   * BullMQ's own connection. Kept apart from the app's: BullMQ defines ~70 Lua commands on a
   * connection and ioredis copies them into every pipeline/multi made on it (a session lookup is one).
   */
  readonly redis: RedisClient;

  constructor(readonly opts: TaskQueuesOptions) {
    // Leases reach into BullMQ's keys: refuse to start on a version they were not verified against.
    assertPinnedBullmq();
    this.redis = createRedis(opts.redisUrl, 'queues');
    this.quality = new Queue(QUEUES.quality, { connection: this.redis, prefix: opts.prefix });
    this.maintenance = new Queue(QUEUES.maintenance, { connection: this.redis, prefix: opts.prefix });
  }

  get leaseMs(): number {
    return this.opts.leaseMs;
  }

  keys(projectId: string): EngineKeys {
    return engineKeys(this.opts.prefix, projectId);
  }

  /** Project queues open in this process (retiring ones not counted). */
  get openProjects(): number {
    return this.projects.size;
  }

  hasOpen(projectId: string): boolean {
    return this.projects.has(projectId);
  }

  /**
   * The queue of a project that exists: callers resolve the project (and the user's access) first,
   * so a made-up id never opens a queue.
   */
  project(projectId: string): ProjectQueue {
    let pq = this.projects.get(projectId);
    if (pq) {
      this.projects.delete(projectId);
      this.projects.set(projectId, pq);
      return pq;
    }
    const retired = this.retiring.get(projectId);
    if (retired) {
      clearTimeout(retired.timer);
      this.retiring.delete(projectId);
      this.projects.set(projectId, retired.pq);
      this.evictOverflow();
      return retired.pq;
    }
    pq = this.open(projectId);
    this.projects.set(projectId, pq);
    this.evictOverflow();
    return pq;
  }

  private evictOverflow(): void {
    while (this.projects.size > this.opts.maxOpenProjects) {
      const [oldest, pq] = this.projects.entries().next().value as [string, ProjectQueue];
      this.projects.delete(oldest);
      // Requests that took this queue just before keep a working one for the grace period.
      const graceMs = Math.max(500, Math.min(5000, this.opts.leaseMs / 2));
      const timer = setTimeout(() => {
        this.retiring.delete(oldest);
        void closeProjectQueue(pq);
      }, graceMs);
      timer.unref();
      this.retiring.set(oldest, { pq, timer });
    }
  }

  private open(projectId: string): ProjectQueue {
    const keys = this.keys(projectId);
    const queue = new Queue(keys.queueName, { connection: this.redis, prefix: this.opts.prefix });
    const worker = new Worker(keys.queueName, null, {
      connection: this.redis,
      prefix: this.opts.prefix,
      autorun: false,
      lockDuration: this.opts.leaseMs,
      stalledInterval: this.opts.stalledIntervalMs,
      // A stall is an abandoned lease, not a failure: it may happen any number of times.
      maxStalledCount: 1_000_000_000,
      name: 'lease',
    });
    worker.on('error', (e) => this.opts.log.warn('task queue error', { projectId, err: e }));
    worker.on('stalled', (jobId) => this.opts.onStalled?.(projectId, jobId));
    void worker
      .startStalledCheckTimer()
      .catch((e: unknown) => this.opts.log.warn('stalled checker failed to start', { projectId, err: e }));
    return { projectId, keys, queue, worker };
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const r of this.retiring.values()) clearTimeout(r.timer);
    const all = [...this.projects.values(), ...[...this.retiring.values()].map((r) => r.pq)];
    this.projects.clear();
    this.retiring.clear();
    await Promise.all(all.map(closeProjectQueue));
    await Promise.all([this.quality.close(), this.maintenance.close()]);
    this.redis.disconnect();
  }
}

/** Manual workers hold no jobs themselves: leases belong to clients and live on in Redis. */
async function closeProjectQueue(p: ProjectQueue): Promise<void> {
  await p.worker.close(true).catch(() => undefined);
  await p.queue.close().catch(() => undefined);
}

export function stalledIntervalFor(leaseMs: number, configured?: number): number {
  return configured ?? Math.max(100, Math.min(30_000, Math.round(leaseMs / 3)));
}
