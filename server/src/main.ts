import { loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { createLogger } from './infra/logger.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
  const log = createLogger(config.LOG_LEVEL, { proc: 'server', pid: process.pid });
  const app = await createApp(config, { log });
  if (app.generatedAdminPassword) {
    // Printed once: only its hash is stored.
    process.stderr.write(
      `\n  Bootstrap admin created. Sign in as "${config.ADMIN_USERNAME}" with password:\n\n      ${app.generatedAdminPassword}\n\n  It is shown only this once (set ADMIN_PASSWORD to choose it yourself).\n\n`,
    );
  }
  const { url } = await app.listen();
  log.info('listening', { url });
  process.stderr.write(`Labelwork is running at ${url}\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const t = setTimeout(() => process.exit(1), 10_000);
    await app.close();
    clearTimeout(t);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(`server failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
