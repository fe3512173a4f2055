import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startServices } from '../../scripts/services.ts';

/** Starts real Redis and a MongoDB-protocol server once per test run, in a temporary directory. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-test-'));
  const services = await startServices({ dir, log: (l) => console.error(`[services] ${l}`) });
  project.provide('redisUrl', services.redisUrl);
  project.provide('mongoUrl', services.mongoUrl);
  project.provide('mongoKind', services.mongoKind);
  return async () => {
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
