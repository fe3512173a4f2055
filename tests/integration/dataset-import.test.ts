import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putPredictions, storedAnnotators, storedMapping } from '@labelwork/engine';
import type { ApiClient, ApiResponse } from '../support/api-client.ts';
import { imageSchema, pngBuffer, textSchema } from '../support/fixtures.ts';
import { signedInUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { startTestWorkers } from '../support/tasks.ts';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { buildZip, centralHeaders, patchName } from '../support/zip.ts';
import { seedBoxProject } from '../support/dataset-seed.ts';

let t: TestApp;
let workers: RunningWorkers;
let lead: ApiClient;
let imageProject = '';
let textProject = '';

beforeAll(async () => {
  t = await startTestApp();
  // Confirmed imports are stored by the workers' dataset-import job.
  workers = await startTestWorkers(t);
  const admin = await t.admin();
  lead = (await signedInUser(admin, { name: 'lead', role: 'lead' })).client;
  imageProject = (await lead.post('/api/projects', { name: 'coco in', kind: 'image', labelSchema: imageSchema })).body.project.id;
  textProject = (await lead.post('/api/projects', { name: '文本导入', kind: 'text', labelSchema: textSchema })).body.project.id;
  const up = await lead.upload(`/api/projects/${imageProject}/items/images`, 'files', [
    { name: 'a.png', data: await pngBuffer(64, 48) },
    { name: '图片 1.png', data: await pngBuffer(32, 32, '#aa0000') },
  ]);
  expect(up.status).toBe(201);
  const text = await lead.upload(`/api/projects/${textProject}/items/text`, 'file', [
    { name: 't.jsonl', data: '{"id":"doc-1","text":"张三在北京"}\n{"id":"doc-2","text":"Hello"}\n' },
  ]);
  expect(text.status).toBe(201);
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
});

function coco(over: { annotations?: unknown[]; categories?: unknown[] } = {}): string {
  return JSON.stringify({
    images: [
      { id: 1, file_name: 'a.png', width: 64, height: 48 },
      { id: 2, file_name: '图片 1.png', width: 32, height: 32 },
    ],
    categories: over.categories ?? [
      { id: 1, name: 'Car' },
      { id: 3, name: 'truck' },
    ],
    annotations: over.annotations ?? [
      { id: 1, image_id: 1, category_id: 1, bbox: [1, 2, 10, 10], area: 100, iscrowd: 0 },
      { id: 2, image_id: 1, category_id: 3, bbox: [20, 20, 5, 5], area: 25, iscrowd: 0 },
      { id: 3, image_id: 2, category_id: 1, bbox: [0, 0, 8, 8], area: 64, iscrowd: 0 },
      { id: 4, image_id: 2, category_id: 1, bbox: [30, 30, 8, 8], area: 64, iscrowd: 0 }, // outside the 32×32 image
    ],
  });
}

const upload = (project: string, name: string, data: Buffer | string, fields: Record<string, string>) =>
  lead.upload(`/api/projects/${project}/dataset-imports`, 'file', [{ name, data }], fields);

/** Everything an import could touch, as JSON, to compare before and after a refused import. */
async function state(): Promise<string> {
  const db = t.app.ctx.db.db;
  const out: Record<string, unknown> = {};
  for (const c of ['items', 'projects', 'annotations', 'datasetImports', 'datasetUploads.files', 'datasetUploads.chunks', 'files.files'])
    out[c] = await db.collection(c).find().sort({ _id: 1 }).toArray();
  return JSON.stringify(out);
}

async function refusedWithoutChange(call: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const before = await state();
  const r = await call();
  expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(await state()).toBe(before);
  return r;
}

describe('dataset import', () => {
  it('previews a COCO file as gold without storing anything in the project, then stores it on confirm', async () => {
    const before = (await lead.get(`/api/projects/${imageProject}`)).body.project;
    const r = await upload(imageProject, 'gt.json', coco(), { format: 'coco', as: 'gold' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const view = r.body.import;
    expect(view).toMatchObject({ status: 'preview', format: 'coco', as: 'gold', fileName: 'gt.json' });
    expect(view.preview.items).toEqual({ total: 2, matched: 2, new: 0, missing: 0, ambiguous: 0 });
    expect(view.preview.regions).toEqual({ total: 4, accepted: 3, dropped: 0, refused: 1 });
    expect(view.preview.refusedByReason).toEqual({ box_outside_image: 1 });
    const labels = Object.fromEntries(view.preview.labels.map((l: { name: string }) => [l.name, l]));
    expect(labels.Car).toMatchObject({ status: 'matched', match: 'car', regions: 3, accepted: 2, refused: 1 });
    expect(labels.truck).toMatchObject({ status: 'new', decision: { action: 'add' } });
    // Nothing changed yet.
    expect((await lead.get(`/api/projects/${imageProject}`)).body.project).toMatchObject({
      version: before.version,
      counts: before.counts,
    });

    // The lead maps truck onto car instead of adding it, and confirms.
    const plan = await lead.post(`/api/projects/${imageProject}/dataset-imports/${view.id}/plan`, {
      mapping: { truck: { action: 'map', to: 'car' } },
    });
    expect(plan.status).toBe(200);
    expect(plan.body.import.preview.newLabels).toEqual([]);
    const c = await lead.post(`/api/projects/${imageProject}/dataset-imports/${view.id}/confirm`, {
      mapping: { truck: { action: 'map', to: 'car' } },
    });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body.import).toMatchObject({ status: 'complete', done: 2 });
    const items = (await lead.get(`/api/projects/${imageProject}/items`)).body.items as {
      image: { name: string };
      gold?: { regions: unknown[] };
    }[];
    const a = items.find((i) => i.image.name === 'a.png')!;
    expect(a.gold!.regions).toEqual([
      { id: expect.any(String) as string, type: 'bbox', label: 'car', x: 1, y: 2, w: 10, h: 10 },
      { id: expect.any(String) as string, type: 'bbox', label: 'car', x: 20, y: 20, w: 5, h: 5 },
    ]);
    expect(items.find((i) => i.image.name === '图片 1.png')!.gold!.regions).toHaveLength(1);
    const after = (await lead.get(`/api/projects/${imageProject}`)).body.project;
    expect(after.counts.gold).toBe(before.counts.gold + 2);
    expect(after.labelSchema.labels.map((l: { name: string }) => l.name)).toEqual(imageSchema.labels.map((l) => l.name));
    expect(await t.app.ctx.db.db.collection('datasetUploads.files').countDocuments()).toBe(0);
    // A confirmed import cannot be confirmed again.
    expect((await lead.post(`/api/projects/${imageProject}/dataset-imports/${view.id}/confirm`, {})).body.error.code).toBe('CONFLICT');
  });

  it('adds new labels to the schema on confirm, and refuses a mapping that cannot work, keeping the preview', async () => {
    const r = await upload(imageProject, 'gt2.json', coco(), { format: 'coco', as: 'gold' });
    const id = r.body.import.id as string;
    const bad = await lead.post(`/api/projects/${imageProject}/dataset-imports/${id}/confirm`, {
      mapping: { truck: { action: 'map', to: 'road' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { mappingIssues: [{ label: 'truck', reason: 'target_tool_mismatch' }] },
    });
    expect((await lead.get(`/api/projects/${imageProject}/dataset-imports/${id}`)).body.import.status).toBe('preview');
    const ok = await lead.post(`/api/projects/${imageProject}/dataset-imports/${id}/confirm`, {});
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const project = (await lead.get(`/api/projects/${imageProject}`)).body.project;
    expect(project.labelSchema.labels.at(-1)).toMatchObject({ name: 'truck', tool: 'bbox' });
  });

  it('imports COCO as predictions: previewed, then stored through the predictions owner on confirm, one per item', async () => {
    const r = await upload(imageProject, 'model.json', coco(), { format: 'coco', as: 'predictions' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = r.body.import.id as string;
    const predictions = t.app.ctx.db.db.collection('predictions');
    expect(await predictions.countDocuments({ 'source.id': id })).toBe(0);
    const c = await lead.post(`/api/projects/${imageProject}/dataset-imports/${id}/confirm`, { mapping: { truck: { action: 'drop' } } });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body.import.preview.regions).toMatchObject({ accepted: 2, dropped: 1, refused: 1 });
    const docs = await predictions.find({ 'source.id': id }).sort({ _id: 1 }).toArray();
    expect(docs).toHaveLength(2);
    expect(docs.map((d) => d.source)).toEqual([
      { kind: 'import', id, name: 'model.json' },
      { kind: 'import', id, name: 'model.json' },
    ]);
    const regions = docs.flatMap((d) => d.regions as { label: string; x: number }[]);
    expect(regions.map((g) => [g.label, g.x]).sort()).toEqual([
      ['car', 0],
      ['car', 1],
    ]);
  });

  it('stores predictions of one source by insert, replacing only the items it already had (one per item)', async () => {
    const db = t.app.ctx.db;
    const pid = new ObjectId();
    const [a, b, c] = [new ObjectId(), new ObjectId(), new ObjectId()];
    const box = (x: number) => [{ id: 'r', type: 'bbox' as const, label: 'car', x, y: 0, w: 1, h: 1 }];
    const source = { kind: 'import' as const, id: `src-${pid.toHexString()}`, name: 'p.json' };
    await putPredictions(db, pid, source, [
      { itemId: a, regions: box(1) },
      { itemId: b, regions: box(2) },
    ]);
    // b again and c new, in one batch: b replaced, c inserted, a kept.
    expect(
      await putPredictions(db, pid, source, [
        { itemId: b, regions: box(20) },
        { itemId: c, regions: box(3) },
      ]),
    ).toBe(2);
    const docs = await db.predictions.find({ projectId: pid }).toArray();
    expect(new Map(docs.map((d) => [d.itemId.toHexString(), (d.regions[0] as { x: number }).x]))).toEqual(
      new Map([
        [a.toHexString(), 1],
        [b.toHexString(), 20],
        [c.toHexString(), 3],
      ]),
    );
  });

  it('refuses a COCO annotation that points at a missing image id, naming the element; nothing is stored', async () => {
    const r = await refusedWithoutChange(() =>
      upload(imageProject, 'bad.json', coco({ annotations: [{ id: 9, image_id: 77, category_id: 1, bbox: [0, 0, 1, 1] }] }), {
        format: 'coco',
        as: 'gold',
      }),
    );
    expect(r.body.error.code).toBe('BAD_IMPORT');
    expect(r.body.error.details.error).toMatchObject({ code: 'COCO_MISSING_IMAGE', file: 'bad.json', element: 'annotations[0]' });
  });

  it('refuses a file with one bad line, naming the line; the project is unchanged', async () => {
    const lines = ['{"id":"doc-1","text":"张三在北京","label":[[0,2,"PER"]]}', '{"id":"doc-2","text":"Hello", oops}'].join('\n');
    const r = await refusedWithoutChange(() => upload(textProject, 'spans.jsonl', lines, { format: 'jsonl', as: 'gold' }));
    expect(r.body.error.code).toBe('BAD_IMPORT');
    expect(r.body.error.details.error).toMatchObject({ file: 'spans.jsonl', line: 2 });
  });

  it('refuses XML with an external entity', async () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE annotation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<annotation><filename>a.png</filename><size><width>64</width><height>48</height><depth>3</depth></size>
<object><name>&xxe;</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>`;
    const zip = await buildZip([{ name: 'Annotations/a.xml', data: xml }]);
    const r = await refusedWithoutChange(() => upload(imageProject, 'voc.zip', zip, { format: 'voc', as: 'gold' }));
    expect(r.body.error.code).toBe('BAD_IMPORT');
    expect(r.body.error.details.error.file).toBe('Annotations/a.xml');
    expect(JSON.stringify(r.body)).not.toContain('root:');
  });

  it('refuses a zip with ../ paths', async () => {
    const zip = patchName(
      await buildZip([
        { name: 'annotations.json', data: coco() },
        { name: 'xx/evil.json', data: '{}' },
      ]),
      'xx/evil.json',
      '../evil.json',
    );
    const r = await refusedWithoutChange(() => upload(imageProject, 'evil.zip', zip, { format: 'coco', as: 'gold' }));
    expect(r.body.error).toMatchObject({ code: 'ZIP_UNSAFE_PATH', details: { entry: '../evil.json', reason: 'traversal' } });
  });

  it('refuses a zip bomb that claims 10 GB', async () => {
    const buf = await buildZip([{ name: 'annotations.json', data: coco(), zip64: true }]);
    const [cd] = centralHeaders(buf);
    let extra = cd! + 46 + buf.readUInt16LE(cd! + 28);
    while (buf.readUInt16LE(extra) !== 1) extra += 4 + buf.readUInt16LE(extra + 2);
    buf.writeBigUInt64LE(10n * 1000n ** 3n, extra + 4);
    const r = await refusedWithoutChange(() => upload(imageProject, 'bomb.zip', buf, { format: 'coco', as: 'gold' }));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('ZIP_TOO_LARGE');
  });

  it('reads COCO from a zip, and refuses a format the project kind cannot hold', async () => {
    const zip = await buildZip([{ name: 'labels/instances.json', data: coco() }]);
    const r = await upload(imageProject, 'set.zip', zip, { format: 'coco', as: 'gold' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.import.preview.items.matched).toBe(2);
    const wrong = await refusedWithoutChange(() => upload(textProject, 'gt.json', coco(), { format: 'coco', as: 'gold' }));
    expect(wrong.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('ends previews nobody confirmed in time: their uploads go, and they can no longer be confirmed', async () => {
    const old = await upload(imageProject, 'old.json', coco(), { format: 'coco', as: 'gold' });
    const id = new ObjectId(old.body.import.id as string);
    await t.app.ctx.db.datasetImports.updateOne({ _id: id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const uploads = () => t.app.ctx.db.db.collection('datasetUploads.files').countDocuments({ 'metadata.datasetImportId': id });
    expect(await uploads()).toBe(1);
    expect((await upload(imageProject, 'new.json', coco(), { format: 'coco', as: 'gold' })).status).toBe(201);
    const view = (await lead.get(`/api/projects/${imageProject}/dataset-imports/${id.toHexString()}`)).body.import;
    expect(view).toMatchObject({ status: 'failed', error: { code: 'EXPIRED' } });
    expect(await uploads()).toBe(0);
    expect((await lead.post(`/api/projects/${imageProject}/dataset-imports/${id.toHexString()}/confirm`, {})).body.error.code).toBe(
      'CONFLICT',
    );
  });

  it('stores a large import after the confirm has answered (202), with progress, until complete', async () => {
    const pid = (await lead.post('/api/projects', { name: 'large', kind: 'image', labelSchema: imageSchema })).body.project.id as string;
    const n = 2001;
    await seedBoxProject(t.app.ctx.db, { projectId: new ObjectId(pid), images: n, boxes: 0, labels: ['car'], annotators: [] });
    const images = Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      file_name: `img-${String(i + 1).padStart(5, '0')}.jpg`,
      width: 640,
      height: 480,
    }));
    const annotations = images.map((im) => ({ id: im.id, image_id: im.id, category_id: 1, bbox: [1, 1, 5, 5], area: 25, iscrowd: 0 }));
    const file = JSON.stringify({ images, annotations, categories: [{ id: 1, name: 'car' }] });
    const r = await upload(pid, 'large.json', file, { format: 'coco', as: 'predictions' });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(201);
    const c = await lead.post(`/api/projects/${pid}/dataset-imports/${r.body.import.id}/confirm`, {});
    expect(c.status).toBe(202);
    expect(c.body.import).toMatchObject({ status: 'running', total: n });
    await expect
      .poll(async () => (await lead.get(`/api/projects/${pid}/dataset-imports/${r.body.import.id}`)).body.import.status, {
        timeout: 120_000,
        interval: 500,
      })
      .toBe('complete');
    expect(await t.app.ctx.db.predictions.countDocuments({ 'source.id': r.body.import.id })).toBe(n);
  }, 180_000);

  it('makes items of the zip images the project lacks, then stores their regions', async () => {
    const file = JSON.stringify({
      images: [{ id: 1, file_name: 'new/fresh.png', width: 40, height: 30 }],
      categories: [{ id: 1, name: 'car' }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [2, 2, 10, 10], area: 100, iscrowd: 0 }],
    });
    const zip = await buildZip([
      { name: 'annotations.json', data: file },
      { name: 'new/fresh.png', data: await pngBuffer(40, 30, '#00aa00') },
    ]);
    const before = (await lead.get(`/api/projects/${imageProject}`)).body.project.counts.items as number;
    const r = await upload(imageProject, 'with-images.zip', zip, { format: 'coco', as: 'gold' });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(201);
    expect(r.body.import.preview.items).toMatchObject({ total: 1, matched: 0, new: 1, missing: 0 });
    expect((await lead.get(`/api/projects/${imageProject}`)).body.project.counts.items).toBe(before);
    const c = await lead.post(`/api/projects/${imageProject}/dataset-imports/${r.body.import.id}/confirm`, {});
    expect(c.status, JSON.stringify(c.body).slice(0, 300)).toBe(200);
    const items = (await lead.get(`/api/projects/${imageProject}/items?q=fresh`)).body.items as {
      image: { name: string; width: number };
      gold?: { regions: unknown[] };
    }[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ image: { name: 'fresh.png', width: 40 }, gold: { regions: [{ type: 'bbox', label: 'car', x: 2 }] } });
  });

  it('imports labels named with a dot or a leading $ (mapped and added by name), though a stored key may hold neither', async () => {
    const projectId = (await lead.post('/api/projects', { name: 'dotted labels', kind: 'image', labelSchema: imageSchema })).body.project
      .id as string;
    expect(
      (await lead.upload(`/api/projects/${projectId}/items/images`, 'files', [{ name: 'a.png', data: await pngBuffer(64, 48) }])).status,
    ).toBe(201);
    const file = JSON.stringify({
      images: [{ id: 1, file_name: 'a.png', width: 64, height: 48 }],
      categories: [
        { id: 1, name: 'traffic.light' },
        { id: 2, name: '$price' },
        { id: 3, name: 'v1.2' },
      ],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [1, 2, 10, 10], area: 100, iscrowd: 0 },
        { id: 2, image_id: 1, category_id: 2, bbox: [20, 20, 5, 5], area: 25, iscrowd: 0 },
        { id: 3, image_id: 1, category_id: 3, bbox: [30, 30, 4, 4], area: 16, iscrowd: 0 },
      ],
    });
    const r = await upload(projectId, 'dotted.json', file, { format: 'coco', as: 'predictions' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = r.body.import.id as string;
    const mapping = { 'traffic.light': { action: 'add', tool: 'bbox' }, $price: { action: 'add' }, 'v1.2': { action: 'map', to: 'car' } };
    const plan = await lead.post(`/api/projects/${projectId}/dataset-imports/${id}/plan`, { mapping });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect([...plan.body.import.preview.newLabels].sort()).toEqual(['$price', 'traffic.light']);
    const c = await lead.post(`/api/projects/${projectId}/dataset-imports/${id}/confirm`, { mapping });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body.import).toMatchObject({ status: 'complete', preview: { regions: { accepted: 3 } } });
    const labels = (await lead.get(`/api/projects/${projectId}`)).body.project.labelSchema.labels.map((l: { name: string }) => l.name);
    expect(labels).toEqual(expect.arrayContaining(['traffic.light', '$price']));
    const docs = await t.app.ctx.db.db.collection('predictions').find({ 'source.id': id }).toArray();
    const stored = docs.flatMap((d) => d.regions as { label: string }[]).map((g) => g.label);
    expect(stored.sort()).toEqual(['$price', 'car', 'traffic.light']);
    // The session keeps the mapping it used, by name.
    const session = await t.app.ctx.db.datasetImports.findOne({ _id: new ObjectId(id) });
    expect(session!.mapping).toContainEqual({ label: 'traffic.light', decision: { action: 'add', tool: 'bbox' } });
    expect(storedMapping.decode(session!.mapping)).toEqual(mapping);
    // Sessions stored before kept the mapping as an object.
    expect(storedMapping.decode({ truck: { action: 'drop' } })).toEqual({ truck: { action: 'drop' } });
    expect(storedMapping.decode(null)).toBeNull();
    expect(storedAnnotators.decode({ default: 'u0', bySource: { 'ann@x': 'u1' } })).toEqual({ default: 'u0', bySource: { 'ann@x': 'u1' } });
  });

  it('only leads and admins of the project may import', async () => {
    const admin = await t.admin();
    const other = (await signedInUser(admin, { name: 'other-lead', role: 'lead' })).client;
    const r = await other.upload(`/api/projects/${imageProject}/dataset-imports`, 'file', [{ name: 'gt.json', data: coco() }], {
      format: 'coco',
      as: 'gold',
    });
    expect([403, 404]).toContain(r.status);
  });
});
