import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createApp, type LabelworkApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createLogger } from '../../server/src/infra/logger.ts';
import { ApiClient } from './api-client.ts';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestApp {
  app: LabelworkApp;
  url: string;
  dbName: string;
  prefix: string;
  admin(): Promise<ApiClient>;
  client(): ApiClient;
  close(): Promise<void>;
}

/**
 * Starts the real server in-process on a random port, against the run's real Redis and database,
 * with its own database name and Redis key prefix so test files can run in parallel.
 */
export async function startTestApp(env: Record<string, string> = {}, opts: { now?: () => number } = {}): Promise<TestApp> {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const dbName = `t_${id}`;
  const prefix = `t${id}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    MONGO_URL: inject('mongoUrl'),
    MONGO_DB: dbName,
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: prefix,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    CLIENT_DIST: '/nonexistent',
    ...env,
  });
  const app = await createApp(config, { log: createLogger('silent'), ...(opts.now ? { now: opts.now } : {}) });
  const { url } = await app.listen();
  return {
    app,
    url,
    dbName,
    prefix,
    async admin() {
      const c = new ApiClient(url);
      await c.login('admin', ADMIN_PASSWORD);
      return c;
    },
    client: () => new ApiClient(url),
    async close() {
      await app.ctx.db.db.dropDatabase().catch(() => undefined);
      await app.close();
    },
  };
}
