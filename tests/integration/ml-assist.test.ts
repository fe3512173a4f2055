import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectIou, type BBoxRegion } from '@labelwork/core';
import type { ApiClient } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { setUpProject, signedInUser, type TestUser } from '../support/project-setup.ts';
import { waitFor } from '../support/tasks.ts';
import { startMinimalBackend, type MinimalBackend } from '../support/ml-minimal-backend.ts';
import { pedestrianScene, shippedGuideline } from '../support/ml-fixtures.ts';
import { startPythonBackend, type BackendProc } from '../../scripts/ml-backends.ts';

// Interactive assistance (params.context): an annotator holding a lease on an image item sends a
// hint; the server asks an interactive backend with one task and Label Studio's smart-tool context,
// within ML_ASSIST_TIMEOUT_MS, and answers validated regions in pixels. Through the real pedestrians
// backend (OpenCV HOG on a crop around the hint), and a protocol-only one that records and misbehaves.

let t: TestApp;
let admin: ApiClient;
let lead: TestUser;
let anno: TestUser;
let other: TestUser;
let hog: BackendProc;
let minimal: MinimalBackend;
let scene: Awaited<ReturnType<typeof pedestrianScene>>;

beforeAll(async () => {
  [t, hog, minimal, scene] = await Promise.all([
    startTestApp({ ML_ASSIST_TIMEOUT_MS: '1500' }),
    startPythonBackend('pedestrians'),
    startMinimalBackend(),
    pedestrianScene(),
  ]);
  admin = await t.admin();
  lead = await signedInUser(admin, { name: 'assist-lead', role: 'lead', level: 'L1' });
  anno = await signedInUser(admin, { name: 'assist-anno', role: 'annotator', level: 'L4' });
  other = await signedInUser(admin, { name: 'assist-other', role: 'annotator', level: 'L4' });
}, 300_000);

afterAll(async () => {
  await Promise.all([t?.close(), hog?.stop(), minimal?.close()]);
});

async function register(name: string, url: string, interactive = true): Promise<string> {
  const r = await admin.post('/api/ml/backends', { name, url, allowPrivate: true, timeoutMs: 10_000, interactive });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return r.body.backend.id as string;
}

/** An image project with the street scene, the backends attached, and the annotator's lease on its item. */
async function leased(name: string, backendIds: string[]): Promise<{ projectId: string; leaseId: string }> {
  const projectId = await setUpProject(lead.client, {
    name,
    kind: 'image',
    labelSchema: shippedGuideline('vehicles-pedestrians-bbox').labelSchema,
    members: [anno.id, other.id],
    images: [{ name: 'scene.png', data: scene.png, type: 'image/png' }],
  });
  await waitFor('the item', () => t.app.ctx.db.items.findOne({ projectId: new ObjectId(projectId) }), 30_000);
  expect((await lead.client.post(`/api/projects/${projectId}/queue/items`, { all: true })).status).toBe(200);
  for (const backendId of backendIds)
    expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId })).status).toBe(200);
  const next = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
  expect(next.status).toBe(200);
  return { projectId, leaseId: next.body.task.leaseId as string };
}

describe('interactive assistance through the pedestrians backend', () => {
  let leaseId: string;
  beforeAll(async () => {
    ({ leaseId } = await leased('assist-hog', [await register('hog-interactive', hog.url)]));
  }, 120_000);

  it('turns a rough box around a person into the detector box that matches it', async () => {
    const fig = scene.figures[0]!;
    const r = await anno.client.post(`/api/tasks/${leaseId}/assist`, {
      label: 'pedestrian',
      hint: { kind: 'box', x: fig.x - 20, y: fig.y - 20, w: fig.w + 40, h: fig.h + 30 },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ backend: 'hog-interactive', modelVersion: expect.stringMatching(/^hog-people-opencv-/) });
    const regions = r.body.regions as BBoxRegion[];
    expect(regions).toHaveLength(1);
    expect(regions[0]).toMatchObject({ type: 'bbox', label: 'pedestrian' });
    // The detector's box around the first figure, not the hint echoed back and not the other figure.
    expect(rectIou(regions[0]!, fig)).toBeGreaterThan(0.3);
    expect(rectIou(regions[0]!, scene.figures[1]!)).toBe(0);
    expect(regions[0]).not.toMatchObject({ x: fig.x - 20, y: fig.y - 20, w: fig.w + 40, h: fig.h + 30 });
  }, 30_000);

  it('turns a click on the other person into a box around that person', async () => {
    const fig = scene.figures[1]!;
    const r = await anno.client.post(`/api/tasks/${leaseId}/assist`, {
      label: 'pedestrian',
      hint: { kind: 'point', x: fig.x + fig.w / 2, y: fig.y + fig.h / 2 },
    });
    expect(r.status).toBe(200);
    const [box] = r.body.regions as BBoxRegion[];
    expect(rectIou(box!, fig)).toBeGreaterThan(0.3);
    expect(box!.x <= fig.x + fig.w / 2 && fig.x + fig.w / 2 <= box!.x + box!.w).toBe(true);
  }, 30_000);

  it('answers no region where the model finds no person', async () => {
    const r = await anno.client.post(`/api/tasks/${leaseId}/assist`, {
      label: 'pedestrian',
      hint: { kind: 'box', x: 240, y: 310, w: 80, h: 80 },
    });
    expect(r.status).toBe(200);
    expect(r.body.regions).toEqual([]);
  }, 30_000);

  it('is only for the holder of the lease, and for box labels', async () => {
    const hint = { kind: 'point', x: 150, y: 140 };
    expect((await other.client.post(`/api/tasks/${leaseId}/assist`, { label: 'pedestrian', hint })).status).toBe(404);
    expect((await lead.client.post(`/api/tasks/${leaseId}/assist`, { label: 'pedestrian', hint })).status).toBe(404);
    const bad = await anno.client.post(`/api/tasks/${leaseId}/assist`, { label: 'no-such-label', hint });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('interactive assistance errors', () => {
  it('says when no interactive backend is attached (a non-interactive one does not count)', async () => {
    const { leaseId } = await leased('assist-none', [await register('not-interactive', minimal.url, false)]);
    const r = await anno.client.post(`/api/tasks/${leaseId}/assist`, { label: 'pedestrian', hint: { kind: 'point', x: 10, y: 10 } });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('ML_NO_INTERACTIVE_BACKEND');
  }, 60_000);

  it('sends Label Studio smart-tool context, and answers 424 on a slow or a bad reply', async () => {
    const { leaseId } = await leased('assist-minimal', [await register('minimal-interactive', minimal.url)]);
    minimal.requests.length = 0;
    const ok = await anno.client.post(`/api/tasks/${leaseId}/assist`, { label: 'car', hint: { kind: 'box', x: 60, y: 40, w: 120, h: 80 } });
    expect(ok.status).toBe(200);
    const sent = minimal.requests.find((q) => q.path === '/predict')!.body as any;
    expect(sent.tasks).toHaveLength(1);
    expect(sent.tasks[0].data.image).toMatch(/\/api\/ml\/media\/[0-9a-f]{24}\?p=/);
    expect(sent.params).toEqual({
      login: null,
      password: null,
      context: {
        result: [
          {
            id: 'assist1',
            from_name: 'label',
            to_name: 'image',
            type: 'rectanglelabels',
            original_width: 600,
            original_height: 400,
            image_rotation: 0,
            is_positive: true,
            origin: 'manual',
            value: { x: 10, y: 10, width: 20, height: 20, rotation: 0, rectanglelabels: ['car'] },
          },
        ],
      },
    });
    // The minimal backend's box (10 %, 20 %, 30 % × 40 %) in pixels.
    expect(ok.body.regions).toEqual([expect.objectContaining({ type: 'bbox', label: 'car', x: 60, y: 80, w: 180, h: 160 })]);

    minimal.behave = (p) => (p === '/predict' ? { json: { results: [] }, delayMs: 3000 } : null);
    const t0 = Date.now();
    const slow = await anno.client.post(`/api/tasks/${leaseId}/assist`, { label: 'car', hint: { kind: 'point', x: 100, y: 100 } });
    expect(slow.status).toBe(424);
    expect(slow.body.error.code).toBe('ML_ASSIST_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(2800);

    minimal.behave = (p) =>
      p === '/predict'
        ? {
            json: {
              results: [
                {
                  result: [
                    {
                      from_name: 'label',
                      to_name: 'image',
                      type: 'rectanglelabels',
                      value: { x: 10, y: 10, width: 500, height: 5, rectanglelabels: ['car'] },
                    },
                  ],
                },
              ],
            },
          }
        : null;
    const bad = await anno.client.post(`/api/tasks/${leaseId}/assist`, { label: 'car', hint: { kind: 'point', x: 100, y: 100 } });
    expect(bad.status).toBe(424);
    expect(bad.body.error).toMatchObject({ code: 'ML_ASSIST_BAD_REPLY', details: { reason: expect.any(String) } });
    minimal.behave = () => null;
  }, 60_000);

  // Last in the file: it uses up the annotator's assist calls for this minute.
  it('limits each annotator to 60 assist calls a minute', async () => {
    const { leaseId } = await leased('assist-rate', [await register('minimal-rate', minimal.url)]);
    const statuses: number[] = [];
    for (let i = 0; i < 130 && !statuses.includes(429); i++)
      statuses.push(
        (await anno.client.post(`/api/tasks/${leaseId}/assist`, { label: 'car', hint: { kind: 'point', x: 50, y: 50 } })).status,
      );
    // Calls before this test count too (same user, same minute): the refusal comes at the 61st of a minute at the
    // latest (up to 130 calls, should the minute turn during the loop).
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    const r = await anno.client.post(`/api/tasks/${leaseId}/assist`, { label: 'car', hint: { kind: 'point', x: 50, y: 50 } });
    expect(r.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterS: expect.any(Number) } });
  }, 60_000);
});
