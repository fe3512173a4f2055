import type { ObjectId } from 'mongodb';
import type { LabelMerge, LabelSchema } from '@labelwork/core';
import { labelMergeIssues, ownEntry } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { UserDoc } from '@labelwork/engine';
import { fieldIssue, validationError } from '../../http/errors.ts';
import { annotationLabelCounts, relabelAnnotations } from '../annotations/index.ts';
import { goldLabelCounts, relabelGold } from '../items/index.ts';
import { draftLabelCounts, relabelDrafts } from '../tasks/index.ts';
import { loadProject } from '../access/index.ts';

export interface LabelUsage {
  /** Regions with this label in submitted annotations, drafts (work in progress) and gold answers. */
  annotations: number;
  drafts: number;
  gold: number;
}

/**
 * How many stored regions use each label (every label of the schema, plus names regions still
 * carry that the schema no longer has), for the project form's warning before a label goes.
 */
export async function labelUsage(ctx: AppContext, user: UserDoc, id: ObjectId): Promise<Record<string, LabelUsage>> {
  const project = await loadProject(ctx, user, id, 'manage');
  const [annotations, drafts, gold] = await Promise.all([
    annotationLabelCounts(ctx, project._id),
    draftLabelCounts(ctx, project._id),
    goldLabelCounts(ctx, project._id),
  ]);
  const names = new Set([...project.labelSchema.labels.map((l) => l.name), ...annotations.keys(), ...drafts.keys(), ...gold.keys()]);
  const out: Record<string, LabelUsage> = {};
  // Own entries: a label may be named "__proto__" (see ownEntry).
  for (const name of names)
    ownEntry(out, name, () => ({ annotations: annotations.get(name) ?? 0, drafts: drafts.get(name) ?? 0, gold: gold.get(name) ?? 0 }));
  return out;
}

/** VALIDATION_FAILED unless every merge names a removed label and a fitting label of the new schema. */
export function checkLabelMerges(before: LabelSchema, after: LabelSchema, merges: readonly LabelMerge[]): void {
  const issues = labelMergeIssues(before, after, merges);
  if (issues.length)
    throw validationError(
      issues.map((i) => fieldIssue(i)),
      'the label merges do not fit the label schema',
    );
}

/** Rewrites merged labels on stored annotations (through the annotations module), drafts and gold answers. */
export async function applyLabelMerges(
  ctx: AppContext,
  projectId: ObjectId,
  merges: readonly LabelMerge[],
): Promise<{ annotations: number; drafts: number; gold: number }> {
  const annotations = await relabelAnnotations(ctx, projectId, merges);
  const drafts = await relabelDrafts(ctx, projectId, merges);
  const gold = await relabelGold(ctx, projectId, merges);
  return { annotations, drafts, gold };
}
