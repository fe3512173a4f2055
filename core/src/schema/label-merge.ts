import type { Issue } from '../contracts/issues.ts';
import type { LabelSchema, Tool } from './label-schema.ts';
import type { LabelMerge } from './project.ts';
import type { Region } from './region.ts';

const regionType = (tool: Tool): Region['type'] => (tool === 'class-single' || tool === 'class-multi' ? 'class' : tool);

/**
 * Checks merges against the schema before and after an edit: `from` was a label and is gone,
 * `into` is a label of the new schema (not retired) that makes the same kind of region.
 */
export function labelMergeIssues(before: LabelSchema, after: LabelSchema, merges: readonly LabelMerge[]): Issue[] {
  const old = new Map(before.labels.map((l) => [l.name, l]));
  const now = new Map(after.labels.map((l) => [l.name, l]));
  return merges.flatMap((m, i): Issue[] => {
    const from = old.get(m.from);
    const into = now.get(m.into);
    if (m.from === m.into)
      return [
        {
          path: ['labelMerges', i, 'into'],
          reason: 'merge_into_itself',
          params: { label: m.from },
          message: 'a label cannot be merged into itself',
        },
      ];
    if (!from || now.has(m.from))
      return [
        {
          path: ['labelMerges', i, 'from'],
          reason: 'unknown_label',
          params: { label: m.from },
          message: `"${m.from}" is not a label this edit removes`,
        },
      ];
    if (!into || into.retired)
      return [
        {
          path: ['labelMerges', i, 'into'],
          reason: 'merge_target_unknown',
          params: { label: m.into },
          message: `there is no label "${m.into}" to merge into`,
        },
      ];
    if (regionType(from.tool) !== regionType(into.tool)) {
      return [
        {
          path: ['labelMerges', i, 'into'],
          reason: 'merge_tool_mismatch',
          params: { from: m.from, into: m.into },
          message: `"${m.from}" and "${m.into}" make different kinds of region`,
        },
      ];
    }
    return [];
  });
}

/**
 * Regions with merged labels renamed (`from` → `into`); a class region that would repeat a class
 * already chosen is dropped. Returns null when nothing changes. Pure.
 */
export function relabelRegions(regions: readonly Region[], merges: readonly LabelMerge[]): Region[] | null {
  const to = new Map(merges.map((m) => [m.from, m.into]));
  if (!regions.some((r) => to.has(r.label))) return null;
  const classes = new Set(regions.filter((r) => r.type === 'class' && !to.has(r.label)).map((r) => r.label));
  const out: Region[] = [];
  for (const r of regions) {
    const into = to.get(r.label);
    if (into === undefined) out.push(r);
    else if (r.type === 'class') {
      if (!classes.has(into)) out.push({ ...r, label: into });
      classes.add(into);
    } else out.push({ ...r, label: into });
  }
  return out;
}

/** Regions per label name. */
export function regionsPerLabel(regions: readonly Region[], into: Map<string, number> = new Map()): Map<string, number> {
  for (const r of regions) into.set(r.label, (into.get(r.label) ?? 0) + 1);
  return into;
}
