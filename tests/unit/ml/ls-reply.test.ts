import { describe, expect, it } from 'vitest';
import {
  buildLsLabelConfig,
  convertLsPredictReply,
  convertNativePredictReply,
  MAX_REGIONS,
  type LabelSchema,
  type TaskExtent,
} from '@labelwork/core';

const schema: LabelSchema = {
  labels: [
    { name: 'car', color: '#1f77b4', tool: 'bbox' },
    { name: 'pedestrian', color: '#d62728', tool: 'bbox' },
    { name: 'road', color: '#2ca02c', tool: 'polygon' },
    { name: 'person', color: '#9467bd', tool: 'keypoints', points: ['nose', 'tail'] },
    { name: 'day', color: '#111111', tool: 'class-single' },
    { name: 'night', color: '#222222', tool: 'class-single' },
  ],
};
const config = buildLsLabelConfig('image', schema);
const img: TaskExtent = { kind: 'image', width: 640, height: 480 };
const box = (label: string, v: Record<string, unknown> = {}) => ({
  from_name: 'label',
  to_name: 'image',
  type: 'rectanglelabels',
  value: { x: 10, y: 10, width: 50, height: 20, rectanglelabels: [label], ...v },
});

describe('Label Studio /predict reply', () => {
  it('converts the body label-studio-ml-backend returns to pixel regions with score and model version', () => {
    const reply = {
      results: [
        { result: [box('car', { rotation: 0 }), { ...box('pedestrian'), score: 0.5 }], score: 0.87, model_version: 'yolo-1' },
        {
          result: [
            {
              from_name: 'polygon',
              to_name: 'image',
              type: 'polygonlabels',
              value: {
                points: [
                  [0, 0],
                  [50, 0],
                  [50, 50],
                ],
                polygonlabels: ['road'],
              },
            },
            { from_name: 'choice', to_name: 'image', type: 'choices', value: { choices: ['night'] }, score: 0.25 },
          ],
        },
      ],
    };
    const r = convertLsPredictReply(reply, config, schema, [img, img]);
    expect(r).toEqual({
      ok: true,
      predictions: [
        {
          regions: [
            { id: 'p1', type: 'bbox', label: 'car', x: 64, y: 48, w: 320, h: 96 },
            { id: 'p2', type: 'bbox', label: 'pedestrian', x: 64, y: 48, w: 320, h: 96 },
          ],
          score: 0.87,
          modelVersion: 'yolo-1',
        },
        {
          regions: [
            {
              id: 'p1',
              type: 'polygon',
              label: 'road',
              points: [
                { x: 0, y: 0 },
                { x: 320, y: 0 },
                { x: 320, y: 240 },
              ],
            },
            { id: 'p2', type: 'class', label: 'night' },
          ],
          score: 0.25,
          modelVersion: null,
        },
      ],
    });
  });

  it('takes the best-scored prediction when a task gets a list (ModelResponse) and none from an empty list', () => {
    const r = convertLsPredictReply(
      {
        results: [
          [
            { result: [box('car')], score: 0.2 },
            { result: [box('pedestrian')], score: 0.9 },
          ],
          [],
        ],
      },
      config,
      schema,
      [img, img],
    );
    expect(r.ok && r.predictions.map((p) => [p.regions.map((g) => g.label), p.score])).toEqual([
      [['pedestrian'], 0.9],
      [[], null],
    ]);
  });

  it('groups keypoint regions into one instance per parent, mapping the control back to its label', () => {
    const kp = (name: string, x: number, parentID?: string) => ({
      from_name: 'keypoints_3',
      to_name: 'image',
      type: 'keypointlabels',
      value: { x, y: 50, width: 0.5, keypointlabels: [name] },
      ...(parentID ? { parentID } : {}),
    });
    const r = convertLsPredictReply(
      { results: [{ result: [kp('nose', 10, 'a'), kp('nose', 20, 'b'), kp('tail', 30, 'a')] }] },
      config,
      schema,
      [img],
    );
    expect(r.ok && r.predictions[0]!.regions).toEqual([
      {
        id: 'p1',
        type: 'keypoints',
        label: 'person',
        points: [
          { name: 'nose', x: 64, y: 240, v: 2 },
          { name: 'tail', x: 192, y: 240, v: 2 },
        ],
      },
      { id: 'p2', type: 'keypoints', label: 'person', points: [{ name: 'nose', x: 128, y: 240, v: 2 }] },
    ]);
  });

  it('turns a rotated rectangle into the pixel box enclosing it', () => {
    const r = convertLsPredictReply(
      { results: [{ result: [box('car', { x: 50, y: 0, width: 25, height: 25, rotation: 90 })] }] },
      config,
      schema,
      [{ kind: 'image', width: 400, height: 400 }],
    );
    expect(r.ok).toBe(true);
    const g = r.ok ? r.predictions[0]!.regions[0]! : null;
    expect(g?.type === 'bbox' && [g.x, g.y, g.w, g.h].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([100, 0, 100, 100]);
  });

  it('clamps rounding noise at the image border but refuses coordinates outside the image', () => {
    const ok = convertLsPredictReply(
      { results: [{ result: [box('car', { x: -1e-12, y: 0, width: 100, height: 100 })] }] },
      config,
      schema,
      [img],
    );
    expect(ok.ok && ok.predictions[0]!.regions[0]).toMatchObject({ x: 0, y: 0, w: 640, h: 480 });
    for (const v of [{ x: 120 }, { x: -5 }, { x: 60, width: 50 }, { rotation: 200 }]) {
      const r = convertLsPredictReply({ results: [{ result: [box('car', v)] }] }, config, schema, [img]);
      expect(r.ok ? null : r.error.reason).toBe('outside_image');
    }
  });

  const refusals: [string, unknown, string][] = [
    ['not JSON of the protocol', { predictions: [] }, 'reply_malformed'],
    ['fewer results than tasks', { results: [] }, 'reply_length'],
    ['an unknown from_name', { results: [{ result: [{ ...box('car'), from_name: 'bbox' }] }] }, 'unknown_tag'],
    ['a wrong to_name', { results: [{ result: [{ ...box('car'), to_name: 'text' }] }] }, 'unknown_tag'],
    ['a type that does not fit the control', { results: [{ result: [{ ...box('car'), type: 'polygonlabels' }] }] }, 'wrong_type'],
    ['a label the config does not offer', { results: [{ result: [box('truck')] }] }, 'unknown_label'],
    ['HTML in a label', { results: [{ result: [box('<img src=x onerror=alert(1)>')] }] }, 'html_in_label'],
    ['a box with two labels', { results: [{ result: [box('car', { rectanglelabels: ['car', 'pedestrian'] })] }] }, 'reply_malformed'],
    ['a NaN-free but non-numeric coordinate', { results: [{ result: [box('car', { x: '10' })] }] }, 'reply_malformed'],
    ['a huge label', { results: [{ result: [box('x'.repeat(10_000))] }] }, 'reply_malformed'],
    ['too many regions', { results: [{ result: Array.from({ length: MAX_REGIONS + 1 }, () => box('car')) }] }, 'reply_malformed'],
    [
      'two single choices',
      { results: [{ result: [{ from_name: 'choice', to_name: 'image', type: 'choices', value: { choices: ['day', 'night'] } }] }] },
      'invalid_region',
    ],
  ];
  it.each(refusals)('refuses %s with a clear reason', (_what, reply, reason) => {
    const r = convertLsPredictReply(reply, config, schema, [img]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.reason).toBe(reason);
      expect(r.error.message.length).toBeGreaterThan(5);
    }
  });

  it('reports the task and path of the first bad region', () => {
    const r = convertLsPredictReply({ results: [{ result: [box('car')] }, { result: [box('car'), box('bus')] }] }, config, schema, [
      img,
      img,
    ]);
    expect(r).toMatchObject({
      ok: false,
      error: { reason: 'unknown_label', task: 1, path: ['results', 1, 'result', 1, 'value', 'rectanglelabels', 0] },
    });
  });
});

describe('Label Studio text spans', () => {
  const ner: LabelSchema = {
    labels: [
      { name: 'PER', color: '#1f77b4', tool: 'span' },
      { name: 'LOC', color: '#ff7f0e', tool: 'span' },
    ],
  };
  const nerConfig = buildLsLabelConfig('text', ner);
  const text = '\u{1F600}张三在北京';
  const task: TaskExtent = { kind: 'text', length: 6, text };
  const span = (start: number, end: number, label: string, t?: string) => ({
    from_name: 'label',
    to_name: 'text',
    type: 'labels',
    value: { start, end, labels: [label], ...(t === undefined ? {} : { text: t }) },
  });

  it('keeps code-point offsets (an emoji is one) and checks them against the text', () => {
    const r = convertLsPredictReply({ results: [{ result: [span(1, 3, 'PER', '张三'), span(4, 6, 'LOC', '北京')] }] }, nerConfig, ner, [
      task,
    ]);
    expect(r.ok && r.predictions[0]!.regions).toEqual([
      { id: 'p1', type: 'span', label: 'PER', start: 1, end: 3 },
      { id: 'p2', type: 'span', label: 'LOC', start: 4, end: 6 },
    ]);
  });

  it('refuses UTF-16 offsets (the text does not match) and spans past the end', () => {
    const utf16 = convertLsPredictReply({ results: [{ result: [span(2, 4, 'PER', '张三')] }] }, nerConfig, ner, [task]);
    expect(utf16.ok ? null : utf16.error.reason).toBe('text_mismatch');
    const past = convertLsPredictReply({ results: [{ result: [span(5, 7, 'LOC')] }] }, nerConfig, ner, [task]);
    expect(past.ok ? null : past.error.reason).toBe('outside_text');
  });
});

describe('native /predict reply', () => {
  it('accepts Labelwork regions in pixels and renumbers their ids', () => {
    const r = convertNativePredictReply(
      { results: [{ regions: [{ id: 'x', type: 'bbox', label: 'car', x: 1, y: 2, w: 3, h: 4 }], score: 0.4, modelVersion: 'm1' }] },
      schema,
      [img],
    );
    expect(r).toEqual({
      ok: true,
      predictions: [{ regions: [{ id: 'p1', type: 'bbox', label: 'car', x: 1, y: 2, w: 3, h: 4 }], score: 0.4, modelVersion: 'm1' }],
    });
  });

  it('refuses regions outside the image, unknown labels, markup and a wrong count', () => {
    const one = (g: Record<string, unknown>) => convertNativePredictReply({ results: [{ regions: [g] }] }, schema, [img]);
    const reason = (r: ReturnType<typeof one>) => (r.ok ? null : r.error.reason);
    expect(reason(one({ id: 'a', type: 'bbox', label: 'car', x: 600, y: 0, w: 100, h: 10 }))).toBe('invalid_region');
    expect(reason(one({ id: 'a', type: 'bbox', label: 'bus', x: 0, y: 0, w: 1, h: 1 }))).toBe('invalid_region');
    expect(reason(one({ id: 'a', type: 'bbox', label: '<b>car</b>', x: 0, y: 0, w: 1, h: 1 }))).toBe('html_in_label');
    expect(reason(one({ id: 'a', type: 'bbox', label: 'car', x: 0, y: 0, w: -1, h: 1 }))).toBe('reply_malformed');
    expect(reason(convertNativePredictReply({ results: [] }, schema, [img]))).toBe('reply_length');
  });
});
