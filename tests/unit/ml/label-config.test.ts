import { describe, expect, it } from 'vitest';
import { SaxesParser } from 'saxes';
import { buildLsLabelConfig, type LabelSchema } from '@labelwork/core';

/** Parses the XML with a real XML parser: tags with their attributes, in document order. */
function tags(xml: string): { name: string; attrs: Record<string, string>; depth: number }[] {
  const out: { name: string; attrs: Record<string, string>; depth: number }[] = [];
  let depth = 0;
  const p = new SaxesParser();
  p.on('opentag', (t) => {
    out.push({ name: t.name, attrs: Object.fromEntries(Object.entries(t.attributes).map(([k, v]) => [k, String(v)])), depth });
    if (!t.isSelfClosing) depth++;
  });
  p.on('closetag', (t) => {
    if (!t.isSelfClosing) depth--;
  });
  p.write(xml).close();
  return out;
}

const image: LabelSchema = {
  labels: [
    { name: 'car', color: '#1f77b4', tool: 'bbox' },
    { name: 'old', color: '#000000', tool: 'bbox', retired: true },
    { name: 'road', color: '#2ca02c', tool: 'polygon' },
    { name: 'person', color: '#d62728', tool: 'keypoints', points: ['nose', 'left "eye"'] },
    { name: 'day', color: '#111111', tool: 'class-single' },
    { name: 'night', color: '#222222', tool: 'class-single' },
    { name: 'blurry', color: '#333333', tool: 'class-multi' },
  ],
};

describe('Label Studio label config', () => {
  it('names one control per tool on the Image object, with stable tag names', () => {
    const c = buildLsLabelConfig('image', image);
    const t = tags(c.xml);
    expect(t[0]).toMatchObject({ name: 'View', depth: 0 });
    expect(t[1]).toMatchObject({ name: 'Image', attrs: { name: 'image', value: '$image' } });
    const controls = t.filter((x) => x.depth === 1 && x.name !== 'Image');
    expect(controls.map((x) => [x.name, x.attrs.name, x.attrs.toName, x.attrs.choice])).toEqual([
      ['RectangleLabels', 'label', 'image', undefined],
      ['PolygonLabels', 'polygon', 'image', undefined],
      ['KeyPointLabels', 'keypoints_3', 'image', undefined],
      ['Choices', 'choice', 'image', 'single'],
      ['Choices', 'choices', 'image', 'multiple'],
    ]);
    expect(c.controls.map((x) => x.values)).toEqual([['car'], ['road'], ['nose', 'left "eye"'], ['day', 'night'], ['blurry']]);
  });

  it('leaves retired labels out and escapes label values', () => {
    const t = tags(buildLsLabelConfig('image', image).xml);
    const values = t.filter((x) => x.name === 'Label' || x.name === 'Choice').map((x) => x.attrs.value);
    expect(values).not.toContain('old');
    expect(values).toContain('left "eye"');
  });

  it('gives keypoint labels the point mapping YOLO-pose style backends read (predicted_values, model_index)', () => {
    const t = tags(buildLsLabelConfig('image', image).xml);
    const points = t.filter((x) => x.name === 'Label' && x.attrs.predicted_values);
    expect(points.map((x) => [x.attrs.value, x.attrs.predicted_values, x.attrs.model_index])).toEqual([
      ['nose', 'person', '0'],
      ['left "eye"', 'person', '1'],
    ]);
  });

  it('puts span labels on a Labels control over the Text object', () => {
    const c = buildLsLabelConfig('text', {
      labels: [
        { name: 'PER', color: '#1f77b4', tool: 'span' },
        { name: 'LOC', color: '#ff7f0e', tool: 'span' },
        { name: 'news', color: '#ff7f0e', tool: 'class-multi' },
      ],
    });
    const t = tags(c.xml);
    expect(t[1]).toMatchObject({ name: 'Text', attrs: { name: 'text', value: '$text' } });
    expect(t.find((x) => x.name === 'Labels')?.attrs).toEqual({ name: 'label', toName: 'text' });
    expect(t.find((x) => x.name === 'Choices')?.attrs).toEqual({ name: 'choices', toName: 'text', choice: 'multiple' });
    expect(t.filter((x) => x.name === 'Label').map((x) => [x.attrs.value, x.attrs.background])).toEqual([
      ['PER', '#1f77b4'],
      ['LOC', '#ff7f0e'],
    ]);
  });

  it('does not change tag names when labels are added', () => {
    const a = buildLsLabelConfig('image', { labels: [{ name: 'car', color: '#1f77b4', tool: 'bbox' }] });
    const b = buildLsLabelConfig('image', { labels: [...image.labels, { name: 'van', color: '#1f77b4', tool: 'bbox' }] });
    expect(a.controls[0]!.name).toBe(b.controls[0]!.name);
  });
});
