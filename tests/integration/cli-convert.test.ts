import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';

/** `labelwork convert` run as users run it: the real bin script in a child process, files in a temp dir. */

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'server/bin/labelwork.mjs');
const dir = mkdtempSync(join(tmpdir(), 'labelwork-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, 'convert', ...args], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

interface Summary {
  items: number;
  labels: number;
  regions: Record<'bbox' | 'polygon' | 'keypoints' | 'span' | 'class', number>;
  warnings: { code: string; message: string }[];
}

async function convert(args: string[]): Promise<Summary> {
  const r = await run(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Summary;
}

async function refused(args: string[], message: RegExp): Promise<void> {
  const r = await run(args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

let n = 0;
function sub(): string {
  const d = join(dir, `case-${n++}`);
  mkdirSync(d);
  return d;
}
const jsonl = (...records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
/** Files left in a directory, temp files included (a failed run must leave none). */
const listing = (d: string) => readdirSync(d, { recursive: true, encoding: 'utf8' }).sort();

const CHINESE = [
  {
    id: 'a',
    text: '我😀爱北京🎉和张三',
    regions: [
      { type: 'span', label: 'LOC', start: 3, end: 5 },
      { type: 'span', label: 'PER', start: 7, end: 9 },
    ],
  },
  { id: 'b', text: '今天 天气很好', regions: [] },
  { id: 'c', text: '还没有标注' },
];

describe.concurrent('labelwork convert', { timeout: 180_000 }, () => {
  it('round-trips Chinese text jsonl → conll → jsonl and prints one summary line with the agreed keys', async () => {
    const d = sub();
    writeFileSync(join(d, 'in.jsonl'), jsonl(...CHINESE));
    const first = await convert(['--from', 'jsonl', '--to', 'conll', '--input', join(d, 'in.jsonl'), '--output', join(d, 'out.conll')]);
    expect(Object.keys(first)).toEqual(['items', 'labels', 'regions', 'warnings']);
    expect(first).toMatchObject({ items: 3, labels: 2, regions: { bbox: 0, polygon: 0, keypoints: 0, span: 2, class: 0 } });
    expect(first.warnings.map((w) => w.code)).toEqual(['conll_unlabeled']);
    const conll = readFileSync(join(d, 'out.conll'), 'utf8');
    expect(conll.split('\n').slice(0, 5)).toEqual(['我\tO', '😀\tO', '爱\tO', '北\tB-LOC', '京\tI-LOC']);
    expect(conll).toContain('\n\n今\tO\n天\tO\n \tO\n天\tO');

    const back = await convert(['--from', 'conll', '--to', 'jsonl', '--input', join(d, 'out.conll'), '--output', join(d, 'back.jsonl')]);
    expect(back).toMatchObject({ items: 3, regions: { span: 2 }, warnings: [] });
    const recs = readFileSync(join(d, 'back.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string; regions: { start: number; end: number; label: string }[] });
    expect(recs.map((r) => r.text)).toEqual(CHINESE.map((c) => c.text));
    expect(recs[0]!.regions.map(({ start, end, label }) => ({ type: 'span', label, start, end }))).toEqual(CHINESE[0]!.regions);
    expect(listing(d)).toEqual(['back.jsonl', 'in.jsonl', 'out.conll']);
  });

  it('writes BIOES with --scheme bioes and the doccano layout with --layout doccano', async () => {
    const d = sub();
    writeFileSync(join(d, 'in.jsonl'), jsonl(CHINESE[0]));
    await convert([
      '--from',
      'jsonl',
      '--to',
      'conll',
      '--scheme',
      'bioes',
      '--input',
      join(d, 'in.jsonl'),
      '--output',
      join(d, 'o.conll'),
    ]);
    expect(readFileSync(join(d, 'o.conll'), 'utf8')).toContain('北\tB-LOC\n京\tE-LOC');
    await convert(['--from', 'jsonl', '--to', 'jsonl', '--layout', 'doccano', '--input', join(d, 'in.jsonl'), '--output', d]);
    expect(readFileSync(join(d, 'dataset.jsonl'), 'utf8')).toBe(
      JSON.stringify({
        id: 'a',
        text: '我😀爱北京🎉和张三',
        label: [
          [3, 5, 'LOC'],
          [7, 9, 'PER'],
        ],
      }) + '\n',
    );
  });

  it('converts Label Studio images to JSONL in pixels, a rotated rectangle on a 1000×500 image included', async () => {
    const d = sub();
    const rect = (id: string, rotation: number) => ({
      id,
      type: 'rectanglelabels',
      from_name: 'label',
      to_name: 'image',
      original_width: 1000,
      original_height: 500,
      value: { x: 50, y: 20, width: 10, height: 40, rotation, rectanglelabels: ['car'] },
    });
    const tasks = [
      { id: 1, data: { image: '图片 1.JPG' }, annotations: [{ result: [rect('a', 0), rect('b', 90), rect('c', 30)] }] },
      { id: 2, data: { image: 'empty.png' }, annotations: [{ result: [] }] },
    ];
    writeFileSync(join(d, 'tasks.json'), JSON.stringify(tasks));
    const s = await convert(['--from', 'labelstudio', '--to', 'jsonl', '--input', join(d, 'tasks.json'), '--output', join(d, 'out.jsonl')]);
    expect(s).toMatchObject({ items: 2, labels: 1, regions: { bbox: 2, polygon: 1 } });
    expect(s.warnings.map((w) => w.code)).toEqual(['ls_rotated_box']);
    const [first, second] = readFileSync(join(d, 'out.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    expect(first).toMatchObject({ id: '图片 1.JPG', image: '图片 1.JPG', width: 1000, height: 500 });
    expect(first!.regions.slice(0, 2)).toEqual([
      { id: 'a', type: 'bbox', label: 'car', x: 500, y: 100, w: 100, h: 200 },
      { id: 'b', type: 'bbox', label: 'car', x: 300, y: 100, w: 200, h: 100 },
    ]);
    expect(second).toEqual({ id: 'empty.png', image: 'empty.png', regions: [] });

    // And back: the same tasks' regions in percent.
    const again = await convert([
      '--from',
      'jsonl',
      '--to',
      'labelstudio',
      '--input',
      join(d, 'out.jsonl'),
      '--output',
      join(d, 'ls.json'),
    ]);
    expect(again).toMatchObject({ items: 2, regions: { bbox: 2, polygon: 1 } });
    const out = JSON.parse(readFileSync(join(d, 'ls.json'), 'utf8')) as Record<string, any>[];
    expect(out[0]!.annotations[0].result[0].value).toMatchObject({ x: 50, y: 20, width: 10, height: 40, rotation: 0 });
  });

  it('refuses a malformed line with file:line, exit 2, and leaves the existing output and no temp files', async () => {
    const d = sub();
    writeFileSync(join(d, 'bad.jsonl'), jsonl({ text: 'fine' }) + '{"text": "broken",\n');
    writeFileSync(join(d, 'out.conll'), 'previous output\n');
    await refused(
      ['--from', 'jsonl', '--to', 'conll', '--input', join(d, 'bad.jsonl'), '--output', join(d, 'out.conll')],
      /bad\.jsonl:2: not valid JSON/,
    );
    expect(readFileSync(join(d, 'out.conll'), 'utf8')).toBe('previous output\n');
    writeFileSync(join(d, 'span.jsonl'), jsonl({ text: 'ab', regions: [{ type: 'span', label: 'X', start: 1, end: 5 }] }));
    await refused(
      ['--from', 'jsonl', '--to', 'conll', '--input', join(d, 'span.jsonl'), '--output', join(d, 'new.conll')],
      /span\.jsonl:1: .*not inside the text/,
    );
    writeFileSync(join(d, 'bad.conll'), '北 B-LOC\n京 I-LOC\n\n上 Z-LOC\n');
    await refused(
      ['--from', 'conll', '--to', 'jsonl', '--input', join(d, 'bad.conll'), '--output', join(d, 'new.jsonl')],
      /bad\.conll:4: tag "Z-LOC"/,
    );
    writeFileSync(
      join(d, 'tasks.json'),
      JSON.stringify([{ data: { image: 'x.png' }, annotations: [{ result: [{ type: 'polygonlabels', value: { points: [[1, 2]] } }] }] }]),
    );
    await refused(
      ['--from', 'labelstudio', '--to', 'jsonl', '--input', join(d, 'tasks.json'), '--output', join(d, 'new.jsonl')],
      /tasks\.json \(tasks\[0\]\.annotations\[0\]\.result\[0\]\.value\.points\)/,
    );
    expect(listing(d)).toEqual(['bad.conll', 'bad.jsonl', 'out.conll', 'span.jsonl', 'tasks.json']);
  });

  it('refuses any XML with a DOCTYPE, bad usage and a text dataset into an image-only format, all with exit 2', async () => {
    const d = sub();
    writeFileSync(
      join(d, 'evil.xml'),
      '<?xml version="1.0"?>\n<!DOCTYPE annotation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<annotation><filename>&xxe;</filename></annotation>\n',
    );
    await refused(
      ['--from', 'voc', '--to', 'jsonl', '--input', join(d, 'evil.xml'), '--output', join(d, 'o.jsonl')],
      /evil\.xml:2: XML with a DOCTYPE is refused/,
    );
    await refused(['--from', 'nope', '--to', 'jsonl', '--input', 'x', '--output', 'y'], /unknown format "nope"/);
    await refused(
      ['--from', 'jsonl', '--to', 'conll', '--input', join(d, 'missing.jsonl'), '--output', join(d, 'o')],
      /missing\.jsonl: no such file/,
    );
    await refused(
      ['--from', 'jsonl', '--to', 'jsonl', '--scheme', 'bioes', '--input', 'x', '--output', 'y'],
      /--scheme applies to --to conll only/,
    );
    writeFileSync(join(d, 'in.jsonl'), jsonl(CHINESE[0]));
    await refused(
      ['--from', 'jsonl', '--to', 'conll', '--input', join(d, 'in.jsonl'), '--output', join(d, 'no', 'such', 'dir', 'o.conll')],
      /o\.conll: the directory .*no\/such\/dir does not exist/,
    );
    await refused(
      ['--from', 'jsonl', '--to', 'coco', '--input', join(d, 'in.jsonl'), '--output', join(d, 'o.json')],
      /coco holds image items; the input holds text items/,
    );
    expect(listing(d)).toEqual(['evil.xml', 'in.jsonl']);
  });

  it('converts a classification CSV to Label Studio choices and back', async () => {
    const d = sub();
    writeFileSync(join(d, 'in.csv'), 'id,text,label\nt1,"很好, 😀",pos\nt2,bad,\n');
    const s = await convert(['--from', 'csv', '--to', 'labelstudio', '--input', join(d, 'in.csv'), '--output', join(d, 'ls.json')]);
    expect(s).toMatchObject({ items: 2, labels: 1, regions: { class: 1 } });
    await convert(['--from', 'labelstudio', '--to', 'csv', '--input', join(d, 'ls.json'), '--output', join(d, 'back.csv')]);
    expect(readFileSync(join(d, 'back.csv'), 'utf8')).toBe('id,text,label\r\nt1,"很好, 😀",pos\r\nt2,bad,\r\n');
    expect(existsSync(join(d, 'back.csv'))).toBe(true);
  });
  it('converts coco → yolo → coco with --images: image sizes from the files, images copied, regions and empty images kept', async () => {
    const d = sub();
    mkdirSync(join(d, 'images'));
    const image = (name: string, width: number, height: number) => {
      const s = sharp({ create: { width, height, channels: 3, background: '#336699' } });
      return (name.toLowerCase().endsWith('.png') ? s.png() : s.jpeg()).toFile(join(d, 'images', name));
    };
    await image('图片 1.JPG', 1000, 500);
    await image('a.png', 640, 480);
    await image('a.jpg', 320, 200);
    const coco = {
      images: [
        { id: 1, file_name: '图片 1.JPG', width: 1000, height: 500 },
        { id: 2, file_name: 'a.png', width: 640, height: 480 },
        { id: 3, file_name: 'a.jpg', width: 320, height: 200 },
      ],
      categories: [
        { id: 1, name: 'traffic light' },
        { id: 3, name: '行人 pedestrian' },
        { id: 7, name: 'car' },
      ],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 100, 50], area: 5000, iscrowd: 0 },
        {
          id: 2,
          image_id: 1,
          category_id: 3,
          bbox: [100, 100, 200, 100],
          area: 10000,
          iscrowd: 0,
          segmentation: [[100, 100, 300, 100, 300, 200]],
        },
        { id: 3, image_id: 2, category_id: 7, bbox: [540, 380, 100, 100], area: 10000, iscrowd: 0 },
      ],
    };
    writeFileSync(join(d, 'coco.json'), JSON.stringify(coco));
    const there = await convert([
      '--from',
      'coco',
      '--to',
      'yolo',
      '--input',
      join(d, 'coco.json'),
      '--output',
      join(d, 'yolo'),
      '--images',
      join(d, 'images'),
    ]);
    expect(there).toMatchObject({ items: 3, labels: 3, regions: { bbox: 2, polygon: 1, keypoints: 0 } });
    expect(listing(join(d, 'yolo')).filter((f) => f.startsWith('images/'))).toHaveLength(3);
    const back = await convert(['--from', 'yolo', '--to', 'coco', '--input', join(d, 'yolo'), '--output', join(d, 'back.json')]);
    expect(back).toMatchObject({ items: 3, labels: 3, regions: { bbox: 2, polygon: 1 } });
    type Coco = typeof coco & { annotations: { segmentation?: number[][] }[] };
    const regionsByFile = (doc: Coco) => {
      const cat = new Map(doc.categories.map((c) => [c.id, c.name]));
      const file = new Map(doc.images.map((i) => [i.id, `${i.file_name} ${i.width}x${i.height}`]));
      const out: Record<string, string[]> = Object.fromEntries(doc.images.map((i) => [file.get(i.id)!, []]));
      for (const a of doc.annotations)
        out[file.get(a.image_id)!]!.push(
          `${cat.get(a.category_id)} ${a.bbox.join(',')} ${JSON.stringify(a.segmentation?.length ? a.segmentation : [])}`,
        );
      for (const k of Object.keys(out)) out[k]!.sort();
      return out;
    };
    expect(regionsByFile(JSON.parse(readFileSync(join(d, 'back.json'), 'utf8')) as Coco)).toEqual(regionsByFile(coco as Coco));
  });

  it('leaves no temp files and an existing file in place when the output cannot be moved into place', async () => {
    const d = sub();
    writeFileSync(
      join(d, 'in.jsonl'),
      jsonl({ id: 'x.png', image: 'x.png', width: 10, height: 10, regions: [{ type: 'bbox', label: 'a', x: 1, y: 1, w: 2, h: 2 }] }),
    );
    writeFileSync(join(d, 'out'), 'a file, not a directory\n');
    await refused(
      ['--from', 'jsonl', '--to', 'yolo', '--input', join(d, 'in.jsonl'), '--output', join(d, 'out')],
      /out: exists and is not a directory/,
    );
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('a file, not a directory\n');
    expect(listing(d)).toEqual(['in.jsonl', 'out']);
  });
});
