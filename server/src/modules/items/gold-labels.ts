import type { ObjectId } from 'mongodb';
import { regionsPerLabel, relabelRegions, type AnnotationContent, type LabelMerge } from '@labelwork/core';
import type { ProjectDoc } from '@labelwork/engine';
import { projectsRepo } from '../access/index.ts';
import type { AppContext } from '../../context.ts';
import { goldLabelsRepo } from './gold-labels.repository.ts';

/** Regions per label over a project's gold answers. */
export async function goldLabelCounts(ctx: AppContext, projectId: ObjectId): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const it of goldLabelsRepo.goldItems(ctx.db, projectId)) if (it.gold) regionsPerLabel(it.gold.regions, counts);
  return counts;
}

/** Rewrites merged labels in a project's gold answers. Returns how many changed. */
export async function relabelGold(ctx: AppContext, projectId: ObjectId, merges: readonly LabelMerge[]): Promise<number> {
  if (merges.length === 0) return 0;
  let changed = 0;
  for await (const it of goldLabelsRepo.withLabels(
    ctx.db,
    projectId,
    merges.map((m) => m.from),
  )) {
    const regions = it.gold ? relabelRegions(it.gold.regions, merges) : null;
    if (!regions || !it.gold) continue;
    await goldLabelsRepo.replaceGold(ctx.db, it._id, { ...it.gold, regions });
    changed += 1;
  }
  return changed;
}

/**
 * Sets many gold answers at once (a dataset import), in batches of bulk writes, and counts the
 * items that become gold. The caller has checked the regions against the schema and each item's extent;
 * `wasGold` says which items already had an answer (they stay counted once).
 */
export async function putGoldAnswers(
  ctx: AppContext,
  project: ProjectDoc,
  answers: readonly { id: ObjectId; gold: AnnotationContent; wasGold: boolean }[],
  onBatch: (done: number) => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  const BATCH = 1000;
  for (let i = 0; i < answers.length; i += BATCH) {
    await goldLabelsRepo.setGoldMany(ctx.db, project._id, answers.slice(i, i + BATCH));
    await onBatch(Math.min(answers.length, i + BATCH));
  }
  const added = answers.filter((a) => !a.wasGold).length;
  if (added) await projectsRepo.incCounts(ctx.db, project._id, { gold: added });
  return added;
}
