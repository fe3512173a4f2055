import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { signedInUser } from '../support/project-setup.ts';
import { makeUsers, sid, type TestUser } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

// Issue #10 item 8: the Items tab's API — search, filters, delete, duplicate detection on import.

const imageSchema = { labels: [{ name: 'car', color: '#e6194b', tool: 'bbox' }] };
const textSchema = {
  labels: [
    { name: 'pos', color: '#e6194b', tool: 'class-single' },
    { name: 'neg', color: '#3cb44b', tool: 'class-single' },
  ],
};

let t: TestApp;
let lead: ApiClient;
let annotator: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  const admin = await t.admin();
  lead = (await signedInUser(admin, { name: 'lead', role: 'lead' })).client;
  annotator = (await makeUsers(admin, 'ann', 1))[0]!;
});
afterAll(async () => {
  await t?.close();
});

const list = async (pid: string, query = '') =>
  (await lead.get(`/api/projects/${pid}/items?pageSize=100${query}`)).body as {
    items: { id: string; seq: number; text?: string; image?: { name: string; fileId: string }; status: string; importId: string }[];
    total: number;
  };

describe('duplicate detection on import', () => {
  it('skips images whose bytes the project already has, says which, and imports them anyway when asked', async () => {
    const pid = (await lead.post('/api/projects', { name: 'dup-images', kind: 'image', labelSchema: imageSchema })).body.project.id;
    const a = await pngBuffer(30, 20, '#112233');
    const b = await pngBuffer(30, 20, '#445566');
    const first = await lead.upload(`/api/projects/${pid}/items/images`, 'files', [
      { name: 'a.png', data: a },
      { name: 'b.png', data: b },
    ]);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: 2, skipped: 0, duplicates: [] });
    const again = await lead.upload(`/api/projects/${pid}/items/images`, 'files', [
      { name: 'a-copy.png', data: a },
      { name: 'c.png', data: await pngBuffer(10, 10) },
      { name: 'c2.png', data: await pngBuffer(10, 10) },
    ]);
    expect(again.status).toBe(201);
    expect(again.body.created).toBe(1);
    expect(again.body.skipped).toBe(2);
    expect(again.body.duplicates).toEqual([
      { file: 'a-copy.png', itemId: first.body.items[0].id, seq: first.body.items[0].seq },
      { file: 'c2.png' },
    ]);
    const allDupes = await lead.upload(`/api/projects/${pid}/items/images`, 'files', [{ name: 'b.png', data: b }]);
    expect(allDupes.status).toBe(200);
    expect(allDupes.body).toMatchObject({ importId: null, created: 0, skipped: 1 });
    const forced = await lead.upload(`/api/projects/${pid}/items/images`, 'files', [{ name: 'b.png', data: b }], { duplicates: 'import' });
    expect(forced.status).toBe(201);
    expect(forced.body).toMatchObject({ created: 1, skipped: 0, duplicates: [{ file: 'b.png' }] });
    expect((await list(pid)).total).toBe(4);
  });

  it('skips text lines whose text the project already has (or that repeat in the file)', async () => {
    const pid = (await lead.post('/api/projects', { name: 'dup-text', kind: 'text', labelSchema: textSchema })).body.project.id;
    const up = (lines: string[], fields: Record<string, string> = {}) =>
      lead.upload(
        `/api/projects/${pid}/items/text`,
        'file',
        [{ name: 'x.jsonl', data: lines.map((text) => JSON.stringify({ text })).join('\n') }],
        fields,
      );
    expect((await up(['one', 'two'])).body).toMatchObject({ created: 2, skipped: 0 });
    const r = await up(['two', 'three', 'three']);
    expect(r.status).toBe(201);
    expect(r.body.created).toBe(1);
    expect(r.body.duplicates).toEqual([{ line: 1, itemId: expect.any(String), seq: 2 }, { line: 3 }]);
    expect((await up(['one'], { duplicates: 'import' })).body.created).toBe(1);
  });
});

describe('search and filters', () => {
  it('finds items by name or text, by status and by import, with the filtered total', async () => {
    const pid = (await lead.post('/api/projects', { name: 'search', kind: 'text', labelSchema: textSchema })).body.project.id;
    const up = (lines: string[]) =>
      lead.upload(`/api/projects/${pid}/items/text`, 'file', [
        { name: 'x.jsonl', data: lines.map((text, i) => JSON.stringify({ text, id: `ext-${text.length}-${i}` })).join('\n') },
      ]);
    const i1 = (await up(['Alice met Bob', 'Carol (a.k.a. C.) left', '张三在北京'])).body.importId;
    const i2 = (await up(['alice again', 'nothing here'])).body.importId;
    expect((await list(pid)).total).toBe(5);
    const alice = await list(pid, '&q=ALICE');
    expect(alice.items.map((i) => i.text)).toEqual(['Alice met Bob', 'alice again']);
    expect(alice.total).toBe(2);
    // Regex characters are matched literally.
    expect((await list(pid, `&q=${encodeURIComponent('(a.k.a.')}`)).items.map((i) => i.text)).toEqual(['Carol (a.k.a. C.) left']);
    expect((await list(pid, `&q=${encodeURIComponent('北京')}`)).total).toBe(1);
    expect((await list(pid, `&importId=${i2}`)).items.map((i) => i.text)).toEqual(['alice again', 'nothing here']);
    expect((await list(pid, `&importId=${i1}&q=alice`)).total).toBe(1);
    // Statuses as stored on the item (an item turns complete once all its annotations are in).
    expect((await list(pid, '&status=new')).total).toBe(5);
    expect((await list(pid, '&status=complete&q=alice')).items).toEqual([]);
    expect((await lead.get(`/api/projects/${pid}/items?status=bogus`)).status).toBe(400);
  });
});

describe('deleting items', () => {
  it('deletes selected items, withdraws their queued tasks and files, and refuses items with annotations', async () => {
    const pid = (await lead.post('/api/projects', { name: 'delete', kind: 'image', labelSchema: imageSchema, overlap: 1, minLevel: 'L5' }))
      .body.project.id;
    await lead.put(`/api/projects/${pid}/members`, { userIds: [annotator.id] });
    const imp = await lead.upload(`/api/projects/${pid}/items/images`, 'files', [
      { name: 'a.png', data: await pngBuffer(20, 20, '#010101') },
      { name: 'b.png', data: await pngBuffer(20, 20, '#020202') },
      { name: 'c.png', data: await pngBuffer(20, 20, '#030303') },
    ]);
    const [a, b, c] = imp.body.items as { id: string; image: { fileId: string } }[];
    expect((await lead.post(`/api/projects/${pid}/queue/items`, { all: true })).status).toBe(200);
    // The annotator does one item, so it has an annotation.
    const task = await annotator.client.post(`/api/projects/${pid}/tasks/next`);
    expect(task.status).toBe(200);
    const done = task.body.task.item.id as string;
    const submit = await annotator.client.post(`/api/tasks/${task.body.task.leaseId}/submit`, {
      submissionId: sid(),
      regions: [{ id: 'r', type: 'bbox', label: 'car', x: 1, y: 1, w: 5, h: 5 }],
    });
    expect(submit.status).toBe(201);
    const refused = await lead.post(`/api/projects/${pid}/items/delete`, { ids: [a!.id, b!.id, c!.id] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('ITEMS_HAVE_ANNOTATIONS');
    expect(refused.body.error.details.items).toEqual([expect.objectContaining({ id: done, annotationCount: 1 })]);
    expect((await list(pid)).total).toBe(3);

    const rest = [a!, b!, c!].filter((i) => i.id !== done);
    const r = await lead.post(`/api/projects/${pid}/items/delete`, { ids: rest.map((i) => i.id) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ deleted: 2, busy: [], missing: [] });
    expect((await list(pid)).items.map((i) => i.id)).toEqual([done]);
    expect((await lead.get(`/api/projects/${pid}`)).body.project.counts.items).toBe(1);
    expect((await lead.get(`/api/files/${rest[0]!.image.fileId}`)).status).toBe(403);
    // Their tasks are gone: the annotator gets nothing more.
    const next = await annotator.client.post(`/api/projects/${pid}/tasks/next`);
    expect(next.status).toBe(404);
    expect(next.body.error.code).toBe('NOTHING_TO_DO');
  });

  it('keeps an item whose task is leased right now, and refuses outsiders', async () => {
    const pid = (await lead.post('/api/projects', { name: 'busy', kind: 'image', labelSchema: imageSchema, overlap: 1, minLevel: 'L5' }))
      .body.project.id;
    await lead.put(`/api/projects/${pid}/members`, { userIds: [annotator.id] });
    const imp = await lead.upload(`/api/projects/${pid}/items/images`, 'files', [
      { name: 'x.png', data: await pngBuffer(20, 20, '#090909') },
    ]);
    await lead.post(`/api/projects/${pid}/queue/items`, { all: true });
    const task = await annotator.client.post(`/api/projects/${pid}/tasks/next`);
    expect(task.status).toBe(200);
    const r = await lead.post(`/api/projects/${pid}/items/delete`, { ids: [imp.body.items[0].id] });
    expect(r.body).toEqual({ deleted: 0, busy: [imp.body.items[0].id], missing: [] });
    const outsider = await annotator.client.post(`/api/projects/${pid}/items/delete`, { ids: [imp.body.items[0].id] });
    expect(outsider.status).toBe(403);
  });
});
