import { z } from 'zod';
import { LabelSchema, ProjectKind } from '../schema/label-schema.ts';
import { MAX_REGIONS, Region } from '../schema/region.ts';

/**
 * Labelwork's native model-backend contract ("labelwork.ml/1") for people writing new backends:
 * the same four endpoints as Label Studio's ML backend (`GET /health`, `POST /setup`, `POST /predict`,
 * `POST /webhook`), but the label schema is Labelwork's JSON (no XML to parse) and regions are
 * Labelwork's own: pixels for images (bbox x, y, w, h; polygon and keypoint points), Unicode
 * code-point offsets for text spans (end exclusive), `class` for choices. A backend registered with
 * `protocol: 'labelwork'` gets these bodies; one registered with `protocol: 'labelstudio'` gets
 * Label Studio's (core/ml/ls-protocol.ts).
 */

export const ML_NATIVE_PROTOCOL = 'labelwork.ml/1';
export const ML_PROTOCOLS = ['labelstudio', 'labelwork'] as const;
export const MlProtocol = z.enum(ML_PROTOCOLS);
export type MlProtocol = z.infer<typeof MlProtocol>;

/** `GET /health` reply. */
export const NativeHealthReply = z.looseObject({ status: z.literal('UP'), modelVersion: z.string().max(500).optional() });

/** `POST /setup` body Labelwork sends. */
export const NativeSetupRequest = z.object({
  protocol: z.literal(ML_NATIVE_PROTOCOL),
  /** `<projectId>`: stable per project. */
  project: z.string(),
  kind: ProjectKind,
  labelSchema: LabelSchema,
  extraParams: z.record(z.string(), z.unknown()).optional(),
});
export type NativeSetupRequest = z.infer<typeof NativeSetupRequest>;

export const NativeSetupReply = z.object({ modelVersion: z.string().min(1).max(500) });

/** One task: an integer id (stable per item within the project) and the item. */
export const NativeTask = z.object({
  id: z.number().int().nonnegative(),
  data: z.union([
    /** A signed, project-scoped, expiring absolute URL, and the image size the regions are measured in. */
    z.object({ image: z.string().url(), width: z.number().int().positive(), height: z.number().int().positive() }),
    z.object({ text: z.string() }),
  ]),
});
export type NativeTask = z.infer<typeof NativeTask>;

/** `POST /predict` body Labelwork sends. `context` carries an annotator's hint regions (interactive backends). */
export const NativePredictRequest = z.object({
  protocol: z.literal(ML_NATIVE_PROTOCOL),
  project: z.string(),
  modelVersion: z.string().nullable(),
  kind: ProjectKind,
  labelSchema: LabelSchema,
  tasks: z.array(NativeTask).max(64),
  params: z.object({ context: z.object({ regions: z.array(Region).max(100) }).nullable() }),
});
export type NativePredictRequest = z.infer<typeof NativePredictRequest>;

/** One task's prediction: Labelwork regions, a confidence in [0, 1] and the model version that made it. */
export const NativePrediction = z.object({
  regions: z.array(Region).max(MAX_REGIONS),
  score: z.number().min(0).max(1).nullable().optional(),
  modelVersion: z.string().max(500).optional(),
});
export type NativePrediction = z.infer<typeof NativePrediction>;

/** `POST /predict` reply: one prediction per task, in the order sent. */
export const NativePredictReply = z.object({ results: z.array(NativePrediction) });
export type NativePredictReply = z.infer<typeof NativePredictReply>;

/** `POST /webhook` body: a submitted annotation (online learning) or a lead's request to train. */
export const NativeWebhookRequest = z.object({
  protocol: z.literal(ML_NATIVE_PROTOCOL),
  action: z.enum(['ANNOTATION_CREATED', 'ANNOTATION_UPDATED', 'START_TRAINING']),
  project: z.string(),
  task: NativeTask.optional(),
  annotation: z.object({ regions: z.array(Region).max(MAX_REGIONS) }).optional(),
});
export type NativeWebhookRequest = z.infer<typeof NativeWebhookRequest>;
