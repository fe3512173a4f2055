import type { ObjectId } from 'mongodb';
import { regionsPerLabel, relabelRegions, type LabelMerge } from '@labelwork/core';
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
