import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '@labelwork/core';
import type { RunningWorkers } from '../../workers/src/app.ts';
import type { ApiClient } from '../support/api-client.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { signedInUser } from '../support/project-setup.ts';
import { sid, startTestWorkers, waitFor, type TestUser } from '../support/tasks.ts';

/**
 * Issue #10, items 12 and 19 at the API: a car↔truck mix-up between boxes shows in the dashboard's
 * region confusion (with missed/extra boxes against "(nothing)"), and throughput is measured over
 * the time the annotators worked.
 */
let t: TestApp;
let workers: RunningWorkers;
let admin: ApiClient;
let lead: TestUser;
let annos: TestUser[];
let projectId = '';

const user = (username: string, role: string, level: string) =>
  signedInUser(admin, { name: username, role, level, reviewer: false, lang: 'en' });

const box = (id: string, label: string, x: number) => ({ id, type: 'bbox', label, x, y: 10, w: 40, h: 30 });

beforeAll(async () => {
  t = await startTestApp();
  workers = await startTestWorkers(t);
  admin = await t.admin();
  lead = await user('lead', 'lead', 'L2');
  annos = [await user('anno-a', 'annotator', 'L4'), await user('anno-b', 'annotator', 'L4')];
  const p = await lead.client.post('/api/projects', {
    name: 'vehicles',
    kind: 'image',
    overlap: 2,
    goldRate: 0,
    minLevel: 'L5',
    labelSchema: {
      labels: [
        { name: 'car', color: '#e6194b', hotkey: 'c', tool: 'bbox' },
        { name: 'truck', color: '#3cb44b', hotkey: 't', tool: 'bbox' },
      ],
    },
  });
  expect(p.status).toBe(201);
  projectId = p.body.project.id;
  await lead.client.put(`/api/projects/${projectId}/members`, { userIds: annos.map((a) => a.id) });
  const files = [];
  for (let i = 0; i < 2; i++)
    files.push({ name: `street-${i}.png`, data: await pngBuffer(200, 100, i ? '#8aa4c8' : '#a8c48a'), type: 'image/png' });
  expect((await lead.client.upload(`/api/projects/${projectId}/items/images`, 'files', files)).status).toBe(201);
  await waitFor('the import', async () => (await lead.client.get(`/api/projects/${projectId}`)).body.project.counts.items === 2);
  expect((await lead.client.post(`/api/projects/${projectId}/queue/items`, { all: true })).status).toBe(200);
  // Each annotator does both items: a says car where b says truck (same place) on both;
  // on the second item a also draws a car b did not draw.
  for (const [u, label] of [
    [annos[0]!, 'car'],
    [annos[1]!, 'truck'],
  ] as const) {
    for (let i = 0; i < 2; i++) {
      const n = await u.client.post(`/api/projects/${projectId}/tasks/next`);
      expect(n.status).toBe(200);
      const regions = [
        box('b1', label, 10),
        ...(u === annos[0] && n.body.task.item.image.name === 'street-1.png' ? [box('b2', 'car', 120)] : []),
      ];
      const s = await u.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, { submissionId: sid(), durationMs: 30_000, regions });
      expect(s.status).toBe(201);
    }
  }
  await waitFor(
    'both items complete',
    async () => (await lead.client.get(`/api/projects/${projectId}/dashboard`)).body.progress?.done === 2,
    20_000,
  );
});
afterAll(async () => {
  await workers?.close(1000);
  await t?.close();
});

describe('dashboard: region confusion and active-time throughput', () => {
  it('shows a car↔truck mix-up between boxes, and a box the other annotator missed against (nothing)', async () => {
    const d: Dashboard = (await lead.client.get(`/api/projects/${projectId}/dashboard`)).body;
    expect(d.confusion.regions).toEqual({
      car: { truck: 2, '(nothing)': 1 },
      truck: { car: 2 },
      '(nothing)': { car: 1 },
    });
  });

  it('measures throughput over active time, not the last 24 hours', async () => {
    const d: Dashboard = (await lead.client.get(`/api/projects/${projectId}/dashboard`)).body;
    expect(d.throughput.active.submissions).toBe(4);
    expect(d.throughput.active.annotators).toBe(2);
    // Each annotator: two 30-second items a moment apart, so a spell of 30 s + the time between the two submits.
    expect(d.throughput.active.activeMs).toBeGreaterThanOrEqual(2 * 30_000);
    expect(d.throughput.active.activeMs).toBeLessThan(2 * 30_000 + 20_000);
    expect(d.throughput.active.perActiveHour!).toBeGreaterThan(100);
    // The 24-hour rate the dashboard used to show: 4 submissions / 24 h.
    expect(d.progress.forecast.perHour).toBeCloseTo(4 / 24, 5);
  });
});
