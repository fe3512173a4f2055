import type { Region } from '../../schema/region.ts';
import { pickAnnotation as pickPreferred } from './image-common.ts';
import type { DatasetAnnotation, DatasetItem, DatasetLabel } from './types.ts';

/**
 * The labels a dataset uses, for formats that declare none (JSONL, CoNLL, Label Studio, CSV): in
 * order of first use, the tool from the region type. A class label is `class-multi` when some
 * annotation chooses more than one class, else `class-single`; a keypoints label lists its point
 * names in order of first appearance. A label name used with two region types keeps the first.
 */
export function labelsFromItems(items: readonly DatasetItem[], declared: readonly DatasetLabel[] = []): DatasetLabel[] {
  const byName = new Map<string, DatasetLabel>(declared.map((l) => [l.name, { ...l }]));
  let multiClass = false;
  for (const item of items)
    for (const a of item.annotations) {
      let classes = 0;
      for (const r of a.regions) {
        if (r.type === 'class') classes++;
        let label = byName.get(r.label);
        if (!label) byName.set(r.label, (label = { name: r.label, tool: toolOf(r) }));
        if (r.type === 'keypoints' && label.tool === 'keypoints') {
          const points = (label.points ??= []);
          for (const p of r.points) if (!points.includes(p.name)) points.push(p.name);
        }
      }
      if (classes > 1) multiClass = true;
    }
  const declaredNames = new Set(declared.map((l) => l.name));
  return [...byName.values()].map((l) =>
    l.tool === 'class-single' && multiClass && !declaredNames.has(l.name) ? { ...l, tool: 'class-multi' } : l,
  );
}

function toolOf(r: Region): DatasetLabel['tool'] {
  return r.type === 'class' ? 'class-single' : r.type;
}

/** Region ids for a reader: `r1`, `r2`, … per item (region ids need only be unique within an annotation). */
export function regionIds(): () => string {
  let n = 0;
  return () => `r${++n}`;
}

/** The first annotation of `item` whose kind is in `prefer` (image-common's `pickAnnotation`, taking the kind list itself). */
export function pickAnnotation(item: DatasetItem, prefer?: readonly DatasetAnnotation['kind'][]): DatasetAnnotation | undefined {
  return pickPreferred(item, prefer ? { prefer: [...prefer] } : undefined);
}
