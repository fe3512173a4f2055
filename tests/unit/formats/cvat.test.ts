import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATASET_FORMAT_REGISTRY, writeDataset, type Dataset, type ReadResult } from '../../../core/src/index.ts';
import { imageDataset, poseAsRead, regionsByItem } from './image-fixtures.ts';

const cvat = DATASET_FORMAT_REGISTRY.cvat!;
const ok = (r: ReadResult): Dataset => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.dataset;
};
const sample = readFileSync(new URL('../../fixtures/formats/cvat-images-1.1.xml', import.meta.url), 'utf8');

describe('CVAT for images 1.1', () => {
  it('reads boxes, polygons, skeletons with their edges, tags and attributes from a CVAT job export', () => {
    const r = cvat.read([{ path: 'annotations.xml', text: sample }]);
    expect(r.ok && r.warnings.map((w) => [w.code, w.line])).toEqual([['CVAT_SHAPE_SKIPPED', 83]]);
    const d = ok(r);
    expect(d.labels.find((l) => l.name === 'hand')).toEqual({
      name: 'hand',
      tool: 'keypoints',
      points: ['wrist', 'knuckle', 'tip'],
      edges: [
        { from: 'wrist', to: 'knuckle' },
        { from: 'knuckle', to: 'tip' },
      ],
    });
    expect(d.labels.map((l) => [l.name, l.tool])).toEqual([
      ['car', 'bbox'],
      ['hand', 'keypoints'],
      ['road 路', 'polygon'],
      ['night', 'class-multi'],
    ]);
    const [img, empty] = d.items;
    expect(img!.annotations[0]!.regions).toEqual([
      { id: 's1', type: 'bbox', label: 'car', x: 0, y: 0, w: 1000, h: 500 },
      {
        id: 's2',
        type: 'polygon',
        label: 'road 路',
        points: [
          { x: 10.5, y: 20 },
          { x: 300, y: 40 },
          { x: 250, y: 480 },
        ],
      },
      {
        id: 's3',
        type: 'keypoints',
        label: 'hand',
        points: [
          { name: 'wrist', x: 100, y: 100, v: 2 },
          { name: 'knuckle', x: 120, y: 110, v: 1 },
          { name: 'tip', x: 0, y: 0, v: 0 },
        ],
      },
      { id: 's5', type: 'class', label: 'night' },
    ]);
    expect(img!.attributes).toEqual({ s1: { occluded: true, colour: 'blue' } });
    expect(empty).toMatchObject({ name: 'empty.jpg', width: 640, height: 480, annotations: [{ kind: 'annotation', regions: [] }] });
  });

  it('round-trips what it reads: regions, skeleton edges and attributes', () => {
    const d = ok(cvat.read([{ path: 'a.xml', text: sample }]));
    const out = writeDataset(cvat, d).files.get('annotations.xml')!;
    const back = ok(cvat.read([{ path: 'annotations.xml', text: out }]));
    expect(regionsByItem(back)).toEqual(regionsByItem(d));
    expect(back.labels).toEqual(d.labels);
    expect(back.items[0]!.attributes).toEqual(d.items[0]!.attributes);
  });

  it('round-trips the shared fixture: a 17-point skeleton, Chinese names, an image without objects', () => {
    const src = imageDataset();
    const { files, warnings } = writeDataset(cvat, src);
    const text = files.get('annotations.xml')!;
    expect(text).toContain('<image id="1" name="empty.jpg" width="640" height="480"></image>');
    expect(warnings.map((w) => w.code)).toEqual(['ITEM_UNLABELED']);
    const back = ok(cvat.read([{ path: 'annotations.xml', text }]));
    const want = regionsByItem(src);
    const pose = poseAsRead('k1');
    want['图片 1.JPG'] = (want['图片 1.JPG'] as { type: string }[]).map((r) =>
      r.type === 'keypoints' ? { type: 'keypoints', label: pose.label, points: pose.points } : r,
    );
    expect(regionsByItem(back)).toEqual(want);
    expect(back.labels.find((l) => l.name === 'person pose')).toMatchObject({ points: src.labels[2]!.points, edges: src.labels[2]!.edges });
    expect(back.items.map((i) => i.name)).toEqual(src.items.map((i) => i.name));
  });

  it('reads a rotated box as a polygon turned about its centre', () => {
    const xml =
      '<annotations><image id="0" name="r.jpg" width="100" height="100"><box label="car" xtl="10" ytl="10" xbr="30" ybr="20" rotation="90"/></image></annotations>';
    const r = cvat.read([{ path: 'r.xml', text: xml }]);
    expect(r.ok && r.warnings[0]!.code).toBe('CVAT_ROTATED_BOX');
    const poly = ok(r).items[0]!.annotations[0]!.regions[0]!;
    expect(poly.type).toBe('polygon');
    if (poly.type !== 'polygon') return;
    const round = poly.points.map((p) => ({ x: Math.round(p.x * 1e6) / 1e6, y: Math.round(p.y * 1e6) / 1e6 }));
    expect(round).toEqual([
      { x: 25, y: 5 },
      { x: 25, y: 25 },
      { x: 15, y: 25 },
      { x: 15, y: 5 },
    ]);
  });

  it('refuses a DOCTYPE, an external entity and a bad shape with the file and line', () => {
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE annotations [\n<!ENTITY x SYSTEM "http://example.com/x">\n]>\n<annotations>&x;</annotations>';
    expect(cvat.read([{ path: 'evil.xml', text: xxe }])).toMatchObject({
      ok: false,
      error: { code: 'XML_DOCTYPE', file: 'evil.xml', line: 4 },
    });
    const bad =
      '<annotations>\n<image id="0" name="a.jpg" width="10" height="10">\n<box label="car" xtl="1" ytl="x" xbr="3" ybr="4"/>\n</image>\n</annotations>';
    expect(cvat.read([{ path: 'bad.xml', text: bad }])).toMatchObject({
      ok: false,
      error: { code: 'CVAT_BAD_SHAPE', file: 'bad.xml', line: 3, element: 'box' },
    });
  });
});
