import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '@labelwork/core';
import { AppError } from '../../http/errors.ts';
import type { PlanJob, PlanOutcome } from './plan-work.ts';

type ThreadReply = { ok: true; outcome: PlanOutcome } | { ok: false; code: ErrorCode; message: string; details?: unknown };

/** The thread's module, loaded through tsx's loader (the thread starts without the parent's flags, so it registers it once). */
const THREAD_URL = new URL('./plan-thread.ts', import.meta.url).href;
// The ESM build of tsx's API (its CommonJS build resolves its loader relative to itself and fails in a thread).
const TSX_API = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/esm/api')), 'index.mjs')).href;
const BOOT = `import(${JSON.stringify(TSX_API)}).then((t) => { (t.register ?? t.default.register)(); return import(${JSON.stringify(THREAD_URL)}); });`;

/**
 * Plans dataset imports off the server's event loop: each plan (reading the upload, parsing the
 * format, mapping labels, writing the plan's lines) runs in its own worker thread, at most `size`
 * at a time per process (the others wait their turn), each with a heap limit. What comes back is
 * small (the preview and counts): the plan's lines go to a file the confirm streams into the
 * database. Built once in the composition root (app.ts).
 */
export class PlanThreads {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly size: number,
    private readonly heapMb: number,
  ) {}

  async run(job: PlanJob): Promise<PlanOutcome> {
    if (this.running >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await this.thread(job);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private thread(job: PlanJob): Promise<PlanOutcome> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(BOOT, {
        eval: true,
        workerData: job,
        execArgv: [],
        resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
      });
      let replied = false;
      worker.once('message', (m: ThreadReply) => {
        replied = true;
        if (m.ok) resolve(m.outcome);
        else reject(new AppError(m.code, m.message, m.details));
      });
      worker.once('error', (e: Error & { code?: string }) => {
        replied = true;
        reject(
          e.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new AppError('PAYLOAD_TOO_LARGE', `the file needs more than ${this.heapMb} MB to plan; split it`, { limit: this.heapMb })
            : e,
        );
      });
      worker.once('exit', (code) => {
        if (!replied) reject(new Error(`the import planning thread exited with ${code}`));
      });
    });
  }
}
