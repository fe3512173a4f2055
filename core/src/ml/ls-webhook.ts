import type { AssistHint, NativeAssistHint } from '../contracts/ml.ts';
import { labelStudioResults } from '../formats/dataset/labelstudio.ts';
import type { LabelSchema, ProjectKind } from '../schema/label-schema.ts';
import type { Region } from '../schema/region.ts';
import { LS_RESULT_TYPE, type LsLabelConfig } from './label-config.ts';
import { pixelToPercent } from './ls-coords.ts';
import type { LsTask, LsWebhookRequest } from './ls-protocol.ts';

/**
 * What Labelwork sends model backends besides /predict batches: the annotation webhook (online
 * learning) and the interactive context (`params.context`), both in Label Studio's shapes, built
 * from Labelwork's pixels and code points.
 */

export interface AnnotationWebhookInput {
  action: 'ANNOTATION_CREATED' | 'ANNOTATION_UPDATED';
  kind: ProjectKind;
  labelSchema: LabelSchema;
  /** The integer part of Label Studio's `project` (`<n>.<created at>`), the project's name and its label config. */
  project: { id: number; title: string; labelConfig: string };
  /** The task as /predict sends it (integer id = the item's seq), and the image size or text the regions are measured in. */
  task: LsTask;
  extent: { width: number; height: number } | { text: string };
  annotation: {
    id: number;
    regions: readonly Region[];
    /** The annotator as an integer (Label Studio user ids are integers). */
    completedBy: number;
    createdAt: string;
    updatedAt: string;
    /** Seconds spent labeling, when known. */
    leadTimeS: number | null;
  };
}

/**
 * The `POST /webhook` body of a submitted or changed annotation, as Label Studio sends it: `action`,
 * `annotation` (`id`, `result` in percent of the image / code points naming the generated config's
 * tags, `task`, `project`, `completed_by`, times, `lead_time`), `task` (`id`, `data`, `project`)
 * and `project` (`id`, `title`, `label_config`).
 */
export function buildLsAnnotationWebhook(i: AnnotationWebhookInput): LsWebhookRequest {
  const result = labelStudioResults(
    i.kind === 'image' && 'width' in i.extent
      ? { kind: 'image', width: i.extent.width, height: i.extent.height }
      : { kind: 'text', text: 'text' in i.extent ? i.extent.text : '' },
    i.annotation.regions,
    i.labelSchema.labels,
  );
  return {
    action: i.action,
    annotation: {
      id: i.annotation.id,
      result,
      task: i.task.id,
      project: i.project.id,
      completed_by: i.annotation.completedBy,
      created_at: i.annotation.createdAt,
      updated_at: i.annotation.updatedAt,
      lead_time: i.annotation.leadTimeS,
      was_cancelled: false,
      ground_truth: false,
    },
    task: { ...i.task, project: i.project.id, is_labeled: true, meta: {} },
    project: { id: i.project.id, title: i.project.title, label_config: i.project.labelConfig },
  };
}

/** Labels an annotator may ask assistance for: active box and polygon labels (the region tools a hint can turn into). */
export function assistLabels(schema: LabelSchema): string[] {
  return schema.labels.filter((l) => !l.retired && (l.tool === 'bbox' || l.tool === 'polygon')).map((l) => l.name);
}

/** Keeps a hint inside the image (a box is cut to it; null when nothing of it is left). */
export function clampHint(hint: AssistHint, width: number, height: number): AssistHint | null {
  const cx = (v: number) => Math.min(width, Math.max(0, v));
  const cy = (v: number) => Math.min(height, Math.max(0, v));
  if (hint.kind === 'point') return { kind: 'point', x: cx(hint.x), y: cy(hint.y) };
  const x0 = cx(hint.x);
  const y0 = cy(hint.y);
  const x1 = cx(hint.x + hint.w);
  const y1 = cy(hint.y + hint.h);
  return x1 > x0 && y1 > y0 ? { kind: 'box', x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

/**
 * Label Studio's `params.context` for an annotator's hint, as the smart tools send it and the SAM
 * examples of label-studio-ml-backend read it: `{result: [{type: "keypointlabels" | "rectanglelabels",
 * value: {x, y, (width, height), <type>: [label]}, is_positive: true, from_name, to_name,
 * original_width, original_height, image_rotation: 0, origin: "manual"}]}`, in percent of the image.
 * `from_name` is the generated config's control of the label's tool (a point names it too: the
 * config has no separate smart tag). Null when the label cannot be hinted or the hint misses the image.
 */
export function buildLsAssistContext(
  hint: AssistHint,
  label: string,
  config: LsLabelConfig,
  schema: LabelSchema,
  size: { width: number; height: number },
): { result: Record<string, unknown>[] } | null {
  const def = schema.labels.find((l) => l.name === label && !l.retired);
  if (!def || (def.tool !== 'bbox' && def.tool !== 'polygon')) return null;
  const control = config.controls.find((c) => c.tag === (def.tool === 'bbox' ? 'RectangleLabels' : 'PolygonLabels'));
  const h = clampHint(hint, size.width, size.height);
  if (!control || !h) return null;
  const { width: W, height: H } = size;
  const common = {
    id: 'assist1',
    from_name: control.name,
    to_name: control.toName,
    original_width: W,
    original_height: H,
    image_rotation: 0,
    is_positive: true,
    origin: 'manual',
  };
  if (h.kind === 'point')
    return {
      result: [
        {
          ...common,
          type: LS_RESULT_TYPE.KeyPointLabels,
          value: {
            x: pixelToPercent(h.x, W),
            y: pixelToPercent(h.y, H),
            width: pixelToPercent(Math.max(1, W / 200), W),
            keypointlabels: [label],
          },
        },
      ],
    };
  return {
    result: [
      {
        ...common,
        type: LS_RESULT_TYPE.RectangleLabels,
        value: {
          x: pixelToPercent(h.x, W),
          y: pixelToPercent(h.y, H),
          width: pixelToPercent(h.w, W),
          height: pixelToPercent(h.h, H),
          rotation: 0,
          rectanglelabels: [label],
        },
      },
    ],
  };
}

/** The native contract's `params.context` for a hint: the hint itself in pixels, and a box hint also as a bbox region. */
export function buildNativeAssistContext(
  hint: AssistHint,
  label: string,
  schema: LabelSchema,
  size: { width: number; height: number },
): { regions: Region[]; hints: NativeAssistHint[] } | null {
  if (!assistLabels(schema).includes(label)) return null;
  const h = clampHint(hint, size.width, size.height);
  if (!h) return null;
  if (h.kind === 'point') return { regions: [], hints: [{ kind: 'point', x: h.x, y: h.y, label, positive: true }] };
  const isBox = schema.labels.some((l) => l.name === label && l.tool === 'bbox');
  return {
    regions: isBox ? [{ id: 'hint1', type: 'bbox', label, x: h.x, y: h.y, w: h.w, h: h.h }] : [],
    hints: [{ kind: 'box', x: h.x, y: h.y, w: h.w, h: h.h, label }],
  };
}
