import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, projectKeys, type ProjectKeys } from '@labelwork/core';
import type { Logger } from './logger.ts';

/** One project's annotation queue: a BullMQ queue and a manual worker whose lock is the lease. */
export interface ProjectQueue {
  projectId: string;
  keys: ProjectKeys;
  queue: Queue;
  /** Processor-less worker: `getNextJob` hands out leases, its stalled checker takes them back. */
  worker: Worker;
}

export interface TaskQueuesOptions {
  prefix: string;
  redisUrl: string;
  leaseMs: number;
  stalledIntervalMs: number;
  log: Logger;
  /** Called in the process whose stalled check returned abandoned leases to the queue. */
  onStalled?: (projectId: string, jobId: string) => void;
}

/**
 * BullMQ queues of the assignment engine. Project queues are opened on first use (and at start for
 * projects with queued work) and stay open: their stalled checkers are what bring abandoned leases
 * back, and BullMQ's stalled-check lock makes one process per interval do it.
 */
export class TaskQueues {
  readonly quality: Queue;
  readonly maintenance: Queue;
  private readonly projects = new Map<string, ProjectQueue>();
  /** Set on shutdown: no new leases are handed out. */
  closing = false;

  /**
   * BullMQ's own connection. Kept apart from the app's: BullMQ defines ~70 Lua commands on a
   * connection and ioredis copies them into every pipeline/multi made on it (a session lookup is one).
   */
  readonly redis: Redis;

  constructor(readonly opts: TaskQueuesOptions) {
    this.redis = new Redis(opts.redisUrl, { connectionName: 'queues', maxRetriesPerRequest: null, enableReadyCheck: true });
    this.quality = new Queue(QUEUES.quality, { connection: this.redis, prefix: opts.prefix });
    this.maintenance = new Queue(QUEUES.maintenance, { connection: this.redis, prefix: opts.prefix });
  }

  get leaseMs(): number {
    return this.opts.leaseMs;
  }

  keys(projectId: string): ProjectKeys {
    return projectKeys(this.opts.prefix, projectId);
  }

  project(projectId: string): ProjectQueue {
    let pq = this.projects.get(projectId);
    if (pq) return pq;
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
    void worker.startStalledCheckTimer().catch((e: unknown) => this.opts.log.warn('stalled checker failed to start', { projectId, err: e }));
    pq = { projectId, keys, queue, worker };
    this.projects.set(projectId, pq);
    return pq;
  }

  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.projects.values()];
    this.projects.clear();
    // Manual workers hold no jobs themselves: leases belong to clients and live on in Redis.
    await Promise.all(all.map(async (p) => {
      await p.worker.close(true).catch(() => undefined);
      await p.queue.close().catch(() => undefined);
    }));
    await Promise.all([this.quality.close(), this.maintenance.close()]);
    this.redis.disconnect();
  }
}

export function stalledIntervalFor(leaseMs: number, configured?: number): number {
  return configured ?? Math.max(100, Math.min(30_000, Math.round(leaseMs / 3)));
}
