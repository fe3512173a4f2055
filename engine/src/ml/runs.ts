import { mlLogLine } from '@labelwork/core';
import type { Database } from '../db/database.ts';
import { ML_RUN_LOG_LINES, type MlRunDoc } from '../db/ml.ts';
import { countPredictionsOfSource } from '../predictions/predictions.ts';

/**
 * Ends a pre-annotation run a lead cancelled: status `cancelled`, with the predictions it stored
 * counted from the store (the counts moved with the cursor are progress; a stalled job taken over
 * means two processors may each have stored batches). Only a queued or running run changes (a run
 * that finished first keeps its ending); returns whether this call ended it.
 *
 * Called by the predict processor when it sees the cancel, and by the server when no worker holds
 * the run's job (waiting, or delayed for a retry or an open breaker) and the server removed it.
 */
export async function finishCancelledRun(db: Pick<Database, 'mlRuns' | 'predictions'>, run: MlRunDoc, at: Date): Promise<boolean> {
  const stored = await countPredictionsOfSource(db, run.projectId, run._id.toHexString());
  const r = await db.mlRuns.updateOne(
    { _id: run._id, status: { $in: ['queued', 'running'] } },
    {
      $set: { status: 'cancelled', finishedAt: at, stored, cancelRequested: true },
      $push: {
        log: { $each: [{ at, ...mlLogLine('info', { code: 'run.cancelled', params: { done: run.done } }) }], $slice: -ML_RUN_LOG_LINES },
      },
    },
  );
  return r.modifiedCount === 1;
}
