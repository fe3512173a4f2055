import { existsSync, readdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ObjectId } from 'mongodb';
import yauzl from 'yauzl';
import type { ExportRecord, SnapshotRecord } from '@labelwork/core';
import type { Job } from 'bullmq';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { SCRATCH_ROOT } from '../../workers/src/infra/scratch.ts';
import { exportCleanupProcessor } from '../../workers/src/processors/export-cleanup.ts';
import { exportFileId, exportProcessor } from '../../workers/src/processors/export.ts';
import { ApiClient } from '../support/api-client.ts';
import { seedBoxProject } from '../support/dataset-seed.ts';
import { spawnWorkers, type Proc } from '../support/processes.ts';
import { setUpProject, signedInUser } from '../support/project-setup.ts';
import { startTestWorkers, waitFor } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const boxSchema = {
  labels: [
    { name: 'car', color: '#ff0000', tool: 'bbox' },
    { name: '行人', color: '#00ff00', tool: 'bbox' },
  ],
};

let t: TestApp;
let lead: ApiClient;
let leadId: ObjectId;
const procs: Proc[] = [];
const running: RunningWorkers[] = [];

beforeAll(async () => {
  t = await startTestApp();
  const admin = await t.admin();
  const u = await signedInUser(admin, { name: 'exportlead', role: 'lead', level: 'L2' });
  lead = u.client;
  leadId = new ObjectId(u.id);
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  await Promise.all(running.map((w) => w.close(0)));
  await t.close();
});

async function boxProject(images: number, boxes: number): Promise<{ projectId: string; itemIds: ObjectId[] }> {
  const projectId = await setUpProject(lead, {
    name: `export-${new ObjectId().toHexString().slice(-6)}`,
    kind: 'image',
    labelSchema: boxSchema,
  });
  const { itemIds } = await seedBoxProject(t.app.ctx.db, {
    projectId: new ObjectId(projectId),
    images,
    boxes,
    labels: ['car', '行人'],
    annotators: [leadId],
  });
  return { projectId, itemIds };
}

async function download(path: string): Promise<Buffer> {
  const r = await fetch(t.url + path, { headers: { cookie: lead.cookie } });
  expect(r.status).toBe(200);
  return Buffer.from(await r.arrayBuffer());
}

function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, s) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          (s as Readable).on('data', (c: Buffer) => chunks.push(c));
          (s as Readable).on('end', () => {
            out.set(e.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function finished(projectId: string, id: string, timeoutMs = 60_000): Promise<ExportRecord> {
  return waitFor(
    `export ${id}`,
    async () => {
      const r = await lead.get(`/api/projects/${projectId}/exports/${id}`);
      const e = r.body.export as ExportRecord;
      return ['complete', 'failed', 'cancelled'].includes(e.status) ? e : null;
    },
    timeoutMs,
  );
}

async function snapshot(projectId: string, note = ''): Promise<SnapshotRecord> {
  const r = await lead.post(`/api/projects/${projectId}/snapshots`, { note });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return waitFor(`snapshot ${r.body.snapshot.id}`, async () => {
    const s = (await lead.get(`/api/projects/${projectId}/snapshots/${r.body.snapshot.id}`)).body.snapshot as SnapshotRecord;
    return s.status === 'complete' ? s : null;
  });
}

describe('dataset exports (worker jobs)', () => {
  it('exports COCO with a manifest, freezes snapshots with versions and a changelog, and re-exports a snapshot byte for byte', async () => {
    running.push(await startTestWorkers(t));
    const { projectId, itemIds } = await boxProject(30, 5);
    const db = t.app.ctx.db;
    // One image not labeled yet: it is exported too, and says so.
    await db.annotations.deleteMany({ itemId: itemIds[29]! });

    const s1 = await snapshot(projectId);
    expect(s1).toMatchObject({ number: 1, version: '1.0.0', counts: { items: 30, annotations: 29, regions: 145 } });
    expect(s1.hash).toMatch(/^[0-9a-f]{64}$/);

    const start = await lead.post(`/api/projects/${projectId}/exports`, { format: 'coco', annotations: 'all', snapshotId: s1.id });
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const e1 = await finished(projectId, start.body.export.id);
    expect(e1.status).toBe('complete');
    const zip1 = await download(`/api/projects/${projectId}/exports/${e1.id}/download`);
    const files = await unzip(zip1);
    const coco = JSON.parse(files.get('annotations.json')!.toString('utf8'));
    expect(coco.images).toHaveLength(30);
    expect(coco.annotations).toHaveLength(145);
    expect(coco.categories.map((c: { id: number; name: string }) => c.name).sort()).toEqual(['car', '行人'].sort());
    expect(coco.categories.every((c: { id: number }) => c.id > 0)).toBe(true);
    expect(coco.annotations[0].provenance).toMatchObject({ annotator: 'exportlead', verdict: 'submitted' });
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest).toMatchObject({
      format: 'coco',
      snapshot: { id: s1.id, hash: s1.hash, version: '1.0.0' },
      counts: { items: 30, unlabeled: 1, regions: 145 },
      contentHash: e1.contentHash,
    });

    // The project moves on: a box corrected, one item added.
    const first = await db.annotations.findOne({ itemId: itemIds[0]! });
    await db.annotations.updateOne({ _id: first!._id }, { $set: { 'regions.0.x': 1.5, version: 2, updatedAt: new Date() } });
    await seedBoxProject(db, {
      projectId: new ObjectId(projectId),
      images: 1,
      boxes: 2,
      labels: ['car'],
      annotators: [leadId],
      startSeq: 100,
    });

    // The same snapshot exported again: the very same bytes.
    const again = await lead.post(`/api/projects/${projectId}/exports`, { format: 'coco', annotations: 'all', snapshotId: s1.id });
    const e2 = await finished(projectId, again.body.export.id);
    expect(Buffer.compare(await download(`/api/projects/${projectId}/exports/${e2.id}/download`), zip1)).toBe(0);
    // A live export sees the new state.
    const live = await lead.post(`/api/projects/${projectId}/exports`, { format: 'coco', annotations: 'all' });
    const e3 = await finished(projectId, live.body.export.id);
    expect(e3.contentHash).not.toBe(e1.contentHash);

    // `accepted`: only reviewed work, a fixed annotation with the reviewer's regions.
    const fixedOn = await db.annotations.findOne({ itemId: itemIds[3]! });
    await db.annotations.updateOne({ _id: fixedOn!._id }, { $set: { status: 'fixed' } });
    await db.reviews.insertOne({
      _id: new ObjectId(),
      schemaVersion: 1,
      type: 'verdict',
      taskId: 'seed',
      projectId: new ObjectId(projectId),
      itemId: itemIds[3]!,
      annotationId: fixedOn!._id,
      annotatorId: leadId,
      reviewerId: leadId,
      round: 1,
      verdict: 'fix',
      reasons: ['sample'],
      commentIds: [],
      originalRegions: fixedOn!.regions,
      fixedRegions: [{ id: 'fx', type: 'bbox', label: 'car', x: 7, y: 7, w: 7, h: 7 }],
      at: new Date(),
    });
    const acc = await lead.post(`/api/projects/${projectId}/exports`, { format: 'coco', annotations: 'accepted' });
    const eAcc = await finished(projectId, acc.body.export.id);
    const accCoco = JSON.parse(
      (await unzip(await download(`/api/projects/${projectId}/exports/${eAcc.id}/download`))).get('annotations.json')!.toString(),
    );
    expect(accCoco.images).toHaveLength(31);
    expect(accCoco.annotations).toHaveLength(1);
    expect(accCoco.annotations[0]).toMatchObject({ bbox: [7, 7, 7, 7], provenance: { verdict: 'fixed' } });
    await db.annotations.updateOne({ _id: fixedOn!._id }, { $set: { status: 'submitted' } });
    await db.reviews.deleteMany({ annotationId: fixedOn!._id });

    const s2 = await snapshot(projectId, 'one more image, one box moved');
    expect(s2.version).toBe('1.1.0');
    expect(s2.hash).not.toBe(s1.hash);
    expect(s2.changelog).toMatchObject({ items: { added: 1, changed: 1, removed: 0 }, regions: { added: 2, changed: 1, removed: 0 } });
    expect(s2.changelog!.regionsByLabel.car).toMatchObject({ added: 2, changed: 1 });
    const diff = await lead.get(`/api/projects/${projectId}/snapshots/${s2.id}/diff/${s1.id}`);
    expect(diff.body.changelog.items).toMatchObject({ added: 0, removed: 1, changed: 1 });

    // Nothing changed since: the same state gives the same hash.
    const s3 = await snapshot(projectId);
    expect(s3).toMatchObject({ hash: s2.hash, version: '1.1.0' });

    // A breaking label change needs a release note.
    const cur = (await lead.get(`/api/projects/${projectId}`)).body.project;
    const renamed = { labels: [boxSchema.labels[0], { ...boxSchema.labels[1], name: 'person' }] };
    const patch = await lead.patch(`/api/projects/${projectId}`, { version: cur.version, labelSchema: renamed });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    const refused = await lead.post(`/api/projects/${projectId}/snapshots`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('RELEASE_NOTE_REQUIRED');
    const s4 = await snapshot(projectId, 'label 行人 renamed to person');
    expect(s4.version).toBe('2.0.0');
    expect(s4.changelog!.labels).toMatchObject({ added: ['person'], removed: ['行人'] });

    const list = await lead.get(`/api/projects/${projectId}/exports`);
    expect(list.body.exports).toHaveLength(4);
  });

  it('freezes, diffs and exports a project whose labels are named with a dot or a $ (stored keys may hold neither), or like Object.prototype members', async () => {
    if (!running.length) running.push(await startTestWorkers(t));
    const labels = ['traffic.light', '$price', 'a%2Eb', '__proto__', 'constructor'];
    // Built with fromEntries: a literal `{ __proto__: 3 }` would set the prototype, not a key.
    const byLabel = (first: number) => Object.fromEntries(labels.map((l, i) => [l, i === 0 ? first : 3]));
    const projectId = await setUpProject(lead, {
      name: `export-keys-${new ObjectId().toHexString().slice(-6)}`,
      kind: 'image',
      labelSchema: {
        labels: labels.map((name, i) => ({
          name,
          color: ['#ff0000', '#00ff00', '#0000ff', '#ffff00', '#00ffff'][i]!,
          tool: 'bbox' as const,
        })),
      },
    });
    await seedBoxProject(t.app.ctx.db, {
      projectId: new ObjectId(projectId),
      images: 3,
      boxes: labels.length,
      labels,
      annotators: [leadId],
    });
    const s1 = await snapshot(projectId);
    expect(s1.counts!.byLabel).toEqual(byLabel(3));
    await seedBoxProject(t.app.ctx.db, {
      projectId: new ObjectId(projectId),
      images: 1,
      boxes: 2,
      labels: ['traffic.light'],
      annotators: [leadId],
      startSeq: 50,
    });
    const s2 = await snapshot(projectId);
    expect(s2.changelog!.regionsByLabel['traffic.light']).toMatchObject({ added: 2 });
    const start = await lead.post(`/api/projects/${projectId}/exports`, { format: 'coco', annotations: 'all', snapshotId: s2.id });
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const e = await finished(projectId, start.body.export.id);
    expect(e.status, e.error ?? '').toBe('complete');
    const manifest = JSON.parse(
      (await unzip(await download(`/api/projects/${projectId}/exports/${e.id}/download`))).get('manifest.json')!.toString('utf8'),
    );
    expect(manifest.counts.byLabel).toEqual(byLabel(5));
  });

  it('deletes an export whose keep time is up: the file is gone and the download says expired', async () => {
    if (!running.length) running.push(await startTestWorkers(t));
    const { projectId } = await boxProject(3, 2);
    const start = await lead.post(`/api/projects/${projectId}/exports`, { format: 'voc' });
    const e = await finished(projectId, start.body.export.id);
    expect(e.status).toBe('complete');
    expect(Date.parse(e.expiresAt!) - Date.parse(e.finishedAt!)).toBe(72 * 3_600_000);
    const _id = new ObjectId(e.id);
    const fileId = (await t.app.ctx.db.exports.findOne({ _id }))!.fileId!;
    // Not yet due: the cleanup leaves it.
    const w = running[0]!;
    expect(await exportCleanupProcessor(w.ctx, {} as Job)).toMatchObject({ expired: 0, pyramidsQueued: 0 });
    await t.app.ctx.db.exports.updateOne({ _id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await exportCleanupProcessor(w.ctx, {} as Job)).toMatchObject({ expired: 1, pyramidsQueued: 0 });
    expect(await t.app.ctx.db.db.collection('files.files').countDocuments({ _id: fileId })).toBe(0);
    expect(await t.app.ctx.db.db.collection('files.chunks').countDocuments({ files_id: fileId })).toBe(0);
    const gone = await lead.get(`/api/projects/${projectId}/exports/${e.id}/download`);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('EXPORT_EXPIRED');
  });

  it('clears what an earlier attempt uploaded before it writes the file again', async () => {
    if (!running.length) running.push(await startTestWorkers(t));
    const w = running[0]!;
    const { projectId } = await boxProject(5, 2);
    // An export whose earlier attempt died mid-upload: chunks under its file id, no file document.
    const exportId = new ObjectId();
    const fileId = exportFileId(exportId);
    await t.app.ctx.db.db.collection('files.chunks').insertMany([0, 1, 2].map((n) => ({ files_id: fileId, n, data: Buffer.from('torn') })));
    await t.app.ctx.db.exports.insertOne({
      _id: exportId,
      schemaVersion: 1,
      projectId: new ObjectId(projectId),
      format: 'coco',
      options: { format: 'coco', annotations: 'all', images: 'reference' },
      snapshotId: null,
      status: 'running',
      done: 0,
      total: 5,
      fileId: null,
      fileName: null,
      bytes: null,
      contentHash: null,
      manifest: null,
      error: null,
      cancelRequested: false,
      byId: leadId,
      createdAt: new Date(),
      startedAt: new Date(),
      finishedAt: null,
      expiresAt: null,
    });
    expect(await exportProcessor(w.ctx, { data: { exportId: exportId.toHexString() } } as Job)).toEqual({ status: 'complete' });
    const doc = await t.app.ctx.db.exports.findOne({ _id: exportId });
    const files = await unzip(await download(`/api/projects/${projectId}/exports/${exportId.toHexString()}/download`));
    expect(JSON.parse(files.get('annotations.json')!.toString('utf8')).annotations).toHaveLength(10);
    const chunkSize = (await t.app.ctx.db.db.collection('files.files').findOne({ _id: fileId }))!.chunkSize as number;
    expect(await t.app.ctx.db.db.collection('files.chunks').countDocuments({ files_id: fileId })).toBe(Math.ceil(doc!.bytes! / chunkSize));
  });

  it('cancels a running export: it stops, says cancelled and leaves no file', async () => {
    const w = await startTestWorkers(t, { EXPORT_BATCH_DELAY_MS: '400' });
    running.push(w);
    const { projectId } = await boxProject(3000, 2);
    const start = await lead.post(`/api/projects/${projectId}/exports`, { format: 'yolo', annotations: 'all' });
    const id = start.body.export.id as string;
    await waitFor(
      'export running',
      async () => (await lead.get(`/api/projects/${projectId}/exports/${id}`)).body.export.status === 'running',
    );
    const early = await lead.get(`/api/projects/${projectId}/exports/${id}/download`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('EXPORT_NOT_READY');
    const c = await lead.post(`/api/projects/${projectId}/exports/${id}/cancel`);
    expect(c.status).toBe(200);
    const e = await finished(projectId, id);
    expect(e.status).toBe('cancelled');
    expect(e.done).toBeLessThan(3000);
    const fileId = new ObjectId((await t.app.ctx.db.exports.findOne({ _id: new ObjectId(id) }))!.fileId ?? new ObjectId());
    expect(await t.app.ctx.db.db.collection('files.files').countDocuments({ 'metadata.exportId': new ObjectId(id) })).toBe(0);
    expect(await t.app.ctx.db.db.collection('files.chunks').countDocuments({ files_id: fileId })).toBe(0);
    await w.close(0);
    running.splice(running.indexOf(w), 1);
  });
});

describe('a worker killed mid-export', () => {
  it('retries the job in another worker and stores one whole file; the restarted worker removes the dead one’s temporary files', async () => {
    await Promise.all(running.splice(0).map((w) => w.close(0)));
    const env = {
      MONGO_URL: inject('mongoUrl'),
      REDIS_URL: inject('redisUrl'),
      MONGO_DB: t.dbName,
      REDIS_PREFIX: t.prefix,
      WORKER_LOCK_MS: '1500',
    };
    const w1 = await spawnWorkers({ ...env, EXPORT_BATCH_DELAY_MS: '500' });
    procs.push(w1);
    const { projectId } = await boxProject(2500, 3);
    const start = await lead.post(`/api/projects/${projectId}/exports`, { format: 'coco', annotations: 'all' });
    const id = start.body.export.id as string;
    await waitFor('export under way', async () => {
      const e = (await lead.get(`/api/projects/${projectId}/exports/${id}`)).body.export as ExportRecord;
      return e.status === 'running' && e.done > 0;
    });
    // The killed worker's part files stay behind in its scratch directory…
    const deadScratch = path.join(tmpdir(), SCRATCH_ROOT, `${hostname()}~${w1.proc.pid}`);
    expect(readdirSync(deadScratch).some((d) => d.startsWith('export-'))).toBe(true);
    await w1.kill();
    const w2 = await spawnWorkers(env);
    procs.push(w2);
    // …until a worker starts on this host (spawnWorkers waits until it is ready).
    expect(existsSync(deadScratch)).toBe(false);
    const e = await finished(projectId, id, 90_000);
    expect(e.status).toBe('complete');
    const files = await unzip(await download(`/api/projects/${projectId}/exports/${id}/download`));
    const coco = JSON.parse(files.get('annotations.json')!.toString('utf8'));
    expect(coco.images).toHaveLength(2500);
    expect(coco.annotations).toHaveLength(7500);
    const doc = await t.app.ctx.db.exports.findOne({ _id: new ObjectId(id) });
    // One file, and only its own chunks (the killed attempt's partial upload is gone).
    expect(await t.app.ctx.db.db.collection('files.files').countDocuments({ 'metadata.exportId': new ObjectId(id) })).toBe(1);
    const chunkSize = (await t.app.ctx.db.db.collection('files.files').findOne({ _id: doc!.fileId! }))!.chunkSize as number;
    expect(await t.app.ctx.db.db.collection('files.chunks').countDocuments({ files_id: doc!.fileId! })).toBe(
      Math.ceil(doc!.bytes! / chunkSize),
    );
  });
});
