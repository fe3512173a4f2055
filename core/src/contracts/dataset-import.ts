import { z } from 'zod';
import { Color, Id } from '../schema/common.ts';
import { Tool } from '../schema/label-schema.ts';
import type { Region } from '../schema/region.ts';
import type { DatasetError } from '../formats/dataset/types.ts';

/**
 * Contracts of dataset imports: existing annotations in a dataset format brought into a project as
 * predictions, gold answers or one annotator's annotations, after a preview the lead confirms.
 * See docs/dataset-import.md.
 */

export const IMPORT_AS = ['predictions', 'gold', 'annotations'] as const;
export const ImportAs = z.enum(IMPORT_AS);
export type ImportAs = z.infer<typeof ImportAs>;

/**
 * What happens to one label of the dataset: `map` onto an existing label of the schema (by its
 * name), `add` it to the schema (as `tool`, default: the tool of its most used region type), or
 * `drop` its regions.
 */
export const LabelDecision = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('map'), to: z.string().min(1).max(200) }),
  z.strictObject({ action: z.literal('add'), tool: Tool.optional(), color: Color.optional() }),
  z.strictObject({ action: z.literal('drop') }),
]);
export type LabelDecision = z.infer<typeof LabelDecision>;

/** Decisions by the dataset's label name; a label left out keeps its default (matched → map, new → add). */
export const LabelMapping = z.record(z.string().max(200), LabelDecision).refine((m) => Object.keys(m).length <= 2000, 'too many labels');
export type LabelMapping = z.infer<typeof LabelMapping>;

/**
 * Importing as annotations: whose they become. `bySource` maps the file's annotators (Label Studio
 * `completed_by`, JSONL/COCO provenance) to project members; `default` takes every annotation whose
 * source annotator is not mapped (and all of them in formats that carry none, such as CVAT);
 * `placeholders` names file annotators kept as placeholder annotators instead.
 */
export const ImportAnnotators = z.strictObject({
  default: Id.optional(),
  bySource: z
    .record(z.string().max(200), Id)
    .refine((m) => Object.keys(m).length <= 500, 'too many annotators')
    .default({}),
  /**
   * File annotators whose annotations go to a placeholder annotator named after them
   * (`imported:<name>`; '' — annotations that name none — after the file): a user record that
   * cannot sign in, made (or found again) at the confirm. Takes precedence over `bySource`.
   */
  placeholders: z.array(z.string().max(200)).max(500).optional(),
});
export type ImportAnnotators = z.infer<typeof ImportAnnotators>;

export const ConfirmImportInput = z.strictObject({ mapping: LabelMapping.default({}), annotators: ImportAnnotators.optional() });
export type ConfirmImportInput = z.infer<typeof ConfirmImportInput>;

/**
 * Why a region (or an item's regions) will not be imported: a region issue reason from
 * `regionIssues` (wrong tool, outside the image, unknown keypoint …), or
 * `item_missing` (no such item in the project and no image for it in the upload),
 * `item_ambiguous` (several project items have that file name),
 * `too_many_regions` (more than MAX_REGIONS on one item).
 */
export type RefusalReason = string;

/** One dataset label in the preview. */
export interface LabelPlanRow {
  /** The name in the dataset. */
  name: string;
  /** The dataset's tool for it (or that of its most used region type). */
  tool: Tool;
  /** Regions per region type, over the annotations being imported. */
  regionTypes: Partial<Record<Region['type'], number>>;
  regions: number;
  /** `matched`: the schema has a label of that name (case-insensitive) whose tool fits; `conflict`: it has the name with another tool; `new`: it has no such label. */
  status: 'matched' | 'new' | 'conflict';
  /** The schema label of the same name, if any. */
  match?: string;
  decision: LabelDecision;
  /** Regions of this label that will be stored, and refused. */
  accepted: number;
  refused: number;
}

/** A problem with the chosen mapping itself; confirming is refused while there are any. */
export interface MappingIssue {
  label: string;
  reason: 'unknown_target' | 'target_tool_mismatch' | 'name_taken' | 'tool_not_for_kind' | 'invalid_label' | 'schema_invalid';
  message: string;
}

export interface RefusedRegion {
  item: string;
  /** Index of the region in the item's imported annotation (0-based); absent when the whole item is refused. */
  region?: number;
  label?: string;
  reason: RefusalReason;
  message: string;
}

/** The preview of an import: what the confirm would store. */
export interface ImportPreview {
  format: string;
  as: ImportAs;
  kind: 'image' | 'text';
  labels: LabelPlanRow[];
  mappingIssues: MappingIssue[];
  /** Labels the confirm adds to the schema (names as they will be stored). */
  newLabels: string[];
  items: { total: number; matched: number; new: number; missing: number; ambiguous: number };
  regions: { total: number; accepted: number; dropped: number; refused: number };
  /** Refusals counted by reason, and the first REFUSALS_SHOWN of them. */
  refusedByReason: Record<string, number>;
  refusals: RefusedRegion[];
  warnings: { code: string; message: string; file?: string; line?: number }[];
  /** Importing as annotations: the file's annotators ('' for annotations that name none) and how many item annotations each has. */
  annotators?: { name: string; annotations: number }[];
}

/**
 * Why an annotation line of an import as annotations was not stored (never a second annotation):
 * `item_full` the item has its k annotations already, `already_annotated` that user annotated the item,
 * `gold_item` a gold item (answered through gold, not annotations), `item_busy` every free replica of
 * the item is leased to someone right now.
 */
export const IMPORT_SKIP_REASONS = ['item_full', 'already_annotated', 'gold_item', 'item_busy'] as const;
export type ImportSkipReason = (typeof IMPORT_SKIP_REASONS)[number];

/** What a confirmed import stored (imports as annotations also say what they skipped, and why). */
export interface ImportResult {
  stored: number;
  skipped: number;
  skippedByReason: Partial<Record<ImportSkipReason, number>>;
  /** The first REFUSALS_SHOWN skips. */
  skips: { item: string; annotator: string; reason: ImportSkipReason }[];
}

/** A dataset import session as the API returns it. */
export interface DatasetImportView {
  id: string;
  projectId: string;
  fileName: string;
  format: string;
  as: ImportAs;
  annotator?: string;
  /** Importing as annotations: the annotators the confirm used (user ids). */
  annotators?: ImportAnnotators;
  /** `running`: queued or being stored by the dataset-import worker job; `cancelled` at the lead's request (nothing kept). */
  status: 'preview' | 'running' | 'complete' | 'failed' | 'cancelled';
  /** A cancel was asked for and the job has not stopped yet. */
  cancelRequested?: boolean;
  done: number;
  total: number;
  preview: ImportPreview;
  result?: ImportResult;
  error?: DatasetError | { code: string; message: string };
  createdAt: string;
}

export const REFUSALS_SHOWN = 200;
