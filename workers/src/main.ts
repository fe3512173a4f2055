import { setPriority } from 'node:os';
import { loadWorkerConfig } from './config.ts';
import { startWorkers } from './app.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
  if (config.WORKER_NICE) {
    try {
      setPriority(config.WORKER_NICE);
    } catch {
      // not allowed here: run at normal priority
    }
  }
  const running = await startWorkers(config);
  const log = running.ctx.log;
  process.stderr.write(`Labelwork workers ready (concurrency ${config.WORKER_CONCURRENCY})\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal, graceMs: config.SHUTDOWN_GRACE_MS });
    // Hard stop if closing itself hangs (a dead connection): locks lapse and the jobs are retried.
    setTimeout(() => process.exit(1), config.SHUTDOWN_GRACE_MS + 10_000).unref();
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(`workers failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
