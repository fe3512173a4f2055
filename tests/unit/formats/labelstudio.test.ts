import { describe, expect, it } from 'vitest';
import { DATASET_FORMAT_REGISTRY, writeDataset, type Dataset, type ReadResult } from '../../../core/src/index.ts';
import { labelStudioTagNames } from '../../../core/src/formats/dataset/labelstudio.ts';
import { buildLsLabelConfig } from '../../../core/src/ml/label-config.ts';
import { LabelSchema } from '../../../core/src/schema/label-schema.ts';

const ls = DATASET_FORMAT_REGISTRY.labelstudio!;
const read = (doc: unknown): ReadResult => ls.read([{ path: 'tasks.json', text: JSON.stringify(doc) }]);
const ok = (r: ReadResult) => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message} at ${r.error.element ?? r.error.line}`);
  return r;
};
const writeJson = (d: Dataset) => {
  const { files, warnings } = writeDataset(ls, d);
  return { tasks: JSON.parse(files.get('labelstudio.json')!) as Record<string, any>[], text: files.get('labelstudio.json')!, warnings };
};

/** A rectangle on a 1000×500 image: x 50 %, y 20 %, 10 % wide (100 px), 40 % high (200 px). */
const rect = (rotation: number, id = 'box') => ({
  id,
  type: 'rectanglelabels',
  from_name: 'label',
  to_name: 'image',
  original_width: 1000,
  original_height: 500,
  value: { x: 50, y: 20, width: 10, height: 40, rotation, rectanglelabels: ['car'] },
});

describe('Label Studio images', () => {
  it('applies rotation in pixels on a non-square image: 90° stays a box, 30° becomes a polygon', () => {
    const r = ok(
      read([
        { id: 1, data: { image: '/data/upload/1/图片 1.JPG' }, annotations: [{ result: [rect(0, 'a'), rect(90, 'b'), rect(30, 'c')] }] },
      ]),
    );
    const item = r.dataset.items[0]!;
    expect(item).toMatchObject({ name: '/data/upload/1/图片 1.JPG', kind: 'image', width: 1000, height: 500 });
    const [a, b, c] = item.annotations[0]!.regions;
    expect(a).toEqual({ id: 'a', type: 'bbox', label: 'car', x: 500, y: 100, w: 100, h: 200 });
    // Rotated 90° clockwise about its top-left corner (500, 100): the 100 px side now points down, the 200 px side left.
    expect(b).toEqual({ id: 'b', type: 'bbox', label: 'car', x: 300, y: 100, w: 200, h: 100 });
    expect(c!.type).toBe('polygon');
    const s = Math.sin(Math.PI / 6);
    const co = Math.cos(Math.PI / 6);
    const pts = (c as { points: { x: number; y: number }[] }).points;
    expect(pts[0]).toEqual({ x: 500, y: 100 });
    expect(pts[1]!.x).toBeCloseTo(500 + 100 * co, 5);
    expect(pts[1]!.y).toBeCloseTo(100 + 100 * s, 5);
    expect(pts[3]!.x).toBeCloseTo(500 - 200 * s, 5);
    expect(pts[3]!.y).toBeCloseTo(100 + 200 * co, 5);
    // Side lengths are 100 and 200 px: the percent-space rotation bug would give other lengths on 1000×500.
    const len = (p: { x: number; y: number }, q: { x: number; y: number }) => Math.hypot(p.x - q.x, p.y - q.y);
    expect(len(pts[0]!, pts[1]!)).toBeCloseTo(100, 5);
    expect(len(pts[0]!, pts[3]!)).toBeCloseTo(200, 5);
    expect(r.warnings.map((w) => w.code)).toEqual(['ls_rotated_box']);
  });

  it('names the same tags as the label config sent to ML backends', () => {
    const schema = LabelSchema.parse({
      labels: [
        { name: 'car', color: '#ff0000', tool: 'bbox' },
        { name: '行人', color: '#00ff00', tool: 'polygon' },
        { name: 'person', color: '#0000ff', tool: 'keypoints', points: ['nose', 'right_eye'] },
        { name: 'day', color: '#000000', tool: 'class-single' },
        { name: 'rain', color: '#000001', tool: 'class-multi' },
      ],
    });
    const names = buildLsLabelConfig('image', schema).controls.map((c) => c.name);
    const tags = labelStudioTagNames('image');
    expect(names).toEqual([tags.bbox, tags.polygon, tags.keypoints(2), tags.classSingle, tags.classMulti]);
    expect(
      buildLsLabelConfig('text', LabelSchema.parse({ labels: [{ name: 'PER', color: '#ff0000', tool: 'span' }] })).controls[0]!.name,
    ).toBe(labelStudioTagNames('text').span);
  });

  it('groups keypoints into one region per instance and round-trips boxes, polygons, keypoints, choices and predictions', () => {
    const d: Dataset = {
      kind: 'image',
      labels: [
        { name: 'car', tool: 'bbox' },
        { name: '行人', tool: 'polygon' },
        { name: 'person', tool: 'keypoints', points: ['nose', 'left_eye', 'right_eye'] },
        { name: 'day', tool: 'class-single' },
      ],
      items: [
        {
          name: 'a.png',
          kind: 'image',
          width: 1000,
          height: 500,
          annotations: [
            {
              kind: 'annotation',
              regions: [
                { id: 'b1', type: 'bbox', label: 'car', x: 10, y: 20, w: 30.5, h: 40 },
                {
                  id: 'p1',
                  type: 'polygon',
                  label: '行人',
                  points: [
                    { x: 0, y: 0 },
                    { x: 1000, y: 0 },
                    { x: 500, y: 500 },
                  ],
                },
                {
                  id: 'k1',
                  type: 'keypoints',
                  label: 'person',
                  points: [
                    { name: 'nose', x: 100, y: 100, v: 2 },
                    { name: 'left_eye', x: 0, y: 0, v: 0 },
                    { name: 'right_eye', x: 120, y: 90, v: 2 },
                  ],
                },
                { id: 'k2', type: 'keypoints', label: 'person', points: [{ name: 'nose', x: 300, y: 100, v: 2 }] },
                { id: 'c1', type: 'class', label: 'day' },
              ],
            },
            {
              kind: 'prediction',
              regions: [{ id: 'b2', type: 'bbox', label: 'car', x: 0, y: 0, w: 1000, h: 500 }],
              provenance: { modelVersion: 'yolo-v8', score: 0.5 },
            },
          ],
        },
        { name: 'a.jpg', kind: 'image', width: 640, height: 480, annotations: [] },
      ],
    };
    const { tasks, text } = writeJson(d);
    expect(tasks).toHaveLength(2);
    expect(tasks[0]!.data).toEqual({ image: 'a.png' });
    const results = tasks[0]!.annotations[0].result as Record<string, any>[];
    expect(results[0]).toMatchObject({
      from_name: 'label',
      to_name: 'image',
      type: 'rectanglelabels',
      original_width: 1000,
      original_height: 500,
    });
    expect(results[0]!.value).toMatchObject({ x: 1, y: 4, width: 3.05, height: 8 });
    const kps = results.filter((x) => x.type === 'keypointlabels');
    expect(kps.map((x) => [x.id, x.from_name, x.value.keypointlabels[0]])).toEqual([
      ['k1.kp0', labelStudioTagNames('image').keypoints(2), 'nose'],
      ['k1.kp2', 'keypoints_2', 'right_eye'],
      ['k2.kp0', 'keypoints_2', 'nose'],
    ]);
    expect(tasks[0]!.predictions).toEqual([expect.objectContaining({ score: 0.5, model_version: 'yolo-v8' })]);
    expect(tasks[1]).toMatchObject({ data: { image: 'a.jpg' }, annotations: [], predictions: [] });

    expect(results.find((x) => x.type === 'choices')).toMatchObject({ from_name: 'choice', value: { choices: ['day'] } });
    const back = ok(ls.read([{ path: 'labelstudio.json', text }], { labels: d.labels })).dataset;
    const regions = back.items[0]!.annotations[0]!.regions;
    expect(regions.find((r) => r.id === 'b1')).toEqual(d.items[0]!.annotations[0]!.regions[0]);
    expect(regions.find((r) => r.id === 'p1')).toEqual(d.items[0]!.annotations[0]!.regions[1]);
    expect(regions.find((r) => r.id === 'k1')).toEqual({
      id: 'k1',
      type: 'keypoints',
      label: 'person',
      points: [
        { name: 'nose', x: 100, y: 100, v: 2 },
        { name: 'right_eye', x: 120, y: 90, v: 2 },
      ],
    });
    expect(regions.find((r) => r.id === 'k2')).toEqual(d.items[0]!.annotations[0]!.regions[3]);
    expect(regions.find((r) => r.id === 'c1')).toEqual({ id: 'c1', type: 'class', label: 'day' });
    expect(back.items[0]!.annotations[1]).toEqual(d.items[0]!.annotations[1]);
    expect(back.items[1]).toEqual({ name: 'a.jpg', kind: 'image', annotations: [] });

    const blind = ok(ls.read([{ path: 'labelstudio.json', text }]));
    expect(blind.dataset.items[0]!.annotations[0]!.regions.filter((r) => r.type === 'keypoints').map((r) => r.label)).toEqual([
      'keypoints_2',
      'keypoints_2',
    ]);
    expect(blind.warnings.map((w) => w.code)).toEqual(['ls_keypoint_control']);
  });

  it('groups foreign keypoints without ids: a repeated point name starts the next instance', () => {
    const kp = (name: string, x: number, id: string) => ({
      id,
      type: 'keypointlabels',
      from_name: 'kp',
      to_name: 'img',
      original_width: 200,
      original_height: 100,
      value: { x, y: 50, width: 1, keypointlabels: [name] },
    });
    const r = ok(
      read([{ data: { image: 'x.png' }, annotations: [{ result: [kp('head', 10, 'aa'), kp('tail', 20, 'bb'), kp('head', 50, 'cc')] }] }]),
    );
    const regions = r.dataset.items[0]!.annotations[0]!.regions;
    expect(regions.map((x) => (x.type === 'keypoints' ? [x.label, x.points.map((p) => `${p.name}@${p.x},${p.y}`)] : x))).toEqual([
      ['kp', ['head@20,50', 'tail@40,50']],
      ['kp', ['head@100,50']],
    ]);
  });

  it('reads shapes of plain Rectangle/Polygon controls labelled by a labels result with the same id', () => {
    const shape = { original_width: 200, original_height: 100, to_name: 'image' };
    const r = ok(
      read([
        {
          data: { image: 'x.png' },
          annotations: [
            {
              result: [
                { ...shape, id: 'r1', type: 'rectangle', from_name: 'box', value: { x: 10, y: 10, width: 50, height: 50, rotation: 0 } },
                { ...shape, id: 'r1', type: 'labels', from_name: 'lab', value: { x: 10, y: 10, width: 50, height: 50, labels: ['car'] } },
                {
                  ...shape,
                  id: 'p1',
                  type: 'polygon',
                  from_name: 'poly',
                  value: {
                    points: [
                      [0, 0],
                      [50, 0],
                      [50, 50],
                    ],
                  },
                },
                {
                  ...shape,
                  id: 'p1',
                  type: 'labels',
                  from_name: 'lab',
                  value: {
                    points: [
                      [0, 0],
                      [50, 0],
                      [50, 50],
                    ],
                    labels: ['road'],
                  },
                },
                { ...shape, id: 'u', type: 'rectangle', from_name: 'box', value: { x: 0, y: 0, width: 1, height: 1 } },
              ],
            },
          ],
        },
      ]),
    );
    expect(r.dataset.items[0]!.annotations[0]!.regions).toEqual([
      { id: 'r1', type: 'bbox', label: 'car', x: 20, y: 10, w: 100, h: 50 },
      {
        id: 'p1',
        type: 'polygon',
        label: 'road',
        points: [
          { x: 0, y: 0 },
          { x: 100, y: 0 },
          { x: 100, y: 50 },
        ],
      },
    ]);
    expect(r.warnings.map((w) => w.code)).toEqual(['ls_no_label']);
  });

  it('takes the item from the one string field of data when the config used another variable name', () => {
    const images = ok(
      read([
        { id: 3, data: { img: 's3://bucket/图片 1.JPG', n: 1 } },
        { id: 5, data: { img: '/data/upload/2/a.png' } },
      ]),
    );
    expect(images.dataset.items.map((i) => [i.kind, i.name])).toEqual([
      ['image', 's3://bucket/图片 1.JPG'],
      ['image', '/data/upload/2/a.png'],
    ]);
    const texts = ok(read([{ id: 4, data: { review: '很好😀' } }]));
    expect(texts.dataset.items.map((i) => [i.kind, i.name, i.text])).toEqual([['text', '4', '很好😀']]);
  });

  it('reads an annotation whose result is null (an empty submit) as labeled with nothing', () => {
    const r = ok(
      read([{ data: { image: 'x.png' }, annotations: [{ result: null, completed_by: 1 }], predictions: [{ result: null, score: null }] }]),
    );
    expect(r.dataset.items[0]!.annotations).toEqual([
      { kind: 'annotation', regions: [], provenance: { annotator: '1' } },
      { kind: 'prediction', regions: [] },
    ]);
  });

  it('refuses a malformed result naming the element', () => {
    const r = read([{ data: { image: 'x.png' }, annotations: [{ result: [{ ...rect(0), value: { x: 'a' } }] }] }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ file: 'tasks.json', element: 'tasks[0].annotations[0].result[0].value.x' });
    const noSize = read([{ data: { image: 'x.png' }, annotations: [{ result: [{ ...rect(0), original_width: undefined }] }] }]);
    expect(noSize.ok).toBe(false);
    if (!noSize.ok) expect(noSize.error.message).toMatch(/original_width/);
    const bad = ls.read([{ path: 'tasks.json', text: '[\n{"data": {}},\n' }]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.line).toBeGreaterThanOrEqual(2);
  });
});

describe('Label Studio text', () => {
  const TEXT = '我😀爱北京🎉和张三';

  it('reads and writes code-point offsets for spans after an emoji', () => {
    const d: Dataset = {
      kind: 'text',
      labels: [],
      items: [
        {
          name: 'doc-1',
          kind: 'text',
          text: TEXT,
          annotations: [
            {
              kind: 'gold',
              regions: [
                { id: 's1', type: 'span', label: 'LOC', start: 3, end: 5 },
                { id: 's2', type: 'span', label: 'PER', start: 7, end: 9 },
                { id: 'c', type: 'class', label: 'pos' },
                { id: 'c2', type: 'class', label: 'news' },
              ],
            },
          ],
        },
      ],
    };
    const { tasks, text } = writeJson(d);
    const result = tasks[0]!.annotations[0].result as Record<string, any>[];
    expect(tasks[0]!.annotations[0].ground_truth).toBe(true);
    expect(result[0]).toEqual({
      id: 's1',
      from_name: 'label',
      to_name: 'text',
      type: 'labels',
      value: { start: 3, end: 5, text: '北京', labels: ['LOC'] },
    });
    expect(result[1]!.value.text).toBe('张三');
    expect(result[2]).toEqual({ id: 'c', from_name: 'choice', to_name: 'text', type: 'choices', value: { choices: ['pos', 'news'] } });
    const back = ok(ls.read([{ path: 'labelstudio.json', text }])).dataset;
    expect(back.items[0]!.name).toBe('doc-1');
    expect(back.items[0]!.annotations[0]!.kind).toBe('gold');
    expect(back.items[0]!.annotations[0]!.regions).toEqual([
      { id: 's1', type: 'span', label: 'LOC', start: 3, end: 5 },
      { id: 's2', type: 'span', label: 'PER', start: 7, end: 9 },
      { id: 'c', type: 'class', label: 'pos' },
      { id: 'r1', type: 'class', label: 'news' },
    ]);
    expect(back.labels.map((l) => [l.name, l.tool])).toEqual([
      ['LOC', 'span'],
      ['PER', 'span'],
      ['pos', 'class-multi'],
      ['news', 'class-multi'],
    ]);
  });

  it('converts UTF-16 offsets of old Label Studio files, recognised by the span text, and warns', () => {
    const r = ok(
      read([
        {
          id: 9,
          data: { text: TEXT },
          annotations: [{ result: [{ id: 'x', type: 'labels', value: { start: 4, end: 6, text: '北京', labels: ['LOC'] } }] }],
        },
      ]),
    );
    expect(r.dataset.items[0]!.annotations[0]!.regions).toEqual([{ id: 'x', type: 'span', label: 'LOC', start: 3, end: 5 }]);
    expect(r.dataset.items[0]!.name).toBe('9');
    expect(r.warnings.map((w) => w.code)).toEqual(['ls_utf16_offsets']);
  });

  it('skips cancelled annotations and unsupported results with a warning, and refuses spans outside the text', () => {
    const r = ok(
      read([
        {
          data: { text: 'abc' },
          annotations: [{ was_cancelled: true, result: [] }, { result: [{ id: 'r', type: 'relation', value: {} }] }],
        },
      ]),
    );
    expect(r.dataset.items[0]!.annotations).toHaveLength(1);
    expect(r.warnings.map((w) => w.code)).toEqual(['ls_cancelled', 'ls_unsupported']);
    const bad = read([
      { data: { text: 'abc' }, annotations: [{ result: [{ id: 'x', type: 'labels', value: { start: 1, end: 9, labels: ['A'] } }] }] },
    ]);
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.error).toMatchObject({
        element: 'tasks[0].annotations[0].result[0]',
        message: expect.stringMatching(/not inside the text/),
      });
  });
});
