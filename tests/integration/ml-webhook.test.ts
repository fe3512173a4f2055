import { Queue } from 'bullmq';
import { ObjectId } from 'mongodb';
import { DOMAIN_EVENTS, ML_QUEUE } from '@labelwork/core';
import { queueAnnotationWebhooks } from '../../workers/src/processors/ml-webhook.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorkers } from '../../workers/src/app.ts';
import type { ApiClient } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { setUpProject, signedInUser, type TestUser } from '../support/project-setup.ts';
import { sid, startTestWorkers, waitFor } from '../support/tasks.ts';
import { startMinimalBackend, type MinimalBackend } from '../support/ml-minimal-backend.ts';
import { pedestrianScene, shippedGuideline } from '../support/ml-fixtures.ts';

// Annotation webhooks (online learning): a submit appends a domain event, the workers send
// ANNOTATION_CREATED / ANNOTATION_UPDATED to the backends that opted in, in Label Studio's body,
// never in the submit request. The backend is a minimal one written from the protocol that records
// what it receives.

let t: TestApp;
let workers: RunningWorkers;
let admin: ApiClient;
let lead: TestUser;
let anno: TestUser;
const backends: MinimalBackend[] = [];

beforeAll(async () => {
  t = await startTestApp();
  workers = await startTestWorkers(t);
  admin = await t.admin();
  lead = await signedInUser(admin, { name: 'wh-lead', role: 'lead', level: 'L1' });
  anno = await signedInUser(admin, { name: 'wh-anno', role: 'annotator', level: 'L4' });
}, 120_000);

afterAll(async () => {
  await workers?.close(1000);
  await Promise.all([t?.close(), ...backends.map((b) => b.close())]);
});

async function backend(name: string): Promise<{ mb: MinimalBackend; id: string }> {
  const mb = await startMinimalBackend();
  backends.push(mb);
  const r = await admin.post('/api/ml/backends', { name, url: mb.url, allowPrivate: true, timeoutMs: 3000 });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return { mb, id: r.body.backend.id as string };
}

async function imageProject(
  name: string,
  images = 1,
  extra: { members?: string[]; reviewPolicy?: Record<string, unknown> } = {},
): Promise<string> {
  const scene = await pedestrianScene();
  const projectId = await setUpProject(lead.client, {
    name,
    kind: 'image',
    labelSchema: shippedGuideline('vehicles-pedestrians-bbox').labelSchema,
    members: [anno.id, ...(extra.members ?? [])],
    ...(extra.reviewPolicy ? { reviewPolicy: extra.reviewPolicy } : {}),
    images: Array.from({ length: images }, (_, i) => ({
      name: `scene${i}.png`,
      data: Buffer.concat([scene.png, Buffer.from([i])]),
      type: 'image/png',
    })),
  });
  await waitFor(
    'the items',
    async () => (await t.app.ctx.db.items.countDocuments({ projectId: new ObjectId(projectId) })) === images,
    30_000,
  );
  expect((await lead.client.post(`/api/projects/${projectId}/queue/items`, { all: true })).status).toBe(200);
  return projectId;
}

const webhooks = (mb: MinimalBackend) => mb.requests.filter((r) => r.path === '/webhook').map((r) => r.body as any);

async function submitOne(projectId: string, box: { x: number; y: number; w: number; h: number }) {
  const next = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
  expect(next.status).toBe(200);
  const t0 = performance.now();
  const s = await anno.client.post(`/api/tasks/${next.body.task.leaseId}/submit`, {
    submissionId: sid(),
    durationMs: 4200,
    regions: [{ id: 'r1', type: 'bbox', label: 'pedestrian', ...box }],
  });
  return { status: s.status, ms: performance.now() - t0, annotation: s.body.annotation, item: next.body.task.item };
}

describe('annotation webhooks', () => {
  it('sends ANNOTATION_CREATED with percent coordinates and integer ids, and ANNOTATION_UPDATED after an edit; none to a backend that did not opt in', async () => {
    const projectId = await imageProject('wh-created');
    const on = await backend('wh-on');
    const off = await backend('wh-off');
    for (const b of [on, off])
      expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: b.id })).status).toBe(200);
    const set = await lead.client.post(`/api/projects/${projectId}/ml/webhook`, { backendId: on.id, enabled: true });
    expect(set.status).toBe(200);
    expect(set.body.backends.find((b: any) => b.id === on.id).attached.webhook).toMatchObject({ enabled: true, sent: 0 });
    expect(set.body.backends.find((b: any) => b.id === off.id).attached.webhook).toMatchObject({ enabled: false });

    const sub = await submitOne(projectId, { x: 120, y: 60, w: 60, h: 170 });
    expect(sub.status).toBe(201);
    const [created] = await waitFor('the webhook', async () => (webhooks(on.mb).length ? webhooks(on.mb) : null));
    const attachment = await t.app.ctx.db.mlAttachments.findOne({ _id: `${projectId}:${on.id}` });
    const item = await t.app.ctx.db.items.findOne({ _id: new ObjectId(sub.item.id as string) });
    const lsProjectId = Number(attachment!.lsProject.split('.')[0]);
    expect(created.action).toBe('ANNOTATION_CREATED');
    expect(created.project).toMatchObject({ id: lsProjectId, title: 'wh-created' });
    expect(created.project.label_config).toContain('<RectangleLabels name="label" toName="image">');
    expect(created.task).toMatchObject({ id: item!.seq, project: lsProjectId, is_labeled: true });
    expect(created.task.data.image).toMatch(/\/api\/ml\/media\/[0-9a-f]{24}\?p=/);
    expect(created.annotation).toMatchObject({
      id: expect.any(Number),
      task: item!.seq,
      project: lsProjectId,
      completed_by: expect.any(Number),
      lead_time: 4.2,
      was_cancelled: false,
      ground_truth: false,
    });
    // 600 × 400 image: x 120 px = 20 %, y 60 px = 15 %, w 60 px = 10 %, h 170 px = 42.5 %.
    expect(created.annotation.result).toEqual([
      {
        id: 'r1',
        from_name: 'label',
        to_name: 'image',
        type: 'rectanglelabels',
        original_width: 600,
        original_height: 400,
        image_rotation: 0,
        value: { x: 20, y: 15, width: 10, height: 42.5, rotation: 0, rectanglelabels: ['pedestrian'] },
      },
    ]);
    // The image URL given is signed and fetchable without a session.
    const img = await fetch(created.task.data.image as string);
    expect(img.status).toBe(200);

    // The author edits the box: ANNOTATION_UPDATED with the new geometry, same annotation id.
    const edit = await anno.client.patch(`/api/annotations/${sub.annotation.id}`, {
      version: 1,
      regions: [{ id: 'r1', type: 'bbox', label: 'pedestrian', x: 150, y: 60, w: 60, h: 170 }],
    });
    expect(edit.status).toBe(200);
    const updated = await waitFor('the update webhook', async () => webhooks(on.mb).find((b) => b.action === 'ANNOTATION_UPDATED'));
    expect(updated.annotation.id).toBe(created.annotation.id);
    expect(updated.annotation.result[0].value.x).toBe(25);
    await waitFor('the counters', async () => {
      const a = await t.app.ctx.db.mlAttachments.findOne({ _id: `${projectId}:${on.id}` });
      return a?.webhook?.sent === 2;
    });
    const panel = await lead.client.get(`/api/projects/${projectId}/ml`);
    const view = panel.body.backends.find((b: any) => b.id === on.id).attached.webhook;
    expect(view).toMatchObject({ enabled: true, sent: 2, failed: 0, lastError: null });
    expect(view.log.map((l: any) => l.message)).toEqual([
      expect.stringMatching(/^ANNOTATION_CREATED item #\d+ .* sent$/),
      expect.stringMatching(/^ANNOTATION_UPDATED item #\d+ .* sent$/),
    ]);
    // The backend that did not opt in got nothing.
    expect(webhooks(off.mb)).toEqual([]);
  }, 60_000);

  it('answers the submit at once while the backend is down, and delivers the webhook once it is back', async () => {
    const projectId = await imageProject('wh-down');
    const b = await backend('wh-down');
    expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: b.id })).status).toBe(200);
    expect((await lead.client.post(`/api/projects/${projectId}/ml/webhook`, { backendId: b.id, enabled: true })).status).toBe(200);
    // The backend process is gone.
    const port = Number(new URL(b.mb.url).port);
    await b.mb.close();
    const sub = await submitOne(projectId, { x: 370, y: 80, w: 60, h: 170 });
    expect(sub.status).toBe(201);
    expect(sub.ms).toBeLessThan(2000);
    await waitFor('a failed attempt in the log', async () => {
      const a = await t.app.ctx.db.mlAttachments.findOne({ _id: `${projectId}:${b.id}` });
      return a?.webhook?.log.some((l) => l.level === 'error' && /cannot reach the backend.*retrying/.test(l.message));
    });
    // It comes back on the same address: the retry (exponential backoff) delivers the webhook.
    const back = await startMinimalBackend(port);
    backends.push(back);
    await waitFor(
      'the retried webhook',
      async () => {
        const a = await t.app.ctx.db.mlAttachments.findOne({ _id: `${projectId}:${b.id}` });
        return a?.webhook?.sent === 1;
      },
      30_000,
    );
    const calls = webhooks(back);
    expect(calls).toHaveLength(1);
    expect(calls[0].action).toBe('ANNOTATION_CREATED');
    expect(calls[0].annotation.result[0].value.x).toBeCloseTo((370 / 600) * 100, 10);
    const a = await t.app.ctx.db.mlAttachments.findOne({ _id: `${projectId}:${b.id}` });
    expect(a!.webhook).toMatchObject({ sent: 1, failed: 0, lastError: null });
    expect(a!.webhook!.log.at(-1)!.message).toMatch(/sent \(attempt [2-9]\)$/);
  }, 60_000);

  it('sends nothing when the webhook is turned off again', async () => {
    const projectId = await imageProject('wh-off-again');
    const b = await backend('wh-toggle');
    expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: b.id })).status).toBe(200);
    expect((await lead.client.post(`/api/projects/${projectId}/ml/webhook`, { backendId: b.id, enabled: true })).status).toBe(200);
    expect((await lead.client.post(`/api/projects/${projectId}/ml/webhook`, { backendId: b.id, enabled: false })).status).toBe(200);
    const sub = await submitOne(projectId, { x: 120, y: 60, w: 60, h: 170 });
    expect(sub.status).toBe(201);
    // The event was handled (the group moved past it) without a job for this backend.
    await waitFor('the event to be handled', async () => {
      const groups = (await t.app.ctx.redis.xinfo('GROUPS', `${t.prefix}:{domain-events}`)) as unknown[][];
      const g = groups.find((x) => x[x.indexOf('name') + 1] === 'ml-webhooks');
      return g && Number(g[g.indexOf('pending') + 1]) === 0 && Number(g[g.indexOf('lag') + 1] ?? 0) === 0;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(webhooks(b.mb)).toEqual([]);
    // A lead who is not a manager of the project cannot turn it on.
    const other = await signedInUser(admin, { name: 'wh-other-lead', role: 'lead', level: 'L1' });
    expect((await other.client.post(`/api/projects/${projectId}/ml/webhook`, { backendId: b.id, enabled: true })).status).toBe(403);
  }, 60_000);

  it("sends a reviewer's fix as ANNOTATION_UPDATED with the fixed regions", async () => {
    const reviewer = await signedInUser(admin, { name: 'wh-reviewer', role: 'annotator', level: 'L2', reviewer: true });
    const projectId = await imageProject('wh-fix', 1, { members: [reviewer.id], reviewPolicy: { sampleRate: 1 } });
    const b = await backend('wh-fix');
    expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: b.id })).status).toBe(200);
    expect((await lead.client.post(`/api/projects/${projectId}/ml/webhook`, { backendId: b.id, enabled: true })).status).toBe(200);
    const sub = await submitOne(projectId, { x: 100, y: 50, w: 90, h: 200 });
    expect(sub.status).toBe(201);
    const task = await waitFor('a review task', async () => {
      const r = await reviewer.client.post(`/api/projects/${projectId}/review/next`);
      return r.status === 200 ? (r.body.task as { taskId: string; token: string }) : null;
    });
    const fixed = [{ id: 'f1', type: 'bbox', label: 'pedestrian', x: 120, y: 60, w: 60, h: 170 }];
    const v = await reviewer.client.post(`/api/projects/${projectId}/review/tasks/${task.taskId}/verdict`, {
      token: task.token,
      verdict: 'fix',
      regions: fixed,
    });
    expect(v.status).toBe(201);
    const updated = await waitFor('the fix webhook', async () => webhooks(b.mb).find((w) => w.action === 'ANNOTATION_UPDATED'));
    const created = webhooks(b.mb).find((w) => w.action === 'ANNOTATION_CREATED');
    expect(created.annotation.result[0].value).toMatchObject({ x: (100 / 600) * 100, width: 15 });
    expect(updated.annotation.id).toBe(created.annotation.id);
    expect(updated.annotation.result).toEqual([
      expect.objectContaining({ id: 'f1', value: expect.objectContaining({ x: 20, y: 15, width: 10, height: 42.5 }) }),
    ]);
  }, 60_000);

  it('queues nothing for a gold answer (scored, not learned from)', async () => {
    const projectId = await imageProject('wh-gold');
    const b = await backend('wh-gold');
    expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: b.id })).status).toBe(200);
    expect((await lead.client.post(`/api/projects/${projectId}/ml/webhook`, { backendId: b.id, enabled: true })).status).toBe(200);
    const ml = new Queue(ML_QUEUE, { connection: workers.ctx.redis, prefix: t.prefix });
    try {
      const id = () => new ObjectId().toHexString();
      const event = (gold: boolean) => ({
        type: DOMAIN_EVENTS.annotationSaved,
        eventId: `e-${id()}`,
        at: Date.now(),
        data: { projectId, itemId: id(), annotationId: id(), version: 1, action: 'created' as const, gold },
      });
      expect(await queueAnnotationWebhooks(workers.ctx, ml, event(true))).toBe(0);
      expect(await queueAnnotationWebhooks(workers.ctx, ml, event(false))).toBe(1);
    } finally {
      await ml.close();
    }
  });

  it('follows every switch, attach and detach at the next annotation, and asks the database only after one', async () => {
    const projectId = await imageProject('wh-targets');
    const b = await backend('wh-targets');
    const ml = new Queue(ML_QUEUE, { connection: workers.ctx.redis, prefix: t.prefix });
    // Counts the workers' reads of the attachments (the query the cache saves).
    let reads = 0;
    const find = workers.ctx.db.mlAttachments.find.bind(workers.ctx.db.mlAttachments);
    // (findOne goes through find too: the webhook jobs' own reads are not counted.)
    workers.ctx.db.mlAttachments.find = ((...args: Parameters<typeof find>) => {
      if (args[0] && 'webhook.enabled' in args[0]) reads++;
      return find(...args);
    }) as typeof find;
    const queued = () =>
      queueAnnotationWebhooks(workers.ctx, ml, {
        type: DOMAIN_EVENTS.annotationSaved,
        eventId: `e-${new ObjectId().toHexString()}`,
        at: Date.now(),
        data: {
          projectId,
          itemId: new ObjectId().toHexString(),
          annotationId: new ObjectId().toHexString(),
          version: 1,
          action: 'created',
          gold: false,
        },
      });
    const post = async (path: string, body: unknown) =>
      expect((await lead.client.post(`/api/projects/${projectId}/ml/${path}`, body)).status).toBe(200);
    try {
      expect(await queued()).toBe(0);
      await post('attach', { backendId: b.id });
      expect(await queued()).toBe(0);
      await post('webhook', { backendId: b.id, enabled: true });
      const before = reads;
      expect(await queued()).toBe(1);
      expect(reads).toBe(before + 1);
      // No change since: the next annotations are answered from the cache.
      expect(await queued()).toBe(1);
      expect(await queued()).toBe(1);
      expect(reads).toBe(before + 1);
      await post('webhook', { backendId: b.id, enabled: false });
      expect(await queued()).toBe(0);
      await post('webhook', { backendId: b.id, enabled: true });
      expect(await queued()).toBe(1);
      await post('detach', { backendId: b.id });
      expect(await queued()).toBe(0);
    } finally {
      workers.ctx.db.mlAttachments.find = find;
      await ml.close();
    }
  });
});
