import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client.ts';
import { imageSchema, jpegBuffer, pngBuffer, safeSvg, textSchema, webpBuffer } from '../support/fixtures.ts';
import { signedInUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let lead: ApiClient;
let imageProject = '';
let textProject = '';

beforeAll(async () => {
  t = await startTestApp({ MAX_IMAGE_BYTES: String(200 * 1024) });
  const admin = await t.admin();
  lead = (await signedInUser(admin, { name: 'lead', role: 'lead' })).client;
  imageProject = (await lead.post('/api/projects', { name: 'imgs', kind: 'image', labelSchema: imageSchema })).body.project.id;
  textProject = (await lead.post('/api/projects', { name: '新闻实体', kind: 'text', labelSchema: textSchema })).body.project.id;
});
afterAll(async () => {
  await t?.close();
});

const itemCount = async (pid: string) => (await lead.get(`/api/projects/${pid}/items?pageSize=1`)).body.total as number;
const fileCount = () => t.app.ctx.db.db.collection('files.files').countDocuments();

describe('image import', () => {
  it('imports PNG, JPEG, WebP and SVG with sizes and thumbnails stored in GridFS', async () => {
    const r = await lead.upload(`/api/projects/${imageProject}/items/images`, 'files', [
      { name: '路口-1.png', data: await pngBuffer(640, 480) },
      { name: 'b.jpg', data: await jpegBuffer(100, 50) },
      { name: 'c.webp', data: await webpBuffer(30, 40) },
      { name: 'd.svg', data: safeSvg },
    ]);
    expect(r.status).toBe(201);
    expect(r.body.created).toBe(4);
    const items = (await lead.get(`/api/projects/${imageProject}/items`)).body.items;
    expect(
      items.map((i: { image: { name: string; mime: string; width: number; height: number } }) => [
        i.image.name,
        i.image.mime,
        i.image.width,
        i.image.height,
      ]),
    ).toEqual([
      ['路口-1.png', 'image/png', 640, 480],
      ['b.jpg', 'image/jpeg', 100, 50],
      ['c.webp', 'image/webp', 30, 40],
      ['d.svg', 'image/svg+xml', 120, 80],
    ]);
    const original = await lead.get(`/api/files/${items[0].image.fileId}`);
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/png');
    const thumb = await fetch(`${t.url}/api/files/${items[0].image.thumbId}`, { headers: { cookie: lead.cookie } });
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await thumb.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const project = (await lead.get(`/api/projects/${imageProject}`)).body.project;
    expect(project.counts.items).toBe(4);
  });

  it('refuses a non-image with 415, an oversize image with 413, a corrupt image and a scripted SVG with 400, storing nothing', async () => {
    const before = { items: await itemCount(imageProject), files: await fileCount() };
    const good = await pngBuffer();
    const notImage = await lead.upload(`/api/projects/${imageProject}/items/images`, 'files', [
      { name: 'ok.png', data: good },
      { name: 'notes.txt', data: 'hello' },
    ]);
    expect(notImage.status).toBe(415);
    expect(notImage.body.error.details.errors).toEqual([expect.objectContaining({ file: 'notes.txt', code: 'UNSUPPORTED_MEDIA_TYPE' })]);
    const huge = await lead.upload(`/api/projects/${imageProject}/items/images`, 'files', [
      { name: 'big.png', data: Buffer.concat([good, Buffer.alloc(300 * 1024)]) },
    ]);
    expect(huge.status).toBe(413);
    const png = await pngBuffer(300, 300, '#123456');
    const corrupt = await lead.upload(`/api/projects/${imageProject}/items/images`, 'files', [
      { name: 'cut.png', data: png.subarray(0, Math.floor(png.length * 0.6)) },
    ]);
    expect(corrupt.status).toBe(400);
    expect(corrupt.body.error.code).toBe('CORRUPT_IMAGE');
    for (const svg of [
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" width="10" height="10"/>',
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image xlink:href="https://evil.example/x.png"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><p>hi</p></body></foreignObject></svg>',
    ]) {
      const r = await lead.upload(`/api/projects/${imageProject}/items/images`, 'files', [{ name: 'x.svg', data: svg }]);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('UNSAFE_SVG');
    }
    expect(await itemCount(imageProject)).toBe(before.items);
    expect(await fileCount()).toBe(before.files);
  });

  it('refuses images into a text project', async () => {
    const r = await lead.upload(`/api/projects/${textProject}/items/images`, 'files', [{ name: 'a.png', data: await pngBuffer() }]);
    expect(r.status).toBe(400);
  });
});

describe('text import', () => {
  const chinese = [
    {
      text: '华为公司在深圳发布了Mate 60。',
      id: 'n1',
      gold: {
        regions: [
          { id: 'r1', type: 'span', label: 'ORG', start: 0, end: 4 },
          { id: 'r2', type: 'span', label: 'LOC', start: 5, end: 7 },
        ],
      },
    },
    { text: '😀张伟去了北京大学。', id: 'n2', meta: { source: '新华社' } },
    { text: 'Plain English, with "quotes", commas\nand a newline.', id: 3 },
    { text: '<img src=x onerror=alert(1)> 不执行', id: 'n4' },
    { text: '𠀀𠀁 (CJK Ext B) and 👨‍👩‍👧 family', id: 'n5' },
  ];

  it('round-trips Chinese, emoji and astral characters byte-exactly from JSONL, with gold answers', async () => {
    const jsonl = chinese.map((c) => JSON.stringify(c)).join('\n') + '\n\n';
    const r = await lead.upload(`/api/projects/${textProject}/items/text`, 'file', [
      { name: '新闻.jsonl', data: Buffer.from(jsonl, 'utf8') },
    ]);
    expect(r.status).toBe(201);
    expect(r.body.created).toBe(5);
    const items = (await lead.get(`/api/projects/${textProject}/items?pageSize=10`)).body.items;
    expect(items.map((i: { text: string }) => i.text)).toEqual(chinese.map((c) => c.text));
    for (const [k, it] of items.entries()) expect(Buffer.from(it.text, 'utf8').equals(Buffer.from(chinese[k]!.text, 'utf8'))).toBe(true);
    expect(items[1].textLength).toBe([...chinese[1]!.text].length);
    expect(items[0].gold.regions).toHaveLength(2);
    expect(items[1].meta).toEqual({ source: '新华社' });
    expect(items[2].externalId).toBe('3');
    const p = (await lead.get(`/api/projects/${textProject}`)).body.project;
    expect(p.counts).toMatchObject({ items: 5, gold: 1 });
  });

  it('imports CSV with quoted fields, newlines, a BOM and extra columns kept as meta', async () => {
    const csv = '\uFEFFid,text,source\r\nc1,"他说：""你好""，然后离开了上海。",微博\r\nc2,"多行\n文本",知乎\r\n';
    const r = await lead.upload(`/api/projects/${textProject}/items/text`, 'file', [{ name: 'data.csv', data: Buffer.from(csv, 'utf8') }]);
    expect(r.status).toBe(201);
    expect(r.body.created).toBe(2);
    const items = (await lead.get(`/api/projects/${textProject}/items?page=1&pageSize=100`)).body.items.slice(-2);
    expect(items.map((i: { text: string; meta: unknown }) => [i.text, i.meta])).toEqual([
      ['他说："你好"，然后离开了上海。', { source: '微博' }],
      ['多行\n文本', { source: '知乎' }],
    ]);
  });

  it('refuses a file with bad lines, reporting every line number, and imports nothing', async () => {
    const before = await itemCount(textProject);
    const lines = [
      JSON.stringify({ text: 'ok 1' }),
      '{"text": "broken"',
      JSON.stringify({ text: '' }),
      JSON.stringify({ text: 'ok 2' }),
      JSON.stringify({ txt: 'wrong key' }),
      JSON.stringify({ text: 'bad meta', meta: { 'a.b': 1 } }),
      JSON.stringify({ text: '短', gold: { regions: [{ id: 'g', type: 'span', label: 'PER', start: 0, end: 9 }] } }),
    ];
    const r = await lead.upload(`/api/projects/${textProject}/items/text`, 'file', [{ name: 'bad.jsonl', data: lines.join('\n') }]);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BAD_IMPORT');
    expect(r.body.error.details.errors.map((e: { line: number }) => e.line)).toEqual([2, 3, 5, 6]);
    expect(await itemCount(textProject)).toBe(before);
    // Once the syntax is right, gold answers are checked against the label schema.
    const r2 = await lead.upload(`/api/projects/${textProject}/items/text`, 'file', [
      { name: 'gold.jsonl', data: [lines[0], lines[6]].join('\n') },
    ]);
    expect(r2.status).toBe(400);
    expect(r2.body.error.details.errors).toEqual([
      { line: 2, code: 'GOLD_INVALID', message: expect.stringContaining('gold'), params: { field: 'gold.regions[0]' } },
    ]);
    expect(await itemCount(textProject)).toBe(before);
  });

  it('refuses invalid UTF-8 and unknown formats', async () => {
    const bad = await lead.upload(`/api/projects/${textProject}/items/text`, 'file', [
      { name: 'a.jsonl', data: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/UTF-8/);
    const fmt = await lead.upload(`/api/projects/${textProject}/items/text`, 'file', [{ name: 'a.xlsx', data: 'x' }]);
    expect(fmt.status).toBe(415);
  });

  it('imports 10,000 JSONL lines and pages through them in order', async () => {
    const big = Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ text: `第${i}条：北京天气晴。`, id: `b${i}` })).join('\n');
    const before = await itemCount(textProject);
    const t0 = performance.now();
    const r = await lead.upload(`/api/projects/${textProject}/items/text`, 'file', [{ name: 'big.jsonl', data: big }]);
    const ms = performance.now() - t0;
    expect(r.status).toBe(201);
    expect(r.body.created).toBe(10_000);
    console.log(`10,000-line JSONL import: ${ms.toFixed(0)} ms`);
    expect(await itemCount(textProject)).toBe(before + 10_000);
    const last = await lead.get(`/api/projects/${textProject}/items?page=${Math.ceil((before + 10_000) / 500)}&pageSize=500`);
    expect(last.body.items.at(-1).externalId).toBe('b9999');
    const imports = (await lead.get(`/api/projects/${textProject}/imports`)).body.imports;
    expect(imports[0]).toMatchObject({ status: 'complete', total: 10_000, done: 10_000 });
  });

  it('cleans up an import interrupted by a crash, so nothing half-imported ever shows', async () => {
    const before = await itemCount(textProject);
    const { ObjectId } = await import('mongodb');
    const importId = new ObjectId();
    const projectId = new ObjectId(textProject);
    const old = new Date(Date.now() - 2 * 3600_000);
    await t.app.ctx.db.imports.insertOne({
      _id: importId,
      schemaVersion: 1,
      projectId,
      kind: 'text',
      fileName: 'x.jsonl',
      status: 'running',
      total: 2,
      done: 1,
      byId: projectId,
      createdAt: old,
    });
    await t.app.ctx.db.items.insertOne({
      _id: new ObjectId(),
      schemaVersion: 1,
      projectId,
      seq: 999999,
      kind: 'text',
      text: 'half',
      isGold: false,
      status: 'new',
      annotationCount: 0,
      importId,
      createdAt: old,
    });
    const listed = (await lead.get(`/api/projects/${textProject}/items?page=1&pageSize=500`)).body.items.map(
      (i: { text: string }) => i.text,
    );
    expect(listed).not.toContain('half');
    expect(await itemCount(textProject)).toBe(before);
    const { sweepStaleImports } = await import('../../server/src/modules/items/items.service.ts');
    expect(await sweepStaleImports(t.app.ctx, 3600_000)).toBe(1);
    expect(await t.app.ctx.db.items.countDocuments({ importId })).toBe(0);
    expect((await t.app.ctx.db.imports.findOne({ _id: importId }))!.status).toBe('failed');
  });
});

describe('gold answers', () => {
  it('lets a lead set and clear an item gold answer, checked against the label schema and the image size', async () => {
    const items = (await lead.get(`/api/projects/${imageProject}/items`)).body.items;
    const item = items[0];
    const bad = await lead.put(`/api/items/${item.id}/gold`, {
      gold: {
        regions: [
          { id: 'a', type: 'bbox', label: 'car', x: 600, y: 10, w: 100, h: 10 },
          { id: 'b', type: 'bbox', label: 'tree', x: 1, y: 1, w: 2, h: 2 },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['gold.regions[0]', 'gold.regions[1].label']);
    const gold = {
      regions: [
        { id: 'a', type: 'bbox', label: 'car', x: 10.5, y: 20, w: 100, h: 50 },
        {
          id: 'k',
          type: 'keypoints',
          label: 'person-pose',
          points: [
            { name: 'head', x: 5, y: 5, v: 2 },
            { name: 'left-hand', x: 0, y: 0, v: 0 },
          ],
        },
      ],
    };
    const ok = await lead.put(`/api/items/${item.id}/gold`, { gold });
    expect(ok.status).toBe(200);
    expect(ok.body.item.gold).toEqual(gold);
    expect((await lead.get(`/api/projects/${imageProject}`)).body.project.counts.gold).toBe(1);
    const cleared = await lead.put(`/api/items/${item.id}/gold`, { gold: null });
    expect(cleared.body.item.gold).toBeUndefined();
    expect((await lead.get(`/api/projects/${imageProject}`)).body.project.counts.gold).toBe(0);
  });
});
