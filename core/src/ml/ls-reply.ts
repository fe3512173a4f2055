import type { z } from 'zod';
import type { LabelSchema } from '../schema/label-schema.ts';
import { regionIssues, type ItemExtent, type KeypointsRegion, type Region } from '../schema/region.ts';
import { codePointIndex } from '../text/codepoints.ts';
import type { LsControl, LsLabelConfig } from './label-config.ts';
import { LS_RESULT_TYPE } from './label-config.ts';
import { lsPointsToPixels, lsRectToEnclosingPixelBox } from './ls-coords.ts';
import { LsPredictReply, LsValue, type LsPrediction, type LsResult } from './ls-protocol.ts';

/** Why a reply was refused (shown in a run's log; `task` is the index in the batch, `path` inside the reply). */
export type ReplyRefusal =
  | 'reply_malformed'
  | 'reply_length'
  | 'unknown_tag'
  | 'wrong_type'
  | 'unknown_label'
  | 'html_in_label'
  | 'outside_image'
  | 'outside_text'
  | 'text_mismatch'
  | 'invalid_region';

export interface ReplyError {
  reason: ReplyRefusal;
  message: string;
  task?: number;
  path: (string | number)[];
}

/** One task's prediction in Labelwork's terms: pixel / code-point regions. */
export interface ConvertedPrediction {
  regions: Region[];
  /** The backend's confidence for the task, else the mean of its regions' scores, else null. */
  score: number | null;
  modelVersion: string | null;
}

export type ReplyResult = { ok: true; predictions: ConvertedPrediction[] } | { ok: false; error: ReplyError };

/** What the validator needs to know of each task sent, in the order sent. */
export type TaskExtent = ItemExtent & { text?: string };

/** Percent slack for rounding (a box computed as (cx − w/2)·100 may come out as −1e-13). */
const PCT_EPS = 1e-3;
const HTML = /[<>]/;

class Refused extends Error {
  constructor(readonly error: ReplyError) {
    super(error.message);
  }
}
const refuse = (reason: ReplyRefusal, message: string, path: (string | number)[], task?: number): never => {
  throw new Refused({ reason, message, path, task });
};

function zodPath(issues: readonly z.core.$ZodIssue[]): { path: (string | number)[]; message: string } {
  const first = issues[0];
  const path = (first?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p));
  return { path, message: `${path.join('.') || 'reply'}: ${first?.message ?? 'malformed'}` };
}

const clampPct = (v: number, path: (string | number)[], task: number): number => {
  if (v < -PCT_EPS || v > 100 + PCT_EPS) refuse('outside_image', `${path.join('.')}: ${v} is not a percentage in [0, 100]`, path, task);
  return Math.min(100, Math.max(0, v));
};

/** The best of several predictions for one task: the highest score, else the first. */
function pickPrediction(entry: LsPrediction | LsPrediction[]): LsPrediction | null {
  if (!Array.isArray(entry)) return entry;
  if (entry.length === 0) return null;
  return entry.reduce((best, p) => ((p.score ?? -Infinity) > (best.score ?? -Infinity) ? p : best));
}

function convertTask(
  pred: LsPrediction | null,
  t: number,
  config: LsLabelConfig,
  schema: LabelSchema,
  extent: TaskExtent,
): ConvertedPrediction {
  if (!pred) return { regions: [], score: null, modelVersion: null };
  const controls = new Map<string, LsControl>(config.controls.map((c) => [c.name, c]));
  const regions: Region[] = [];
  const keypoints = new Map<string, KeypointsRegion>();
  const textIndex = extent.kind === 'text' && extent.text !== undefined ? codePointIndex(extent.text) : null;
  let n = 0;
  const id = () => `p${++n}`;
  const scores: number[] = [];
  pred.result.forEach((r: LsResult, i) => {
    const at = ['results', t, 'result', i];
    const control = controls.get(r.from_name);
    if (!control) refuse('unknown_tag', `from_name "${r.from_name}" is not a control of the label config`, [...at, 'from_name'], t);
    const c = control as LsControl;
    if (r.to_name !== c.toName)
      refuse('unknown_tag', `to_name "${r.to_name}" is not the object of "${c.name}" (${c.toName})`, [...at, 'to_name'], t);
    const type = LS_RESULT_TYPE[c.tag];
    if (r.type !== type) refuse('wrong_type', `type "${r.type}" does not fit control "${c.name}" (expected ${type})`, [...at, 'type'], t);
    const parsed = LsValue[type].safeParse(r.value);
    if (!parsed.success) {
      const z = zodPath(parsed.error.issues);
      refuse('reply_malformed', `${at.join('.')}.value.${z.message}`, [...at, 'value', ...z.path], t);
    }
    const v = parsed.data as Record<string, unknown>;
    const labels: string[] = type === 'choices' ? (v.choices as string[]) : (v[type] as string[]);
    labels.forEach((l, j) => {
      if (c.values.includes(l)) return;
      if (HTML.test(l)) refuse('html_in_label', `label ${JSON.stringify(l.slice(0, 80))} contains markup`, [...at, 'value', type, j], t);
      refuse('unknown_label', `label "${l}" is not offered by control "${c.name}"`, [...at, 'value', type, j], t);
    });
    if (typeof r.score === 'number') scores.push(r.score);
    const W = extent.kind === 'image' ? extent.width : 0;
    const H = extent.kind === 'image' ? extent.height : 0;
    switch (type) {
      case 'rectanglelabels': {
        const b = parsed.data as z.infer<typeof LsValue.rectanglelabels>;
        const rect = {
          x: clampPct(b.x, [...at, 'value', 'x'], t),
          y: clampPct(b.y, [...at, 'value', 'y'], t),
          width: b.width,
          height: b.height,
          rotation: b.rotation,
        };
        const box = lsRectToEnclosingPixelBox(rect, W, H);
        const tol = 1e-5 * Math.max(W, H, 1);
        if (box.x < -tol || box.y < -tol || box.x + box.w > W + tol || box.y + box.h > H + tol)
          refuse('outside_image', `${at.join('.')}: the box reaches outside the image`, [...at, 'value'], t);
        const x = Math.max(0, box.x);
        const y = Math.max(0, box.y);
        regions.push({
          id: id(),
          type: 'bbox',
          label: labels[0]!,
          x,
          y,
          w: Math.min(W, box.x + box.w) - x,
          h: Math.min(H, box.y + box.h) - y,
        });
        break;
      }
      case 'polygonlabels': {
        const p = parsed.data as z.infer<typeof LsValue.polygonlabels>;
        const pts = p.points.map(
          ([x, y], j) => [clampPct(x, [...at, 'value', 'points', j, 0], t), clampPct(y, [...at, 'value', 'points', j, 1], t)] as const,
        );
        regions.push({ id: id(), type: 'polygon', label: labels[0]!, points: lsPointsToPixels(pts, W, H) });
        break;
      }
      case 'keypointlabels': {
        const k = parsed.data as z.infer<typeof LsValue.keypointlabels>;
        const x = (clampPct(k.x, [...at, 'value', 'x'], t) / 100) * W;
        const y = (clampPct(k.y, [...at, 'value', 'y'], t) / 100) * H;
        // Label Studio keeps each point as its own region; an instance is the points sharing a parent (or group text).
        const group = `${c.name}\u0000${r.parentID ?? r.meta?.text?.[0] ?? ''}`;
        let inst = keypoints.get(group);
        if (!inst || inst.points.some((q) => q.name === labels[0])) {
          inst = { id: id(), type: 'keypoints', label: c.keypointLabel ?? '', points: [] };
          keypoints.set(group, inst);
          regions.push(inst);
        }
        inst.points.push({ name: labels[0]!, x, y, v: 2 });
        break;
      }
      case 'labels': {
        const s = parsed.data as z.infer<typeof LsValue.labels>;
        const length = extent.kind === 'text' ? extent.length : 0;
        if (s.end <= s.start || s.end > length)
          refuse('outside_text', `span [${s.start}, ${s.end}) is not inside the text (length ${length} code points)`, [...at, 'value'], t);
        if (textIndex && s.text !== undefined && textIndex.slice(s.start, s.end) !== s.text)
          refuse(
            'text_mismatch',
            `span [${s.start}, ${s.end}) reads ${JSON.stringify(textIndex.slice(s.start, s.end))}, not ${JSON.stringify(s.text.slice(0, 80))} (offsets must be code points)`,
            [...at, 'value', 'text'],
            t,
          );
        regions.push({ id: id(), type: 'span', label: labels[0]!, start: s.start, end: s.end });
        break;
      }
      case 'choices':
        for (const l of labels) regions.push({ id: id(), type: 'class', label: l });
        break;
    }
  });
  const issues = regionIssues(schema, extent, regions);
  if (issues.length) {
    const first = issues[0]!;
    refuse('invalid_region', `task ${t}: ${first.message}`, ['results', t, ...first.path], t);
  }
  const score = typeof pred.score === 'number' ? pred.score : scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
  return { regions, score, modelVersion: pred.model_version ?? null };
}

/**
 * Checks a Label Studio `/predict` reply against what was sent and converts it to Labelwork
 * regions: exactly one entry per task, every `from_name`/`to_name`/`type` a control of `config`,
 * every label offered by it (and free of markup), coordinates inside the image (percent, a small
 * rounding slack clamped), spans inside the text in code points (and equal to `text` when given),
 * then Labelwork's own region checks. Any failure refuses the whole reply.
 */
export function convertLsPredictReply(
  reply: unknown,
  config: LsLabelConfig,
  schema: LabelSchema,
  tasks: readonly TaskExtent[],
): ReplyResult {
  const parsed = LsPredictReply.safeParse(reply);
  if (!parsed.success) {
    const z = zodPath(parsed.error.issues);
    return { ok: false, error: { reason: 'reply_malformed', message: z.message, path: z.path } };
  }
  const results = parsed.data.results;
  if (results.length !== tasks.length)
    return {
      ok: false,
      error: { reason: 'reply_length', message: `the reply has ${results.length} results for ${tasks.length} tasks`, path: ['results'] },
    };
  try {
    return { ok: true, predictions: results.map((entry, t) => convertTask(pickPrediction(entry), t, config, schema, tasks[t]!)) };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, error: e.error };
    throw e;
  }
}
