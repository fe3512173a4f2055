import { describe, expect, it } from 'vitest';
import {
  buildLsAnnotationWebhook,
  buildLsAssistContext,
  buildLsLabelConfig,
  buildNativeAssistContext,
  clampHint,
  convertLsPredictReply,
  type LabelSchema,
} from '@labelwork/core';

const image: LabelSchema = {
  labels: [
    { name: 'car', color: '#1f77b4', tool: 'bbox' },
    { name: 'old', color: '#000000', tool: 'bbox', retired: true },
    { name: 'road', color: '#2ca02c', tool: 'polygon' },
    { name: 'person', color: '#d62728', tool: 'keypoints', points: ['nose', 'tail'] },
    { name: 'day', color: '#111111', tool: 'class-single' },
  ],
};
const config = buildLsLabelConfig('image', image);
const size = { width: 800, height: 400 };

describe('the interactive context (params.context)', () => {
  it('sends a rough box as a rectanglelabels result in percent, as the SAM examples read it', () => {
    const ctx = buildLsAssistContext({ kind: 'box', x: 200, y: 100, w: 80, h: 200 }, 'car', config, image, size);
    expect(ctx).toEqual({
      result: [
        {
          id: 'assist1',
          from_name: 'label',
          to_name: 'image',
          type: 'rectanglelabels',
          original_width: 800,
          original_height: 400,
          image_rotation: 0,
          is_positive: true,
          origin: 'manual',
          value: { x: 25, y: 25, width: 10, height: 50, rotation: 0, rectanglelabels: ['car'] },
        },
      ],
    });
    // What segment_anything_model/model.py computes from it: x * original_width / 100 gives the pixels back.
    const r = ctx!.result[0]! as {
      value: { x: number; y: number; width: number; height: number };
      original_width: number;
      original_height: number;
    };
    expect([(r.value.x * r.original_width) / 100, (r.value.y * r.original_height) / 100]).toEqual([200, 100]);
    expect([(r.value.width * r.original_width) / 100, (r.value.height * r.original_height) / 100]).toEqual([80, 200]);
  });

  it('sends a click as a positive keypointlabels result naming the control of the label', () => {
    const ctx = buildLsAssistContext({ kind: 'point', x: 400, y: 100 }, 'road', config, image, size);
    expect(ctx!.result).toHaveLength(1);
    expect(ctx!.result[0]).toMatchObject({
      from_name: 'polygon',
      to_name: 'image',
      type: 'keypointlabels',
      is_positive: true,
      original_width: 800,
      original_height: 400,
      value: { x: 50, y: 25, keypointlabels: ['road'] },
    });
  });

  it('cuts a box to the image and refuses one outside it, and labels that are not box or polygon labels', () => {
    expect(clampHint({ kind: 'box', x: -50, y: 350, w: 100, h: 100 }, 800, 400)).toEqual({ kind: 'box', x: 0, y: 350, w: 50, h: 50 });
    expect(clampHint({ kind: 'point', x: 900, y: -3 }, 800, 400)).toEqual({ kind: 'point', x: 800, y: 0 });
    expect(buildLsAssistContext({ kind: 'box', x: 900, y: 10, w: 50, h: 50 }, 'car', config, image, size)).toBeNull();
    for (const label of ['old', 'person', 'day', 'nope'])
      expect(buildLsAssistContext({ kind: 'point', x: 1, y: 1 }, label, config, image, size)).toBeNull();
  });

  it('gives native backends the hint in pixels, and a box hint also as a bbox region', () => {
    expect(buildNativeAssistContext({ kind: 'box', x: 10, y: 20, w: 30, h: 40 }, 'car', image, size)).toEqual({
      regions: [{ id: 'hint1', type: 'bbox', label: 'car', x: 10, y: 20, w: 30, h: 40 }],
      hints: [{ kind: 'box', x: 10, y: 20, w: 30, h: 40, label: 'car' }],
    });
    expect(buildNativeAssistContext({ kind: 'point', x: 5, y: 6 }, 'road', image, size)).toEqual({
      regions: [],
      hints: [{ kind: 'point', x: 5, y: 6, label: 'road', positive: true }],
    });
  });
});

describe('the annotation webhook body', () => {
  const input = {
    action: 'ANNOTATION_CREATED' as const,
    kind: 'image' as const,
    labelSchema: image,
    project: { id: 7, title: 'streets', labelConfig: config.xml },
    task: { id: 42, data: { image: 'https://lw.example/api/ml/media/f?s=1' } },
    extent: { width: 800, height: 400 },
    annotation: {
      id: 3,
      regions: [
        { id: 'a', type: 'bbox' as const, label: 'car', x: 80, y: 40, w: 160, h: 100 },
        {
          id: 'b',
          type: 'polygon' as const,
          label: 'road',
          points: [
            { x: 0, y: 400 },
            { x: 800, y: 400 },
            { x: 400, y: 200 },
          ],
        },
        { id: 'c', type: 'class' as const, label: 'day' },
      ],
      completedBy: 5,
      createdAt: '2026-12-06T10:00:00.000Z',
      updatedAt: '2026-12-06T10:00:00.000Z',
      leadTimeS: 12.5,
    },
  };

  it('has the fields label_studio_ml reads: action, project id and label_config, the annotation result and the task', () => {
    const body = buildLsAnnotationWebhook(input);
    expect(body.action).toBe('ANNOTATION_CREATED');
    expect(body.project).toEqual({ id: 7, title: 'streets', label_config: config.xml });
    expect(body.task).toEqual({ id: 42, data: { image: 'https://lw.example/api/ml/media/f?s=1' }, project: 7, is_labeled: true, meta: {} });
    expect(body.annotation).toMatchObject({ id: 3, task: 42, project: 7, completed_by: 5, lead_time: 12.5, ground_truth: false });
    expect(body.annotation!.result).toEqual([
      expect.objectContaining({
        from_name: 'label',
        to_name: 'image',
        type: 'rectanglelabels',
        value: { x: 10, y: 10, width: 20, height: 25, rotation: 0, rectanglelabels: ['car'] },
      }),
      expect.objectContaining({
        from_name: 'polygon',
        type: 'polygonlabels',
        value: {
          points: [
            [0, 100],
            [100, 100],
            [50, 50],
          ],
          closed: true,
          polygonlabels: ['road'],
        },
      }),
      expect.objectContaining({ from_name: 'choice', to_name: 'image', type: 'choices', value: { choices: ['day'] } }),
    ]);
  });

  it('names tags a prediction may name: the result reads back through the reply validator to the same pixels', () => {
    const body = buildLsAnnotationWebhook(input);
    const back = convertLsPredictReply({ results: [{ result: body.annotation!.result }] }, config, image, [
      { kind: 'image', width: 800, height: 400 },
    ]);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.predictions[0]!.regions).toEqual([
      expect.objectContaining({ type: 'bbox', label: 'car', x: 80, y: 40, w: 160, h: 100 }),
      expect.objectContaining({ type: 'polygon', label: 'road' }),
      expect.objectContaining({ type: 'class', label: 'day' }),
    ]);
  });

  it('counts text offsets in code points', () => {
    const text = '😀张三在北京';
    const schema: LabelSchema = { labels: [{ name: 'PER', color: '#000000', tool: 'span' }] };
    const body = buildLsAnnotationWebhook({
      ...input,
      kind: 'text',
      labelSchema: schema,
      project: { ...input.project, labelConfig: buildLsLabelConfig('text', schema).xml },
      task: { id: 1, data: { text } },
      extent: { text },
      annotation: { ...input.annotation, regions: [{ id: 's', type: 'span', label: 'PER', start: 1, end: 3 }] },
    });
    expect(body.annotation!.result).toEqual([
      { id: 's', from_name: 'label', to_name: 'text', type: 'labels', value: { start: 1, end: 3, text: '张三', labels: ['PER'] } },
    ]);
  });
});
