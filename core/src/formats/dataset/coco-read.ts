import { MAX_POLYGON_POINTS, type KeypointsRegion, type Region } from '../../schema/region.ts';
import { decodeRle, maskOutlines, rleCountsFromString, simplifyRing } from '../../geometry/mask.ts';
import { attrsFor, fail, LabelBook, readWith } from './image-common.ts';
import { isFiniteNumber, isRecord, parseJsonFile } from './json-input.ts';
import type { DatasetAnnotation, DatasetItem, DatasetLabel, DatasetWarning, InputFile, Provenance, ReadResult } from './types.ts';

/**
 * Reads a COCO file: detection boxes, polygon segmentation (several polygons → several regions),
 * crowd RLE in both count encodings (traced into polygons), keypoints (one keypoints region per
 * annotation; its bbox is not a second region). Category ids are kept as `sourceId`.
 */
export function readCoco(files: readonly InputFile[]): ReadResult {
  return readWith((warnings) => {
    const input = files.find((f) => f.path.toLowerCase().endsWith('.json')) ?? files[0];
    if (!input) return fail('NO_INPUT', 'no COCO JSON file given', '');
    const file = input.path;
    const doc = parseJsonFile(file, input.text);
    if (!isRecord(doc)) return fail('COCO_SHAPE', 'a COCO file is a JSON object with images, annotations and categories', file);
    const list = (key: string, required: boolean): unknown[] => {
      const v = doc[key];
      if (v === undefined && !required) return [];
      if (!Array.isArray(v)) return fail('COCO_SHAPE', `"${key}" must be an array`, file, { element: key });
      return v;
    };
    const images = list('images', true);
    const annotations = list('annotations', false);
    const categories = list('categories', false);

    const book = new LabelBook();
    const catById = new Map<number, DatasetLabel>();
    categories.forEach((c, i) => {
      const element = `categories[${i}]`;
      if (!isRecord(c) || !Number.isInteger(c.id) || typeof c.name !== 'string' || c.name === '')
        return fail('COCO_BAD_CATEGORY', 'a category needs an integer id and a name', file, { element });
      const id = c.id as number;
      if (catById.has(id)) return fail('COCO_DUPLICATE_ID', `category id ${id} appears twice`, file, { element });
      if (book.get(c.name)) return fail('COCO_DUPLICATE_CATEGORY', `category name "${c.name}" appears twice`, file, { element });
      const label: DatasetLabel = { name: c.name, tool: 'bbox', sourceId: id };
      if (Array.isArray(c.keypoints) && c.keypoints.length > 0) {
        if (!c.keypoints.every((k) => typeof k === 'string'))
          return fail('COCO_BAD_CATEGORY', 'category keypoints must be names', file, { element: `${element}.keypoints` });
        const points = c.keypoints as string[];
        if (new Set(points).size !== points.length)
          return fail('COCO_BAD_CATEGORY', 'category keypoint names must be unique', file, { element: `${element}.keypoints` });
        label.tool = 'keypoints';
        label.points = points;
        const skeleton = Array.isArray(c.skeleton) ? c.skeleton : [];
        label.edges = skeleton.map((e, j) => {
          const ok = Array.isArray(e) && e.length === 2 && e.every((n) => Number.isInteger(n) && n >= 1 && n <= points.length);
          if (!ok)
            return fail('COCO_BAD_SKELETON', `skeleton edges are pairs of 1-based indices into the ${points.length} keypoints`, file, {
              element: `${element}.skeleton[${j}]`,
            });
          return { from: points[(e as number[])[0]! - 1]!, to: points[(e as number[])[1]! - 1]! };
        });
      }
      catById.set(id, book.declare(label));
    });

    const items: DatasetItem[] = [];
    const itemById = new Map<number, { item: DatasetItem; groups: Map<string, DatasetAnnotation> }>();
    const names = new Set<string>();
    images.forEach((im, i) => {
      const element = `images[${i}]`;
      if (!isRecord(im) || !Number.isInteger(im.id) || typeof im.file_name !== 'string' || im.file_name === '')
        return fail('COCO_BAD_IMAGE', 'an image needs an integer id and a file_name', file, { element });
      const id = im.id as number;
      if (itemById.has(id)) return fail('COCO_DUPLICATE_ID', `image id ${id} appears twice`, file, { element });
      if (names.has(im.file_name)) return fail('COCO_DUPLICATE_FILE_NAME', `file_name "${im.file_name}" appears twice`, file, { element });
      names.add(im.file_name);
      const item: DatasetItem = { name: im.file_name, kind: 'image', annotations: [] };
      if (isFiniteNumber(im.width) && im.width > 0 && isFiniteNumber(im.height) && im.height > 0) {
        item.width = im.width;
        item.height = im.height;
      }
      items.push(item);
      itemById.set(id, { item, groups: new Map() });
    });

    const annIds = new Set<number>();
    const scores = new Map<DatasetAnnotation, { sum: number; n: number }>();
    annotations.forEach((a, i) => {
      const element = `annotations[${i}]`;
      if (!isRecord(a)) return fail('COCO_BAD_ANNOTATION', 'an annotation must be an object', file, { element });
      if (a.id !== undefined) {
        if (!Number.isInteger(a.id)) return fail('COCO_BAD_ANNOTATION', 'annotation id must be an integer', file, { element });
        if (annIds.has(a.id as number)) return fail('COCO_DUPLICATE_ID', `annotation id ${String(a.id)} appears twice`, file, { element });
        annIds.add(a.id as number);
      }
      const target = itemById.get(a.image_id as number);
      if (!target)
        return fail('COCO_MISSING_IMAGE', `annotation points at image_id ${JSON.stringify(a.image_id)}, which is not in "images"`, file, {
          element,
        });
      const label = catById.get(a.category_id as number);
      if (!label)
        return fail(
          'COCO_MISSING_CATEGORY',
          `annotation points at category_id ${JSON.stringify(a.category_id)}, which is not in "categories"`,
          file,
          {
            element,
          },
        );
      const rid = `a${a.id === undefined ? `i${i}` : String(a.id)}`;
      const regions = annotationRegions(a, rid, label, { file, element, warnings });
      const provenance = isRecord(a.provenance) ? a.provenance : undefined;
      const kindRaw = provenance?.kind;
      const kind: DatasetAnnotation['kind'] =
        kindRaw === 'prediction' || kindRaw === 'gold' || kindRaw === 'consensus' || kindRaw === 'annotation' ? kindRaw : 'annotation';
      // One annotation per kind and author; a detection's own `score` stays on its regions (attribute `score`),
      // and the annotation's score is the mean of its regions' (results files give every box its own score).
      const prov = readProvenance(provenance);
      const score = isFiniteNumber(a.score) ? a.score : isFiniteNumber(provenance?.score) ? provenance.score : undefined;
      const key = JSON.stringify([kind, prov ?? null]);
      let group = target.groups.get(key);
      if (!group) {
        group = { kind, regions: [], ...(prov ? { provenance: prov } : {}) };
        target.groups.set(key, group);
        target.item.annotations.push(group);
      }
      group.regions.push(...regions);
      if (score !== undefined) {
        const s = scores.get(group) ?? { sum: 0, n: 0 };
        scores.set(group, { sum: s.sum + score, n: s.n + 1 });
      }
      const attrs = isRecord(a.attributes) ? a.attributes : {};
      for (const r of regions) {
        for (const [k, v] of Object.entries(attrs))
          if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attrsFor(target.item, r.id)[k] = v;
        if (a.iscrowd === 1) attrsFor(target.item, r.id).iscrowd = true;
        if (score !== undefined) attrsFor(target.item, r.id).score = score;
      }
    });
    for (const [group, { sum, n }] of scores) group.provenance = { ...group.provenance, score: sum / n };
    // An image listed with no annotations was labeled and has no objects, unless the file says it was not labeled yet.
    for (const im of images) {
      const t = itemById.get((im as { id: number }).id)!;
      if (t.item.annotations.length === 0 && (im as { unlabeled?: unknown }).unlabeled !== true)
        t.item.annotations.push({ kind: 'annotation', regions: [] });
    }
    return { kind: 'image', labels: book.settle(items, file, warnings), items };
  });
}

function readProvenance(p: Record<string, unknown> | undefined): Provenance | undefined {
  const out: Provenance = {};
  for (const k of ['annotator', 'at', 'guidelineVersion', 'verdict', 'modelVersion'] as const)
    if (typeof p?.[k] === 'string') out[k] = p[k];
  return Object.keys(out).length > 0 ? out : undefined;
}

interface Where {
  file: string;
  element: string;
  warnings: DatasetWarning[];
}

function annotationRegions(a: Record<string, unknown>, rid: string, label: DatasetLabel, where: Where): Region[] {
  const { file, element } = where;
  if (label.points && Array.isArray(a.keypoints)) {
    const kp = a.keypoints;
    if (kp.length !== label.points.length * 3 || !kp.every(isFiniteNumber))
      return fail('COCO_BAD_KEYPOINTS', `keypoints must be ${label.points.length} (x, y, v) triplets of numbers`, file, {
        element: `${element}.keypoints`,
      });
    const points: KeypointsRegion['points'] = label.points.map((name, j) => {
      const v = kp[3 * j + 2] as number;
      if (v !== 0 && v !== 1 && v !== 2)
        return fail('COCO_BAD_KEYPOINTS', `keypoint visibility must be 0, 1 or 2, not ${v}`, file, {
          element: `${element}.keypoints[${3 * j + 2}]`,
        });
      return { name, x: kp[3 * j] as number, y: kp[3 * j + 1] as number, v };
    });
    return [{ id: rid, type: 'keypoints', label: label.name, points }];
  }
  const seg = a.segmentation;
  if (isRecord(seg)) return rleRegions(seg, rid, label.name, where);
  if (Array.isArray(seg) && seg.length > 0) {
    return seg.map((poly, k) => {
      if (!Array.isArray(poly) || poly.length < 6 || poly.length % 2 !== 0 || !poly.every(isFiniteNumber))
        return fail('COCO_BAD_POLYGON', 'a polygon is a flat list of at least 3 (x, y) pairs', file, {
          element: `${element}.segmentation[${k}]`,
        });
      const all = [];
      for (let j = 0; j < poly.length; j += 2) all.push({ x: poly[j] as number, y: poly[j + 1] as number });
      const { ring: points, tolerance } = simplifyRing(all, MAX_POLYGON_POINTS);
      if (tolerance > 0)
        where.warnings.push({
          code: 'COCO_POLYGON_SIMPLIFIED',
          message: `${element}.segmentation[${k}]: a polygon of ${all.length} points was simplified to ${points.length} (within ${tolerance} px; Labelwork keeps up to ${MAX_POLYGON_POINTS})`,
          file,
        });
      return { id: seg.length === 1 ? rid : `${rid}-${k + 1}`, type: 'polygon', label: label.name, points } as Region;
    });
  }
  const b = a.bbox;
  if (!Array.isArray(b) || b.length !== 4 || !b.every(isFiniteNumber) || (b[2] as number) < 0 || (b[3] as number) < 0)
    return fail('COCO_BAD_BBOX', 'bbox must be [x, y, width, height] with a non-negative width and height', file, {
      element: `${element}.bbox`,
    });
  const [x, y, w, h] = b as number[];
  return [{ id: rid, type: 'bbox', label: label.name, x: x!, y: y!, w: w!, h: h! }];
}

function rleRegions(seg: Record<string, unknown>, rid: string, label: string, where: Where): Region[] {
  const { file, element, warnings } = where;
  const size = seg.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && (n as number) > 0))
    return fail('COCO_BAD_RLE', 'RLE size must be [height, width]', file, { element: `${element}.segmentation.size` });
  const [h, w] = size as number[];
  let counts: number[];
  let mask: Uint8Array;
  try {
    if (typeof seg.counts === 'string') counts = rleCountsFromString(seg.counts);
    else if (Array.isArray(seg.counts) && seg.counts.every((n) => Number.isInteger(n))) counts = seg.counts as number[];
    else
      return fail('COCO_BAD_RLE', 'RLE counts must be a list of integers or a compressed string', file, {
        element: `${element}.segmentation.counts`,
      });
    mask = decodeRle(h!, w!, counts);
  } catch (e) {
    return fail('COCO_BAD_RLE', e instanceof Error ? e.message : String(e), file, { element: `${element}.segmentation` });
  }
  const { outlines, holes } = maskOutlines(mask, w!, h!);
  if (outlines.length === 0) {
    warnings.push({ code: 'COCO_EMPTY_MASK', message: `${element}: the RLE mask has no pixels set; no region was made from it`, file });
    return [];
  }
  if (holes > 0)
    warnings.push({
      code: 'COCO_MASK_HOLES',
      message: `${element}: the RLE mask has ${holes} hole(s); the polygons read from it cover them (Labelwork polygons have no holes)`,
      file,
    });
  const regions: Region[] = [];
  outlines.forEach((ring, k) => {
    const { ring: pts, tolerance } = simplifyRing(ring, MAX_POLYGON_POINTS);
    if (tolerance > 0)
      warnings.push({
        code: 'COCO_MASK_SIMPLIFIED',
        message: `${element}: an outline of ${ring.length} corners was simplified to ${pts.length} (within ${tolerance} px)`,
        file,
      });
    if (pts.length < 3) return;
    regions.push({ id: outlines.length === 1 ? rid : `${rid}-${k + 1}`, type: 'polygon', label, points: pts });
  });
  return regions;
}
