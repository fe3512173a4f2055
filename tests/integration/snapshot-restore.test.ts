import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@labelwork/engine';
import type { RunningWorkers } from '../../workers/src/app.ts';
import type { ApiClient } from '../support/api-client.ts';
import { imageSchema, pngBuffer } from '../support/fixtures.ts';
import { signedInUser } from '../support/project-setup.ts';
import { startTestWorkers, waitFor } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let workers: RunningWorkers;
let lead: ApiClient;
let leadId = '';
let projectId = '';
let snapshot: { id: string; hash: string; version: string; number: number };
const goldBox = { id: 'g1', type: 'bbox', label: 'car', x: 2, y: 2, w: 10, h: 8 };
const consensusBox = { id: 'c1', type: 'bbox', label: 'pedestrian', x: 4, y: 4, w: 6, h: 6 };

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
async function fileSha(db: Database, id: ObjectId): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of db.files.openDownloadStream(id)) chunks.push(c as Buffer);
  return sha(Buffer.concat(chunks));
}

beforeAll(async () => {
  t = await startTestApp();
  workers = await startTestWorkers(t);
  const admin = await t.admin();
  const l = await signedInUser(admin, { name: 'branch-lead', role: 'lead', level: 'L2' });
  lead = l.client;
  leadId = l.id;
  projectId = (await lead.post('/api/projects', { name: '主线', kind: 'image', labelSchema: imageSchema, overlap: 2 })).body.project.id;
  const up = await lead.upload(`/api/projects/${projectId}/items/images`, 'files', [
    { name: 'a.png', data: await pngBuffer(64, 48, '#102030') },
    { name: '图片 b.png', data: await pngBuffer(40, 40, '#405060') },
    { name: 'c.png', data: await pngBuffer(20, 20, '#708090') },
  ]);
  expect(up.status).toBe(201);
  const db = t.app.ctx.db;
  const items = await db.items
    .find({ projectId: new ObjectId(projectId) })
    .sort({ seq: 1 })
    .toArray();
  // a: a gold answer; b: a consensus from its agreement; c: nothing (deleted after the snapshot).
  expect((await lead.put(`/api/items/${items[0]!._id.toHexString()}/gold`, { gold: { regions: [goldBox] } })).status).toBe(200);
  await db.agreements.insertOne({
    _id: `item:${items[1]!._id.toHexString()}`,
    schemaVersion: 1,
    scope: 'item',
    projectId: new ObjectId(projectId),
    itemId: items[1]!._id,
    at: new Date(Date.now() - 1000),
    k: 2,
    annotationIds: [],
    consensus: { regions: [consensusBox] },
  } as never);
  const r = await lead.post(`/api/projects/${projectId}/snapshots`, { note: 'v1' });
  expect(r.status).toBe(201);
  snapshot = await waitFor('the snapshot', async () => {
    const s = (await lead.get(`/api/projects/${projectId}/snapshots/${r.body.snapshot.id}`)).body.snapshot;
    return s.status === 'complete' ? s : null;
  });
  const del = await lead.post(`/api/projects/${projectId}/items/delete`, { ids: [items[2]!._id.toHexString()] });
  expect(del.status, JSON.stringify(del.body)).toBe(200);
}, 60_000);
afterAll(async () => {
  await workers?.close();
  await t?.close();
});

describe('restoring a snapshot into a new project', () => {
  it('branches a new project from a snapshot with its schema, items and ground truth as gold, recording the snapshot it came from', async () => {
    const r = await lead.post(`/api/projects/${projectId}/snapshots/${snapshot.id}/restore`, { name: '分支 v1', groundTruth: 'gold' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.restore).toMatchObject({ items: 2, missing: 1, groundTruth: { as: 'gold', stored: 2 } });
    const p = (await lead.get(`/api/projects/${r.body.restore.projectId}`)).body.project;
    expect(p).toMatchObject({
      name: '分支 v1',
      kind: 'image',
      overlap: 2,
      ownerId: leadId,
      counts: { items: 2, gold: 2 },
      fromSnapshot: { projectId, snapshotId: snapshot.id, number: 1, version: '1.0.0', sha256: snapshot.hash },
    });
    expect(p.labelSchema).toEqual(imageSchema);
    const db = t.app.ctx.db;
    const srcItems = await db.items
      .find({ projectId: new ObjectId(projectId) })
      .sort({ seq: 1 })
      .toArray();
    const newItems = await db.items
      .find({ projectId: new ObjectId(p.id as string) })
      .sort({ seq: 1 })
      .toArray();
    expect(newItems.map((i) => i.image!.name)).toEqual(['a.png', '图片 b.png']);
    for (const [i, it] of newItems.entries()) {
      // Own files, the same bytes.
      expect(it.image!.fileId.equals(srcItems[i]!.image!.fileId)).toBe(false);
      expect(await fileSha(db, it.image!.fileId)).toBe(await fileSha(db, srcItems[i]!.image!.fileId));
    }
    expect(newItems.map((i) => i.gold?.regions)).toEqual([[goldBox], [consensusBox]]);
    const audit = await db.audit.findOne({ action: 'snapshot.restore', targetId: p.id as string });
    expect(audit?.details).toMatchObject({ from: { snapshotId: snapshot.id, sha256: snapshot.hash }, items: 2, missing: 1 });
  });

  it('stores the ground truth as submitted annotations of the restoring lead instead, one replica slot each', async () => {
    const r = await lead.post(`/api/projects/${projectId}/snapshots/${snapshot.id}/restore`, {
      name: 'annotated',
      groundTruth: 'annotations',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.restore.groundTruth).toEqual({ as: 'annotations', stored: 2 });
    const pid = new ObjectId(r.body.restore.projectId as string);
    const anns = await t.app.ctx.db.annotations.find({ projectId: pid }).toArray();
    expect(anns.map((a) => [a.userId.toHexString(), a.status, a.regions])).toEqual([
      [leadId, 'submitted', [goldBox]],
      [leadId, 'submitted', [consensusBox]],
    ]);
    expect((await lead.get(`/api/projects/${pid.toHexString()}`)).body.project.counts.gold).toBe(0);
  });

  it('takes the source project’s queue settings: with autoQueue its restored items are put up for annotators, gold items in the gold pool', async () => {
    expect((await lead.patch(`/api/projects/${projectId}/queue`, { autoQueue: true, spread: 7 })).status).toBe(200);
    try {
      for (const groundTruth of ['gold', 'annotations'] as const) {
        const r = await lead.post(`/api/projects/${projectId}/snapshots/${snapshot.id}/restore`, {
          name: `queued ${groundTruth}`,
          groundTruth,
        });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        const pid = r.body.restore.projectId as string;
        expect((await lead.get(`/api/projects/${pid}/queue`)).body.settings).toMatchObject({ autoQueue: true, spread: 7 });
        const items = await t.app.ctx.db.items.find({ projectId: new ObjectId(pid) }).toArray();
        expect(items).toHaveLength(2);
        for (const it of items) {
          const progress = (await lead.get(`/api/projects/${pid}/queue/items/${it._id.toHexString()}`)).body;
          expect(progress, JSON.stringify(progress)).toMatchObject({ queued: true });
          expect(it.isGold).toBe(groundTruth === 'gold');
        }
      }
    } finally {
      await lead.patch(`/api/projects/${projectId}/queue`, { autoQueue: false, spread: 50 });
    }
  });

  it('leaves no half project behind when a restore fails part-way: what it made goes again', async () => {
    const r = await lead.post(`/api/projects/${projectId}/snapshots`, { note: 'v2, to be damaged' });
    expect(r.status).toBe(201);
    await waitFor('the second snapshot', async () =>
      (await lead.get(`/api/projects/${projectId}/snapshots/${r.body.snapshot.id}`)).body.snapshot.status === 'complete' ? true : null,
    );
    const db = t.app.ctx.db;
    // The snapshot's last entry is damaged (no annotations list): the restore fails once the items of its batch are made.
    const entries = await db.snapshotEntries
      .find({ snapshotId: new ObjectId(r.body.snapshot.id as string) })
      .sort({ itemId: 1 })
      .toArray();
    expect(entries.length).toBeGreaterThan(1);
    const last = entries.at(-1)!;
    await db.snapshotEntries.updateOne(
      { _id: last._id },
      { $set: { line: JSON.stringify({ ...JSON.parse(last.line), annotations: null }) } },
    );
    const itemsBefore = await db.items.countDocuments();
    let madeItems = false;
    const watch = setInterval(() => void db.items.countDocuments().then((n) => (madeItems ||= n > itemsBefore)), 10);
    const before = {
      projects: await db.projects.countDocuments(),
      items: await db.items.countDocuments(),
      files: await db.files.find().toArray(),
    };
    const failed = await lead.post(`/api/projects/${projectId}/snapshots/${r.body.snapshot.id}/restore`, {
      name: 'half',
      groundTruth: 'annotations',
    });
    clearInterval(watch);
    expect(failed.status).toBeGreaterThanOrEqual(400);
    // It did get as far as making items (copied images), which went again.
    expect(madeItems).toBe(true);
    expect(await db.projects.countDocuments({ name: 'half' })).toBe(0);
    expect(await db.projects.countDocuments()).toBe(before.projects);
    expect(await db.items.countDocuments()).toBe(before.items);
    expect((await db.files.find().toArray()).length).toBe(before.files.length);
  });

  it('refuses a bad request and an unknown snapshot without making a project', async () => {
    const before = await t.app.ctx.db.projects.countDocuments();
    const bad = await lead.post(`/api/projects/${projectId}/snapshots/${snapshot.id}/restore`, { name: '', groundTruth: 'gold' });
    expect(bad.status).toBe(400);
    const missing = await lead.post(`/api/projects/${projectId}/snapshots/${new ObjectId().toHexString()}/restore`, { name: 'x' });
    expect(missing.status).toBe(404);
    expect(await t.app.ctx.db.projects.countDocuments()).toBe(before);
  });
});
