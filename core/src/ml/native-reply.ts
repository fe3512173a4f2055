import type { LabelSchema } from '../schema/label-schema.ts';
import { regionIssues, type Region } from '../schema/region.ts';
import { NativePredictReply } from '../contracts/ml.ts';
import type { ConvertedPrediction, ReplyResult, TaskExtent } from './ls-reply.ts';

const HTML = /[<>]/;

/**
 * Checks a native (`labelwork.ml/1`) `/predict` reply: its shape, one result per task, labels free of
 * markup, and every task's regions against the label schema and the item (Labelwork's region
 * checks: known label and tool, inside the image or text). Region ids are replaced by `p1…pn`, so a
 * backend's ids never collide with the editor's. Any failure refuses the whole reply.
 */
export function convertNativePredictReply(reply: unknown, schema: LabelSchema, tasks: readonly TaskExtent[]): ReplyResult {
  const parsed = NativePredictReply.safeParse(reply);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const path = (first?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p));
    return {
      ok: false,
      error: { reason: 'reply_malformed', message: `${path.join('.') || 'reply'}: ${first?.message ?? 'malformed'}`, path },
    };
  }
  const results = parsed.data.results;
  if (results.length !== tasks.length)
    return {
      ok: false,
      error: { reason: 'reply_length', message: `the reply has ${results.length} results for ${tasks.length} tasks`, path: ['results'] },
    };
  const predictions: ConvertedPrediction[] = [];
  for (const [t, r] of results.entries()) {
    const bad = r.regions.findIndex((g) => HTML.test(g.label));
    if (bad >= 0)
      return {
        ok: false,
        error: {
          reason: 'html_in_label',
          message: `label ${JSON.stringify(r.regions[bad]!.label.slice(0, 80))} contains markup`,
          task: t,
          path: ['results', t, 'regions', bad, 'label'],
        },
      };
    const regions = r.regions.map((g, i): Region => ({ ...g, id: `p${i + 1}` }));
    const issues = regionIssues(schema, tasks[t]!, regions);
    if (issues.length)
      return {
        ok: false,
        error: { reason: 'invalid_region', message: `task ${t}: ${issues[0]!.message}`, task: t, path: ['results', t, ...issues[0]!.path] },
      };
    predictions.push({ regions, score: r.score ?? null, modelVersion: r.modelVersion ?? null });
  }
  return { ok: true, predictions };
}
