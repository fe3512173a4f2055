import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorkers } from '../../workers/src/app.ts';
import type { ApiClient } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { setUpProject, signedInUser, type TestUser } from '../support/project-setup.ts';
import { sid, startTestWorkers, waitFor } from '../support/tasks.ts';
import { startMinimalBackend, type MinimalBackend } from '../support/ml-minimal-backend.ts';
import { pedestrianScene, shippedGuideline } from '../support/ml-fixtures.ts';
import { startPythonBackend, type BackendProc } from '../../scripts/ml-backends.ts';

// Pre-annotation runs in the workers against real backend processes: the reference backends,
// a minimal one written from the protocol alone, one that dies mid-run and one that answers garbage.

let t: TestApp;
let workers: RunningWorkers;
let admin: ApiClient;
let lead: TestUser;
let minimal: MinimalBackend;
let ner: BackendProc;
let pedestrians: BackendProc;

const SENTENCES = ['张三在北京大学读书。', '王建国去了上海。', '李明在深圳工作。', '今天天气很好。'];

async function textProjectOf(n: number, members: string[] = []): Promise<string> {
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `s${i}`, text: `${i}号：${SENTENCES[i % SENTENCES.length]}` }));
  return setUpProject(lead.client, {
    name: `ner-${Math.random().toString(36).slice(2, 7)}`,
    kind: 'text',
    labelSchema: shippedGuideline('chinese-ner').labelSchema,
    text: { name: 'items.jsonl', data: lines.join('\n') },
    members,
  });
}

async function registered(name: string, url: string): Promise<string> {
  const r = await admin.post('/api/ml/backends', { name, url, allowPrivate: true, timeoutMs: 5000 });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return r.body.backend.id as string;
}

async function runToEnd(projectId: string, backendId: string, timeoutMs = 60_000) {
  expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId })).status).toBe(200);
  const start = await lead.client.post(`/api/projects/${projectId}/ml/runs`, { backendId });
  expect(start.status).toBe(202);
  const runId = start.body.run.id as string;
  return waitFor(
    'the run to end',
    async () => {
      const runs = (await lead.client.get(`/api/projects/${projectId}/ml`)).body.runs as { id: string; status: string }[];
      const run = runs.find((r) => r.id === runId);
      return run && ['done', 'failed', 'cancelled'].includes(run.status) ? (run as never as RunView) : null;
    },
    timeoutMs,
    200,
  );
}
interface RunView {
  id: string;
  status: string;
  total: number;
  done: number;
  stored: number;
  refusedBatches: number;
  modelVersion: string | null;
  log: { level: string; message: string }[];
}

const predictionsOf = (projectId: string) => t.app.ctx.db.predictions.find({ projectId: new ObjectId(projectId) }).toArray();

beforeAll(async () => {
  [t, minimal, ner, pedestrians] = await Promise.all([
    startTestApp(),
    startMinimalBackend(),
    startPythonBackend('chinese_ner'),
    startPythonBackend('pedestrians'),
  ]);
  workers = await startTestWorkers(t);
  admin = await t.admin();
  lead = await signedInUser(admin, { name: 'ml-run-lead', role: 'lead', level: 'L1' });
}, 300_000);

afterAll(async () => {
  await workers?.close(1000);
  await Promise.all([t?.close(), minimal?.close(), ner?.stop(), pedestrians?.stop()]);
});

describe('a pre-annotation run', () => {
  it('stores validated jieba predictions for every item with the model version, in code points', async () => {
    const projectId = await textProjectOf(40);
    const run = await runToEnd(projectId, await registered('jieba', ner.url));
    expect(run).toMatchObject({
      status: 'done',
      total: 40,
      done: 40,
      stored: 40,
      refusedBatches: 0,
      modelVersion: expect.stringMatching(/^jieba-/),
    });
    const preds = await predictionsOf(projectId);
    expect(preds).toHaveLength(40);
    expect(new Set(preds.map((p) => p.itemId.toHexString())).size).toBe(40);
    const items = await t.app.ctx.db.items.find({ projectId: new ObjectId(projectId) }).toArray();
    const textOf = new Map(items.map((i) => [i._id.toHexString(), i.text!]));
    const found = preds.flatMap((p) =>
      p.regions.map((r) => (r.type === 'span' ? [[...textOf.get(p.itemId.toHexString())!].slice(r.start, r.end).join(''), r.label] : [])),
    );
    expect(found).toContainEqual(['张三', 'PER']);
    expect(found).toContainEqual(['上海', 'LOC']);
    expect(preds[0]!.source).toMatchObject({ kind: 'model', id: run.id, name: 'jieba', modelVersion: expect.stringMatching(/^jieba-/) });
  }, 120_000);

  it('fetches images through signed URLs and stores the HOG detector boxes', async () => {
    const scene = await pedestrianScene();
    const projectId = await setUpProject(lead.client, {
      name: 'street-run',
      kind: 'image',
      labelSchema: shippedGuideline('vehicles-pedestrians-bbox').labelSchema,
      images: [{ name: 'scene.png', data: scene.png, type: 'image/png' }],
    });
    await waitFor('the image item', () => t.app.ctx.db.items.findOne({ projectId: new ObjectId(projectId) }), 30_000);
    const run = await runToEnd(projectId, await registered('hog', pedestrians.url));
    expect(run).toMatchObject({ status: 'done', done: 1, stored: 1 });
    const [pred] = await predictionsOf(projectId);
    expect(pred!.regions.length).toBeGreaterThanOrEqual(2);
    expect(pred!.regions.every((r) => r.type === 'bbox' && r.label === 'pedestrian')).toBe(true);
    expect(pred!.score).toBeGreaterThan(0.5);
  }, 120_000);

  it('resumes after the backend dies mid-run and stores each item once', async () => {
    const projectId = await textProjectOf(64);
    const id = await registered('dies', minimal.url);
    let died = false;
    const port = Number(new URL(minimal.url).port);
    minimal.behave = (p, body) => {
      if (p !== '/predict') return null;
      // Calls are concurrent (ML_PREDICT_CONCURRENCY): the second batch is the one with task 17, whatever arrives first.
      const tasks = (body as { tasks?: { id: number }[] } | null)?.tasks ?? [];
      if (!died && tasks.some((x) => x.id === 17)) {
        died = true;
        // The backend process dies in the middle of the second batch, and comes back 1.5 s later on the same port.
        setImmediate(
          () =>
            void minimal.close().then(() =>
              setTimeout(() => {
                void startMinimalBackendOn(port);
              }, 1500),
            ),
        );
        return { json: {}, delayMs: 60_000 };
      }
      return null;
    };
    const run = await runToEnd(projectId, id, 90_000);
    expect(run).toMatchObject({ status: 'done', total: 64, done: 64, stored: 64, refusedBatches: 0 });
    expect(run.log.some((l) => l.level === 'error' && /retrying/.test(l.message))).toBe(true);
    expect(run.log.some((l) => /resuming after item #16/.test(l.message))).toBe(true);
    const preds = await predictionsOf(projectId);
    expect(preds).toHaveLength(64);
    expect(new Set(preds.map((p) => p.itemId.toHexString())).size).toBe(64);
  }, 120_000);

  it('refuses a garbage reply with a clear error in the log and stores nothing for that batch', async () => {
    const projectId = await textProjectOf(48);
    const id = await registered('garbage', minimal.url);
    minimal.behave = (p, body) => {
      const tasks = (body as { tasks?: { id: number }[] } | null)?.tasks ?? [];
      if (p !== '/predict' || !tasks.some((x) => x.id === 20)) return null;
      return {
        json: {
          results: tasks.map(() => ({
            result: [
              { from_name: 'label', to_name: 'text', type: 'labels', value: { start: 0, end: 2, labels: ['<script>alert(1)</script>'] } },
            ],
          })),
        },
      };
    };
    const run = await runToEnd(projectId, id);
    minimal.behave = () => null;
    expect(run).toMatchObject({ status: 'done', done: 48, stored: 32, refusedBatches: 1 });
    expect(run.log.find((l) => l.level === 'error')?.message).toMatch(/items #17–#32 refused .*html_in_label/);
    const seqs = await t.app.ctx.db.items.find({ projectId: new ObjectId(projectId) }).toArray();
    const stored = new Set((await predictionsOf(projectId)).map((p) => p.itemId.toHexString()));
    for (const it of seqs) expect(stored.has(it._id.toHexString()), `item #${it.seq}`).toBe(it.seq < 17 || it.seq > 32);
  }, 120_000);
});

describe('a run against a slow backend', () => {
  it('keeps ML_PREDICT_CONCURRENCY calls in flight over kept-alive connections and stores every item once, in order', async () => {
    const projectId = await textProjectOf(96);
    const id = await registered('slow', minimal.url);
    let inFlight = 0;
    let most = 0;
    minimal.behave = (p) => {
      if (p !== '/predict') return null;
      most = Math.max(most, ++inFlight);
      setTimeout(() => inFlight--, 150);
      return { delayMs: 150 };
    };
    const from = minimal.requests.length;
    const run = await runToEnd(projectId, id);
    minimal.behave = () => null;
    expect(run).toMatchObject({ status: 'done', total: 96, done: 96, stored: 96, refusedBatches: 0 });
    // The default ML_PREDICT_CONCURRENCY is 2: calls overlap, and never more than that.
    expect(most).toBe(2);
    const calls = minimal.requests.slice(from).filter((r) => r.path === '/predict');
    expect(calls).toHaveLength(6);
    expect(calls.every((c) => c.headers.connection === 'keep-alive')).toBe(true);
    const preds = await predictionsOf(projectId);
    expect(new Set(preds.map((p) => p.itemId.toHexString())).size).toBe(96);
    expect(preds).toHaveLength(96);
  }, 120_000);

  it('stops when a lead cancels: nothing more is asked, and what was stored matches its counts', async () => {
    const projectId = await textProjectOf(160);
    const id = await registered('slow-cancel', minimal.url);
    minimal.behave = (p) => (p === '/predict' ? { delayMs: 300 } : null);
    expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: id })).status).toBe(200);
    const runId = (await lead.client.post(`/api/projects/${projectId}/ml/runs`, { backendId: id })).body.run.id as string;
    const runOf = async () =>
      ((await lead.client.get(`/api/projects/${projectId}/ml`)).body.runs as RunView[]).find((r) => r.id === runId)!;
    await waitFor('a first stored batch', async () => (await runOf()).done >= 16, 30_000);
    expect((await lead.client.post(`/api/projects/${projectId}/ml/runs/${runId}/cancel`, {})).status).toBe(200);
    const run = await waitFor('the run to stop', async () => ((await runOf()).status === 'cancelled' ? runOf() : null), 30_000);
    const calls = minimal.requests.filter((r) => r.path === '/predict').length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(minimal.requests.filter((r) => r.path === '/predict').length).toBe(calls);
    minimal.behave = () => null;
    expect(run.done).toBeLessThan(160);
    // `stored` is read from the store when the run stops (a stalled job taken over may have stored more than it counted).
    const preds = await predictionsOf(projectId);
    expect(preds).toHaveLength(run.stored);
    expect(new Set(preds.map((p) => p.itemId.toHexString())).size).toBe(run.stored);
    expect(run.stored).toBeGreaterThanOrEqual(run.done);
  }, 120_000);

  it('ends at once when a lead cancels a run waiting for a backend that is down (breaker open), keeping what it stored', async () => {
    const projectId = await textProjectOf(64);
    const id = await registered('down-cancel', minimal.url);
    // The first batch is answered; then the backend fails every call, /health included (so the
    // health check does not close the breaker): the run retries, the breaker opens, the run waits.
    minimal.behave = (p, body) => {
      if (p === '/health') return { status: 503, json: { status: 'DOWN' } };
      if (p !== '/predict') return null;
      const tasks = (body as { tasks?: { id: number }[] } | null)?.tasks ?? [];
      return tasks.some((x) => x.id === 1) ? null : { status: 500, json: { error: 'model crashed' } };
    };
    expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: id })).status).toBe(200);
    const runId = (await lead.client.post(`/api/projects/${projectId}/ml/runs`, { backendId: id })).body.run.id as string;
    const runOf = async () =>
      ((await lead.client.get(`/api/projects/${projectId}/ml`)).body.runs as RunView[]).find((r) => r.id === runId)!;
    await waitFor(
      'the run to wait for the open breaker',
      async () => (await runOf()).log.some((l) => /circuit breaker open/.test(l.message)),
      60_000,
    );
    const job = await t.app.ctx.queues.ml.getJob(`run-${runId}`);
    expect(await job?.getState()).toBe('delayed');
    const calls = minimal.requests.filter((r) => r.path === '/predict').length;

    // The cancel's own answer is the ended run: no waiting for the breaker's cooldown (30 s).
    const cancel = await lead.client.post(`/api/projects/${projectId}/ml/runs/${runId}/cancel`, {});
    expect(cancel.status).toBe(200);
    expect(cancel.body.run).toMatchObject({ status: 'cancelled', done: 16, stored: 16 });
    expect(cancel.body.run.log.some((l: { message: string }) => l.message === 'cancelled after 16 items')).toBe(true);
    expect(await t.app.ctx.queues.ml.getJob(`run-${runId}`)).toBeUndefined();
    const preds = await predictionsOf(projectId);
    expect(preds).toHaveLength(16);
    await new Promise((r) => setTimeout(r, 1500));
    expect(minimal.requests.filter((r) => r.path === '/predict').length).toBe(calls);
    expect(await runOf()).toMatchObject({ status: 'cancelled', stored: 16 });
    // Cancelling again changes nothing.
    const again = await lead.client.post(`/api/projects/${projectId}/ml/runs/${runId}/cancel`, {});
    expect(again.status).toBe(200);
    expect(again.body.run).toMatchObject({ status: 'cancelled', stored: 16 });
    minimal.behave = () => null;
  }, 120_000);

  it('ends without a retry when a lead cancels while a failing batch is still out', async () => {
    const projectId = await textProjectOf(64);
    const id = await registered('fail-cancel', minimal.url);
    // The first batch is answered; every later one takes 1.5 s and then fails.
    minimal.behave = (p, body) => {
      if (p !== '/predict') return null;
      const tasks = (body as { tasks?: { id: number }[] } | null)?.tasks ?? [];
      return tasks.some((x) => x.id === 1) ? null : { status: 500, json: { error: 'model crashed' }, delayMs: 1500 };
    };
    expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: id })).status).toBe(200);
    const before = minimal.requests.length;
    const runId = (await lead.client.post(`/api/projects/${projectId}/ml/runs`, { backendId: id })).body.run.id as string;
    const runOf = async () =>
      ((await lead.client.get(`/api/projects/${projectId}/ml`)).body.runs as RunView[]).find((r) => r.id === runId)!;
    await waitFor('a failing batch to be out', async () =>
      minimal.requests
        .slice(before)
        .some((r) => r.path === '/predict' && !(r.body as { tasks: { id: number }[] }).tasks.some((x) => x.id === 1)),
    );
    // A worker holds the job: the cancel is a flag it sees when the batch comes back failed.
    const cancel = await lead.client.post(`/api/projects/${projectId}/ml/runs/${runId}/cancel`, {});
    expect(cancel.status).toBe(200);
    const run = await waitFor('the run to stop', async () => ((await runOf()).status === 'cancelled' ? runOf() : null), 30_000);
    // No retry was logged or sent: the cancel ended the run before the backoff.
    expect(run.log.some((l) => /retrying|resuming|waiting/.test(l.message))).toBe(false);
    expect(run).toMatchObject({ done: 16, stored: 16 });
    expect(await predictionsOf(projectId)).toHaveLength(16);
    minimal.behave = () => null;
  }, 120_000);
});

/** Restarts the minimal backend on a given port after it "died" (a new process would do the same). */
async function startMinimalBackendOn(port: number): Promise<void> {
  minimal = await startMinimalBackend(port);
}

describe('uncertainty ordering', () => {
  it('serves the items whose predictions are least confident first, and measures what annotators kept', async () => {
    const anno = await signedInUser(admin, { name: 'ml-uncertain-anno', role: 'annotator', level: 'L4' });
    const projectId = await textProjectOf(30, [anno.id]);
    // The minimal backend's score for task id n is (n mod 10) / 10.
    const run = await runToEnd(projectId, await registered('scores', minimal.url));
    expect(run).toMatchObject({ status: 'done', stored: 30 });
    const q = await lead.client.post(`/api/projects/${projectId}/queue/items`, { all: true, order: 'uncertainty' });
    expect(q.status).toBe(200);
    const items = await t.app.ctx.db.items.find({ projectId: new ObjectId(projectId) }).toArray();
    const seqOf = new Map(items.map((i) => [i._id.toHexString(), i.seq]));
    const served: number[] = [];
    for (let i = 0; i < 6; i++) {
      const next = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
      expect(next.status).toBe(200);
      served.push(seqOf.get(next.body.task.item.id as string)! % 10);
      // The first three are accepted as predicted, the other three emptied: the model-quality figures below.
      const regions = i < 3 ? (next.body.task.prediction?.regions ?? []) : [];
      const s = await anno.client.post(`/api/tasks/${next.body.task.leaseId}/submit`, {
        submissionId: sid(),
        durationMs: 1000,
        regions,
      });
      expect(s.status).toBe(201);
    }
    // Scores 0, 0, 0 (items 10, 20, 30), then 0.1, 0.1, 0.1 (items 1, 11, 21).
    expect(served).toEqual([0, 0, 0, 1, 1, 1]);
    const quality = await lead.client.get(`/api/projects/${projectId}/ml/quality`);
    expect(quality.status).toBe(200);
    expect(quality.body.versions).toEqual([
      expect.objectContaining({
        backend: 'scores',
        modelVersion: 'minimal-1',
        items: 6,
        predicted: 6,
        final: 3,
        kept: 3,
        moved: 0,
        relabeled: 0,
        deleted: 3,
        added: 0,
        precision: 0.5,
        recall: 1,
        meanIoU: 1,
      }),
    ]);
  }, 120_000);
});
