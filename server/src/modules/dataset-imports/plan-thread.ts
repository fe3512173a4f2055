import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../http/errors.ts';
import { planUpload, type PlanJob } from './plan-work.ts';

/** A planning thread's body (started by plan-threads.ts): one plan, one message back, then it ends. */
try {
  parentPort!.postMessage({ ok: true, outcome: await planUpload(workerData as PlanJob) });
} catch (e) {
  parentPort!.postMessage(
    e instanceof AppError
      ? { ok: false, code: e.code, message: e.message, details: e.details }
      : { ok: false, code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) },
  );
}
