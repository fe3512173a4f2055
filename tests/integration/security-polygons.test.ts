import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { makeUsers, sid, startTestWorkers, waitFor, type TestUser } from '../support/tasks.ts';

/**
 * Security issue #11 item 4: one annotator could stop an item from ever completing with huge
 * self-intersecting polygons (the quality job spent seconds clipping, threw and failed for good).
 */

type XY = { x: number; y: number };
let t: TestApp;
let workers: RunningWorkers;
let lead: TestUser;
let annos: TestUser[];

beforeAll(async () => {
  t = await startTestApp({ LEASE_MS: '60000' });
  workers = await startTestWorkers(t, { QUALITY_MAX_POLYGON_PAIRS: '30' });
  const admin = await t.admin();
  [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  annos = await makeUsers(admin, 'anno', 2);
});
afterAll(async () => {
  await workers?.close(1000);
  await t?.close();
});

async function imageProject(n: number): Promise<string> {
  const p = await lead.client.post('/api/projects', {
    name: `roads-${n}-${Date.now()}`,
    kind: 'image',
    overlap: 2,
    goldRate: 0,
    minLevel: 'L5',
    labelSchema: { labels: [{ name: 'road', color: '#4363d8', tool: 'polygon' }] },
  });
  expect(p.status).toBe(201);
  const projectId = p.body.project.id as string;
  await lead.client.put(`/api/projects/${projectId}/members`, { userIds: annos.map((a) => a.id) });
  const files = [];
  for (let i = 0; i < n; i++)
    files.push({ name: `road-${i}.png`, data: await pngBuffer(1000, 1000, i ? '#8aa4c8' : '#a8c48a'), type: 'image/png' });
  expect((await lead.client.upload(`/api/projects/${projectId}/items/images`, 'files', files)).status).toBe(201);
  await waitFor('the import', async () => (await lead.client.get(`/api/projects/${projectId}`)).body.project.counts.items === n);
  expect((await lead.client.post(`/api/projects/${projectId}/queue/items`, { all: true })).status).toBe(200);
  return projectId;
}

/** A comb: `teeth` teeth, a simple polygon of 4·teeth + 2 vertices; rotated, its teeth cross the other's. */
function comb(teeth: number, offset: number, rotate: boolean): XY[] {
  const pts: XY[] = [];
  const tw = 900 / teeth;
  for (let i = 0; i < teeth; i++)
    pts.push({ x: i * tw, y: 0 }, { x: i * tw + tw / 2, y: 0 }, { x: i * tw + tw / 2, y: 850 }, { x: (i + 1) * tw, y: 850 });
  pts.push({ x: 900, y: 900 }, { x: 0, y: 900 });
  return pts.map((p) => (rotate ? { x: p.y + offset, y: p.x + offset } : { x: p.x + offset, y: p.y + offset }));
}
const polygon = (id: string, points: XY[]) => ({ id, type: 'polygon', label: 'road', points });

describe('polygons at submit', () => {
  it('refuses self-intersecting, degenerate and oversized polygons with 400 naming the region', async () => {
    const projectId = await imageProject(1);
    const a = annos[0]!;
    const task = (await a.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
    const submit = (regions: unknown[]) => a.client.post(`/api/tasks/${task.leaseId}/submit`, { submissionId: sid(), regions });
    const square = [
      { x: 10, y: 10 },
      { x: 50, y: 10 },
      { x: 50, y: 50 },
      { x: 10, y: 50 },
    ];
    const cases: [XY[], string][] = [
      [
        [
          { x: 0, y: 0 },
          { x: 100, y: 100 },
          { x: 100, y: 0 },
          { x: 0, y: 100 },
        ],
        'polygon_self_intersecting',
      ],
      [
        [
          { x: 0, y: 0 },
          { x: 100, y: 0 },
          { x: 100, y: 0 },
          { x: 0, y: 100 },
        ],
        'polygon_repeated_point',
      ],
      [
        [
          { x: 0, y: 0 },
          { x: 50, y: 50 },
          { x: 100, y: 100 },
        ],
        'polygon_zero_area',
      ],
      [
        [
          { x: 0, y: 0 },
          { x: 100, y: 0 },
          { x: 0, y: 0 },
        ],
        'polygon_too_few_points',
      ],
    ];
    for (const [points, reason] of cases) {
      const r = await submit([polygon('ok', square), polygon('bad', points)]);
      expect(r.status, reason).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(r.body.error.details).toEqual([expect.objectContaining({ path: 'regions[1].points', reason })]);
    }
    // The zig-zag of the report: 10,000 points is far over the cap of 1,000 per polygon.
    const zigzag = Array.from({ length: 10_000 }, (_, i) => ({ x: (i % 2) * 900, y: (i / 10_000) * 900 }));
    const big = await submit([polygon('z', zigzag)]);
    expect(big.status).toBe(400);
    expect(big.body.error.details[0]).toMatchObject({ path: 'regions[0].points', reason: 'too_many' });
    // The same also for drafts.
    const d = await a.client.put(`/api/tasks/${task.leaseId}/draft`, { regions: [polygon('bad', cases[0]![0])] });
    expect(d.status).toBe(400);
    expect(d.body.error.details[0]).toMatchObject({ path: 'regions[0].points', reason: 'polygon_self_intersecting' });
    expect((await submit([polygon('ok', square)])).status).toBe(201);
  });
});

describe('agreement on costly polygons', () => {
  it('completes an item whose two annotations are five interleaved 998-vertex combs each, with an approximate agreement, in seconds', async () => {
    const projectId = await imageProject(1);
    let itemId = '';
    let lastSubmit = 0;
    for (const [i, u] of annos.entries()) {
      const task = (await u.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
      itemId = task.item.id;
      const regions = Array.from({ length: 5 }, (_, k) => polygon(`c${k}`, comb(249, k * 15, i === 1)));
      const s = await u.client.post(`/api/tasks/${task.leaseId}/submit`, { submissionId: sid(), regions });
      expect(s.status, JSON.stringify(s.body).slice(0, 300)).toBe(201);
      lastSubmit = Date.now();
    }
    const result = await waitFor('the item agreement', async () => t.app.ctx.db.agreements.findOne({ _id: `item:${itemId}` }), 30_000, 100);
    const tookMs = Date.now() - lastSubmit;
    console.log(`quality of 2 × 5 interleaved 998-vertex combs: ${tookMs} ms from the last submit`);
    expect(tookMs).toBeLessThan(15_000);
    expect(result.scope).toBe('item');
    if (result.scope !== 'item') return;
    expect(typeof result.summary.polygon).toBe('number');
    expect((result as unknown as { approximate?: { method: string; polygonPairs: number } }).approximate).toMatchObject({
      method: 'raster',
    });
    await waitFor(
      'the item complete',
      async () => (await t.app.ctx.db.items.findOne({ _id: new ObjectId(itemId) }))?.status === 'complete',
      20_000,
    );
    const counts = (await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts;
    expect(counts).toMatchObject({ itemsComplete: 1, done: 2 });
  }, 60_000);

  it('compares polygons as their bounding boxes when an item has more pairs than QUALITY_MAX_POLYGON_PAIRS (30 here)', async () => {
    const projectId = await imageProject(1);
    let itemId = '';
    for (const [i, u] of annos.entries()) {
      const task = (await u.client.post(`/api/projects/${projectId}/tasks/next`)).body.task;
      itemId = task.item.id;
      // 6 × 6 overlapping triangles: 36 pairs.
      const regions = Array.from({ length: 6 }, (_, k) =>
        polygon(`t${k}`, [
          { x: 10 + k, y: 10 },
          { x: 500 + i * 10, y: 20 + k },
          { x: 30, y: 400 + k },
        ]),
      );
      expect((await u.client.post(`/api/tasks/${task.leaseId}/submit`, { submissionId: sid(), regions })).status).toBe(201);
    }
    const result = await waitFor('the item agreement', async () => t.app.ctx.db.agreements.findOne({ _id: `item:${itemId}` }), 30_000, 100);
    expect((result as unknown as { approximate?: unknown }).approximate).toMatchObject({ method: 'boxes', polygonPairs: 36 });
    if (result.scope === 'item') expect(typeof result.summary.polygon).toBe('number');
  }, 60_000);
});
