import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATASET_FORMAT_REGISTRY, writeDataset, type Dataset, type ReadResult } from '../../../core/src/index.ts';
import { COCO_SKELETON, imageDataset, poseAsRead, regionsByItem } from './image-fixtures.ts';

const coco = DATASET_FORMAT_REGISTRY.coco!;
const read = (doc: unknown): ReadResult => coco.read([{ path: 'in.json', text: JSON.stringify(doc) }]);
const dataset = (r: ReadResult): Dataset => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.dataset;
};
const writeJson = (d: Dataset) => {
  const { files, warnings } = writeDataset(coco, d);
  return { doc: JSON.parse(files.get('annotations.json')!) as Record<string, any>, text: files.get('annotations.json')!, warnings };
};

describe('COCO', () => {
  it('round-trips boxes, polygons and a 17-point pose on a 1000×500 image, keeping every image', () => {
    const src = imageDataset();
    const { text, warnings } = writeJson(src);
    const back = dataset(coco.read([{ path: 'annotations.json', text }]));
    const want = regionsByItem(src);
    want['图片 1.JPG'] = regionsByItem({
      ...src,
      items: [
        {
          ...src.items[0]!,
          annotations: [{ kind: 'annotation', regions: [...src.items[0]!.annotations[0]!.regions.slice(0, 5), poseAsRead('k1')] }],
        },
      ],
    })['图片 1.JPG']!;
    expect(regionsByItem(back)).toEqual(want);
    expect(back.items.map((i) => [i.name, i.width, i.height])).toEqual(src.items.map((i) => [i.name, i.width, i.height]));
    // labeled with no objects vs not labeled yet
    expect(back.items.find((i) => i.name === 'empty.jpg')!.annotations).toEqual([{ kind: 'annotation', regions: [] }]);
    expect(back.items.find((i) => i.name === 'later.jpg')!.annotations).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['ITEM_UNLABELED']);
    expect(back.labels.map((l) => [l.name, l.tool, l.sourceId])).toEqual([
      ['traffic light', 'bbox', 1],
      ['行人 pedestrian', 'polygon', 3],
      ['person pose', 'keypoints', 7],
    ]);
  });

  it('writes category ids 1, 3, 7 as given, a keypoints annotation as one annotation with a 1-based skeleton', () => {
    const { doc } = writeJson(imageDataset());
    expect(doc.categories.map((c: any) => [c.id, c.name])).toEqual([
      [1, 'traffic light'],
      [3, '行人 pedestrian'],
      [7, 'person pose'],
    ]);
    expect(doc.categories[2].skeleton).toEqual(COCO_SKELETON.map((e) => [...e]));
    const img = doc.images.find((i: any) => i.file_name === '图片 1.JPG');
    const kps = doc.annotations.filter((a: any) => a.category_id === 7);
    expect(kps).toHaveLength(1);
    const kp = kps[0];
    expect(kp.image_id).toBe(img.id);
    expect(kp.keypoints).toHaveLength(51);
    const labelled = poseAsRead('k').points.filter((p) => p.v > 0);
    expect(kp.num_keypoints).toBe(labelled.length);
    expect(kp.keypoints.slice(48)).toEqual([0, 0, 0]); // right_ankle missing
    const xs = labelled.map((p) => p.x);
    const ys = labelled.map((p) => p.y);
    expect(kp.bbox).toEqual([Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)]);
    expect(doc.images.map((i: any) => i.file_name)).toEqual(['图片 1.JPG', 'empty.jpg', 'a.png', 'a.jpg', 'later.jpg']);
    expect(doc.images.find((i: any) => i.file_name === 'later.jpg').unlabeled).toBe(true);
    expect(new Set(doc.annotations.map((a: any) => a.id)).size).toBe(doc.annotations.length);
  });

  it('allocates category ids from 1 when the labels have none, and never writes id 0', () => {
    const d = imageDataset();
    d.labels = d.labels.map(({ sourceId: _s, ...l }, i) => (i === 1 ? { ...l, sourceId: 0 } : l));
    const { doc, warnings } = writeJson(d);
    expect(doc.categories.map((c: any) => c.id)).toEqual([1, 2, 3]);
    expect(warnings.map((w) => w.code)).toContain('COCO_CATEGORY_ID_CHANGED');
  });

  it('reads a crowd RLE in both count encodings into the same hand-traced polygons', () => {
    // 4×5 mask: a 2×2 square at columns 1-2, rows 0-1, and one pixel at column 3, row 2 touching it only at a corner.
    const counts = [4, 2, 2, 2, 4, 1, 5]; // column-major, starting with 0s
    const base = { images: [{ id: 1, file_name: 'm.png', width: 5, height: 4 }], categories: [{ id: 2, name: 'crowd' }] };
    const ann = (c: unknown) => ({
      id: 9,
      image_id: 1,
      category_id: 2,
      iscrowd: 1,
      bbox: [1, 0, 3, 3],
      area: 5,
      segmentation: { size: [4, 5], counts: c },
    });
    const a = dataset(read({ ...base, annotations: [ann(counts)] }));
    const b = dataset(read({ ...base, annotations: [ann('42202O1')] })); // pycocotools' compressed string of the same mask
    const want = [
      {
        id: 'a9-1',
        type: 'polygon',
        label: 'crowd',
        points: [
          { x: 1, y: 0 },
          { x: 3, y: 0 },
          { x: 3, y: 2 },
          { x: 1, y: 2 },
        ],
      },
      {
        id: 'a9-2',
        type: 'polygon',
        label: 'crowd',
        points: [
          { x: 3, y: 2 },
          { x: 4, y: 2 },
          { x: 4, y: 3 },
          { x: 3, y: 3 },
        ],
      },
    ];
    expect(a.items[0]!.annotations[0]!.regions).toEqual(want);
    expect(b.items[0]!.annotations[0]!.regions).toEqual(want);
    expect(a.items[0]!.attributes).toEqual({ 'a9-1': { iscrowd: true }, 'a9-2': { iscrowd: true } });
    expect(a.labels).toEqual([{ name: 'crowd', tool: 'polygon', sourceId: 2 }]);
  });

  it('says so when a crowd mask has a hole, and refuses counts that do not cover the image', () => {
    // 300×400: a 190×370 block with a 10×20 hole, compressed by pycocotools (mask.encode of a Fortran-order array)
    const hole = readFileSync(new URL('../../fixtures/formats/coco-rle-hole-300x400.txt', import.meta.url), 'utf8').trim();
    const base = { images: [{ id: 1, file_name: 'm.png', width: 400, height: 300 }], categories: [{ id: 1, name: 'crowd' }] };
    const r = read({
      ...base,
      annotations: [{ id: 1, image_id: 1, category_id: 1, iscrowd: 1, segmentation: { size: [300, 400], counts: hole } }],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings.map((w) => w.code)).toEqual(['COCO_MASK_HOLES']);
    expect(r.dataset.items[0]!.annotations[0]!.regions[0]).toMatchObject({
      type: 'polygon',
      points: [
        { x: 20, y: 10 },
        { x: 390, y: 10 },
        { x: 390, y: 200 },
        { x: 20, y: 200 },
      ],
    });
    const bad = read({
      ...base,
      annotations: [{ id: 1, image_id: 1, category_id: 1, iscrowd: 1, segmentation: { size: [300, 400], counts: [5, 5] } }],
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'COCO_BAD_RLE', file: 'in.json', element: 'annotations[0].segmentation' } });
  });

  it('reads an annotation with several polygons as several regions', () => {
    const d = dataset(
      read({
        images: [{ id: 1, file_name: 'x.jpg', width: 100, height: 100 }],
        categories: [{ id: 5, name: 'car' }],
        annotations: [
          {
            id: 3,
            image_id: 1,
            category_id: 5,
            bbox: [0, 0, 50, 50],
            segmentation: [
              [0, 0, 10, 0, 10, 10],
              [20, 20, 30, 20, 30, 30],
            ],
          },
        ],
      }),
    );
    expect(d.items[0]!.annotations[0]!.regions.map((r) => r.id)).toEqual(['a3-1', 'a3-2']);
  });

  it('simplifies a polygon of more than 1,000 points to the limit, with a warning', () => {
    const circle = Array.from({ length: 3000 }, (_, i) => [
      500 + 200 * Math.cos((2 * Math.PI * i) / 3000),
      250 + 200 * Math.sin((2 * Math.PI * i) / 3000),
    ]).flat();
    const r = read({
      images: [{ id: 1, file_name: 'c.jpg', width: 1000, height: 500 }],
      categories: [{ id: 1, name: 'c' }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: [circle] }],
    });
    expect(r.ok && r.warnings.map((w) => w.code)).toEqual(['COCO_POLYGON_SIMPLIFIED']);
    const poly = dataset(r).items[0]!.annotations[0]!.regions[0]!;
    expect(poly.type === 'polygon' && poly.points.length).toBeLessThanOrEqual(1000);
  });

  it('refuses an annotation whose image_id is not among the images, naming the element', () => {
    const r = read({
      images: [{ id: 1, file_name: 'x.jpg', width: 10, height: 10 }],
      categories: [{ id: 1, name: 'a' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] },
        { id: 2, image_id: 42, category_id: 1, bbox: [0, 0, 1, 1] },
      ],
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'COCO_MISSING_IMAGE', file: 'in.json', element: 'annotations[1]' } });
  });

  it('refuses malformed JSON with its line, and duplicate file names', () => {
    const r = coco.read([{ path: 'bad.json', text: '{\n "images": [\n  {"id": 1,,}\n ]\n}' }]);
    expect(r).toMatchObject({ ok: false, error: { code: 'JSON_SYNTAX', file: 'bad.json', line: 3 } });
    const dup = read({
      images: [
        { id: 1, file_name: 'x.jpg' },
        { id: 2, file_name: 'x.jpg' },
      ],
    });
    expect(dup).toMatchObject({ ok: false, error: { code: 'COCO_DUPLICATE_FILE_NAME', element: 'images[1]' } });
  });

  it('keeps provenance and prediction scores in extra fields and reads them back per annotator', () => {
    const d = imageDataset();
    d.items = [
      {
        ...d.items[2]!,
        annotations: [
          {
            kind: 'annotation',
            regions: [{ id: 'x', type: 'bbox', label: 'traffic light', x: 1, y: 2, w: 3, h: 4 }],
            provenance: { annotator: 'alice', at: '2026-12-01T10:00:00Z', guidelineVersion: '3' },
          },
          {
            kind: 'prediction',
            regions: [{ id: 'y', type: 'bbox', label: 'traffic light', x: 5, y: 6, w: 7, h: 8 }],
            provenance: { modelVersion: 'yolo-11', score: 0.75 },
          },
        ],
      },
    ];
    const { doc, text } = writeJson(d);
    expect(doc.annotations[1]).toMatchObject({ score: 0.75, provenance: { kind: 'prediction', modelVersion: 'yolo-11' } });
    const back = dataset(coco.read([{ path: 'a.json', text }]));
    expect(back.items[0]!.annotations.map((a) => [a.kind, a.provenance])).toEqual([
      ['annotation', { annotator: 'alice', at: '2026-12-01T10:00:00Z', guidelineVersion: '3' }],
      ['prediction', { modelVersion: 'yolo-11', score: 0.75 }],
    ]);
  });

  it('reads detections with their own scores as one prediction, each region keeping its score', () => {
    const det = (id: number, score: number) => ({
      id,
      image_id: 1,
      category_id: 1,
      bbox: [id, id, 5, 5],
      score,
      provenance: { kind: 'prediction', modelVersion: 'm1' },
    });
    const d = dataset(
      read({
        images: [{ id: 1, file_name: 'x.jpg', width: 50, height: 50 }],
        categories: [{ id: 1, name: 'car' }],
        annotations: [det(1, 0.9), det(2, 0.5), det(3, 0.7)],
      }),
    );
    const item = d.items[0]!;
    expect(item.annotations).toHaveLength(1);
    expect(item.annotations[0]).toMatchObject({ kind: 'prediction', provenance: { modelVersion: 'm1' } });
    expect(item.annotations[0]!.provenance!.score).toBeCloseTo(0.7, 10);
    expect(item.annotations[0]!.regions).toHaveLength(3);
    expect(item.attributes).toEqual({ a1: { score: 0.9 }, a2: { score: 0.5 }, a3: { score: 0.7 } });
    const { doc } = writeJson(d);
    expect(doc.annotations.map((a: any) => [a.score, a.attributes])).toEqual([
      [0.9, undefined],
      [0.5, undefined],
      [0.7, undefined],
    ]);
  });
});
