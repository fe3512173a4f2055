import type { Region } from '../../schema/region.ts';
import { keypointBounds, pickAnnotation, safeRelativePath, StemAllocator, unlabeledWarning, withoutExt } from './image-common.ts';
import { flipIndex } from './yolo-layout.ts';
import { readYolo } from './yolo-read.ts';
import type { DatasetFormat, DatasetItem, DatasetLabel, DatasetWarning, DatasetWriter, OutputChunk, WriteOptions } from './types.ts';

/**
 * Ultralytics YOLO (docs.ultralytics.com/datasets/detect|segment|pose): `data.yaml` plus one label
 * file per image at `labels/<split>/<stem>.txt` beside `images/<split>/<name>` (flat `images/` and
 * `labels/` when items carry no `meta.split`).
 *
 * - Class indices are 0…n−1 in `names` (kept from `sourceId` when the labels' ids are exactly that, else in label order).
 * - Lines: `cls cx cy w h` (boxes), `cls x1 y1 …` (polygons), `cls cx cy w h x1 y1 v1 …` (keypoints; the box is
 *   the bounds of the labelled points; absent points and v = 0 are `0 0 0`); values normalised to [0, 1], 8 decimals.
 * - An item labeled with no objects gets an empty label file; one not labeled yet gets none (both are background
 *   images to Ultralytics, but a reader here can tell them apart), with a warning.
 * - Two images with the same stem in one folder (`a.png`, `a.jpg`) would share `a.txt`: the later one is
 *   renamed (`a_jpg.jpg`, label `a_jpg.txt`; `imagePath()` says where its image goes) and data.yaml's
 *   `labelwork_names` maps it back, so a read restores the original name. Ultralytics ignores that key.
 * - `path` is left out of data.yaml on purpose: Ultralytics then takes the yaml's own folder as the root
 *   (a relative `path` would be resolved against its global datasets directory instead).
 */
const YAML = 'data.yaml';

function fmtNorm(v: number): string {
  const s = Math.min(1, Math.max(0, v)).toFixed(8).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

const q = (s: string) => JSON.stringify(s);

function yoloWriter(options?: WriteOptions): DatasetWriter {
  const warnings: DatasetWarning[] = [];
  const classes = new Map<string, { index: number; label: DatasetLabel }>();
  const stems = new StemAllocator();
  const imagePaths = new Map<string, string>();
  const renamed: [string, string][] = [];
  const splits = new Set<string>();
  let flat = false;
  let keypointLabel: DatasetLabel | undefined;
  /** Keypoints per pose line when the labels make this a pose dataset (then every line is a pose line). */
  let poseK: number | undefined;
  const kinds = new Set<Region['type']>();
  let clipped = false;

  const classOf = (r: Region) => {
    let c = classes.get(r.label);
    if (!c) {
      c = { index: classes.size, label: { name: r.label, tool: r.type === 'class' ? 'class-multi' : r.type } };
      classes.set(r.label, c);
    }
    return c;
  };
  const place = (item: DatasetItem): { image: string; label: string } => {
    const raw = item.meta?.split;
    const split = typeof raw === 'string' && /^[\w-]+$/.test(raw) ? raw : undefined;
    if (split) splits.add(split);
    else flat = true;
    const safe = safeRelativePath(item.name);
    if (safe.changed)
      warnings.push({ code: 'PATH_SANITIZED', message: `"${item.name}" is not a plain relative path; it is written as ${safe.path}` });
    // A folder called "images" inside the name would catch Ultralytics' img2label_paths (it swaps the last /images/).
    const seg = safe.path.split('/');
    const inner = seg.map((x, i) => (i < seg.length - 1 && x === 'images' ? '_images' : x)).join('/');
    const rel = `${split ? `${split}/` : ''}${inner}`;
    const stem = stems.allocate(rel);
    const image = `images/${stem === withoutExt(rel) ? rel : stem + rel.slice(withoutExt(rel).length)}`;
    if (inner !== safe.path && stem === withoutExt(rel)) renamed.push([image, item.name]);
    if (stem !== withoutExt(rel)) {
      renamed.push([image, item.name]);
      warnings.push({
        code: 'YOLO_RENAMED',
        message: `"${item.name}" shares its stem with another image; it is written as ${image}`,
        file: image,
      });
    }
    imagePaths.set(item.name, image);
    return { image, label: `labels/${stem}.txt` };
  };

  const line = (item: DatasetItem, r: Region, W: number, H: number): string | undefined => {
    const c = classOf(r);
    // Ultralytics refuses values outside [0, 1]: boxes are clipped to the image, points clamped (and the item warned about).
    const nx = (x: number) => {
      if (x < 0 || x > W) clipped = true;
      return fmtNorm(x / W);
    };
    const ny = (y: number) => {
      if (y < 0 || y > H) clipped = true;
      return fmtNorm(y / H);
    };
    const box = (b: { x: number; y: number; w: number; h: number }) => {
      const [x1, y1, x2, y2] = [Math.max(0, b.x), Math.max(0, b.y), Math.min(W, b.x + b.w), Math.min(H, b.y + b.h)];
      if (x1 !== b.x || y1 !== b.y || x2 !== b.x + b.w || y2 !== b.y + b.h) clipped = true;
      return [(x1 + x2) / 2 / W, (y1 + y2) / 2 / H, Math.max(0, x2 - x1) / W, Math.max(0, y2 - y1) / H].map(fmtNorm).join(' ');
    };
    switch (r.type) {
      case 'bbox':
        kinds.add('bbox');
        // In a pose dataset every line is a pose line: a box is one with no keypoints (all 0 0 0), as Ultralytics loads it.
        return poseK ? `${c.index} ${box(r)}${' 0 0 0'.repeat(poseK)}` : `${c.index} ${box(r)}`;
      case 'polygon':
        if (poseK) {
          warnings.push({
            code: 'YOLO_POLYGON_IN_POSE',
            message: `"${item.name}": a YOLO pose dataset has no place for a polygon; it was left out`,
          });
          return undefined;
        }
        kinds.add('polygon');
        return `${c.index} ${r.points.map((p) => `${nx(p.x)} ${ny(p.y)}`).join(' ')}`;
      case 'keypoints': {
        kinds.add('keypoints');
        if (!keypointLabel) keypointLabel = c.label;
        const names = (c.label.points ??= r.points.map((p) => p.name));
        const kp = names.map((n) => {
          const p = r.points.find((x) => x.name === n);
          return p && p.v > 0 ? `${nx(p.x)} ${ny(p.y)} ${p.v}` : '0 0 0';
        });
        return `${c.index} ${box(keypointBounds(r))} ${kp.join(' ')}`;
      }
      default:
        warnings.push({
          code: 'REGION_NOT_IN_FORMAT',
          message: `"${item.name}": YOLO has no place for a ${r.type} region; it was left out`,
        });
        return undefined;
    }
  };

  return {
    begin(labels) {
      const shaped = labels.filter((l) => l.tool === 'bbox' || l.tool === 'polygon' || l.tool === 'keypoints');
      const ids = shaped.map((l) => l.sourceId);
      const keep = ids.every((id) => Number.isInteger(id)) && [...ids].sort((a, b) => a! - b!).every((id, i) => id === i);
      shaped.forEach((l, i) =>
        classes.set(l.name, { index: keep ? l.sourceId! : i, label: { ...l, ...(l.points ? { points: [...l.points] } : {}) } }),
      );
      const k = shaped.find((l) => l.tool === 'keypoints' && l.points?.length)?.points?.length;
      if (k) poseK = k;
      return [];
    },
    item(item) {
      const { label } = place(item);
      const a = pickAnnotation(item, options);
      if (!a) {
        warnings.push(unlabeledWarning(item, label));
        return [];
      }
      const { width: W, height: H } = item;
      if (!W || !H) {
        warnings.push({
          code: 'IMAGE_SIZE_MISSING',
          message: `"${item.name}" has no width and height; its labels cannot be normalised and were left out`,
          file: label,
        });
        return [];
      }
      clipped = false;
      const lines = a.regions.map((r) => line(item, r, W, H)).filter((l) => l !== undefined);
      if (clipped)
        warnings.push({
          code: 'YOLO_CLIPPED',
          message: `"${item.name}": shapes reaching outside the image were clipped to it`,
          file: label,
        });
      return [{ file: label, text: lines.map((l) => `${l}\n`).join('') }];
    },
    finish() {
      const out: string[] = ["# Ultralytics YOLO dataset written by Labelwork; the dataset root is this file's folder."];
      const dir = (s: string) => `images/${s}`;
      const has = (s: string) => splits.has(s);
      const train = has('train') ? dir('train') : splits.size > 0 && !flat ? dir([...splits][0]!) : 'images';
      const val = has('val') ? dir('val') : has('valid') ? dir('valid') : train;
      out.push(`train: ${train}`, `val: ${val}`);
      if (has('test')) out.push(`test: ${dir('test')}`);
      if (flat && splits.size > 0)
        warnings.push({
          code: 'YOLO_MIXED_SPLITS',
          message: 'some items have a split and some do not; the latter are under images/ directly',
          file: YAML,
        });
      const sorted = [...classes.values()].sort((a, b) => a.index - b.index);
      out.push(`nc: ${sorted.length}`, 'names:', ...sorted.map((c) => `  ${c.index}: ${q(c.label.name)}`));
      if (kinds.has('keypoints')) {
        const kl = keypointLabel!;
        const points = kl.points ?? [];
        out.push(`kpt_shape: [${points.length}, 3]`);
        const flip = flipIndex(points);
        if (flip) out.push(`flip_idx: [${flip.join(', ')}]`);
        out.push(
          'kpt_names:',
          ...sorted.filter((c) => c.label.tool === 'keypoints').map((c) => `  ${c.index}: [${(c.label.points ?? []).map(q).join(', ')}]`),
        );
        if (kl.edges?.length) out.push(`labelwork_skeleton: [${kl.edges.map((e) => `[${q(e.from)}, ${q(e.to)}]`).join(', ')}]`);
        const others = sorted.filter(
          (c) => c.label.tool === 'keypoints' && c.label !== kl && (c.label.points?.length ?? 0) !== points.length,
        );
        if (others.length > 0)
          warnings.push({
            code: 'YOLO_MIXED_TASKS',
            message: 'a YOLO pose dataset has one kpt_shape and pose lines only; other shapes or point counts will not load in Ultralytics',
            file: YAML,
          });
      } else if (kinds.has('bbox') && kinds.has('polygon'))
        warnings.push({
          code: 'YOLO_MIXED_TASKS',
          message: 'boxes and polygons in one dataset: Ultralytics trains one task per dataset',
          file: YAML,
        });
      if (renamed.length > 0) out.push('labelwork_names:', ...renamed.map(([path, name]) => `  ${q(path)}: ${q(name)}`));
      return [{ file: YAML, text: `${out.join('\n')}\n` }] satisfies OutputChunk[];
    },
    warnings: () => warnings,
    imagePath: (item) => imagePaths.get(item.name),
  };
}

export const yoloFormat: DatasetFormat = {
  id: 'yolo',
  kinds: ['image'],
  input: 'dir',
  output: 'dir',
  read: (files, options) => readYolo(files, options),
  writer: (_kind, options) => yoloWriter(options),
};
