import { Queue } from 'bullmq';
import { JOB_NAMES, QUEUES, type MaintenanceJobData } from '@labelwork/core';
import { watchRedisRestarts } from '@labelwork/engine';
import type { WorkerContext } from './context.ts';

/**
 * After a Redis restart (a crash may have lost its last second of writes), every project with a
 * queue is rebuilt from MongoDB by `requeue-all`: missing replica jobs, exclusions, the annotation
 * hand-off, and filled markers on jobs whose submit's completion was lost. One job per project and
 * restart (job id), however many worker processes notice it.
 */
export async function startReconcileAfterRestart(w: WorkerContext): Promise<{ stop(): Promise<void> }> {
  const maintenance = new Queue(QUEUES.maintenance, { connection: w.redis, prefix: w.config.REDIS_PREFIX });
  const watch = await watchRedisRestarts(
    w.redis,
    w.config.REDIS_PREFIX,
    async (runId) => {
      let projects = 0;
      for await (const q of w.db.queues.find({}, { projection: { spread: 1 } })) {
        const data: MaintenanceJobData = { projectId: q._id.toHexString(), spread: q.spread };
        await maintenance.add(JOB_NAMES.requeueAll, data, {
          jobId: `requeue-all-${data.projectId}-restart-${runId.slice(0, 16)}`,
          removeOnComplete: 100,
          removeOnFail: 100,
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000 },
        });
        projects++;
      }
      if (projects) w.log.warn('Redis restarted: rebuilding the queue state of every project from MongoDB', { runId, projects });
    },
    (e) => w.log.warn('reconcile after a Redis restart not queued (retried at the next reconnect)', { err: e }),
  );
  return {
    stop: async () => {
      watch.stop();
      await maintenance.close().catch(() => undefined);
    },
  };
}
