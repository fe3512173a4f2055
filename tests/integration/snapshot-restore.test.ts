import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SnapshotRestoreResult } from '@labelwork/core';
import type { Database } from '@labelwork/engine';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { ApiClient } from '../support/api-client.ts';
import { imageSchema, pngBuffer } from '../support/fixtures.ts';
import { signedInUser } from '../support/project-setup.ts';
import { spawnServer, spawnWorkers, sharedEnv, type Proc } from '../support/processes.ts';
import { startTestWorkers, textProject, waitFor } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let workers: RunningWorkers;
let lead: ApiClient;
let leadId = '';
let projectId = '';
let snapshot: { id: string; hash: string; version: string; number: number; counts: unknown };
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

/** Starts a restore (202 with its id) and follows it to its end through its status resource. */
interface Followed {
  status: string;
  done: number;
  total: number;
  result: SnapshotRestoreResult;
  error: { code: string; message: string } | null;
}
async function restore(snapshotId: string, body: Record<string, unknown>): Promise<Followed> {
  const r = await lead.post(`/api/projects/${projectId}/snapshots/${snapshotId}/restore`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  expect(r.body.restore).toMatchObject({ status: 'queued', snapshotId, projectId });
  return waitFor(
    'the restore',
    async () => {
      const s = await lead.get(`/api/projects/${projectId}/snapshots/${snapshotId}/restores/${r.body.restore.id as string}`);
      expect(s.status).toBe(200);
      return s.body.restore.status === 'complete' || s.body.restore.status === 'failed' ? s.body.restore : null;
    },
    60_000,
  );
}

describe('restoring a snapshot into a new project', () => {
  it("counts annotators' work apart from the gold answer and the consensus it froze", () => {
    // Nobody has annotated: the gold box and the consensus box are not two regions of work.
    expect(snapshot.counts).toEqual({ items: 3, annotations: 0, regions: 0, byLabel: {}, goldRegions: 1, consensusRegions: 1 });
  });

  it('branches a new project from a snapshot with its schema, items and ground truth as gold, recording the snapshot it came from', async () => {
    const r = await restore(snapshot.id, { name: '分支 v1', groundTruth: 'gold' });
    expect(r).toMatchObject({ status: 'complete', done: 3, total: 3 });
    expect(r.result).toMatchObject({ items: 2, missing: 1, groundTruth: { as: 'gold', stored: 2 } });
    const p = (await lead.get(`/api/projects/${r.result.projectId}`)).body.project;
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
    const r = await restore(snapshot.id, { name: 'annotated', groundTruth: 'annotations' });
    expect(r.result.groundTruth).toEqual({ as: 'annotations', stored: 2 });
    const pid = new ObjectId(r.result.projectId as string);
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
        const r = await restore(snapshot.id, { name: `queued ${groundTruth}`, groundTruth });
        expect(r.status).toBe('complete');
        const pid = r.result.projectId as string;
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
    const failed = await restore(r.body.snapshot.id as string, { name: 'half', groundTruth: 'annotations' });
    clearInterval(watch);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toBeTruthy();
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
    const unknown = await lead.get(`/api/projects/${projectId}/snapshots/${snapshot.id}/restores/${new ObjectId().toHexString()}`);
    expect(unknown.status).toBe(404);
  });
});

describe('a snapshot restore as a job of the servers', () => {
  const procs: Proc[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
  });

  it('is taken over by another server when its server is killed mid-restore, and makes one project, not two', async () => {
    const env = sharedEnv(inject('mongoUrl'), inject('redisUrl'));
    procs.push(await spawnWorkers(env));
    const slow = { ...env, RESTORE_BATCH_DELAY_MS: '700', RESTORE_LOCK_MS: '2000' };
    const a = await spawnServer(slow);
    procs.push(a);
    const admin = new ApiClient(a.url);
    expect((await admin.login('admin', 'admin-password-for-tests')).status).toBe(200);
    const l = await signedInUser(admin, { name: 'kill-lead', role: 'lead', level: 'L2' });
    const { projectId: pid } = await textProject(l.client, [], { n: 400, overlap: 1 });
    const snap = await l.client.post(`/api/projects/${pid}/snapshots`, { note: 'v1' });
    expect(snap.status).toBe(201);
    const snapshotId = snap.body.snapshot.id as string;
    await waitFor(
      'the snapshot',
      async () => ((await l.client.get(`/api/projects/${pid}/snapshots/${snapshotId}`)).body.snapshot.status === 'complete' ? true : null),
      60_000,
    );
    const started = await l.client.post(`/api/projects/${pid}/snapshots/${snapshotId}/restore`, { name: 'survivor', groundTruth: 'none' });
    expect(started.status).toBe(202);
    const statusUrl = `/api/projects/${pid}/snapshots/${snapshotId}/restores/${started.body.restore.id as string}`;
    await waitFor('the restore under way', async () => ((await l.client.get(statusUrl)).body.restore.done > 0 ? true : null), 60_000);
    await a.kill();
    const b = await spawnServer(env);
    procs.push(b);
    const onB = new ApiClient(b.url);
    onB.cookie = l.client.cookie;
    onB.csrf = l.client.csrf;
    const done = await waitFor(
      'the restore finished on the other server',
      async () => {
        const r = (await onB.get(statusUrl)).body.restore;
        return r.status === 'complete' || r.status === 'failed' ? r : null;
      },
      120_000,
    );
    expect(done).toMatchObject({ status: 'complete', result: { items: 400, missing: 0 } });
    expect(done.result.projectId).toBe(started.body.restore.id);
    const mine = (await onB.get('/api/projects')).body.projects as { id: string; name: string; counts: { items: number } }[];
    const survivors = mine.filter((p) => p.name === 'survivor');
    expect(survivors).toHaveLength(1);
    expect(survivors[0]!.counts.items).toBe(400);
  }, 300_000);
});
