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

/** The workers' model-backend queue (its own hash tag) and its jobs. */
export const ML_QUEUE = '{ml}';
export const ML_JOBS = { predictRun: 'predict-run', health: 'ml-health' } as const;
/** BullMQ job id of a run (one job per run: starting it twice is a no-op). */
export const mlRunJobId = (runId: string) => `run-${runId}`;
export const PredictRunJob = z.object({ runId: z.string().regex(/^[0-9a-f]{24}$/) });
export type PredictRunJob = z.infer<typeof PredictRunJob>;
/** Items per `/predict` call, and the limits of every outgoing call. */
export const ML_BATCH_SIZE = 16;
export const ML_MAX_REPLY_BYTES = 16 * 1024 * 1024;
export const ML_DEFAULT_TIMEOUT_MS = 30_000;
/** How long a signed media URL given to a backend stays valid. */
export const ML_MEDIA_TTL_S = 15 * 60;
/** How often the workers check every backend's /health. */
export const ML_HEALTH_EVERY_MS = 60_000;

/** What an admin registers (the API body). */
export const MlBackendInput = z.object({
  name: z.string().trim().min(1).max(120),
  url: z.string().trim().url().max(2000),
  protocol: MlProtocol.default('labelstudio'),
  allowPrivate: z.boolean().default(false),
  basicAuth: z
    .object({ user: z.string().min(1).max(200), password: z.string().min(1).max(500) })
    .nullable()
    .default(null),
  timeoutMs: z.number().int().min(1000).max(600_000).default(ML_DEFAULT_TIMEOUT_MS),
  interactive: z.boolean().default(false),
});
export type MlBackendInput = z.infer<typeof MlBackendInput>;

/** A backend as the API shows it (never its password). */
export interface MlBackendView {
  id: string;
  name: string;
  url: string;
  protocol: MlProtocol;
  allowPrivate: boolean;
  hasBasicAuth: boolean;
  timeoutMs: number;
  interactive: boolean;
  health: { status: 'up' | 'down' | 'unknown'; checkedAt: string | null; modelVersion: string | null; error: string | null };
}

export interface MlRunView {
  id: string;
  backendId: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  total: number;
  done: number;
  stored: number;
  refusedBatches: number;
  modelVersion: string | null;
  error: string | null;
  log: { at: string; level: 'info' | 'error'; message: string }[];
  createdAt: string;
  finishedAt: string | null;
}

/** A run's progress pushed to the project's leads. */
export interface MlRunProgress {
  projectId: string;
  runId: string;
  status: MlRunView['status'];
  done: number;
  total: number;
  stored: number;
}
