import { LabelSchema, TOOLS_BY_KIND, LabelDef, type Tool } from '../schema/label-schema.ts';
import { MAX_REGIONS, regionIssues, type ItemExtent, type Region } from '../schema/region.ts';
import { codePointLength } from '../schema/item.ts';
import { pickAnnotation } from '../formats/dataset/labels-from-regions.ts';
import type { Dataset, DatasetAnnotation, DatasetItem, DatasetLabel, DatasetWarning, Provenance } from '../formats/dataset/types.ts';
import {
  REFUSALS_SHOWN,
  type ImportAs,
  type ImportPreview,
  type LabelDecision,
  type LabelMapping,
  type LabelPlanRow,
  type MappingIssue,
  type RefusedRegion,
} from '../contracts/dataset-import.ts';

/** A project item an imported dataset item may land on. */
export interface ProjectItemRef {
  id: string;
  /** The image's file name as uploaded (image items). */
  fileName?: string;
  externalId?: string;
  extent: ItemExtent;
}

export interface ImportPlanInput {
  format: string;
  as: ImportAs;
  dataset: Dataset;
  warnings?: readonly DatasetWarning[];
  projectKind: 'image' | 'text';
  schema: LabelSchema;
  items: readonly ProjectItemRef[];
  /** Images that come with the upload (a zip), by their path in it, with their probed size: items the confirm creates. */
  uploadedImages?: ReadonlyMap<string, { width: number; height: number }>;
  mapping?: LabelMapping;
}

/** What the confirm stores on one item. */
export interface ItemWrite {
  /** The dataset item's name. */
  name: string;
  /** The project item, or null for an item the confirm creates (from an uploaded image, or the dataset's text). */
  itemId: string | null;
  /** For a new image item: the uploaded image's path in the zip. */
  image?: string;
  /** For a new text item. */
  text?: string;
  regions: Region[];
  /** Whether the dataset had an annotation of this item at all (an empty one is still an answer: "no objects"). */
  answered: boolean;
  provenance?: Provenance;
}

export interface ImportPlan {
  preview: ImportPreview;
  /** The schema after the confirm (with the added labels), or null when the mapping has issues. */
  schema: LabelSchema | null;
  writes: ItemWrite[];
}

const PREFER: Record<ImportAs, DatasetAnnotation['kind'][]> = {
  predictions: ['prediction', 'annotation', 'consensus', 'gold'],
  gold: ['gold', 'consensus', 'annotation', 'prediction'],
  annotations: ['annotation', 'consensus', 'gold', 'prediction'],
};

/** Colours for labels an import adds (the schema needs one per label), taken in turn. */
const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990'];

const TOOL_OF_TYPE: Record<Region['type'], Tool> = {
  bbox: 'bbox',
  polygon: 'polygon',
  keypoints: 'keypoints',
  span: 'span',
  class: 'class-single',
};

function fits(tool: Tool, type: Region['type']): boolean {
  return type === 'class' ? tool === 'class-single' || tool === 'class-multi' : tool === type;
}

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const nfc = (s: string) => s.normalize('NFC');

/** Finds project items by external id, by file name, then by the base name of the dataset's path (when unique). */
class ItemIndex {
  private readonly byExternal = new Map<string, string[]>();
  private readonly byFile = new Map<string, string[]>();
  private readonly extents = new Map<string, ItemExtent>();
  constructor(items: readonly ProjectItemRef[]) {
    const add = (m: Map<string, string[]>, k: string, id: string) => {
      const l = m.get(k);
      if (l) l.push(id);
      else m.set(k, [id]);
    };
    for (const it of items) {
      this.extents.set(it.id, it.extent);
      if (it.externalId !== undefined) add(this.byExternal, nfc(it.externalId), it.id);
      if (it.fileName !== undefined) add(this.byFile, nfc(it.fileName), it.id);
    }
  }
  find(name: string): string | 'ambiguous' | null {
    const n = nfc(name);
    for (const list of [this.byExternal.get(n), this.byFile.get(n), n.includes('/') ? this.byFile.get(baseName(n)) : undefined]) {
      if (!list) continue;
      return list.length === 1 ? list[0]! : 'ambiguous';
    }
    return null;
  }
  extent(id: string): ItemExtent {
    return this.extents.get(id)!;
  }
}

interface SourceLabel {
  name: string;
  declared?: DatasetLabel;
  types: Partial<Record<Region['type'], number>>;
  regions: number;
}

function mostUsedTool(l: SourceLabel): Tool {
  let best: Region['type'] | undefined;
  for (const [t, n] of Object.entries(l.types) as [Region['type'], number][]) if (best === undefined || n > l.types[best]!) best = t;
  if (l.declared && (best === undefined || fits(l.declared.tool, best))) return l.declared.tool;
  return best ? TOOL_OF_TYPE[best] : 'bbox';
}

/**
 * Plans importing a dataset (read by a DATASET_FORMAT_REGISTRY format) into a project: which
 * dataset labels match the schema (same name, case-insensitive, with a tool that fits their region
 * types), which are new (to add, map onto an existing label, or drop) and which regions are refused
 * (wrong tool, outside the image or text, unknown keypoint … as `regionIssues` finds them); which
 * dataset items are the project's (by external id or image file name) and which are new. Pure: the
 * same input gives the same plan; nothing is stored until the server carries out its `writes`.
 * By default a matched or conflicting label maps onto its namesake (a conflict's regions are then
 * refused as `label_tool_mismatch`) and a new one is added; a decision the lead gives that cannot
 * work (a missing target, a target whose tool fits none of the label's regions, a taken name) is a
 * mapping issue, and `schema` is null until it is resolved.
 */
export function planDatasetImport(input: ImportPlanInput): ImportPlan {
  const { dataset, schema, projectKind } = input;
  const mapping = input.mapping ?? {};
  const prefer = PREFER[input.as];

  // Which annotations of each item are imported (one, or one per source annotator when importing
  // annotations), and the labels their regions use.
  const chosen = new Map<DatasetItem, DatasetAnnotation[]>();
  const annotators = new Map<string, number>();
  const sources = new Map<string, SourceLabel>();
  const source = (name: string) => {
    let s = sources.get(name);
    if (!s) sources.set(name, (s = { name, types: {}, regions: 0 }));
    return s;
  };
  for (const l of dataset.labels) source(l.name).declared = l;
  for (const item of dataset.items) {
    const list = input.as === 'annotations' ? annotationsPerAnnotator(item, prefer) : [chooseAnnotation(item, prefer)].filter((a) => !!a);
    chosen.set(item, list);
    for (const a of list) {
      if (input.as === 'annotations')
        annotators.set(a.provenance?.annotator ?? '', (annotators.get(a.provenance?.annotator ?? '') ?? 0) + 1);
      for (const r of a.regions) {
        const s = source(r.label);
        s.types[r.type] = (s.types[r.type] ?? 0) + 1;
        s.regions++;
      }
    }
  }

  // Label decisions.
  const schemaByKey = new Map(schema.labels.map((l) => [l.name.toLowerCase(), l]));
  const newLabels: LabelDef[] = [];
  const mappingIssues: MappingIssue[] = [];
  const target = new Map<string, string | null>(); // dataset label → schema label name (null: dropped)
  const rows: LabelPlanRow[] = [];
  const addedKeys = new Set<string>();
  for (const s of sources.values()) {
    const tool = mostUsedTool(s);
    const match = schemaByKey.get(s.name.toLowerCase());
    const status: LabelPlanRow['status'] = !match
      ? 'new'
      : (Object.keys(s.types) as Region['type'][]).every((t) => fits(match.tool, t)) && (s.regions > 0 || match.tool === tool)
        ? 'matched'
        : 'conflict';
    const decision: LabelDecision = mapping[s.name] ?? (match ? { action: 'map', to: match.name } : { action: 'add' });
    const issue = (reason: MappingIssue['reason'], message: string) => mappingIssues.push({ label: s.name, reason, message });
    if (decision.action === 'drop') target.set(s.name, null);
    else if (decision.action === 'map') {
      const to = schemaByKey.get(decision.to.toLowerCase()) ?? newLabels.find((l) => l.name.toLowerCase() === decision.to.toLowerCase());
      if (!to) issue('unknown_target', `the schema has no label "${decision.to}"`);
      else if (mapping[s.name] && s.regions > 0 && !(Object.keys(s.types) as Region['type'][]).some((t) => fits(to.tool, t)))
        issue('target_tool_mismatch', `label "${to.name}" uses tool ${to.tool}, which fits none of the regions of "${s.name}"`);
      target.set(s.name, to?.name ?? null);
    } else {
      const addTool = decision.tool ?? tool;
      const key = s.name.trim().toLowerCase();
      if (schemaByKey.has(key) || addedKeys.has(key)) issue('name_taken', `the schema already has a label "${s.name}"`);
      else if (!TOOLS_BY_KIND[projectKind].includes(addTool))
        issue('tool_not_for_kind', `tool ${addTool} is not available in ${projectKind} projects`);
      else {
        const def = LabelDef.safeParse({
          name: s.name,
          tool: addTool,
          color: decision.color ?? PALETTE[(schema.labels.length + newLabels.length) % PALETTE.length],
          ...(addTool === 'keypoints' ? keypointsOf(s, dataset) : {}),
        });
        if (!def.success) issue('invalid_label', `"${s.name}" cannot be a label: ${def.error.issues[0]?.message ?? 'invalid'}`);
        else {
          newLabels.push(def.data);
          addedKeys.add(key);
        }
      }
      target.set(s.name, newLabels.find((l) => l.name.toLowerCase() === key)?.name ?? null);
    }
    rows.push({
      name: s.name,
      tool,
      regionTypes: s.types,
      regions: s.regions,
      status,
      ...(match ? { match: match.name } : {}),
      decision,
      accepted: 0,
      refused: 0,
    });
  }
  let merged: LabelSchema | null = null;
  if (mappingIssues.length === 0) {
    const r = LabelSchema.safeParse({ labels: [...schema.labels, ...newLabels] });
    if (r.success) merged = r.data;
    else
      mappingIssues.push({
        label: '',
        reason: 'schema_invalid',
        message: r.error.issues[0]?.message ?? 'the label schema would not be valid',
      });
  }
  const checkSchema: LabelSchema = merged ?? { labels: [...schema.labels, ...newLabels] };

  // Items and regions.
  const index = new ItemIndex(input.items);
  const rowOf = new Map(rows.map((r) => [r.name, r]));
  const refusedByReason: Record<string, number> = {};
  const refusals: RefusedRegion[] = [];
  const refuse = (r: RefusedRegion, label?: string) => {
    refusedByReason[r.reason] = (refusedByReason[r.reason] ?? 0) + 1;
    if (refusals.length < REFUSALS_SHOWN) refusals.push(r);
    if (label !== undefined) rowOf.get(label)!.refused++;
  };
  const items = { total: dataset.items.length, matched: 0, new: 0, missing: 0, ambiguous: 0 };
  const regions = { total: 0, accepted: 0, dropped: 0, refused: 0 };
  const writes: ItemWrite[] = [];
  for (const item of dataset.items) {
    const list = chosen.get(item) ?? [];
    const all = list.flatMap((a) => a.regions);
    regions.total += all.length;
    const refuseAll = (reason: string, message: string) => {
      refuse({ item: item.name, reason, message });
      for (const r of all)
        if (target.get(r.label) === null) regions.dropped++;
        else {
          regions.refused++;
          rowOf.get(r.label)!.refused++;
        }
    };
    const found = index.find(item.name);
    let extent: ItemExtent | undefined;
    let write: Omit<ItemWrite, 'regions' | 'answered'> | undefined;
    if (found === 'ambiguous') {
      items.ambiguous++;
      refuseAll('item_ambiguous', `several items of the project are named "${item.name}"`);
      continue;
    } else if (found) {
      items.matched++;
      extent = index.extent(found);
      write = { name: item.name, itemId: found };
    } else if (item.kind === 'text' && item.text !== undefined && projectKind === 'text') {
      items.new++;
      extent = { kind: 'text', length: codePointLength(item.text) };
      write = { name: item.name, itemId: null, text: item.text };
    } else {
      const uploaded = input.uploadedImages?.get(item.name) ?? input.uploadedImages?.get(baseName(item.name));
      if (uploaded && projectKind === 'image') {
        items.new++;
        extent = { kind: 'image', ...uploaded };
        const path = input.uploadedImages!.has(item.name) ? item.name : baseName(item.name);
        write = { name: item.name, itemId: null, image: path };
      } else {
        items.missing++;
        refuseAll('item_missing', `no item "${item.name}" in the project, and no such image in the upload`);
        continue;
      }
    }
    for (const a of list.length ? list : [undefined]) writes.push(regionsWrite(a, write, extent));
  }

  /** One annotation's regions on its item: relabelled, dropped, checked against the (merged) schema and the item's extent. */
  function regionsWrite(a: DatasetAnnotation | undefined, write: Omit<ItemWrite, 'regions' | 'answered'>, extent: ItemExtent): ItemWrite {
    const item = { name: write.name };
    const src = a?.regions ?? [];
    const kept: { region: Region; index: number; source: string }[] = [];
    src.forEach((r, i) => {
      const to = target.get(r.label);
      if (to === null || to === undefined) {
        regions.dropped++;
        return;
      }
      kept.push({ region: to === r.label ? r : { ...r, label: to }, index: i, source: r.label });
    });
    if (kept.length > MAX_REGIONS) {
      for (const k of kept)
        refuse(
          {
            item: item.name,
            region: k.index,
            label: k.source,
            reason: 'too_many_regions',
            message: `more than ${MAX_REGIONS} regions on one item`,
          },
          k.source,
        );
      regions.refused += kept.length;
      return { ...write, regions: [], answered: a !== undefined, ...(a?.provenance ? { provenance: a.provenance } : {}) };
    }
    const bad = new Map<number, { reason: string; message: string }>();
    for (const issue of regionIssues(
      checkSchema,
      extent,
      kept.map((k) => k.region),
    )) {
      const at = issue.path[1];
      if (typeof at === 'number' && !bad.has(at)) bad.set(at, { reason: issue.reason, message: issue.message });
    }
    const out: Region[] = [];
    kept.forEach((k, j) => {
      const b = bad.get(j);
      if (b) {
        regions.refused++;
        refuse({ item: item.name, region: k.index, label: k.source, ...b }, k.source);
      } else {
        out.push(k.region);
        regions.accepted++;
        rowOf.get(k.source)!.accepted++;
      }
    });
    return { ...write, regions: out, answered: a !== undefined, ...(a?.provenance ? { provenance: a.provenance } : {}) };
  }

  return {
    preview: {
      format: input.format,
      as: input.as,
      kind: dataset.kind,
      labels: rows,
      mappingIssues,
      newLabels: newLabels.map((l) => l.name),
      items,
      regions,
      refusedByReason,
      refusals,
      warnings: (input.warnings ?? []).map((w) => ({ ...w })),
      ...(input.as === 'annotations' ? { annotators: [...annotators].map(([name, annotations]) => ({ name, annotations })) } : {}),
    },
    schema: merged,
    writes,
  };
}

/**
 * The regions of an item to import: its first annotation of the most preferred kind it has, merged
 * with the other annotations of that kind by the same annotator (formats split one annotator's work
 * by provenance: COCO groups boxes by their `score`). The merged score is the mean of theirs.
 */
function chooseAnnotation(item: DatasetItem, prefer: readonly DatasetAnnotation['kind'][]): DatasetAnnotation | undefined {
  const first = pickAnnotation(item, prefer);
  if (!first) return undefined;
  const same = item.annotations.filter((a) => a.kind === first.kind && a.provenance?.annotator === first.provenance?.annotator);
  if (same.length === 1) return first;
  const scores = same.map((a) => a.provenance?.score).filter((x): x is number => x !== undefined);
  const provenance: Provenance = { ...first.provenance };
  if (scores.length) provenance.score = scores.reduce((x, y) => x + y, 0) / scores.length;
  return { kind: first.kind, regions: same.flatMap((a) => a.regions), provenance };
}

/**
 * Importing finished annotations: every annotator's annotation of the most preferred kind the item
 * has, one per source annotator (Label Studio `completed_by`; formats without one give one, named '').
 */
function annotationsPerAnnotator(item: DatasetItem, prefer: readonly DatasetAnnotation['kind'][]): DatasetAnnotation[] {
  const first = pickAnnotation(item, prefer);
  if (!first) return [];
  const by = new Map<string, DatasetAnnotation[]>();
  for (const a of item.annotations)
    if (a.kind === first.kind) {
      const who = a.provenance?.annotator ?? '';
      by.set(who, [...(by.get(who) ?? []), a]);
    }
  return [...by.values()].map((same) =>
    same.length === 1 ? same[0]! : { kind: first.kind, regions: same.flatMap((a) => a.regions), provenance: { ...same[0]!.provenance } },
  );
}

/** A new keypoints label's points (the dataset's, else those its regions name) and edges. */
function keypointsOf(s: SourceLabel, dataset: Dataset): { points: string[]; edges?: { from: string; to: string }[] } {
  if (s.declared?.points?.length) return { points: s.declared.points, ...(s.declared.edges?.length ? { edges: s.declared.edges } : {}) };
  const points: string[] = [];
  for (const item of dataset.items)
    for (const a of item.annotations)
      for (const r of a.regions)
        if (r.type === 'keypoints' && r.label === s.name) for (const p of r.points) if (!points.includes(p.name)) points.push(p.name);
  return { points };
}
