import { z } from 'zod';
import { formatPath } from '../../contracts/errors.ts';
import { BBoxRegion, ClassRegion, KeypointsRegion, PolygonRegion, SpanRegion, type Region } from '../../schema/region.ts';
import { codePointLength } from '../../schema/item.ts';
import { jsonLines } from '../text-import.ts';
import { pickAnnotation } from './image-common.ts';
import { labelsFromItems, regionIds } from './labels-from-regions.ts';
import type {
  DatasetAnnotation,
  DatasetFormat,
  DatasetItem,
  DatasetWarning,
  DatasetWriter,
  InputFile,
  ReadResult,
  WriteOptions,
} from './types.ts';

/**
 * JSONL, one item per line, in two layouts (both read; `layout: 'doccano'` writes the second):
 *
 * - **Labelwork native**: `{"id", "text", "regions": [{"type":"span","start","end","label","id"}, {"type":"class","label"}]}`,
 *   or for image items `{"id", "image", "width", "height", "regions": [bbox/polygon/keypoints regions in pixels]}`.
 *   An item with several annotations (or one that is a prediction, gold or consensus, or has provenance) carries
 *   `"annotations": [{"kind", "regions", "provenance"?}]` instead of `regions`; `meta` and `attributes` are kept.
 *   No `regions`/`annotations` key means not labeled yet; `"regions": []` means labeled, nothing found.
 * - **doccano**: `{"text", "label": [[start, end, "LABEL"], …]}` for spans, `{"text", "label": ["A", …]}` for classes;
 *   read also with doccano's other keys (`labels`, `data` for the text, `entities` with `start_offset`/`end_offset`).
 *
 * Offsets are Unicode code points, end exclusive (what Python, and so doccano, counts). Every error names its line.
 */

const RegionIdIn = z.string().min(1).max(64).optional();
const RegionIn = z.discriminatedUnion('type', [
  BBoxRegion.extend({ id: RegionIdIn }),
  PolygonRegion.extend({ id: RegionIdIn }),
  KeypointsRegion.extend({ id: RegionIdIn }),
  SpanRegion.extend({ id: RegionIdIn }),
  ClassRegion.extend({ id: RegionIdIn }),
]);
const ProvenanceIn = z
  .object({
    annotator: z.string(),
    at: z.string(),
    guidelineVersion: z.string(),
    verdict: z.string(),
    modelVersion: z.string(),
    score: z.number(),
  })
  .partial();
const AnnotationIn = z.object({
  kind: z.enum(['annotation', 'prediction', 'gold', 'consensus']).default('annotation'),
  regions: z.array(RegionIn),
  provenance: ProvenanceIn.optional(),
});
const ItemId = z.union([z.string().min(1), z.number()]).transform(String);
const NativeLineShape = z.object({
  id: ItemId.optional(),
  text: z.string().optional(),
  image: z.string().min(1).optional(),
  width: z.number().positive().optional(),
  height: z.number().positive().optional(),
  regions: z.array(RegionIn).optional(),
  annotations: z.array(AnnotationIn).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  attributes: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
});
const NativeLine = NativeLineShape.refine((l) => (l.text === undefined) !== (l.image === undefined), {
  message: 'a line needs either "text" or "image"',
}).refine((l) => !(l.regions && l.annotations), { message: 'give "regions" or "annotations", not both' });

const LabelName = z.union([z.string().min(1), z.number()]).transform(String);
const DoccanoLine = z.object({
  id: ItemId.optional(),
  text: z.string().optional(),
  data: z.string().optional(),
  label: z.array(z.union([z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative(), LabelName]), LabelName])).optional(),
  labels: z.array(z.union([z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative(), LabelName]), LabelName])).optional(),
  entities: z
    .array(z.object({ start_offset: z.number().int().nonnegative(), end_offset: z.number().int().nonnegative(), label: LabelName }))
    .optional(),
});

type LineError = { message: string };

function zodMessage(e: z.ZodError): string {
  const i = e.issues[0]!;
  const at = formatPath(i.path);
  return at ? `${at}: ${i.message}` : i.message;
}

function checkSpans(regions: readonly Region[], length: number): LineError | null {
  for (const [i, r] of regions.entries())
    if (r.type === 'span' && (r.end <= r.start || r.end > length))
      return { message: `regions[${i}]: span [${r.start}, ${r.end}) is not inside the text (${length} code points)` };
  return null;
}

function withIds(regions: readonly z.infer<typeof RegionIn>[], next: () => string): Region[] {
  const used = new Set(regions.map((r) => r.id).filter((id): id is string => id !== undefined));
  return regions.map((r) => {
    if (r.id !== undefined) return r as Region;
    let id = next();
    while (used.has(id)) id = next();
    return { ...r, id } as Region;
  });
}

function nativeItem(raw: unknown, n: number): DatasetItem | LineError {
  const parsed = NativeLine.safeParse(raw);
  if (!parsed.success) return { message: zodMessage(parsed.error) };
  const l = parsed.data;
  const next = regionIds();
  const annotations: DatasetAnnotation[] = l.annotations
    ? l.annotations.map((a) => ({ kind: a.kind, regions: withIds(a.regions, next), ...(a.provenance ? { provenance: a.provenance } : {}) }))
    : l.regions
      ? [{ kind: 'annotation', regions: withIds(l.regions, next) }]
      : [];
  const item: DatasetItem =
    l.text !== undefined
      ? { name: l.id ?? String(n), kind: 'text', text: l.text, annotations }
      : { name: l.id ?? l.image!, kind: 'image', annotations };
  if (l.image !== undefined && l.id !== undefined && l.id !== l.image) item.meta = { image: l.image };
  if (l.width !== undefined) item.width = l.width;
  if (l.height !== undefined) item.height = l.height;
  if (l.meta) item.meta = { ...l.meta, ...item.meta };
  if (l.attributes) item.attributes = l.attributes;
  if (item.kind === 'text') {
    const length = codePointLength(item.text!);
    for (const a of annotations) {
      const bad = checkSpans(a.regions, length);
      if (bad) return bad;
    }
  }
  return item;
}

function doccanoItem(raw: unknown, n: number): DatasetItem | LineError {
  const parsed = DoccanoLine.safeParse(raw);
  if (!parsed.success) return { message: zodMessage(parsed.error) };
  const l = parsed.data;
  const text = l.text ?? l.data;
  if (text === undefined) return { message: 'a doccano line needs "text" (or "data")' };
  const labels = l.label ?? l.labels;
  const next = regionIds();
  const regions: Region[] = [];
  for (const x of labels ?? []) {
    if (typeof x === 'string') regions.push({ id: next(), type: 'class', label: x });
    else regions.push({ id: next(), type: 'span', start: x[0], end: x[1], label: x[2] });
  }
  for (const e of l.entities ?? []) regions.push({ id: next(), type: 'span', start: e.start_offset, end: e.end_offset, label: e.label });
  const bad = checkSpans(regions, codePointLength(text));
  if (bad) return { message: bad.message.replace(/^regions/, 'label') };
  const labelled = labels !== undefined || l.entities !== undefined;
  return { name: l.id ?? String(n), kind: 'text', text, annotations: labelled ? [{ kind: 'annotation', regions }] : [] };
}

function isNative(raw: Record<string, unknown>): boolean {
  return 'regions' in raw || 'annotations' in raw || 'image' in raw || !('label' in raw || 'labels' in raw || 'entities' in raw);
}

const NATIVE_KEYS = new Set(Object.keys(NativeLineShape.shape));
const DOCCANO_KEYS = new Set(Object.keys(DoccanoLine.shape));

function read(files: readonly InputFile[]): ReadResult {
  const items: DatasetItem[] = [];
  const warnings: DatasetWarning[] = [];
  let kind: 'image' | 'text' | undefined;
  for (const file of files) {
    const ignored = new Map<string, number>();
    for (const l of jsonLines(file.text)) {
      const fail = (message: string): ReadResult => ({
        ok: false,
        error: { code: 'JSONL_INVALID', message, file: file.path, line: l.line },
      });
      if ('error' in l) return fail(l.error.message);
      if (!l.value || typeof l.value !== 'object' || Array.isArray(l.value)) return fail('each line must be a JSON object');
      const rec = l.value as Record<string, unknown>;
      const native = isNative(rec);
      const item = native ? nativeItem(rec, items.length + 1) : doccanoItem(rec, items.length + 1);
      for (const k of Object.keys(rec)) if (!(native ? NATIVE_KEYS : DOCCANO_KEYS).has(k)) ignored.set(k, ignored.get(k) ?? l.line);
      if ('message' in item) return fail(item.message);
      if (kind !== undefined && item.kind !== kind) return fail(`an ${item.kind} item among ${kind} items`);
      kind = item.kind;
      items.push(item);
    }
    if (ignored.size)
      warnings.push({
        code: 'jsonl_fields_ignored',
        message: `fields not read: ${[...ignored.keys()].map((k) => `"${k}"`).join(', ')}`,
        file: file.path,
        line: Math.min(...ignored.values()),
      });
  }
  if (items.length === 0) return { ok: false, error: { code: 'JSONL_EMPTY', message: 'no items', file: files[0]?.path ?? '' } };
  return { ok: true, dataset: { kind: kind ?? 'text', labels: labelsFromItems(items), items }, warnings };
}

function nativeRecord(item: DatasetItem): Record<string, unknown> {
  const rec: Record<string, unknown> = { id: item.name };
  if (item.kind === 'text') rec.text = item.text ?? '';
  else {
    const image = item.meta?.image;
    rec.image = typeof image === 'string' ? image : item.name;
    if (item.width !== undefined) rec.width = item.width;
    if (item.height !== undefined) rec.height = item.height;
  }
  const [only, ...more] = item.annotations;
  if (only && more.length === 0 && only.kind === 'annotation' && !only.provenance) rec.regions = only.regions;
  else if (only) rec.annotations = item.annotations;
  const { image: _image, ...meta } = item.meta ?? {};
  if (Object.keys(meta).length) rec.meta = meta;
  if (item.attributes && Object.keys(item.attributes).length) rec.attributes = item.attributes;
  return rec;
}

function writer(kind: 'image' | 'text', options: WriteOptions = {}): DatasetWriter {
  const warnings: DatasetWarning[] = [];
  const doccano = options.layout === 'doccano';
  let droppedClasses = 0;
  return {
    begin: () => {
      if (doccano && kind === 'image') warnings.push({ code: 'doccano_text_only', message: 'the doccano layout holds text items only' });
      return [];
    },
    item(item) {
      if (!doccano) return [{ file: 'dataset.jsonl', text: JSON.stringify(nativeRecord(item)) + '\n' }];
      if (item.kind !== 'text') return [];
      const rec: Record<string, unknown> = { id: item.name, text: item.text ?? '' };
      const a = pickAnnotation(item, options);
      if (a) {
        const spans = a.regions.filter((r) => r.type === 'span');
        const classes = a.regions.filter((r) => r.type === 'class');
        if (spans.length && classes.length) droppedClasses += classes.length;
        rec.label = spans.length ? spans.map((r) => [r.start, r.end, r.label]) : classes.map((r) => r.label);
      }
      return [{ file: 'dataset.jsonl', text: JSON.stringify(rec) + '\n' }];
    },
    finish: () => {
      if (droppedClasses)
        warnings.push({
          code: 'doccano_classes_dropped',
          message: `${droppedClasses} class labels left out: doccano's "label" holds either spans or classes, and these items have spans`,
        });
      return [];
    },
    warnings: () => warnings,
  };
}

export const jsonlFormat: DatasetFormat = {
  id: 'jsonl',
  kinds: ['text', 'image'],
  input: 'file',
  output: 'file',
  defaultFile: 'dataset.jsonl',
  read,
  writer,
};
