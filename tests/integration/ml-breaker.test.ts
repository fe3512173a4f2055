import { Queue } from 'bullmq';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ML_QUEUE, mlRunJobId } from '@labelwork/core';
import type { RunningWorkers } from '../../workers/src/app.ts';
import type { ApiClient } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { setUpProject, signedInUser, type TestUser } from '../support/project-setup.ts';
import { sid, startTestWorkers, waitFor } from '../support/tasks.ts';
import { startMinimalBackend, type MinimalBackend } from '../support/ml-minimal-backend.ts';
import { pedestrianScene, shippedGuideline } from '../support/ml-fixtures.ts';

// The model backends' circuit breaker (shared in Redis by the server and the workers), against a
// real protocol backend process that is killed and started again on the same port.

const FAILURES = 2;
// Longer than the webhook job's first retry backoffs (1 s, 2 s), so a retry meets the open breaker.
const COOLDOWN_MS = 4000;

let t: TestApp;
let workers: RunningWorkers;
let admin: ApiClient;
let lead: TestUser;
let anno: TestUser;
let queue: Queue;

interface BreakerView {
  phase: string;
  failures: number;
  reopenAt: string | null;
}

beforeAll(async () => {
  const env = { ML_BREAKER_FAILURES: String(FAILURES), ML_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS) };
  t = await startTestApp(env);
  workers = await startTestWorkers(t, { ...env, ML_PREDICT_CONCURRENCY: '1' });
  queue = new Queue(ML_QUEUE, { connection: t.app.ctx.redis, prefix: t.prefix });
  admin = await t.admin();
  lead = await signedInUser(admin, { name: 'breaker-lead', role: 'lead', level: 'L1' });
  anno = await signedInUser(admin, { name: 'breaker-anno', role: 'annotator', level: 'L4' });
}, 120_000);

afterAll(async () => {
  await workers?.close(1000);
  await queue?.close();
  await t?.close();
});

async function register(name: string, url: string, interactive = false): Promise<string> {
  const r = await admin.post('/api/ml/backends', { name, url, allowPrivate: true, timeoutMs: 5000, interactive });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return r.body.backend.id as string;
}

/** An image project with the backend attached and the annotator's lease on its one item. */
async function leasedImage(name: string, backendId: string): Promise<{ projectId: string; leaseId: string }> {
  const scene = await pedestrianScene();
  const projectId = await setUpProject(lead.client, {
    name,
    kind: 'image',
    labelSchema: shippedGuideline('vehicles-pedestrians-bbox').labelSchema,
    members: [anno.id],
    images: [{ name: 'scene.png', data: scene.png, type: 'image/png' }],
  });
  await waitFor('the item', () => t.app.ctx.db.items.findOne({ projectId: new ObjectId(projectId) }), 30_000);
  expect((await lead.client.post(`/api/projects/${projectId}/queue/items`, { all: true })).status).toBe(200);
  expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId })).status).toBe(200);
  const next = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
  expect(next.status).toBe(200);
  return { projectId, leaseId: next.body.task.leaseId as string };
}

async function breakerOf(backendId: string): Promise<BreakerView> {
  const r = await admin.get('/api/ml/backends');
  return (r.body.backends as { id: string; breaker: BreakerView }[]).find((b) => b.id === backendId)!.breaker;
}

describe('the circuit breaker of a pre-annotation run', () => {
  it('opens after repeated failures, delays the job without spending its attempts, and the run finishes once the backend is back', async () => {
    let backend: MinimalBackend = await startMinimalBackend();
    const port = Number(new URL(backend.url).port);
    const projectId = await setUpProject(lead.client, {
      name: 'breaker-run',
      kind: 'text',
      labelSchema: shippedGuideline('chinese-ner').labelSchema,
      text: {
        name: 'items.jsonl',
        data: Array.from({ length: 64 }, (_, i) => JSON.stringify({ id: `s${i}`, text: `${i}号：张三在北京。` })).join('\n'),
      },
    });
    const backendId = await register('breaker-run', backend.url);
    expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId })).status).toBe(200);
    // The process dies in the middle of the second batch (task 17) and stays down.
    let died = false;
    backend.behave = (p, body) => {
      const tasks = (body as { tasks?: { id: number }[] } | null)?.tasks ?? [];
      if (p !== '/predict' || died || !tasks.some((x) => x.id === 17)) return null;
      died = true;
      setImmediate(() => void backend.close());
      return { json: {}, delayMs: 60_000 };
    };
    const start = await lead.client.post(`/api/projects/${projectId}/ml/runs`, { backendId });
    expect(start.status).toBe(202);
    const runId = start.body.run.id as string;
    const runDoc = () => t.app.ctx.db.mlRuns.findOne({ _id: new ObjectId(runId) });

    // FAILURES failed calls (one per attempt, the job retrying with its backoff) open the breaker…
    const open = await waitFor(
      'the breaker to open',
      async () => ((await breakerOf(backendId)).phase === 'open' ? breakerOf(backendId) : null),
      30_000,
    );
    expect(open.failures).toBeGreaterThanOrEqual(FAILURES);
    expect(Date.parse(open.reopenAt!)).toBeGreaterThan(Date.now());
    // …and the job waits in delayed for it, its attempts not used up, the run's log saying why.
    const job = await waitFor('the job to wait', async () => {
      const j = await queue.getJob(mlRunJobId(runId));
      return j &&
        (await j.getState()) === 'delayed' &&
        (await runDoc())?.log.some((l) => /backend unavailable, waiting until/.test(l.message))
        ? j
        : null;
    });
    expect(job.attemptsMade).toBeLessThan(job.opts.attempts!);
    expect((await runDoc())!.status).toBe('running');

    // While the backend stays down, the probe after the cooldown fails and the breaker opens again, for longer.
    const reopened = await waitFor(
      'the breaker to reopen',
      async () => {
        const b = await breakerOf(backendId);
        return b.phase === 'open' && b.reopenAt !== open.reopenAt ? b : null;
      },
      20_000,
    );
    expect(Date.parse(reopened.reopenAt!) - Date.parse(open.reopenAt!)).toBeGreaterThanOrEqual(2 * COOLDOWN_MS);
    const stillWaiting = (await queue.getJob(mlRunJobId(runId)))!;
    expect(stillWaiting.attemptsMade).toBeLessThan(stillWaiting.opts.attempts!);

    // The backend comes back on the same port: the next probe succeeds, the breaker closes and the run finishes.
    backend = await startMinimalBackend(port);
    const run = await waitFor(
      'the run to finish',
      async () => {
        const r = await runDoc();
        return r && r.status !== 'running' && r.status !== 'queued' ? r : null;
      },
      60_000,
    );
    expect(run).toMatchObject({ status: 'done', total: 64, done: 64, stored: 64, refusedBatches: 0 });
    const preds = await t.app.ctx.db.predictions.find({ projectId: new ObjectId(projectId) }).toArray();
    expect(preds).toHaveLength(64);
    expect(new Set(preds.map((p) => p.itemId.toHexString())).size).toBe(64);
    expect(await breakerOf(backendId)).toEqual({ phase: 'closed', failures: 0, reopenAt: null });
    await backend.close();
  }, 120_000);
});

describe('the circuit breaker of interactive assistance', () => {
  it('answers 503 ML_BACKEND_CIRCUIT_OPEN at once without calling the backend, until a /health check closes it', async () => {
    const backend = await startMinimalBackend();
    const backendId = await register('breaker-assist', backend.url, true);
    const { leaseId } = await leasedImage('breaker-assist', backendId);
    const assist = () => anno.client.post(`/api/tasks/${leaseId}/assist`, { label: 'pedestrian', hint: { kind: 'point', x: 150, y: 120 } });

    // The backend answers 500: FAILURES calls reach it (502 each), then the breaker is open.
    backend.behave = (p) => (p === '/predict' ? { status: 500, json: { error: 'model crashed' } } : null);
    for (let i = 0; i < FAILURES; i++) {
      const r = await assist();
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('ML_BACKEND_UNAVAILABLE');
    }
    const calls = backend.requests.filter((r) => r.path === '/predict').length;
    expect(calls).toBe(FAILURES);
    const t0 = performance.now();
    const refused = await assist();
    const ms = performance.now() - t0;
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({
      code: 'ML_BACKEND_CIRCUIT_OPEN',
      details: { backend: 'breaker-assist', retryAt: expect.any(String) },
    });
    expect(ms).toBeLessThan(100);
    expect(backend.requests.filter((r) => r.path === '/predict')).toHaveLength(calls);
    expect(await breakerOf(backendId)).toMatchObject({ phase: 'open', failures: FAILURES });

    // An admin's /health check that answers UP closes the breaker; the backend is asked again.
    backend.behave = () => null;
    const health = await admin.post(`/api/ml/backends/${backendId}/health`);
    expect(health.status).toBe(200);
    expect(health.body.backend.breaker).toEqual({ phase: 'closed', failures: 0, reopenAt: null });
    const ok = await assist();
    expect(ok.status).toBe(200);
    expect(backend.requests.filter((r) => r.path === '/predict')).toHaveLength(calls + 1);
    await backend.close();
  }, 120_000);
});

describe('the circuit breaker of annotation webhooks', () => {
  it('keeps a webhook job waiting while the breaker is open, without spending attempts, and sends it once the backend answers', async () => {
    const backend = await startMinimalBackend();
    let overloaded = true;
    backend.behave = (p) => (p === '/webhook' && overloaded ? { status: 503, json: { error: 'overloaded' } } : null);
    const backendId = await register('breaker-webhook', backend.url);
    const { projectId, leaseId } = await leasedImage('breaker-webhook', backendId);
    expect((await lead.client.post(`/api/projects/${projectId}/ml/webhook`, { backendId, enabled: true })).status).toBe(200);
    const sub = await anno.client.post(`/api/tasks/${leaseId}/submit`, {
      submissionId: sid(),
      durationMs: 3000,
      regions: [{ id: 'r1', type: 'bbox', label: 'pedestrian', x: 120, y: 60, w: 60, h: 170 }],
    });
    expect(sub.status).toBe(201);
    const attachment = () => t.app.ctx.db.mlAttachments.findOne({ _id: `${projectId}:${backendId}` });
    const sends = () => backend.requests.filter((r) => r.path === '/webhook').length;

    // FAILURES sends answered 503 (each an attempt, retried with backoff) open the breaker; the next attempt waits in delayed.
    await waitFor('the webhook to wait for the breaker', async () =>
      (await attachment())?.webhook?.log.some((l) => /backend unavailable, waiting until/.test(l.message)),
    );
    const job = await waitFor('the delayed webhook job', async () =>
      (await queue.getJobs(['delayed'])).find((j) => j.name === 'ml-webhook' && j.data.backendId === backendId),
    );
    expect(job.attemptsMade).toBe(FAILURES);
    expect(sends()).toBe(FAILURES);
    expect((await breakerOf(backendId)).phase).toBe('open');

    // After the cooldown the waiting job is the probe: the backend answers, the webhook is sent and the breaker closes.
    overloaded = false;
    await waitFor('the webhook to be sent', async () => (await attachment())?.webhook?.sent === 1, 30_000);
    expect(sends()).toBe(FAILURES + 1);
    expect((await attachment())!.webhook).toMatchObject({ sent: 1, failed: 0 });
    expect(await breakerOf(backendId)).toEqual({ phase: 'closed', failures: 0, reopenAt: null });
    await backend.close();
  }, 60_000);
});
