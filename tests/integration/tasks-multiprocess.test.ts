import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MongoClient, ObjectId } from 'mongodb';
import type { Database } from '@labelwork/engine';
import { ApiClient } from '../support/api-client.ts';
import { spawnServer, spawnWorkers, sharedEnv, type Proc } from '../support/processes.ts';
import { ADMIN_PASSWORD } from '../support/test-app.ts';
import { annotateUntilDone, checkExact, makeUsers, newStats, textProject, waitFor, type TestUser } from '../support/tasks.ts';

const env = sharedEnv(inject('mongoUrl'), inject('redisUrl'));
const procs: Proc[] = [];
let mongo: MongoClient | null = null;

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  if (mongo) {
    await mongo
      .db(env.MONGO_DB)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
  }
});

describe('two servers and two workers on one Redis and database', () => {
  it('keeps assignment exact with annotators spread across both servers', async () => {
    const serverEnv = { ...env, LEASE_MS: '10000' };
    const [s1, s2] = await Promise.all([spawnServer(serverEnv), spawnServer(serverEnv)]);
    const [w1, w2] = await Promise.all([spawnWorkers(env), spawnWorkers(env)]);
    procs.push(s1, s2, w1, w2);
    const admin = new ApiClient(s1.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    const annos = await makeUsers(admin, 'm', 24, { urls: [s1.url, s2.url] });
    expect(new Set(annos.map((a) => a.client.baseUrl)).size).toBe(2);
    const N = 30;
    const { projectId, itemIds } = await textProject(
      lead.client,
      annos.map((a) => a.id),
      { n: N, overlap: 3 },
    );
    const stats = newStats();
    await Promise.all(annos.map((a) => annotateUntilDone(a, projectId, stats, { idleLimit: 3, idleMs: 200 })));
    mongo = await new MongoClient(env.MONGO_URL!).connect();
    const db = mongo.db(env.MONGO_DB);
    await checkExact({ annotations: db.collection('annotations') } as unknown as Database, projectId, itemIds, 3, stats);
    // Both servers handed out work, and the two workers shared the quality jobs without doubling.
    const byServer = new Map<string, number>();
    for (const s of stats.submitted) {
      const url = annos.find((a) => a.id === s.userId)!.client.baseUrl;
      byServer.set(url, (byServer.get(url) ?? 0) + 1);
    }
    expect(byServer.size).toBe(2);
    await waitFor(
      'all complete',
      async () => (await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts.itemsComplete === N,
      30_000,
    );
    const pid = new ObjectId(projectId);
    expect(await db.collection('agreements').countDocuments({ projectId: pid, scope: 'item' })).toBe(N);
    await waitFor(
      'project counts',
      async () => (await lead.client.get(`/api/projects/${projectId}`)).body.project.counts.done === N,
      30_000,
    );
    expect((await new ApiClient(s2.url).get('/api/health')).status).toBe(200);
    // Graceful shutdown: every process exits 0 on SIGTERM.
    const codes = await Promise.all(procs.splice(0).map((p) => p.stop()));
    expect(codes).toEqual([0, 0, 0, 0]);
  }, 180_000);
});
