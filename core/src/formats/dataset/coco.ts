import type { Region } from '../../schema/region.ts';
import { polygonArea } from '../../geometry/polygon.ts';
import { boundsOf, keypointBounds, pickAnnotation, unlabeledWarning } from './image-common.ts';
import { readCoco } from './coco-read.ts';
import type {
  DatasetAnnotation,
  DatasetFormat,
  DatasetItem,
  DatasetLabel,
  DatasetWarning,
  DatasetWriter,
  OutputChunk,
  WriteOptions,
} from './types.ts';

/**
 * COCO (cocodataset.org/#format-data): one JSON file written in one pass in constant memory —
 * section 0 opens it, 1 holds `images`, 3 `annotations`, and `categories` and `info` close it (JSON
 * key order is free), so labels first met in an item still get a category.
 *
 * - Category ids are never 0: a label's `sourceId` is kept when it is a positive unique integer,
 *   the others get the smallest free ids from 1.
 * - Every image is listed, with or without annotations; an image not labeled yet says `"unlabeled": true`.
 * - A keypoints region is one annotation: `keypoints` in the category's point order (a point the region
 *   lacks, or with v = 0, is 0,0,0), `num_keypoints` = points with v > 0, `bbox` = bounds of its labelled
 *   points. Skeleton edges are 1-based.
 * - Provenance goes into an extra `provenance` object per annotation (readers ignore unknown keys),
 *   a region's score (its `score` attribute, else its annotation's) into `score`; region attributes into `attributes` (as CVAT's COCO export does).
 * - Without `prefer`, every annotation of an item is written (each keeps its kind and annotator in
 *   `provenance`); with `prefer`, only the first kind found.
 */
const FILE = 'annotations.json';
const OPEN = 0;
const IMAGES = 1;
const MIDDLE = 2;
const ANNOTATIONS = 3;
const CLOSE = 4;

interface Category {
  id: number;
  label: DatasetLabel;
}

function cocoWriter(options?: WriteOptions): DatasetWriter {
  const warnings: DatasetWarning[] = [];
  const categories = new Map<string, Category>();
  const usedIds = new Set<number>();
  let nextFree = 1;
  let imageId = 0;
  let annId = 0;
  let unlabeled = 0;
  const allocate = (label: DatasetLabel): Category => {
    while (usedIds.has(nextFree)) nextFree += 1;
    const c = { id: nextFree, label };
    usedIds.add(nextFree);
    categories.set(label.name, c);
    return c;
  };
  const category = (r: Region): Category =>
    categories.get(r.label) ?? allocate({ name: r.label, tool: r.type === 'class' ? 'class-multi' : r.type });

  const annotationJson = (item: DatasetItem, a: DatasetAnnotation, r: Region, image: number): string | undefined => {
    const cat = category(r);
    const base: Record<string, unknown> = { id: (annId += 1), image_id: image, category_id: cat.id };
    switch (r.type) {
      case 'bbox':
        Object.assign(base, { bbox: [r.x, r.y, r.w, r.h], area: r.w * r.h, segmentation: [] });
        break;
      case 'polygon': {
        const b = boundsOf(r.points);
        Object.assign(base, {
          bbox: [b.x, b.y, b.w, b.h],
          area: polygonArea(r.points),
          segmentation: [r.points.flatMap((p) => [p.x, p.y])],
        });
        break;
      }
      case 'keypoints': {
        const declared = cat.label.points !== undefined && cat.label.points.length > 0;
        const names = (cat.label.points ??= []);
        for (const p of r.points) {
          if (names.includes(p.name)) continue;
          if (declared) {
            warnings.push({
              code: 'COCO_UNKNOWN_KEYPOINT',
              message: `"${item.name}": point "${p.name}" is not one of label "${r.label}"'s points; it was left out`,
              file: FILE,
            });
          } else names.push(p.name);
        }
        const kp = names.flatMap((n) => {
          const p = r.points.find((q) => q.name === n);
          return p && p.v > 0 ? [p.x, p.y, p.v] : [0, 0, 0];
        });
        const b = keypointBounds(r);
        Object.assign(base, {
          keypoints: kp,
          num_keypoints: r.points.filter((p) => p.v > 0).length,
          bbox: [b.x, b.y, b.w, b.h],
          area: b.w * b.h,
          segmentation: [],
        });
        break;
      }
      default:
        warnings.push({
          code: 'REGION_NOT_IN_FORMAT',
          message: `"${item.name}": COCO has no place for a ${r.type} region; it was left out`,
          file: FILE,
        });
        annId -= 1;
        return undefined;
    }
    const attrs = { ...(item.attributes?.[r.id] ?? {}) };
    const crowd = attrs.iscrowd === true || attrs.iscrowd === 1 || attrs.iscrowd === '1';
    const score = typeof attrs.score === 'number' ? attrs.score : a.provenance?.score;
    delete attrs.iscrowd;
    delete attrs.score;
    base.iscrowd = crowd ? 1 : 0;
    if (Object.keys(attrs).length > 0) base.attributes = attrs;
    if (score !== undefined) base.score = score;
    if (a.provenance || a.kind !== 'annotation') {
      const { score: _score, ...rest } = a.provenance ?? {};
      base.provenance = { kind: a.kind, ...rest };
    }
    return JSON.stringify(base);
  };

  return {
    begin(labels) {
      const wanted = labels.filter((l) => Number.isInteger(l.sourceId) && l.sourceId! > 0);
      for (const l of labels) {
        const copy = { ...l, ...(l.points ? { points: [...l.points] } : {}) };
        if (wanted.includes(l) && !usedIds.has(l.sourceId!)) {
          usedIds.add(l.sourceId!);
          categories.set(l.name, { id: l.sourceId!, label: copy });
        }
      }
      for (const l of labels)
        if (!categories.has(l.name)) {
          const c = allocate({ ...l, ...(l.points ? { points: [...l.points] } : {}) });
          if (l.sourceId !== undefined)
            warnings.push({
              code: 'COCO_CATEGORY_ID_CHANGED',
              message: `label "${l.name}" had id ${l.sourceId}; COCO ids start at 1 and are unique, it is written as ${c.id}`,
              file: FILE,
            });
        }
      return [
        { file: FILE, section: OPEN, text: '{"images":[' },
        { file: FILE, section: MIDDLE, text: '],"annotations":[' },
      ];
    },
    item(item) {
      const chunks: OutputChunk[] = [];
      const image = (imageId += 1);
      const chosen = options?.prefer ? [pickAnnotation(item, options)].filter((a) => a !== undefined) : item.annotations;
      const entry: Record<string, unknown> = { id: image, file_name: item.name };
      if (item.width !== undefined && item.height !== undefined) Object.assign(entry, { width: item.width, height: item.height });
      else
        warnings.push({
          code: 'IMAGE_SIZE_MISSING',
          message: `"${item.name}" has no width and height; COCO readers need them`,
          file: FILE,
        });
      if (chosen.length === 0) {
        entry.unlabeled = true;
        unlabeled += 1;
        warnings.push(unlabeledWarning(item, FILE));
      }
      chunks.push({ file: FILE, section: IMAGES, text: (image > 1 ? ',' : '') + JSON.stringify(entry) });
      for (const a of chosen)
        for (const r of a.regions) {
          const first = annId === 0;
          const json = annotationJson(item, a, r, image);
          if (json !== undefined) chunks.push({ file: FILE, section: ANNOTATIONS, text: (first ? '' : ',') + json });
        }
      return chunks;
    },
    finish() {
      const cats = [...categories.values()]
        .sort((a, b) => a.id - b.id)
        .map(({ id, label }) => {
          const c: Record<string, unknown> = { id, name: label.name, supercategory: '' };
          if (label.tool === 'keypoints' || label.points) {
            const pts = label.points ?? [];
            c.keypoints = pts;
            c.skeleton = (label.edges ?? [])
              .map((e) => [pts.indexOf(e.from) + 1, pts.indexOf(e.to) + 1])
              .filter(([a, b]) => a! > 0 && b! > 0);
          }
          return c;
        });
      const info = {
        description: 'Labelwork dataset export',
        images: imageId,
        annotations: annId,
        unlabeled_images: unlabeled,
        ...(options?.info ?? {}),
      };
      return [
        { file: FILE, section: CLOSE, text: `],"categories":${JSON.stringify(cats)},"info":${JSON.stringify(info)},"licenses":[]}\n` },
      ];
    },
    warnings: () => warnings,
  };
}

export const cocoFormat: DatasetFormat = {
  id: 'coco',
  kinds: ['image'],
  input: 'file',
  output: 'file',
  defaultFile: FILE,
  read: (files) => readCoco(files),
  writer: (_kind, options) => cocoWriter(options),
};
