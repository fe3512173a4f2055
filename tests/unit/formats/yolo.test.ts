import { describe, expect, it } from 'vitest';
import { DATASET_FORMAT_REGISTRY, type Dataset, type DatasetItem, type ReadResult } from '../../../core/src/index.ts';
import { img2labelPath } from '../../../core/src/formats/dataset/yolo-layout.ts';
import { imageDataset, poseAsRead, regionsByItem } from './image-fixtures.ts';
import { writeImageDataset } from './image-io.ts';

const yolo = DATASET_FORMAT_REGISTRY.yolo!;
const ok = (r: ReadResult): Dataset => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.dataset;
};
const only = (d: Dataset, types: string[]): Dataset => ({
  ...d,
  labels: d.labels.filter((l) => types.includes(l.tool)),
  items: d.items.map((it) => ({
    ...it,
    annotations: it.annotations.map((a) => ({ ...a, regions: a.regions.filter((r) => types.includes(r.type)) })),
  })),
});

describe('YOLO', () => {
  it('round-trips boxes on a 1000×500 image, keeps empty and unlabeled images apart, and gives a.png and a.jpg their own label files', () => {
    const src = only(imageDataset(), ['bbox']);
    const out = writeImageDataset(yolo, src);
    expect([...out.files.keys()].sort()).toEqual([
      'data.yaml',
      'labels/a.txt',
      'labels/a_jpg.txt',
      'labels/empty.txt',
      'labels/图片 1.txt',
    ]);
    expect(out.images).toEqual({
      '图片 1.JPG': 'images/图片 1.JPG',
      'empty.jpg': 'images/empty.jpg',
      'a.png': 'images/a.png',
      'a.jpg': 'images/a_jpg.jpg',
      'later.jpg': 'images/later.jpg',
    });
    expect(out.files.get('labels/empty.txt')).toBe('');
    expect(out.files.get('labels/图片 1.txt')!.split('\n')[0]).toBe('0 0.05 0.05 0.1 0.1');
    expect(out.warnings.map((w) => w.code).sort()).toEqual(['ITEM_UNLABELED', 'YOLO_RENAMED']);
    const back = ok(yolo.read(out.inputFiles, out.readOptions));
    expect(regionsByItem(back)).toEqual(regionsByItem(src));
    expect(back.items.map((i) => i.name).sort()).toEqual(src.items.map((i) => i.name).sort());
    expect(back.items.find((i) => i.name === 'empty.jpg')!.annotations).toEqual([{ kind: 'annotation', regions: [] }]);
    expect(back.items.find((i) => i.name === 'later.jpg')!.annotations).toEqual([]);
    expect(back.labels.map((l) => [l.name, l.sourceId])).toEqual([['traffic light', 0]]);
  });

  it('writes a 17-point pose with kpt_shape, flip_idx and visibility, and reads back one keypoints region per line', () => {
    const src = only(imageDataset(), ['keypoints']);
    const out = writeImageDataset(yolo, src);
    const yaml = out.files.get('data.yaml')!;
    expect(yaml).toContain('kpt_shape: [17, 3]');
    expect(yaml).toContain('flip_idx: [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]');
    const line = out.files.get('labels/图片 1.txt')!.trim().split(' ');
    expect(line).toHaveLength(5 + 17 * 3);
    expect(line.slice(-3)).toEqual(['0', '0', '0']); // right_ankle is missing
    const back = ok(yolo.read(out.inputFiles, out.readOptions));
    const regions = back.items.find((i) => i.name === '图片 1.JPG')!.annotations[0]!.regions;
    expect(regions).toHaveLength(1);
    expect(regions[0]).toEqual({ ...poseAsRead('k1'), id: regions[0]!.id });
    expect(back.labels[0]).toMatchObject({
      name: 'person pose',
      tool: 'keypoints',
      points: src.labels[0]!.points,
      edges: src.labels[0]!.edges,
    });
  });

  it('writes boxes beside a pose as pose lines without keypoints and reads them back as boxes (mixed boxes and keypoints round-trip)', () => {
    const src = only(imageDataset(), ['bbox', 'keypoints']);
    const out = writeImageDataset(yolo, src);
    const yaml = out.files.get('data.yaml')!;
    expect(yaml).toContain('kpt_shape: [17, 3]');
    const lines = out.files.get('labels/图片 1.txt')!.trim().split('\n');
    // Every line of a pose dataset has a box and 17 keypoints, as Ultralytics requires.
    for (const l of lines) expect(l.split(' ')).toHaveLength(5 + 17 * 3);
    expect(out.warnings.map((w) => w.code)).not.toContain('YOLO_MIXED_TASKS');
    const back = ok(yolo.read(out.inputFiles, out.readOptions));
    const regions = back.items.find((i) => i.name === '图片 1.JPG')!.annotations[0]!.regions;
    const srcRegions = src.items.find((i) => i.name === '图片 1.JPG')!.annotations[0]!.regions;
    expect(regions.map((r) => r.type).sort()).toEqual(srcRegions.map((r) => r.type).sort());
    const boxes = (rs: typeof regions) =>
      rs
        .filter((r) => r.type === 'bbox')
        .map((r) => JSON.stringify({ ...r, id: '' }))
        .sort();
    expect(boxes(regions)).toEqual(boxes(srcRegions));
    expect(back.labels.map((l) => [l.name, l.tool])).toEqual(
      expect.arrayContaining([
        ['traffic light', 'bbox'],
        ['person pose', 'keypoints'],
      ]),
    );
  });

  it('writes and reads the split layout images/<split> ↔ labels/<split>, polygons included', () => {
    const src = only(imageDataset(), ['polygon']);
    src.items = src.items.slice(0, 2).map((it, i): DatasetItem => ({ ...it, meta: { split: i === 0 ? 'train' : 'val' } }));
    const out = writeImageDataset(yolo, src);
    expect(out.files.get('data.yaml')).toContain('train: images/train\nval: images/val\n');
    expect(out.images['图片 1.JPG']).toBe('images/train/图片 1.JPG');
    expect(out.files.has('labels/val/empty.txt')).toBe(true);
    const back = ok(yolo.read(out.inputFiles, out.readOptions));
    expect(regionsByItem(back)).toEqual(regionsByItem(src));
    expect(back.items.map((i) => [i.name, i.meta?.split])).toEqual([
      ['图片 1.JPG', 'train'],
      ['empty.jpg', 'val'],
    ]);
    for (const p of Object.values(out.images)) expect(out.files.has(img2labelPath(p))).toBe(true);
  });

  it('reads names given as a list or as a mapping, and the Roboflow layout <split>/images', () => {
    const sizes = new Map([['train/images/x.jpg', { width: 100, height: 50 }]]);
    for (const yaml of ['names: [cat, dog]', 'names:\n  0: cat\n  1: dog']) {
      const d = ok(
        yolo.read(
          [
            { path: 'data.yaml', text: `${yaml}\n` },
            { path: 'train/labels/x.txt', text: '1 0.5 0.5 0.2 0.4\n' },
          ],
          { imageSizes: sizes },
        ),
      );
      expect(d.items[0]).toMatchObject({
        name: 'x.jpg',
        meta: { split: 'train' },
        annotations: [{ regions: [{ type: 'bbox', label: 'dog', x: 40, y: 15, w: 20, h: 20 }] }],
      });
    }
  });

  it('pairs labels with bare image names (as a project knows its items), and says which label files have no image', () => {
    const sizes = new Map(['x.jpg', 'y.jpg', 'z.jpg'].map((n) => [n, { width: 200, height: 100 }]));
    const r = yolo.read(
      [
        { path: 'data.yaml', text: 'names: {0: cat}\n' },
        { path: 'labels/train/x.txt', text: '0 0.5 0.5 0.5 0.5\n' },
        { path: 'labels/y.txt', text: '' },
        { path: 'labels/w.txt', text: '0 0.5 0.5 0.5 0.5\n' },
      ],
      { imageSizes: sizes, imageNames: [...sizes.keys()] },
    );
    expect(r.ok && r.warnings.map((w) => [w.code, w.file])).toEqual([['YOLO_ORPHAN_LABEL', 'labels/w.txt']]);
    const d = ok(r);
    expect(d.items.map((i) => [i.name, i.meta?.split, i.annotations.map((a) => a.regions.length)])).toEqual([
      ['x.jpg', 'train', [1]],
      ['y.jpg', undefined, [0]],
      ['z.jpg', undefined, []],
    ]);
    expect(d.items[0]!.annotations[0]!.regions[0]).toMatchObject({ x: 50, y: 25, w: 100, h: 50 });
  });

  it('reads images listed under images/ and by base name (as the CLI keys sizes) once each, renamed ones under their own name', () => {
    const src = only(imageDataset(), ['bbox']);
    const out = writeImageDataset(yolo, src);
    const sizes = new Map(out.readOptions.imageSizes);
    for (const [k, v] of out.readOptions.imageSizes!) sizes.set(k.slice(k.lastIndexOf('/') + 1), v);
    const back = ok(yolo.read(out.inputFiles, { imageSizes: sizes, imageNames: out.readOptions.imageNames }));
    expect(back.items.map((i) => i.name).sort()).toEqual(src.items.map((i) => i.name).sort());
    const onlySizes = ok(yolo.read(out.inputFiles, { imageSizes: out.readOptions.imageSizes }));
    expect(regionsByItem(onlySizes)).toEqual(regionsByItem(src));
  });

  it('keeps a folder called images inside a name out of the img2label_paths rule and restores the name when read', () => {
    const d: Dataset = {
      kind: 'image',
      labels: [{ name: 'car', tool: 'bbox' }],
      items: [
        {
          name: 'site/images/x.jpg',
          kind: 'image',
          width: 100,
          height: 50,
          annotations: [{ kind: 'annotation', regions: [{ id: 'b', type: 'bbox', label: 'car', x: 10, y: 10, w: 20, h: 20 }] }],
        },
      ],
    };
    const out = writeImageDataset(yolo, d);
    expect(out.images['site/images/x.jpg']).toBe('images/site/_images/x.jpg');
    expect(out.files.has(img2labelPath(out.images['site/images/x.jpg']!))).toBe(true);
    const back = ok(yolo.read(out.inputFiles, out.readOptions));
    expect(regionsByItem(back)).toEqual(regionsByItem(d));
  });

  it('clips a box reaching outside the image to it instead of writing values outside [0, 1], and says so', () => {
    const d: Dataset = {
      kind: 'image',
      labels: [{ name: 'car', tool: 'bbox' }],
      items: [
        {
          name: 'x.jpg',
          kind: 'image',
          width: 100,
          height: 50,
          annotations: [{ kind: 'annotation', regions: [{ id: 'b', type: 'bbox', label: 'car', x: -10, y: 40, w: 30, h: 20 }] }],
        },
      ],
    };
    const out = writeImageDataset(yolo, d);
    expect(out.files.get('labels/x.txt')).toBe('0 0.1 0.9 0.2 0.2\n');
    expect(out.warnings.map((w) => w.code)).toEqual(['YOLO_CLIPPED']);
  });

  it('refuses a bad line, a class outside names and a missing image size, naming the file and line', () => {
    const sizes = new Map([['images/x.jpg', { width: 100, height: 50 }]]);
    const read = (label: string, s = sizes) =>
      yolo.read(
        [
          { path: 'data.yaml', text: 'names: [cat]\n' },
          { path: 'labels/x.txt', text: label },
        ],
        { imageSizes: s, imageNames: ['images/x.jpg'] },
      );
    expect(read('0 0.5 0.5 0.1 0.1\n0 0.5 oops 0.1 0.1\n')).toMatchObject({
      ok: false,
      error: { code: 'YOLO_BAD_LINE', file: 'labels/x.txt', line: 2 },
    });
    expect(read('0 0.5 0.5 0.1\n')).toMatchObject({ ok: false, error: { code: 'YOLO_BAD_LINE', line: 1 } });
    expect(read('0 1.5 0.5 0.1 0.1\n')).toMatchObject({ ok: false, error: { code: 'YOLO_BAD_LINE', line: 1 } });
    expect(read('\n3 0.5 0.5 0.1 0.1\n')).toMatchObject({ ok: false, error: { code: 'YOLO_BAD_CLASS', line: 2 } });
    const noSize = read('0 0.5 0.5 0.1 0.1\n', new Map());
    expect(noSize).toMatchObject({ ok: false, error: { code: 'YOLO_IMAGE_SIZE', file: 'labels/x.txt', line: 1 } });
    expect(!noSize.ok && noSize.error.message).toContain('images/x.jpg');
    expect(yolo.read([{ path: 'data.yaml', text: 'names: [a\n  b: 2' }])).toMatchObject({
      ok: false,
      error: { code: 'YOLO_YAML', file: 'data.yaml' },
    });
  });
});
