import { relabelRegions, type LabelMerge, type Region } from '@labelwork/core';

/**
 * Rewrites merged labels (`from` → `into`) on each stored document `docs` yields, through its
 * owner's compare-and-set write: `replace` stores the new regions only if the document is still
 * as read and says whether it did; otherwise the document is re-read (`reread`) and rewritten,
 * up to 5 tries. Returns how many documents changed.
 */
export async function relabelStored<D extends { regions: readonly Region[] }>(
  docs: AsyncIterable<D>,
  merges: readonly LabelMerge[],
  replace: (doc: D, regions: Region[]) => Promise<boolean>,
  reread: (doc: D) => Promise<D | null>,
): Promise<number> {
  let changed = 0;
  for await (const first of docs) {
    let doc: D | null = first;
    for (let attempt = 0; doc && attempt < 5; attempt++) {
      const regions = relabelRegions(doc.regions, merges);
      if (!regions) break;
      if (await replace(doc, regions)) {
        changed += 1;
        break;
      }
      doc = await reread(doc);
    }
  }
  return changed;
}
