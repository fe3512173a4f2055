import { z } from 'zod';
import { MAX_POLYGON_POINTS, MAX_REGIONS } from '../schema/region.ts';

/**
 * Label Studio's ML-backend protocol as label-studio-ml-backend (label_studio_ml/api.py) serves it
 * and Label Studio calls it; Labelwork plays Label Studio. Requests are what Labelwork sends,
 * replies are checked with these schemas before anything is converted.
 *
 * - `GET /health` → `{"status": "UP", "model_class": …}`
 * - `POST /setup` `{project: "<id>.<createdAtUnixSec>", schema: <label config XML>, extra_params}` → `{model_version}`
 * - `POST /predict` `{tasks, model_version, project, label_config, params: {login, password, context}}`
 *   → `{results: [prediction | [prediction, …]]}`, one entry per task in order
 * - `POST /webhook` `{action, project: {id, label_config}, annotation?, task?}` → 200/201
 */

/** Longest label, tag name or model version a reply may carry. */
export const LS_MAX_STRING = 500;
/** Tasks per `/predict` call Labelwork sends. */
export const LS_MAX_BATCH = 64;

export const LsTask = z.object({
  id: z.number().int().nonnegative(),
  data: z.union([z.object({ image: z.string() }), z.object({ text: z.string() })]),
});
export type LsTask = z.infer<typeof LsTask>;

export interface LsSetupRequest {
  project: string;
  schema: string;
  extra_params: Record<string, unknown>;
}

export interface LsPredictRequest {
  tasks: LsTask[];
  model_version: string | null;
  project: string;
  label_config: string;
  params: { login: null; password: null; context: unknown };
}

/**
 * `POST /webhook`, as Label Studio's webhooks send it (`action`, and the annotation, task and
 * project serialized): label_studio_ml's handler pops `action`, reads `project.id` and
 * `project.label_config`, and hands the rest to `fit(event, data)`.
 */
export interface LsWebhookRequest {
  action: 'ANNOTATION_CREATED' | 'ANNOTATION_UPDATED' | 'ANNOTATION_DELETED' | 'START_TRAINING';
  project: { id: number; title?: string; label_config: string };
  annotation?: {
    id: number;
    result: unknown[];
    task: number;
    project: number;
    completed_by: number;
    created_at: string;
    updated_at: string;
    lead_time: number | null;
    was_cancelled: boolean;
    ground_truth: boolean;
  };
  task?: LsTask & { project: number; is_labeled: boolean; meta: Record<string, unknown> };
}

/** `GET /health`: status UP; everything else is informative. */
export const LsHealthReply = z.looseObject({
  status: z.string().max(LS_MAX_STRING),
  model_class: z.string().max(LS_MAX_STRING).optional(),
});

/** `POST /setup`. Some backends answer `model_version: null` before their first training. */
export const LsSetupReply = z.looseObject({ model_version: z.string().max(LS_MAX_STRING).nullish() });

const str = z.string().max(LS_MAX_STRING);
const num = z.number().finite();
const oneLabel = z.array(str).length(1, 'a region must carry exactly one label');

/** One region of a prediction (`result[i]`). Its `value` is checked per `type` (LsValue). */
export const LsResult = z.looseObject({
  id: str.optional(),
  from_name: str,
  to_name: str,
  type: str,
  value: z.record(z.string(), z.unknown()),
  score: num.nullish(),
  parentID: str.nullish(),
  meta: z.looseObject({ text: z.array(z.string().max(LS_MAX_STRING)).max(10).optional() }).nullish(),
});
export type LsResult = z.infer<typeof LsResult>;

/** The `value` of a region by its `type`; coordinates are percent of the image, offsets code points. */
export const LsValue = {
  rectanglelabels: z.looseObject({
    x: num,
    y: num,
    width: num.nonnegative(),
    height: num.nonnegative(),
    rotation: num.optional(),
    rectanglelabels: oneLabel,
  }),
  polygonlabels: z.looseObject({
    points: z
      .array(z.tuple([num, num]))
      .min(3)
      .max(MAX_POLYGON_POINTS),
    polygonlabels: oneLabel,
  }),
  keypointlabels: z.looseObject({ x: num, y: num, width: num.optional(), keypointlabels: oneLabel }),
  labels: z.looseObject({
    start: z.number().int().nonnegative(),
    end: z.number().int().positive(),
    text: z.string().max(100_000).optional(),
    labels: oneLabel,
  }),
  choices: z.looseObject({ choices: z.array(str).min(1).max(500) }),
} as const;

export const LsPrediction = z.looseObject({
  result: z.array(LsResult).max(MAX_REGIONS),
  score: num.nullish(),
  model_version: str.nullish(),
});
export type LsPrediction = z.infer<typeof LsPrediction>;

/** `POST /predict`: one entry per task; an entry may be a list of predictions (label_studio_ml's ModelResponse). */
export const LsPredictReply = z.object({
  results: z.array(z.union([LsPrediction, z.array(LsPrediction).max(10)])),
});
export type LsPredictReply = z.infer<typeof LsPredictReply>;
