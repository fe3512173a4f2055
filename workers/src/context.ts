import type { Queue } from 'bullmq';
import type { ObjectId } from 'mongodb';
import type { Redis } from 'ioredis';
import type { SwrCache } from '@labelwork/core';
import type { WorkerConfig } from './config.ts';
import type { Logger } from './infra/logger.ts';
import type { ProjectDoc, Database } from '@labelwork/engine';

/** What every processor gets. */
export interface WorkerContext {
  config: WorkerConfig;
  db: Database;
  redis: Redis;
  log: Logger;
  /** The `{quality}` queue, to schedule follow-up jobs (project agreement). */
  quality: Queue;
  now(): number;
  /** Everything the process keeps between jobs, built once by the composition root (app.ts). */
  state: {
    /** Project documents for the quality processors (infra/project-cache.ts). */
    projects: SwrCache<ProjectDoc | null>;
    /** Backends each project's annotation webhooks go to, by webhook generation (processors/ml-webhook.ts). */
    webhookTargets: SwrCache<ObjectId[]>;
  };
}
