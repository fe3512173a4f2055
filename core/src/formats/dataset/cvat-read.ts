import type { KeypointsRegion, Region } from '../../schema/region.ts';
import type { Tool } from '../../schema/label-schema.ts';
import { attrsFor, fail, LabelBook, readWith } from './image-common.ts';
import { child, childText, children, descendants, parseXml, type XmlElement } from './xml.ts';
import type { DatasetItem, DatasetLabel, DatasetWarning, InputFile, ReadResult } from './types.ts';

const TOOL_OF_TYPE: Record<string, Tool> = {
  rectangle: 'bbox',
  polygon: 'polygon',
  points: 'keypoints',
  skeleton: 'keypoints',
  tag: 'class-multi',
};

/** Point names and edges of a skeleton label from its sublabels and the `<svg>` CVAT stores the drawing in. */
function skeletonOf(label: XmlElement, sublabels: string[]): { points: string[]; edges: { from: string; to: string }[] } {
  const svg = childText(label, 'svg') ?? '';
  const byNode = new Map<string, string>();
  for (const m of svg.matchAll(/<circle\b[^>]*>/g)) {
    const id = /data-node-id="(\d+)"/.exec(m[0])?.[1];
    const name = /data-label-name="([^"]*)"/.exec(m[0])?.[1];
    if (id && name) byNode.set(id, name);
  }
  const edges: { from: string; to: string }[] = [];
  for (const m of svg.matchAll(/<line\b[^>]*>/g)) {
    const from = byNode.get(/data-node-from="(\d+)"/.exec(m[0])?.[1] ?? '');
    const to = byNode.get(/data-node-to="(\d+)"/.exec(m[0])?.[1] ?? '');
    if (from && to) edges.push({ from, to });
  }
  const ordered = [...byNode.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map((e) => e[1]);
  const points = ordered.length > 0 ? [...ordered, ...sublabels.filter((s) => !ordered.includes(s))] : sublabels;
  return { points, edges };
}

const xy = (s: string) => {
  const [x, y] = s.split(',').map((v) => Number(v.trim()));
  return { x: x!, y: y! };
};

/**
 * Reads CVAT for images 1.1: labels from `<meta>` (task, job or project; skeleton sublabels by `<parent>`,
 * edges from the label's `<svg>`), `<image>` elements with `<box>` (rotated boxes become polygons),
 * `<polygon>`, `<points>`, `<skeleton>` and `<tag>`, each shape's `occluded` and `<attribute>`s kept as
 * region attributes. Polylines, ellipses, cuboids and masks are left out with a warning naming their line.
 */
export function readCvat(files: readonly InputFile[]): ReadResult {
  return readWith((warnings) => {
    const input = files.find((f) => f.path.toLowerCase().endsWith('.xml')) ?? files[0];
    if (!input) return fail('NO_INPUT', 'no CVAT XML file given', '');
    const file = input.path;
    const parsed = parseXml(file, input.text);
    if (!parsed.ok)
      return fail(parsed.error.code, parsed.error.message, file, { ...(parsed.error.line ? { line: parsed.error.line } : {}) });
    const root = parsed.root;
    if (root.name !== 'annotations')
      return fail('CVAT_SHAPE', `the root element is <${root.name}>, not <annotations>`, file, { line: root.line });
    const version = childText(root, 'version');
    if (version && version !== '1.1')
      warnings.push({ code: 'CVAT_VERSION', message: `version ${version}; this reader follows CVAT for images 1.1`, file });

    const book = new LabelBook();
    const meta = child(root, 'meta');
    const labelEls = meta ? descendants(meta, 'label').filter((l) => childText(l, 'name')) : [];
    const subOf = new Map<string, string[]>();
    for (const l of labelEls) {
      const parent = childText(l, 'parent');
      if (parent) subOf.set(parent, [...(subOf.get(parent) ?? []), childText(l, 'name')!]);
    }
    for (const l of labelEls) {
      if (childText(l, 'parent')) continue;
      const name = childText(l, 'name')!;
      const type = childText(l, 'type') ?? 'any';
      const label: DatasetLabel = { name, tool: TOOL_OF_TYPE[type] ?? 'bbox' };
      if (type === 'skeleton') Object.assign(label, skeletonOf(l, subOf.get(name) ?? []));
      book.declare(label);
    }

    const items: DatasetItem[] = [];
    const names = new Set<string>();
    for (const im of children(root, 'image')) {
      const name = im.attrs.name;
      if (!name) return fail('CVAT_SHAPE', 'an <image> has no name', file, { line: im.line, element: 'image' });
      if (names.has(name))
        return fail('CVAT_DUPLICATE_FILE_NAME', `image "${name}" appears twice`, file, { line: im.line, element: 'image' });
      names.add(name);
      const item: DatasetItem = { name, kind: 'image', annotations: [] };
      const w = Number(im.attrs.width);
      const h = Number(im.attrs.height);
      if (w > 0 && h > 0) Object.assign(item, { width: w, height: h });
      const regions: Region[] = [];
      im.children.forEach((s, i) => {
        const r = shapeRegion(s, `s${i + 1}`, book, { file, warnings });
        if (!r) return;
        regions.push(r);
        if (s.attrs.occluded === '1') attrsFor(item, r.id).occluded = true;
        for (const a of children(s, 'attribute')) if (a.attrs.name) attrsFor(item, r.id)[a.attrs.name] = a.text;
      });
      item.annotations.push({ kind: 'annotation', regions });
      items.push(item);
    }
    return { kind: 'image', labels: book.settle(items, file, warnings), items };
  });
}

function shapeRegion(s: XmlElement, id: string, book: LabelBook, where: { file: string; warnings: DatasetWarning[] }): Region | undefined {
  const { file, warnings } = where;
  const label = s.attrs.label;
  const at = { line: s.line, element: s.name };
  if (!label) return fail('CVAT_SHAPE', `<${s.name}> has no label`, file, at);
  const num = (k: string) => {
    const n = Number(s.attrs[k]);
    if (s.attrs[k] === undefined || !Number.isFinite(n)) return fail('CVAT_BAD_SHAPE', `<${s.name}> needs a numeric ${k}`, file, at);
    return n;
  };
  const pointList = () => {
    const raw = s.attrs.points ?? '';
    const pts = raw
      .split(';')
      .filter((p) => p.trim() !== '')
      .map(xy);
    if (pts.some((p) => !Number.isFinite(p.x) || !Number.isFinite(p.y)))
      return fail('CVAT_BAD_SHAPE', `<${s.name}> points must be "x,y;x,y;…"`, file, at);
    return pts;
  };
  switch (s.name) {
    case 'box': {
      const [x1, y1, x2, y2] = [num('xtl'), num('ytl'), num('xbr'), num('ybr')];
      if (x2 < x1 || y2 < y1) return fail('CVAT_BAD_SHAPE', 'a box needs xbr ≥ xtl and ybr ≥ ytl', file, at);
      const rot = Number(s.attrs.rotation ?? 0);
      if (!rot) return { id, type: 'bbox', label, x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
      // CVAT rotates clockwise (degrees) about the box centre; Labelwork boxes are axis-aligned, so the turned box is a polygon.
      const cx = (x1 + x2) / 2;
      const cy = (y1 + y2) / 2;
      const [c, sn] = [Math.cos((rot * Math.PI) / 180), Math.sin((rot * Math.PI) / 180)];
      const turn = (x: number, y: number) => ({ x: cx + (x - cx) * c - (y - cy) * sn, y: cy + (x - cx) * sn + (y - cy) * c });
      warnings.push({ code: 'CVAT_ROTATED_BOX', message: `a box rotated by ${rot}° was read as a 4-point polygon`, file, line: s.line });
      return { id, type: 'polygon', label, points: [turn(x1, y1), turn(x2, y1), turn(x2, y2), turn(x1, y2)] };
    }
    case 'polygon': {
      const points = pointList();
      if (points.length < 3) return fail('CVAT_BAD_SHAPE', 'a polygon needs at least 3 points', file, at);
      return { id, type: 'polygon', label, points };
    }
    case 'points': {
      const pts = pointList();
      if (pts.length === 0) return fail('CVAT_BAD_SHAPE', 'a points shape needs at least one point', file, at);
      const l = book.get(label) ?? book.declare({ name: label, tool: 'keypoints' });
      const names = pts.map((_, j) => String(j + 1));
      if (!l.points || l.points.length < names.length) l.points = names;
      return { id, type: 'keypoints', label, points: pts.map((p, j) => ({ name: names[j]!, x: p.x, y: p.y, v: 2 as const })) };
    }
    case 'skeleton': {
      const l = book.get(label) ?? book.declare({ name: label, tool: 'keypoints', points: [] });
      const given = new Map(children(s, 'points').map((p) => [p.attrs.label ?? '', p]));
      for (const n of given.keys()) if (!(l.points ?? []).includes(n)) (l.points ??= []).push(n);
      const points: KeypointsRegion['points'] = [];
      for (const name of l.points ?? []) {
        const p = given.get(name);
        if (!p) continue;
        const pt = xy(p.attrs.points ?? '');
        if (!Number.isFinite(pt.x) || !Number.isFinite(pt.y))
          return fail('CVAT_BAD_SHAPE', `skeleton point "${name}" needs points="x,y"`, file, { line: p.line, element: 'points' });
        points.push({ name, ...pt, v: p.attrs.outside === '1' ? 0 : p.attrs.occluded === '1' ? 1 : 2 });
      }
      if (points.length === 0) return fail('CVAT_BAD_SHAPE', 'a skeleton needs at least one point', file, at);
      return { id, type: 'keypoints', label, points };
    }
    case 'tag':
      return { id, type: 'class', label };
    default:
      warnings.push({
        code: 'CVAT_SHAPE_SKIPPED',
        message: `<${s.name}> shapes are not read (Labelwork has boxes, polygons, keypoints and tags)`,
        file,
        line: s.line,
      });
      return undefined;
  }
}
