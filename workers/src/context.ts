import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from './config.ts';
import type { Logger } from './infra/logger.ts';
import type { WorkerDb } from './infra/mongo.ts';

/** What every processor gets. */
export interface WorkerContext {
  config: WorkerConfig;
  db: WorkerDb;
  redis: Redis;
  log: Logger;
  /** The `{quality}` queue, to schedule follow-up jobs (project agreement). */
  quality: Queue;
  now(): number;
}
