import type { KeypointsRegion, Region } from '../../schema/region.ts';
import type { Tool } from '../../schema/label-schema.ts';
import type {
  Dataset,
  DatasetAnnotation,
  DatasetError,
  DatasetItem,
  DatasetLabel,
  DatasetWarning,
  ReadResult,
  WriteOptions,
} from './types.ts';

/** Shared pieces of the image formats (COCO, YOLO, VOC, CVAT). */

/** Thrown inside a reader, turned into `{ ok: false, error }` by `readWith`: readers return nothing partial. */
export class ReadFailure extends Error {
  constructor(readonly error: DatasetError) {
    super(error.message);
  }
}

export function fail(code: string, message: string, file: string, where: { line?: number; element?: string } = {}): never {
  throw new ReadFailure({ code, message, file, ...where });
}

export function readWith(read: (warnings: DatasetWarning[]) => Dataset): ReadResult {
  const warnings: DatasetWarning[] = [];
  try {
    return { ok: true, dataset: read(warnings), warnings };
  } catch (e) {
    if (e instanceof ReadFailure) return { ok: false, error: e.error };
    throw e;
  }
}

/** Order in which a single-answer format picks an item's annotation when `prefer` is not given. */
export const DEFAULT_PREFER: readonly DatasetAnnotation['kind'][] = ['consensus', 'gold', 'annotation', 'prediction'];

/** The annotation a single-answer format writes: the first kind of `prefer` the item has (undefined: not labeled). */
export function pickAnnotation(item: DatasetItem, options?: WriteOptions): DatasetAnnotation | undefined {
  for (const kind of options?.prefer ?? DEFAULT_PREFER) {
    const a = item.annotations.find((x) => x.kind === kind);
    if (a) return a;
  }
  return undefined;
}

export function unlabeledWarning(item: DatasetItem, file?: string): DatasetWarning {
  return {
    code: 'ITEM_UNLABELED',
    message: `"${item.name}" has no annotation yet; it is exported without objects`,
    ...(file === undefined ? {} : { file }),
  };
}

/** A pixel coordinate for text formats: at most 3 decimals, no trailing zeros, no "-0". */
export function fmtNum(n: number): string {
  const r = Math.round(n * 1000) / 1000;
  return String(r === 0 ? 0 : r);
}

/** Rounds a coordinate read from a normalised or text format to 1/1000 pixel (removes float noise). */
export function roundPx(n: number): number {
  const r = Math.round(n * 1000) / 1000;
  return r === 0 ? 0 : r;
}

/** The last path segment without its extension (`images/a.b.jpg` → `a.b`). */
export function stemOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The path without its extension (`images/a.jpg` → `images/a`). */
export function withoutExt(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(0, dot) : path;
}

/** Bounds of the labelled points (v > 0), or of all points when none is labelled. */
export function keypointBounds(r: KeypointsRegion): { x: number; y: number; w: number; h: number } {
  const pts = r.points.some((p) => p.v > 0) ? r.points.filter((p) => p.v > 0) : r.points;
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const p of pts) {
    x1 = Math.min(x1, p.x);
    y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x);
    y2 = Math.max(y2, p.y);
  }
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
}

export function boundsOf(points: readonly { x: number; y: number }[]): { x: number; y: number; w: number; h: number } {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

/** The tool a region type is drawn with. */
export function toolOf(type: Region['type']): Tool {
  return type === 'class' ? 'class-multi' : type;
}

/**
 * Labels declared by a reader, in first-seen order. A label used with boxes and polygons becomes a
 * polygon label (its boxes turned into 4-point polygons, with a warning): a Labelwork label has one tool.
 */
export class LabelBook {
  private readonly byName = new Map<string, DatasetLabel>();
  declare(label: DatasetLabel): DatasetLabel {
    const had = this.byName.get(label.name);
    if (had) return had;
    this.byName.set(label.name, label);
    return label;
  }
  get(name: string): DatasetLabel | undefined {
    return this.byName.get(name);
  }
  /** Labels in order, after settling each label's tool from the regions that use it. */
  settle(items: DatasetItem[], file: string, warnings: DatasetWarning[]): DatasetLabel[] {
    const used = new Map<string, Set<Region['type']>>();
    for (const it of items)
      for (const a of it.annotations)
        for (const r of a.regions) {
          let s = used.get(r.label);
          if (!s) used.set(r.label, (s = new Set()));
          s.add(r.type);
          if (!this.byName.has(r.label)) this.byName.set(r.label, { name: r.label, tool: toolOf(r.type) });
        }
    for (const [name, types] of used) {
      const label = this.byName.get(name)!;
      if (types.size === 1) {
        label.tool = toolOf([...types][0]!);
        continue;
      }
      if (types.has('keypoints')) fail('LABEL_TOOL_CONFLICT', `label "${name}" is used both for keypoints and for other shapes`, file);
      label.tool = 'polygon';
      let n = 0;
      for (const it of items)
        for (const a of it.annotations)
          a.regions = a.regions.map((r) => {
            if (r.label !== name || r.type !== 'bbox') return r;
            n += 1;
            const { x, y, w, h } = r;
            return {
              id: r.id,
              type: 'polygon',
              label: name,
              points: [
                { x, y },
                { x: x + w, y },
                { x: x + w, y: y + h },
                { x, y: y + h },
              ],
            };
          });
      warnings.push({
        code: 'BOX_AS_POLYGON',
        message: `label "${name}" has polygons and boxes; its ${n} box(es) were read as 4-point polygons`,
        file,
      });
    }
    return [...this.byName.values()];
  }
}

/**
 * An item name made safe to use as a relative output path: backslashes become slashes, and
 * empty, `.`, `..` and drive (`C:`) segments are dropped, so no file is written outside the output
 * directory. Returns `changed` so the writer can say so.
 */
export function safeRelativePath(name: string): { path: string; changed: boolean } {
  const seg = name
    .replace(/\\/g, '/')
    .split('/')
    .filter((s, i) => s !== '' && s !== '.' && s !== '..' && !(i === 0 && /^[A-Za-z]:$/.test(s)));
  const path = seg.join('/') || 'unnamed';
  return { path, changed: path !== name };
}

/**
 * Gives each image a unique output stem in its directory: the first `a.png` keeps `a`, a later
 * `a.jpg` becomes `a_jpg` (then `a_jpg_2` …), so two images never share a label file.
 */
export class StemAllocator {
  private readonly taken = new Set<string>();
  allocate(name: string): string {
    const base = withoutExt(name);
    let key = base;
    if (this.taken.has(key.toLowerCase())) {
      const ext = name.slice(base.length + 1).replace(/[^\p{L}\p{N}]/gu, '');
      key = `${base}_${ext}`;
      for (let i = 2; this.taken.has(key.toLowerCase()); i++) key = `${base}_${ext}_${i}`;
    }
    this.taken.add(key.toLowerCase());
    return key;
  }
}

/** Region attributes of one region, created on demand. */
export function attrsFor(item: DatasetItem, regionId: string): Record<string, string | number | boolean> {
  item.attributes ??= {};
  return (item.attributes[regionId] ??= {});
}

export function isTruthyAttr(v: string | number | boolean | undefined): boolean {
  return v === true || v === 1 || v === '1' || v === 'true';
}
