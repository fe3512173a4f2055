import { krippendorffAlpha } from '../metrics/krippendorff.ts';
import type { Rating } from '../metrics/reliability-data.ts';
import { compareCodePoints } from '../metrics/reliability-data.ts';
import { cohenKappa } from '../metrics/two-coder.ts';
import type { Tool } from '../schema/label-schema.ts';
import type { ItemQuality, PairAgreement } from './item-quality.ts';

/** What the project-level computation needs from each complete item. */
export type ItemQualityRow = Pick<ItemQuality, 'annotators' | 'summary' | 'pairs' | 'classChoice'>;

export interface ToolProjectAgreement {
  value: number | null;
  reason?: string;
  metric: string;
  /** Items that entered the value. */
  items: number;
  /** Mean of the items' own agreement values (defined ones), for every tool. */
  meanItem: number | null;
}

export interface PairProjectAgreement {
  a: string;
  b: string;
  /** Items both annotated. */
  items: number;
  /** Mean of the pair's per-item agreement, per tool. */
  byTool: Partial<Record<Tool, number | null>>;
  /** Cohen's kappa on the pair's single-class choices over shared items (null when undefined). */
  classKappa: number | null;
}

export interface ProjectAgreement {
  items: number;
  annotators: string[];
  byTool: Partial<Record<Tool, ToolProjectAgreement>>;
  pairs: PairProjectAgreement[];
}

function mean(values: (number | null | undefined)[]): { value: number | null; n: number } {
  let s = 0;
  let n = 0;
  for (const v of values)
    if (typeof v === 'number') {
      s += v;
      n++;
    }
  return { value: n ? s / n : null, n };
}

/**
 * Project-level agreement from the stored quality of complete items.
 * Per tool: single-choice classes get Krippendorff's alpha (nominal) over all items and annotators
 * (missing values allowed); other tools get the mean of the items' agreement values. Per annotator
 * pair: the mean of their per-item agreement per tool, and Cohen's kappa on single-class choices
 * over the items both annotated. Pairs are sorted by annotator id. Complexity: O(items × k²).
 */
export function projectAgreement(rows: readonly ItemQualityRow[]): ProjectAgreement {
  const annotators = [...new Set(rows.flatMap((r) => r.annotators))].sort(compareCodePoints);
  const tools = new Set<Tool>();
  for (const r of rows) for (const t of Object.keys(r.summary) as Tool[]) tools.add(t);
  const byTool: ProjectAgreement['byTool'] = {};
  for (const tool of tools) {
    const m = mean(rows.map((r) => r.summary[tool]));
    if (tool === 'class-single') {
      const row = new Map(annotators.map((a, i) => [a, i]));
      const data: Rating[][] = annotators.map(() => new Array<Rating>(rows.length).fill(null));
      rows.forEach((r, u) => {
        for (const [a, c] of Object.entries(r.classChoice)) (data[row.get(a) as number] as Rating[])[u] = c;
      });
      const alpha = annotators.length >= 2 ? krippendorffAlpha(data, { level: 'nominal' }) : null;
      const out: ToolProjectAgreement = {
        value: alpha?.value ?? null,
        metric: "Krippendorff's alpha (nominal) over single-class choices",
        items: alpha?.nPairable ?? 0,
        meanItem: m.value,
      };
      const reason = alpha ? alpha.reason : 'needs at least two annotators';
      if (reason !== undefined) out.reason = reason;
      byTool[tool] = out;
    } else {
      byTool[tool] = {
        value: m.value,
        metric: 'mean item agreement',
        items: m.n,
        meanItem: m.value,
        ...(m.value === null ? { reason: 'no item has a defined value' } : {}),
      };
    }
  }
  const pairMap = new Map<
    string,
    { a: string; b: string; items: number; values: Map<Tool, (number | null)[]>; choices: [Rating[], Rating[]] }
  >();
  for (const r of rows) {
    for (const p of r.pairs as PairAgreement[]) {
      const [a, b] = compareCodePoints(p.a, p.b) <= 0 ? [p.a, p.b] : [p.b, p.a];
      const key = `${a}\u0000${b}`;
      let e = pairMap.get(key);
      if (!e) {
        e = { a, b, items: 0, values: new Map(), choices: [[], []] };
        pairMap.set(key, e);
      }
      e.items++;
      for (const [t, v] of Object.entries(p.byTool) as [Tool, number | null][]) {
        const list = e.values.get(t) ?? [];
        list.push(v);
        e.values.set(t, list);
      }
      e.choices[0].push(r.classChoice[a] ?? null);
      e.choices[1].push(r.classChoice[b] ?? null);
    }
  }
  const pairs: PairProjectAgreement[] = [...pairMap.values()]
    .sort((x, y) => compareCodePoints(x.a, y.a) || compareCodePoints(x.b, y.b))
    .map((e) => {
      const out: Partial<Record<Tool, number | null>> = {};
      for (const [t, list] of e.values) out[t] = mean(list).value;
      let classKappa: number | null = null;
      if (tools.has('class-single')) {
        try {
          classKappa = cohenKappa(e.choices).value;
        } catch {
          classKappa = null;
        }
      }
      return { a: e.a, b: e.b, items: e.items, byTool: out, classKappa };
    });
  return { items: rows.length, annotators, byTool, pairs };
}
