import { z } from 'zod';
import { formatPath } from '../../contracts/errors.ts';
import type { KeypointsRegion, Region } from '../../schema/region.ts';
import { codePointIndex, type CodePointIndex } from '../../text/codepoints.ts';
import { lsRectToPixelPolygon, percentToPixel } from '../../ml/ls-coords.ts';
import { ReadFailure } from './image-common.ts';
import { parseJsonFile } from './json-input.ts';
import { labelsFromItems, regionIds } from './labels-from-regions.ts';
import type {
  DatasetAnnotation,
  DatasetError,
  DatasetItem,
  DatasetLabel,
  DatasetWarning,
  InputFile,
  Provenance,
  ReadOptions,
  ReadResult,
} from './types.ts';

/** Reading Label Studio JSON (the format's rules are in labelstudio.ts). */

const KEYPOINT_CONTROL = /^keypoints_(\d+)$/;
/** A data value that refers to an image rather than holding text: a URL, an LS upload path or an image file name. */
const IMAGE_REFERENCE = /^(https?|s3|gs|azure-blob):\/\/\S+$|^\/data\/\S+$|^[^\n]*\.(png|jpe?g|webp|bmp|gif|tiff?|svg)(\?[^\n]*)?$/i;
/** Percent → pixel results are rounded to this many decimals (float noise from the round trip). */
const round = (v: number) => Math.round(v * 1e6) / 1e6;

const num = z.number().finite();
const Labels = z.array(z.string()).min(1);
const Values = {
  rectanglelabels: z.object({
    x: num,
    y: num,
    width: num.nonnegative(),
    height: num.nonnegative(),
    rotation: num.optional(),
    rectanglelabels: Labels.optional(),
  }),
  polygonlabels: z.object({ points: z.array(z.tuple([num, num])).min(3), polygonlabels: Labels.optional() }),
  keypointlabels: z.object({ x: num, y: num, keypointlabels: Labels.optional() }),
  labels: z.object({
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
    text: z.string().optional(),
    labels: Labels,
  }),
  choices: z.object({ choices: z.array(z.string()) }),
};
type Handled = keyof typeof Values;
/**
 * Shapes drawn with a plain `Rectangle`/`Polygon`/`KeyPoint` control carry their label in a
 * separate `labels` result with the same id.
 */
const LABELLED: Partial<Record<string, Handled>> = { rectangle: 'rectanglelabels', polygon: 'polygonlabels', keypoint: 'keypointlabels' };
const LabelsById = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  type: z.literal('labels'),
  value: z.object({ labels: Labels }),
});

const Result = z.object({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  type: z.string(),
  from_name: z.string().optional(),
  to_name: z.string().optional(),
  parentID: z.string().optional(),
  original_width: num.positive().optional(),
  original_height: num.positive().optional(),
  image_rotation: num.optional(),
  value: z.record(z.string(), z.unknown()),
});
const AnnotationJson = z.object({
  result: z
    .array(z.unknown())
    .nullish()
    .transform((r) => r ?? []),
  was_cancelled: z.boolean().optional(),
  ground_truth: z.boolean().optional(),
  completed_by: z.union([z.number(), z.string(), z.object({ email: z.string().optional(), id: z.number().optional() })]).optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
const PredictionJson = z.object({
  result: z
    .array(z.unknown())
    .nullish()
    .transform((r) => r ?? []),
  score: num.nullish(),
  model_version: z.union([z.string(), z.number()]).transform(String).nullish(),
});
const Task = z.object({
  id: z.union([z.number(), z.string()]).optional(),
  data: z.record(z.string(), z.unknown()),
  annotations: z.array(z.unknown()).optional(),
  completions: z.array(z.unknown()).optional(),
  predictions: z.array(z.unknown()).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});

class LsError extends Error {
  constructor(
    message: string,
    readonly element: string,
  ) {
    super(message);
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown, element: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  const at = formatPath(i.path);
  throw new LsError(i.message, at ? `${element}.${at}` : element);
}

interface ReadCtx {
  item: { kind: 'image' | 'text'; text?: string; name: string };
  size?: { width: number; height: number };
  counts: Record<string, number>;
  next: () => string;
  labels?: readonly DatasetLabel[];
  /** The item text's code-point index, built on the first span. */
  text?: CodePointIndex;
}

interface PendingPoint {
  label: string;
  group?: string;
  name: string;
  x: number;
  y: number;
}

function regionsOf(results: readonly unknown[], element: string, ctx: ReadCtx): Region[] {
  const regions: Region[] = [];
  const points: PendingPoint[] = [];
  const used = new Set<string>();
  const idFor = (id: string | undefined) => {
    if (id !== undefined && id.length >= 1 && id.length <= 64 && !used.has(id)) {
      used.add(id);
      return id;
    }
    let g = ctx.next();
    while (used.has(g)) g = ctx.next();
    used.add(g);
    return g;
  };
  const labelOf = new Map<string, string>();
  const shapeIds = new Set<string>();
  if (ctx.item.kind === 'image')
    for (const raw of results) {
      const l = LabelsById.safeParse(raw);
      if (l.success) labelOf.set(l.data.id, l.data.value.labels[0]!);
      const shape = Result.safeParse(raw);
      if (shape.success && shape.data.id !== undefined && shape.data.type !== 'labels') shapeIds.add(shape.data.id);
    }
  results.forEach((raw, k) => {
    const at = `${element}.result[${k}]`;
    const r = parse(Result, raw, at);
    if (ctx.item.kind === 'image' && r.type === 'labels' && r.id !== undefined && shapeIds.has(r.id)) return;
    const type = LABELLED[r.type] ?? (r.type in Values ? (r.type as Handled) : undefined);
    if (type === undefined) {
      ctx.counts[`unsupported:${r.type}`] = (ctx.counts[`unsupported:${r.type}`] ?? 0) + 1;
      return;
    }
    const shapeLabel = (labels: string[] | undefined): string | undefined => {
      if (labels && labels.length > 1) ctx.counts.extraLabels = (ctx.counts.extraLabels ?? 0) + 1;
      const label = labels?.[0] ?? (r.id !== undefined ? labelOf.get(r.id) : undefined);
      if (label === undefined) ctx.counts.noLabel = (ctx.counts.noLabel ?? 0) + 1;
      return label;
    };
    const size = () => {
      const width = r.original_width ?? ctx.size?.width;
      const height = r.original_height ?? ctx.size?.height;
      if (width === undefined || height === undefined)
        throw new LsError('needs original_width and original_height (or the image size)', at);
      if (r.image_rotation) ctx.counts.imageRotation = (ctx.counts.imageRotation ?? 0) + 1;
      ctx.size ??= { width, height };
      return { W: width, H: height };
    };
    if (ctx.item.kind === 'text' && type !== 'labels' && type !== 'choices') throw new LsError(`${r.type} on a text item`, at);
    if (ctx.item.kind === 'image' && type === 'labels') throw new LsError('text labels on an image item', at);
    switch (type) {
      case 'rectanglelabels': {
        const v = parse(Values.rectanglelabels, r.value, `${at}.value`);
        const { W, H } = size();
        const label = shapeLabel(v.rectanglelabels);
        if (label === undefined) return;
        const corners = lsRectToPixelPolygon(v, W, H).map((p) => ({ x: round(p.x), y: round(p.y) }));
        const quarter = (((v.rotation ?? 0) % 90) + 90) % 90;
        if (quarter < 1e-9 || 90 - quarter < 1e-9) {
          const xs = corners.map((p) => p.x);
          const ys = corners.map((p) => p.y);
          const x = Math.min(...xs);
          const y = Math.min(...ys);
          regions.push({ id: idFor(r.id), type: 'bbox', label, x, y, w: round(Math.max(...xs) - x), h: round(Math.max(...ys) - y) });
        } else {
          ctx.counts.rotated = (ctx.counts.rotated ?? 0) + 1;
          regions.push({ id: idFor(r.id), type: 'polygon', label, points: corners });
        }
        return;
      }
      case 'polygonlabels': {
        const v = parse(Values.polygonlabels, r.value, `${at}.value`);
        const { W, H } = size();
        const label = shapeLabel(v.polygonlabels);
        if (label === undefined) return;
        const pts = v.points.map(([x, y]) => ({ x: round(percentToPixel(x, W)), y: round(percentToPixel(y, H)) }));
        regions.push({ id: idFor(r.id), type: 'polygon', label, points: pts });
        return;
      }
      case 'keypointlabels': {
        const v = parse(Values.keypointlabels, r.value, `${at}.value`);
        const { W, H } = size();
        const name = shapeLabel(v.keypointlabels);
        if (name === undefined) return;
        const from = r.from_name ?? 'keypoints';
        const own = r.id ? /^(.+)\.kp\d+$/.exec(r.id) : null;
        const byIndex = KEYPOINT_CONTROL.exec(from);
        const schemaLabel = byIndex ? ctx.labels?.[Number(byIndex[1])] : undefined;
        if (byIndex && schemaLabel?.tool !== 'keypoints') ctx.counts.keypointControl = (ctx.counts.keypointControl ?? 0) + 1;
        points.push({
          label: schemaLabel?.tool === 'keypoints' ? schemaLabel.name : from,
          group: own ? `id:${own[1]}` : r.parentID !== undefined ? `parent:${r.parentID}` : undefined,
          name,
          x: round(percentToPixel(v.x, W)),
          y: round(percentToPixel(v.y, H)),
        });
        return;
      }
      case 'labels': {
        const v = parse(Values.labels, r.value, `${at}.value`);
        const text = (ctx.text ??= codePointIndex(ctx.item.text ?? ''));
        let { start, end } = v;
        if (v.text !== undefined && text.slice(start, end) !== v.text) {
          if (text.text.slice(start, end) === v.text) {
            start = text.toCodePoint(start);
            end = text.toCodePoint(end);
            ctx.counts.utf16 = (ctx.counts.utf16 ?? 0) + 1;
          } else ctx.counts.textMismatch = (ctx.counts.textMismatch ?? 0) + 1;
        }
        const length = text.length;
        if (end <= start || end > length) throw new LsError(`span [${start}, ${end}) is not inside the text (${length} code points)`, at);
        for (const label of v.labels) regions.push({ id: idFor(r.id), type: 'span', label, start, end });
        return;
      }
      case 'choices': {
        const v = parse(Values.choices, r.value, `${at}.value`);
        for (const label of v.choices) regions.push({ id: idFor(r.id), type: 'class', label });
        return;
      }
    }
  });
  regions.push(...groupKeypoints(points, idFor));
  return regions;
}

function groupKeypoints(points: readonly PendingPoint[], idFor: (id: string | undefined) => string): KeypointsRegion[] {
  const out: KeypointsRegion[] = [];
  const byGroup = new Map<string, KeypointsRegion>();
  const open = new Map<string, KeypointsRegion>();
  for (const p of points) {
    const point = { name: p.name, x: p.x, y: p.y, v: 2 as const };
    if (p.group !== undefined) {
      const key = `${p.label}\u0000${p.group}`;
      let region = byGroup.get(key);
      if (!region) {
        region = { id: idFor(p.group.startsWith('id:') ? p.group.slice(3) : undefined), type: 'keypoints', label: p.label, points: [] };
        byGroup.set(key, region);
        out.push(region);
      }
      region.points.push(point);
      continue;
    }
    let region = open.get(p.label);
    if (!region || region.points.some((q) => q.name === p.name)) {
      region = { id: idFor(undefined), type: 'keypoints', label: p.label, points: [] };
      open.set(p.label, region);
      out.push(region);
    }
    region.points.push(point);
  }
  return out;
}

function annotator(by: z.infer<typeof AnnotationJson>['completed_by']): string | undefined {
  if (by === undefined) return undefined;
  if (typeof by === 'object') return by.email ?? (by.id !== undefined ? String(by.id) : undefined);
  return String(by);
}

function taskItem(raw: unknown, i: number, options: ReadOptions, counts: Record<string, number>): DatasetItem {
  const element = `tasks[${i}]`;
  const task = parse(Task, raw, element);
  // A config with other variable names (`$img`, `$review`) stores the item under that key: with a single string field, its value says which.
  const only = Object.values(task.data).filter((v): v is string => typeof v === 'string');
  const fallback = only.length === 1 && task.data.image === undefined && task.data.text === undefined ? only[0] : undefined;
  const image = fallback !== undefined && IMAGE_REFERENCE.test(fallback) ? fallback : task.data.image;
  const text = fallback !== undefined && !IMAGE_REFERENCE.test(fallback) ? fallback : task.data.text;
  let item: DatasetItem;
  if (typeof image === 'string') item = { name: image, kind: 'image', annotations: [] };
  else if (typeof text === 'string') {
    const name = typeof task.meta?.name === 'string' ? task.meta.name : task.id !== undefined ? String(task.id) : String(i + 1);
    item = { name, kind: 'text', text, annotations: [] };
  } else throw new LsError('data needs an "image" or a "text" field (or exactly one string field)', `${element}.data`);
  const ctx: ReadCtx = { item, counts, next: regionIds(), ...(options.labels ? { labels: options.labels } : {}) };
  const known = options.imageSizes?.get(item.name);
  if (known) ctx.size = known;
  (task.annotations ?? task.completions ?? []).forEach((rawA, j) => {
    const at = `${element}.annotations[${j}]`;
    const a = parse(AnnotationJson, rawA, at);
    if (a.was_cancelled) {
      counts.cancelled = (counts.cancelled ?? 0) + 1;
      return;
    }
    const provenance: Provenance = {};
    const who = annotator(a.completed_by);
    if (who !== undefined) provenance.annotator = who;
    const when = a.updated_at ?? a.created_at;
    if (when !== undefined) provenance.at = when;
    const ann: DatasetAnnotation = { kind: a.ground_truth ? 'gold' : 'annotation', regions: regionsOf(a.result, at, ctx) };
    if (Object.keys(provenance).length) ann.provenance = provenance;
    item.annotations.push(ann);
  });
  (task.predictions ?? []).forEach((rawP, j) => {
    const at = `${element}.predictions[${j}]`;
    const p = parse(PredictionJson, rawP, at);
    const provenance: Provenance = {};
    if (p.model_version != null) provenance.modelVersion = p.model_version;
    if (p.score != null) provenance.score = p.score;
    const ann: DatasetAnnotation = { kind: 'prediction', regions: regionsOf(p.result, at, ctx) };
    if (Object.keys(provenance).length) ann.provenance = provenance;
    item.annotations.push(ann);
  });
  if (ctx.size) {
    item.width = ctx.size.width;
    item.height = ctx.size.height;
  }
  return item;
}

function readWarnings(counts: Record<string, number>, file: string): DatasetWarning[] {
  const w: DatasetWarning[] = [];
  const note = (n: number | undefined, code: string, message: string) => {
    if (n) w.push({ code, message: `${n} ${message}`, file });
  };
  note(counts.rotated, 'ls_rotated_box', 'rotated rectangles read as 4-point polygons (Labelwork boxes are axis-aligned)');
  note(counts.cancelled, 'ls_cancelled', 'cancelled (skipped) annotations left out');
  note(counts.utf16, 'ls_utf16_offsets', 'text spans had UTF-16 offsets (an old Label Studio) and were converted to code points');
  note(counts.textMismatch, 'ls_span_text', 'text spans whose "text" differs from the item text at their offsets; the offsets were kept');
  note(counts.extraLabels, 'ls_extra_labels', 'shapes with several labels kept their first label only');
  note(counts.noLabel, 'ls_no_label', 'shapes without a label left out');
  note(
    counts.keypointControl,
    'ls_keypoint_control',
    'keypoints under a keypoints_<n> control whose label is not known (no label schema given): the control name is used as the label',
  );
  note(counts.imageRotation, 'ls_image_rotation', 'results on a rotated image view: coordinates taken as given');
  for (const [k, n] of Object.entries(counts))
    if (k.startsWith('unsupported:')) note(n, 'ls_unsupported', `"${k.slice(12)}" results left out (not a Labelwork region type)`);
  return w;
}

/** Reads Label Studio tasks (a JSON array, or one task) into a dataset; see labelstudio.ts. */
export function readLabelStudio(files: readonly InputFile[], options: ReadOptions = {}): ReadResult {
  const items: DatasetItem[] = [];
  const warnings: DatasetWarning[] = [];
  for (const file of files) {
    const fail = (e: Omit<DatasetError, 'file'>): ReadResult => ({ ok: false, error: { ...e, file: file.path } });
    let json: unknown;
    try {
      json = parseJsonFile(file.path, file.text);
    } catch (e) {
      if (e instanceof ReadFailure) return { ok: false, error: e.error };
      throw e;
    }
    const tasks = Array.isArray(json) ? json : [json];
    const counts: Record<string, number> = {};
    try {
      tasks.forEach((t, i) => items.push(taskItem(t, i, options, counts)));
    } catch (e) {
      if (e instanceof LsError) return fail({ code: 'LS_INVALID', message: e.message, element: e.element });
      throw e;
    }
    warnings.push(...readWarnings(counts, file.path));
  }
  if (items.length === 0) return { ok: false, error: { code: 'LS_EMPTY', message: 'no tasks', file: files[0]?.path ?? '' } };
  const kinds = new Set(items.map((i) => i.kind));
  if (kinds.size > 1) return { ok: false, error: { code: 'LS_MIXED', message: 'image and text tasks in one file', file: files[0]!.path } };
  return { ok: true, dataset: { kind: items[0]!.kind, labels: labelsFromItems(items), items }, warnings };
}
