import type { ObjectId } from 'mongodb';
import { regionsPerLabel, type LabelMerge } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { relabelStored } from '@labelwork/engine';
import { draftsRepo } from './tasks.repository.ts';

/** Regions per label over a project's drafts (work in progress on the server). */
export async function draftLabelCounts(ctx: AppContext, projectId: ObjectId): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const d of draftsRepo.allOfProject(ctx.db, projectId)) regionsPerLabel(d.regions, counts);
  return counts;
}

/** Rewrites merged labels in a project's drafts; a draft saved meanwhile is re-read. Returns how many changed. */
export async function relabelDrafts(ctx: AppContext, projectId: ObjectId, merges: readonly LabelMerge[]): Promise<number> {
  if (merges.length === 0) return 0;
  return relabelStored(
    draftsRepo.withLabels(
      ctx.db,
      projectId,
      merges.map((m) => m.from),
    ),
    merges,
    (doc, regions) => draftsRepo.replaceRegions(ctx.db, doc._id, doc.savedAt, regions),
    (doc) => draftsRepo.get(ctx.db, doc.userId, doc.itemId),
  );
}
