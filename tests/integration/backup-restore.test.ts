import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { snapshotHeaderLine } from '@labelwork/core';
import type { AnnotationDoc, Database } from '@labelwork/engine';
import { main } from '../../server/src/cli/main.ts';
import type { ApiClient } from '../support/api-client.ts';
import { imageSchema, pngBuffer } from '../support/fixtures.ts';
import { signedInUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { startTestWorkers, waitFor } from '../support/tasks.ts';
import { buildZip } from '../support/zip.ts';
import { texturedJpegFile } from '../support/large-image.ts';
import { STRANDED_PYRAMID_MS, queueStrandedPyramids } from '../../workers/src/processors/export-cleanup.ts';

let src: TestApp;
let dst: TestApp;
let lead: ApiClient;
let projectId = '';
let dir = '';
let archive = '';
const users: Record<string, ObjectId> = {};
/** The source project's frozen snapshots (v1 before the gold answer, v2 after). */
let snapshots: { id: string; hash: string; version: string; number: number }[] = [];

async function freeze(note: string) {
  const r = await lead.post(`/api/projects/${projectId}/snapshots`, { note });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return waitFor(`snapshot ${r.body.snapshot.id}`, async () => {
    const s = (await lead.get(`/api/projects/${projectId}/snapshots/${r.body.snapshot.id}`)).body.snapshot;
    if (s.status === 'failed') throw new Error(JSON.stringify(s));
    return s.status === 'complete' ? (s as { id: string; hash: string; version: string; number: number }) : null;
  });
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdin: (async function* () {})(), stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** Runs the CLI against one test app's database (as an operator would, with MONGO_URL / MONGO_DB). */
async function cli(t: TestApp, args: string[]) {
  process.env.MONGO_URL = t.app.ctx.config.MONGO_URL;
  process.env.MONGO_DB = t.dbName;
  const s = io();
  const code = await main(args, s.io);
  return { code, out: s.out(), err: s.err(), json: code === 0 ? (JSON.parse(s.out()) as Record<string, any>) : null };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function fileBytes(db: Database, id: ObjectId): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of db.files.openDownloadStream(id)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Every non-empty collection's size, GridFS files and chunks included: what "unchanged" means for a
 * refused restore (an empty collection that GridFS created on first use holds nothing).
 */
async function census(db: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of await db.db.listCollections().toArray()) {
    const n = await db.db.collection(c.name).countDocuments();
    if (n > 0) out[c.name] = n;
  }
  out.counters = await db.counters.countDocuments();
  return out;
}

/** A project's content as comparable facts: per item (by content hash) its image bytes' hash, gold, and each annotator's regions. */
async function content(db: Database, pid: ObjectId) {
  const items = await db.items.find({ projectId: pid }).sort({ seq: 1 }).toArray();
  const names = new Map((await db.users.find({}).toArray()).map((u) => [u._id.toHexString(), u.username]));
  const out: Record<string, unknown> = {};
  for (const it of items) {
    const anns = await db.annotations.find({ itemId: it._id }).toArray();
    out[it.sha256!] = {
      seq: it.seq,
      name: it.image?.name,
      image: sha(await fileBytes(db, it.image!.fileId)),
      thumb: sha(await fileBytes(db, it.image!.thumbId)),
      gold: it.gold ?? null,
      annotations: anns
        .map((a) => ({ user: names.get(a.userId.toHexString()), regions: a.regions, status: a.status }))
        .sort((a, b) => String(a.user).localeCompare(String(b.user))),
    };
  }
  return out;
}

async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file, { autoClose: false });
  const out = new Map<string, Buffer>();
  for await (const e of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await zip.openReadStreamPromise(e)) chunks.push(c as Buffer);
    out.set(e.fileName, Buffer.concat(chunks));
  }
  zip.close();
  return out;
}

beforeAll(async () => {
  [src, dst] = await Promise.all([startTestApp(), startTestApp()]);
  dir = await mkdtemp(path.join(tmpdir(), 'lw-backup-test-'));
  const admin = await src.admin();
  const l = await signedInUser(admin, { name: 'lena', role: 'lead' });
  lead = l.client;
  const anna = await signedInUser(admin, { name: 'anna', role: 'annotator' });
  const bob = await signedInUser(admin, { name: 'bob', role: 'annotator' });
  users.lena = new ObjectId(l.id);
  users.anna = new ObjectId(anna.id);
  users.bob = new ObjectId(bob.id);
  // anna exists on the target installation too (another id); bob and lena do not.
  await signedInUser(await dst.admin(), { name: 'anna', role: 'annotator' });

  projectId = (await lead.post('/api/projects', { name: '路口 backup', kind: 'image', labelSchema: imageSchema, overlap: 2 })).body.project
    .id;
  const up = await lead.upload(`/api/projects/${projectId}/items/images`, 'files', [
    { name: 'a.png', data: await pngBuffer(64, 48, '#112233') },
    { name: '图片 1.png', data: await pngBuffer(80, 40, '#445566') },
    { name: 'c.png', data: await pngBuffer(30, 30, '#778899') },
  ]);
  expect(up.status).toBe(201);
  const db = src.app.ctx.db;
  const pid = new ObjectId(projectId);
  const items = await db.items.find({ projectId: pid }).sort({ seq: 1 }).toArray();
  const now = new Date();
  const anns: AnnotationDoc[] = [];
  for (const [i, it] of items.entries())
    for (const [u, who] of [
      [users.anna!, 'anna'],
      [users.bob!, 'bob'],
    ] as const)
      anns.push({
        _id: new ObjectId(),
        schemaVersion: 1,
        projectId: pid,
        itemId: it._id,
        userId: u,
        slot: `${it._id.toHexString()}-${who === 'anna' ? 0 : 1}`,
        submissionId: `sub-${who}-${i}`,
        leaseId: `lease-${who}-${i}`,
        gold: false,
        regions: [{ id: `r-${who}`, type: 'bbox', label: 'car', x: 1 + i, y: 2, w: 10, h: who === 'anna' ? 5 : 6 }],
        version: 1,
        status: 'submitted',
        createdAt: now,
        updatedAt: now,
      });
  await db.annotations.insertMany(anns);
  await db.reviews.insertOne({
    _id: new ObjectId(),
    schemaVersion: 1,
    type: 'verdict',
    taskId: `${anns[0]!._id.toHexString()}:1`,
    projectId: pid,
    itemId: items[0]!._id,
    annotationId: anns[0]!._id,
    annotatorId: users.anna!,
    reviewerId: users.lena!,
    round: 1,
    verdict: 'accept',
    reasons: [],
    commentIds: [],
    at: now,
  } as never);
  await db.agreements.insertOne({
    _id: `item:${items[0]!._id.toHexString()}`,
    schemaVersion: 1,
    scope: 'item',
    projectId: pid,
    itemId: items[0]!._id,
    at: now,
    k: 2,
    annotationIds: [anns[0]!._id, anns[1]!._id],
    agreement: 0.8,
    consensus: { regions: [{ id: 'c1', type: 'bbox', label: 'car', x: 1, y: 2, w: 10, h: 5 }] },
  } as never);
  await db.predictions.insertOne({
    _id: `run1:${items[1]!._id.toHexString()}`,
    schemaVersion: 1,
    projectId: pid,
    itemId: items[1]!._id,
    source: { kind: 'import', id: 'run1', name: 'coco.json' },
    regions: [{ id: 'pred-1', type: 'bbox', label: 'car', x: 3, y: 3, w: 4, h: 4 }],
    score: 0.9,
    createdAt: now,
  });
  const workers = await startTestWorkers(src);
  try {
    snapshots.push(await freeze('first'));
    await db.items.updateOne(
      { _id: items[2]!._id },
      { $set: { isGold: true, gold: { regions: [{ id: 'g1', type: 'bbox', label: 'car', x: 5, y: 5, w: 5, h: 5 }] } } },
    );
    snapshots.push(await freeze('with gold'));
  } finally {
    await workers.close();
  }
  archive = path.join(dir, 'project.zip');
});

afterAll(async () => {
  await Promise.all([src?.close(), dst?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('labelwork backup / restore', () => {
  it('backs a project up and restores it on another installation with the same items, regions per annotator, reviews and byte-identical images', async () => {
    const b = await cli(src, ['backup', '--project', projectId, '--output', archive]);
    expect(b.err).toBe('');
    expect(b.code).toBe(0);
    expect(b.json!.counts).toMatchObject({
      users: 3,
      items: 3,
      annotations: 6,
      reviews: 1,
      agreements: 1,
      predictions: 1,
      files: 6,
      snapshots: 2,
      snapshotEntries: 6,
    });
    const entries = await readZip(archive);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    expect(manifest).toMatchObject({ format: 'labelwork-backup', formatVersion: 1, project: { id: projectId, name: '路口 backup' } });
    for (const [name, f] of Object.entries(manifest.files as Record<string, { sha256: string }>))
      expect(sha(entries.get(name)!), name).toBe(f.sha256);
    expect(entries.get('users.jsonl')!.toString()).not.toMatch(/passwordHash|scrypt/);

    const r = await cli(dst, ['restore', '--input', archive, '--owner', 'admin']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.json!.placeholders.sort()).toEqual(['bob', 'lena']);
    const newId = new ObjectId(r.json!.project.id as string);
    expect(newId.toHexString()).not.toBe(projectId);
    const before = await content(src.app.ctx.db, new ObjectId(projectId));
    const after = await content(dst.app.ctx.db, newId);
    expect(Object.keys(after)).toHaveLength(3);
    expect(after).toEqual(before);

    const ddb = dst.app.ctx.db;
    // anna is the target's own anna; bob and lena are disabled placeholders of the same names.
    const annaHere = await ddb.users.findOne({ usernameLower: 'anna' });
    expect(await ddb.annotations.countDocuments({ projectId: newId, userId: annaHere!._id })).toBe(3);
    const bobHere = await ddb.users.findOne({ usernameLower: 'bob' });
    expect(bobHere).toMatchObject({ disabled: true, role: 'annotator' });
    const review = await ddb.reviews.findOne({ projectId: newId });
    const lenaHere = await ddb.users.findOne({ usernameLower: 'lena' });
    expect(review).toMatchObject({ reviewerId: lenaHere!._id, annotatorId: annaHere!._id, verdict: 'accept' });
    const ann = await ddb.annotations.findOne({ _id: (review as { annotationId: ObjectId }).annotationId });
    expect(ann?.projectId.equals(newId)).toBe(true);
    const agreement = await ddb.agreements.findOne({ projectId: newId });
    expect(agreement!._id).toBe(`item:${(agreement as { itemId: ObjectId }).itemId.toHexString()}`);
    expect(await ddb.annotations.countDocuments({ _id: { $in: (agreement as { annotationIds: ObjectId[] }).annotationIds } })).toBe(2);
    const pred = await ddb.predictions.findOne({ projectId: newId });
    expect(pred!._id).toBe(`${pred!.source.id}:${pred!.itemId.toHexString()}`);
    expect(await ddb.items.countDocuments({ _id: pred!.itemId, projectId: newId })).toBe(1);

    // The snapshots came along: new ids, the same numbers, versions and sha256 (their canonical lines byte for byte),
    // the chain of previous snapshots remapped, and each entry pointing at its restored item.
    const restored = await ddb.snapshots.find({ projectId: newId }).sort({ number: 1 }).toArray();
    expect(restored.map((x) => [x.number, x.version, x.hash, x.status])).toEqual(
      snapshots.map((x) => [x.number, x.version, x.hash, 'complete']),
    );
    expect(restored.map((x) => x._id.toHexString()).filter((id) => snapshots.some((x) => x.id === id))).toEqual([]);
    expect(restored[1]!.previousId!.equals(restored[0]!._id)).toBe(true);
    for (const [i, snap] of restored.entries()) {
      const srcEntries = await src.app.ctx.db.snapshotEntries
        .find({ snapshotId: new ObjectId(snapshots[i]!.id) })
        .sort({ itemId: 1 })
        .toArray();
      const entries = await ddb.snapshotEntries.find({ snapshotId: snap._id }).sort({ itemId: 1 }).toArray();
      expect(entries.map((e) => e.line)).toEqual(srcEntries.map((e) => e.line));
      const text = snapshotHeaderLine(snap.header!) + entries.map((e) => `${e.line}\n`).join('');
      expect(sha(Buffer.from(text))).toBe(snap.hash);
      for (const e of entries) expect(await ddb.items.countDocuments({ _id: new ObjectId(e.itemRef!), projectId: newId })).toBe(1);
    }

    // The restored project is usable: the owner lists the items with their images, the queue settings came along.
    const admin = await dst.admin();
    const listed = await admin.get(`/api/projects/${newId.toHexString()}/items`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(3);
    const img = await admin.get(`/api/files/${listed.body.items[0].image.fileId}`);
    expect(img.status).toBe(200);
    const project = (await admin.get(`/api/projects/${newId.toHexString()}`)).body.project;
    expect(project).toMatchObject({ name: '路口 backup', overlap: 2 });
    // A later import numbers its items after the restored ones.
    const more = await admin.upload(`/api/projects/${newId.toHexString()}/items/images`, 'files', [
      { name: 'd.png', data: await pngBuffer(9, 9) },
    ]);
    expect(more.status).toBe(201);
    expect((await ddb.items.find({ projectId: newId }).sort({ seq: -1 }).limit(1).next())!.seq).toBe(4);
  });

  it('restores the same archive twice into two independent projects', async () => {
    const one = await cli(dst, ['restore', '--input', archive, '--owner', 'admin']);
    const two = await cli(dst, ['restore', '--input', archive, '--owner', 'admin']);
    expect([one.code, two.code]).toEqual([0, 0]);
    const [a, b] = [new ObjectId(one.json!.project.id as string), new ObjectId(two.json!.project.id as string)];
    expect(a.equals(b)).toBe(false);
    const ddb = dst.app.ctx.db;
    const idsA = (await ddb.items.find({ projectId: a }).toArray()).map((i) => i._id.toHexString());
    const idsB = (await ddb.items.find({ projectId: b }).toArray()).map((i) => i._id.toHexString());
    expect(idsA).toHaveLength(3);
    expect(idsA.filter((x) => idsB.includes(x))).toEqual([]);
    expect(await ddb.annotations.countDocuments({ projectId: a })).toBe(6);
    expect(await ddb.annotations.countDocuments({ projectId: b })).toBe(6);
    expect(await content(ddb, a)).toEqual(await content(ddb, b));
    // Placeholders are made once: the second restore maps to them by name.
    expect(await ddb.users.countDocuments({ usernameLower: 'bob' })).toBe(1);
  });

  it('refuses a tampered archive (sha256 mismatch) and stores nothing', async () => {
    const entries = await readZip(archive);
    const items = entries.get('items.jsonl')!.toString('utf8').replace('图片 1.png', '图片 X.png');
    const tampered = path.join(dir, 'tampered.zip');
    await writeFile(tampered, await buildZip([...entries].map(([name, data]) => ({ name, data: name === 'items.jsonl' ? items : data }))));
    const before = await census(dst.app.ctx.db);
    const r = await cli(dst, ['restore', '--input', tampered, '--owner', 'admin']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/items\.jsonl does not match its sha256/);
    expect(await census(dst.app.ctx.db)).toEqual(before);
  });

  it('refuses an archive whose snapshot lines no longer give the snapshot’s sha256 (manifest rewritten to match) and stores nothing', async () => {
    const entries = await readZip(archive);
    const lines = entries.get('snapshotEntries.jsonl')!.toString('utf8').replace('"x\\":1', '"x\\":2');
    expect(lines).not.toBe(entries.get('snapshotEntries.jsonl')!.toString('utf8'));
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    manifest.files['snapshotEntries.jsonl'] = { bytes: Buffer.byteLength(lines), sha256: sha(Buffer.from(lines)) };
    const bad = path.join(dir, 'bad-snapshot.zip');
    await writeFile(
      bad,
      await buildZip(
        [...entries].map(([name, data]) => ({
          name,
          data: name === 'snapshotEntries.jsonl' ? lines : name === 'manifest.json' ? JSON.stringify(manifest) : data,
        })),
      ),
    );
    const before = await census(dst.app.ctx.db);
    const r = await cli(dst, ['restore', '--input', bad, '--owner', 'admin']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/snapshot #1 \(1\.0\.0\) does not match its sha256/);
    expect(await census(dst.app.ctx.db)).toEqual(before);
  });

  it('restores an archive written before snapshots were backed up', async () => {
    const entries = await readZip(archive);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    for (const n of ['snapshots.jsonl', 'snapshotEntries.jsonl']) delete manifest.files[n];
    delete manifest.counts.snapshots;
    delete manifest.counts.snapshotEntries;
    const old = path.join(dir, 'old.zip');
    await writeFile(
      old,
      await buildZip(
        [...entries]
          .filter(([name]) => !name.startsWith('snapshot'))
          .map(([name, data]) => ({ name, data: name === 'manifest.json' ? JSON.stringify(manifest) : data })),
      ),
    );
    const r = await cli(dst, ['restore', '--input', old, '--owner', 'admin']);
    expect(r.err).toBe('');
    expect(await dst.app.ctx.db.snapshots.countDocuments({ projectId: new ObjectId(r.json!.project.id as string) })).toBe(0);
  });

  it('refuses a zip with a ../ path and stores nothing', async () => {
    const evil = path.join(dir, 'evil.zip');
    const entries = await readZip(archive);
    const zip = await buildZip([...[...entries].map(([name, data]) => ({ name, data })), { name: 'xx/evil.txt', data: 'x' }]);
    const at = zip.indexOf(Buffer.from('xx/evil.txt'));
    Buffer.from('../evil.txt').copy(zip, at);
    Buffer.from('../evil.txt').copy(zip, zip.indexOf(Buffer.from('xx/evil.txt'), at + 1));
    await writeFile(evil, zip);
    const before = await census(dst.app.ctx.db);
    const r = await cli(dst, ['restore', '--input', evil, '--owner', 'admin']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unsafe path/);
    expect(await census(dst.app.ctx.db)).toEqual(before);
  });

  it('removes everything it stored when the archive turns out bad half-way (hashes right, a broken line in annotations.jsonl)', async () => {
    const entries = await readZip(archive);
    const anns = `${entries.get('annotations.jsonl')!.toString('utf8')}{"_id": broken\n`;
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    manifest.files['annotations.jsonl'] = { bytes: Buffer.byteLength(anns), sha256: sha(Buffer.from(anns)) };
    const bad = path.join(dir, 'bad-line.zip');
    await writeFile(
      bad,
      await buildZip(
        [...entries].map(([name, data]) => ({
          name,
          data: name === 'annotations.jsonl' ? anns : name === 'manifest.json' ? JSON.stringify(manifest) : data,
        })),
      ),
    );
    // A fresh target database: the placeholders (bob, lena) would be created by this restore and must go again.
    const fresh = await startTestApp();
    try {
      const before = await census(fresh.app.ctx.db);
      const r = await cli(fresh, ['restore', '--input', bad, '--owner', 'admin']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/annotations\.jsonl:7 is not valid JSON/);
      expect(await census(fresh.app.ctx.db)).toEqual(before);
    } finally {
      await fresh.close();
    }
  });

  it('exits 2 with a clear message on bad usage', async () => {
    expect((await cli(src, ['backup', '--output', path.join(dir, 'x.zip')])).err).toMatch(/--project <id>/);
    const missing = await cli(src, ['backup', '--project', new ObjectId().toHexString(), '--output', path.join(dir, 'y.zip')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such project/);
    const notZip = path.join(dir, 'not.zip');
    await writeFile(notZip, 'hello');
    const r = await cli(dst, ['restore', '--input', notZip]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not a readable zip/);
    const owner = await cli(dst, ['restore', '--input', archive, '--owner', 'nobody']);
    expect(owner.code).toBe(2);
    expect(await readFile(archive)).toBeTruthy();
  });
});

describe('backup and restore over HTTP (admins)', () => {
  it('downloads a backup and restores the upload as a new project; leads are refused', async () => {
    const srcAdmin = await src.admin();
    expect((await lead.post(`/api/projects/${projectId}/backup`)).status).toBe(403);
    const res = await fetch(`${src.url}/api/projects/${projectId}/backup`, {
      method: 'POST',
      headers: { cookie: srcAdmin.cookie, 'x-csrf-token': srcAdmin.csrf },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = Buffer.from(await res.arrayBuffer());
    const dstAdmin = await dst.admin();
    const r = await dstAdmin.upload('/api/backups/restore', 'file', [{ name: 'backup.zip', data: zip }]);
    expect(r.status).toBe(201);
    expect(r.body.counts).toMatchObject({ items: 3, annotations: 6 });
    expect(await content(dst.app.ctx.db, new ObjectId(r.body.project.id as string))).toEqual(
      await content(src.app.ctx.db, new ObjectId(projectId)),
    );
    const bad = await dstAdmin.upload('/api/backups/restore', 'file', [{ name: 'x.zip', data: 'not a zip' }]);
    expect(bad.status).toBe(400);
  });
});

describe('tile pyramids of restored images', () => {
  it('records a queued pyramid for each large restored image: the HTTP restore queues its build at once, a command-line restore is picked up by the workers’ sweep, and the tiles are built', async () => {
    const W = 5000;
    const H = 3000;
    const big = await readFile(await texturedJpegFile(path.join(tmpdir(), 'labelwork-test-images'), W, H, 11));
    const pid = (await lead.post('/api/projects', { name: 'slide backup', kind: 'image', labelSchema: imageSchema })).body.project
      .id as string;
    const up = await lead.upload(`/api/projects/${pid}/items/images`, 'files', [
      { name: 'slide.jpg', data: big, type: 'image/jpeg' },
      { name: 'small.png', data: await pngBuffer(64, 48, '#778899') },
    ]);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const file = path.join(dir, 'slide-backup.zip');
    expect((await cli(src, ['backup', '--project', pid, '--output', file])).code).toBe(0);

    // From the command line: recorded as queued, with no job (the CLI has no queue).
    const r = await cli(dst, ['restore', '--input', file, '--owner', 'admin']);
    expect(r.code, r.err).toBe(0);
    expect(r.json!.pyramids).toHaveLength(1);
    const cliFile = new ObjectId(r.json!.pyramids[0] as string);
    const newItems = await dst.app.ctx.db.items.find({ projectId: new ObjectId(r.json!.project.id as string) }).toArray();
    expect(newItems.find((i) => i.image?.width === W)!.image!.fileId).toEqual(cliFile);
    const dstAdmin = await dst.admin();
    expect((await dstAdmin.get(`/api/files/${cliFile.toHexString()}/tiles`)).body.manifest).toMatchObject({
      status: 'queued',
      width: W,
      height: H,
    });

    const workers = await startTestWorkers(dst);
    try {
      // The sweep leaves a fresh queued pyramid alone (its job may be waiting), and queues one recorded a while ago.
      expect(await queueStrandedPyramids(workers.ctx)).toBe(0);
      expect(await queueStrandedPyramids({ ...workers.ctx, now: () => Date.now() + STRANDED_PYRAMID_MS + 1000 })).toBe(1);
      await waitFor(
        'the restored image’s pyramid',
        async () => (await dstAdmin.get(`/api/files/${cliFile.toHexString()}/tiles`)).body.manifest?.status === 'ready',
        60_000,
        250,
      );
      const tile = await fetch(`${dst.url}/api/files/${cliFile.toHexString()}/tiles/0/0/0`, { headers: { cookie: dstAdmin.cookie } });
      expect(tile.status).toBe(200);

      // Over HTTP: the build is queued by the restore itself.
      const zip = await readFile(file);
      const h = await dstAdmin.upload('/api/backups/restore', 'file', [{ name: 'slide.zip', data: zip }]);
      expect(h.status, JSON.stringify(h.body)).toBe(201);
      expect(h.body.pyramids).toHaveLength(1);
      const httpFile = h.body.pyramids[0] as string;
      await waitFor(
        'the HTTP-restored image’s pyramid',
        async () => (await dstAdmin.get(`/api/files/${httpFile}/tiles`)).body.manifest?.status === 'ready',
        60_000,
        250,
      );
    } finally {
      await workers.close(0);
    }
  }, 180_000);
});
