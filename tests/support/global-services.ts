import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startServices } from '../../scripts/services.ts';

/**
 * Starts real Redis and a MongoDB-protocol server once per test run, in a temporary directory.
 * LW_TEST_REDIS_CLUSTER=1 starts a local Redis Cluster (3 masters + 3 replicas) instead of one Redis:
 * `redisUrl` is then its `redis-cluster://` seed list, which every connection of the app understands.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-test-'));
  const cluster = process.env.LW_TEST_REDIS_CLUSTER === '1';
  const services = await startServices({ dir, redisCluster: cluster, log: (l) => console.error(`[services] ${l}`) });
  project.provide('redisUrl', services.redisUrl);
  project.provide('mongoUrl', services.mongoUrl);
  project.provide('mongoKind', services.mongoKind);
  return async () => {
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
