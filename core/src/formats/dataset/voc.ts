import type { Region } from '../../schema/region.ts';
import {
  attrsFor,
  boundsOf,
  fail,
  fmtNum,
  isTruthyAttr,
  LabelBook,
  pickAnnotation,
  ReadFailure,
  readWith,
  safeRelativePath,
  StemAllocator,
  unlabeledWarning,
} from './image-common.ts';
import { child, childText, children, escapeXml, parseXml, type XmlElement } from './xml.ts';
import type {
  DatasetFormat,
  DatasetItem,
  DatasetWarning,
  DatasetWriter,
  InputFile,
  ReadOptions,
  ReadResult,
  WriteOptions,
} from './types.ts';

/**
 * Pascal VOC XML: one `Annotations/<stem>.xml` per image (images without objects too), boxes in
 * 1-based inclusive pixels — a Labelwork box x, y, w, h is `xmin = x + 1, ymin = y + 1, xmax = x + w,
 * ymax = y + h`, so a box over a whole 1000×500 image is 1, 1, 1000, 500 — and `truncated`,
 * `difficult`, `occluded` and `pose` kept as region attributes. Polygons are written as their
 * bounding boxes and keypoints left out, each with a warning (VOC has only boxes).
 * `ImageSets/Main/default.txt` lists the annotation ids. XML with a DOCTYPE or custom entities is refused.
 */

function num(el: XmlElement, name: string, file: string): number {
  const t = childText(el, name);
  const n = t === undefined || t === '' ? NaN : Number(t);
  if (!Number.isFinite(n))
    return fail('VOC_BAD_BOX', `<${name}> must be a number`, file, { line: (child(el, name) ?? el).line, element: name });
  return n;
}

export function readVoc(files: readonly InputFile[], options: ReadOptions = {}): ReadResult {
  return readWith((warnings) => {
    const xmls = files
      .filter((f) => f.path.toLowerCase().endsWith('.xml'))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (xmls.length === 0) return fail('NO_INPUT', 'no VOC annotation (.xml) files given', files[0]?.path ?? '');
    const book = new LabelBook();
    const items: DatasetItem[] = [];
    const seen = new Map<string, string>();
    for (const f of xmls) {
      const parsed = parseXml(f.path, f.text);
      if (!parsed.ok) throw new ReadFailure(parsed.error);
      const root = parsed.root;
      if (root.name !== 'annotation')
        return fail('VOC_SHAPE', `the root element is <${root.name}>, not <annotation>`, f.path, { line: root.line });
      const name = childText(root, 'filename') || childText(root, 'path')?.split(/[\\/]/).pop();
      if (!name) return fail('VOC_SHAPE', 'the annotation has no <filename>', f.path, { line: root.line, element: 'filename' });
      if (seen.has(name))
        return fail('VOC_DUPLICATE_FILE_NAME', `"${name}" is also annotated in ${seen.get(name)}`, f.path, { element: 'filename' });
      seen.set(name, f.path);
      const item: DatasetItem = { name, kind: 'image', annotations: [] };
      const size = child(root, 'size');
      const w = size ? Number(childText(size, 'width')) : NaN;
      const h = size ? Number(childText(size, 'height')) : NaN;
      const known = options.imageSizes?.get(name);
      if (w > 0 && h > 0) Object.assign(item, { width: w, height: h });
      else if (known) Object.assign(item, known);
      const regions: Region[] = [];
      children(root, 'object').forEach((o, i) => {
        const label = childText(o, 'name');
        if (!label) return fail('VOC_SHAPE', 'an <object> has no <name>', f.path, { line: o.line, element: `object[${i}]` });
        const box = child(o, 'bndbox');
        if (!box) return fail('VOC_BAD_BOX', 'an <object> has no <bndbox>', f.path, { line: o.line, element: `object[${i}]` });
        let [xmin, ymin] = [num(box, 'xmin', f.path), num(box, 'ymin', f.path)];
        const [xmax, ymax] = [num(box, 'xmax', f.path), num(box, 'ymax', f.path)];
        if (xmin < 1 || ymin < 1) {
          warnings.push({
            code: 'VOC_ZERO_BASED',
            message: `object ${i + 1} starts at ${xmin}, ${ymin}; VOC is 1-based, read as the image edge`,
            file: f.path,
            line: box.line,
          });
          xmin = Math.max(1, xmin);
          ymin = Math.max(1, ymin);
        }
        if (xmax < xmin - 1 || ymax < ymin - 1)
          return fail('VOC_BAD_BOX', `xmax/ymax (${xmax}, ${ymax}) lie before xmin/ymin (${xmin}, ${ymin})`, f.path, {
            line: box.line,
            element: `object[${i}].bndbox`,
          });
        const id = `o${i + 1}`;
        regions.push({ id, type: 'bbox', label, x: xmin - 1, y: ymin - 1, w: xmax - xmin + 1, h: ymax - ymin + 1 });
        book.declare({ name: label, tool: 'bbox' });
        for (const flag of ['truncated', 'difficult', 'occluded']) if (childText(o, flag) === '1') attrsFor(item, id)[flag] = true;
        const pose = childText(o, 'pose');
        if (pose && pose !== 'Unspecified') attrsFor(item, id).pose = pose;
      });
      item.annotations.push({ kind: 'annotation', regions });
      items.push(item);
    }
    return { kind: 'image', labels: book.settle(items, xmls[0]!.path, warnings), items };
  });
}

function vocWriter(options?: WriteOptions): DatasetWriter {
  const warnings: DatasetWarning[] = [];
  const stems = new StemAllocator();
  const ids: string[] = [];
  return {
    begin: () => [],
    item(item) {
      const safe = safeRelativePath(item.name);
      const stem = stems.allocate(safe.path);
      if (safe.changed)
        warnings.push({ code: 'PATH_SANITIZED', message: `"${item.name}" is not a plain relative path; its annotation is ${stem}.xml` });
      const file = `Annotations/${stem}.xml`;
      ids.push(stem);
      const a = pickAnnotation(item, options);
      if (!a) warnings.push(unlabeledWarning(item, file));
      const objects: string[] = [];
      for (const r of a?.regions ?? []) {
        let b: { x: number; y: number; w: number; h: number };
        if (r.type === 'bbox') b = r;
        else if (r.type === 'polygon') {
          b = boundsOf(r.points);
          warnings.push({
            code: 'VOC_POLYGON_AS_BOX',
            message: `"${item.name}": a polygon of "${r.label}" is written as its bounding box`,
            file,
          });
        } else {
          warnings.push({
            code: 'REGION_NOT_IN_FORMAT',
            message: `"${item.name}": VOC has no place for a ${r.type} region; it was left out`,
            file,
          });
          continue;
        }
        const attrs = item.attributes?.[r.id] ?? {};
        const flag = (k: string) => (isTruthyAttr(attrs[k]) ? '1' : '0');
        const pose = typeof attrs.pose === 'string' && attrs.pose !== '' ? attrs.pose : 'Unspecified';
        objects.push(
          [
            '  <object>',
            `    <name>${escapeXml(r.label)}</name>`,
            `    <pose>${escapeXml(pose)}</pose>`,
            `    <truncated>${flag('truncated')}</truncated>`,
            `    <difficult>${flag('difficult')}</difficult>`,
            ...(attrs.occluded === undefined ? [] : [`    <occluded>${flag('occluded')}</occluded>`]),
            '    <bndbox>',
            `      <xmin>${fmtNum(b.x + 1)}</xmin>`,
            `      <ymin>${fmtNum(b.y + 1)}</ymin>`,
            `      <xmax>${fmtNum(b.x + b.w)}</xmax>`,
            `      <ymax>${fmtNum(b.y + b.h)}</ymax>`,
            '    </bndbox>',
            '  </object>',
          ].join('\n'),
        );
      }
      if (item.width === undefined || item.height === undefined)
        warnings.push({ code: 'IMAGE_SIZE_MISSING', message: `"${item.name}" has no width and height; <size> says 0`, file });
      const xml = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<annotation>',
        '  <folder>JPEGImages</folder>',
        `  <filename>${escapeXml(item.name)}</filename>`,
        `  <size><width>${item.width ?? 0}</width><height>${item.height ?? 0}</height><depth>3</depth></size>`,
        '  <segmented>0</segmented>',
        ...objects,
        '</annotation>',
        '',
      ].join('\n');
      return [{ file, text: xml }];
    },
    finish: () => [{ file: 'ImageSets/Main/default.txt', text: ids.map((id) => `${id}\n`).join('') }],
    warnings: () => warnings,
  };
}

export const vocFormat: DatasetFormat = {
  id: 'voc',
  kinds: ['image'],
  input: 'dir',
  output: 'dir',
  read: (files, options) => readVoc(files, options),
  writer: (_kind, options) => vocWriter(options),
};
