import type { KeypointsRegion, Region } from '../../schema/region.ts';
import { fmtNum, pickAnnotation, unlabeledWarning } from './image-common.ts';
import { readCvat } from './cvat-read.ts';
import { escapeXml, xmlElement } from './xml.ts';
import type { DatasetFormat, DatasetItem, DatasetLabel, DatasetWarning, DatasetWriter, OutputChunk, WriteOptions } from './types.ts';

/**
 * CVAT for images 1.1 XML (cvat-ai/cvat `xml_format.md`): `<meta>` with the labels (a skeleton's points
 * as sublabels with `<parent>` and its edges in `<svg>`, the way CVAT draws them), then one `<image>`
 * per item — with or without shapes — holding `<box>`, `<polygon>`, `<points>` (keypoint labels whose
 * points are just numbered 1…n and all visible), `<skeleton>` (every point of the label; absent or v = 0
 * points `outside="1"`, v = 1 `occluded="1"`) and `<tag>`. Region attributes become `<attribute>`
 * children (`occluded` the shape's own flag). Predictions are marked `source="auto"`.
 * Sections: 0 header, 1 meta (written last, once every label and attribute is known), 2 images, 3 end.
 */
const FILE = 'annotations.xml';
const pt = (x: number, y: number) => `${fmtNum(x)},${fmtNum(y)}`;

function isNumbered(label: DatasetLabel, r: KeypointsRegion): boolean {
  return (
    (label.edges?.length ?? 0) === 0 &&
    r.points.length > 0 &&
    r.points.every((p, i) => p.name === String(i + 1) && p.v === 2) &&
    (label.points ?? []).every((n, i) => n === String(i + 1))
  );
}

function skeletonSvg(points: readonly string[], edges: readonly { from: string; to: string }[]): string {
  const node = (n: string) => points.indexOf(n) + 1;
  const lines = edges
    .filter((e) => node(e.from) > 0 && node(e.to) > 0)
    .map((e) => `<line x1="0" y1="0" x2="0" y2="0" data-type="edge" data-node-from="${node(e.from)}" data-node-to="${node(e.to)}"></line>`);
  const circles = points.map(
    (n, i) =>
      `<circle r="1.5" cx="${(i % 10) * 10}" cy="${Math.floor(i / 10) * 10}" data-type="element node" data-element-id="${i + 1}" data-node-id="${i + 1}" data-label-name="${escapeXml(n)}"></circle>`,
  );
  return [...lines, ...circles].join('');
}

function cvatWriter(options?: WriteOptions): DatasetWriter {
  const warnings: DatasetWarning[] = [];
  const labels = new Map<string, { label: DatasetLabel; type?: string; attrs: Set<string> }>();
  let images = 0;
  const entry = (name: string, type: Region['type']) => {
    let e = labels.get(name);
    if (!e) labels.set(name, (e = { label: { name, tool: type === 'class' ? 'class-multi' : type }, attrs: new Set() }));
    return e;
  };

  const shape = (item: DatasetItem, r: Region, source: string): string | undefined => {
    const e = entry(r.label, r.type);
    const attrs = { ...(item.attributes?.[r.id] ?? {}) };
    const occluded = attrs.occluded === true || attrs.occluded === '1' || attrs.occluded === 1 || attrs.occluded === 'true' ? '1' : '0';
    delete attrs.occluded;
    for (const k of Object.keys(attrs)) e.attrs.add(k);
    const inner = Object.entries(attrs)
      .map(([k, v]) => `      ${xmlElement('attribute', { name: k }, String(v))}\n`)
      .join('');
    const open = (name: string, a: Record<string, string | number>) => {
      const head = xmlElement(name, { label: r.label, source, occluded, ...a, z_order: 0 }).slice(0, -2);
      return inner ? `    ${head}>\n${inner}    </${name}>\n` : `    ${head}></${name}>\n`;
    };
    switch (r.type) {
      case 'bbox':
        e.type ??= 'rectangle';
        return open('box', { xtl: fmtNum(r.x), ytl: fmtNum(r.y), xbr: fmtNum(r.x + r.w), ybr: fmtNum(r.y + r.h) });
      case 'polygon':
        e.type ??= 'polygon';
        return open('polygon', { points: r.points.map((p) => pt(p.x, p.y)).join(';') });
      case 'keypoints': {
        const label = e.label;
        if (isNumbered(label, r) && e.type !== 'skeleton') {
          e.type = 'points';
          label.points ??= r.points.map((p) => p.name);
          return open('points', { points: r.points.map((p) => pt(p.x, p.y)).join(';') });
        }
        e.type = 'skeleton';
        const names = (label.points ??= []);
        for (const p of r.points) if (!names.includes(p.name)) names.push(p.name);
        const kids = names.map((n) => {
          const p = r.points.find((q) => q.name === n);
          const a = { label: n, source, outside: !p || p.v === 0 ? 1 : 0, occluded: p?.v === 1 ? 1 : 0, points: pt(p?.x ?? 0, p?.y ?? 0) };
          return `      ${xmlElement('points', a, '')}\n`;
        });
        const head = xmlElement('skeleton', { label: r.label, source, z_order: 0 }).slice(0, -2);
        return `    ${head}>\n${kids.join('')}${inner}    </skeleton>\n`;
      }
      case 'class':
        e.type ??= 'tag';
        return `    ${xmlElement('tag', { label: r.label, source }, '').replace('></tag>', '>')}${inner ? `\n${inner}    ` : ''}</tag>\n`;
      default:
        warnings.push({
          code: 'REGION_NOT_IN_FORMAT',
          message: `"${item.name}": CVAT for images has no place for a ${r.type} region; it was left out`,
          file: FILE,
        });
        return undefined;
    }
  };

  const labelXml = (name: string, type: string, attrs: Iterable<string>, extra: string[] = []) =>
    [
      '        <label>',
      `          ${xmlElement('name', {}, name)}`,
      `          ${xmlElement('type', {}, type)}`,
      ...extra,
      '          <attributes>',
      ...[...attrs].map(
        (a) =>
          `            <attribute>${xmlElement('name', {}, a)}<mutable>False</mutable><input_type>text</input_type><default_value></default_value><values></values></attribute>`,
      ),
      '          </attributes>',
      '        </label>',
    ].join('\n');

  return {
    begin(given) {
      for (const l of given)
        labels.set(l.name, {
          label: { ...l, ...(l.points ? { points: [...l.points] } : {}) },
          attrs: new Set(),
          ...(l.tool === 'keypoints' && l.edges?.length ? { type: 'skeleton' } : {}),
        });
      return [{ file: FILE, section: 0, text: '<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n' }];
    },
    item(item) {
      const a = pickAnnotation(item, options);
      if (!a) warnings.push(unlabeledWarning(item, FILE));
      const source = a?.kind === 'prediction' ? 'auto' : 'manual';
      const shapes = (a?.regions ?? []).map((r) => shape(item, r, source)).filter((s) => s !== undefined);
      const head = xmlElement('image', { id: images, name: item.name, width: item.width ?? 0, height: item.height ?? 0 }).slice(0, -2);
      images += 1;
      const text = shapes.length > 0 ? `  ${head}>\n${shapes.join('')}  </image>\n` : `  ${head}></image>\n`;
      return [{ file: FILE, section: 2, text }] satisfies OutputChunk[];
    },
    finish() {
      const out: string[] = [];
      for (const { label, type, attrs } of labels.values()) {
        const t =
          type ??
          { bbox: 'rectangle', polygon: 'polygon', keypoints: 'skeleton', span: 'any', 'class-single': 'tag', 'class-multi': 'tag' }[
            label.tool
          ];
        if (t !== 'skeleton') {
          out.push(labelXml(label.name, t, attrs));
          continue;
        }
        const svg = `          ${xmlElement('svg', {}, skeletonSvg(label.points ?? [], label.edges ?? []))}`;
        out.push(labelXml(label.name, 'skeleton', attrs, [svg]));
        for (const p of label.points ?? []) out.push(labelXml(p, 'points', [], [`          ${xmlElement('parent', {}, label.name)}`]));
      }
      const meta = [
        '  <meta>',
        '    <task>',
        `      <size>${images}</size>`,
        '      <mode>annotation</mode>',
        '      <labels>',
        ...out,
        '      </labels>',
        '    </task>',
        '  </meta>',
        '',
      ].join('\n');
      return [
        { file: FILE, section: 1, text: meta },
        { file: FILE, section: 3, text: '</annotations>\n' },
      ];
    },
    warnings: () => warnings,
  };
}

export const cvatFormat: DatasetFormat = {
  id: 'cvat',
  kinds: ['image'],
  input: 'file',
  output: 'file',
  defaultFile: FILE,
  read: (files) => readCvat(files),
  writer: (_kind, options) => cvatWriter(options),
};
