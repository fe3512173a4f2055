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

export const NativeAssistHint = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('point'), x: z.number(), y: z.number(), label: z.string(), positive: z.boolean() }),
  z.object({ kind: z.literal('box'), x: z.number(), y: z.number(), w: z.number(), h: z.number(), label: z.string() }),
]);
export type NativeAssistHint = z.infer<typeof NativeAssistHint>;

/** `POST /predict` body Labelwork sends. `context` carries an annotator's hint regions (interactive backends). */
export const NativePredictRequest = z.object({
  protocol: z.literal(ML_NATIVE_PROTOCOL),
  project: z.string(),
  modelVersion: z.string().nullable(),
  kind: ProjectKind,
  labelSchema: LabelSchema,
  tasks: z.array(NativeTask).max(64),
  params: z.object({
    context: z
      .object({
        regions: z.array(Region).max(100),
        /** An annotator's hints (interactive backends): a positive point or a rough box, in pixels, with the wanted label. */
        hints: z.array(NativeAssistHint).max(20).optional(),
      })
      .nullable(),
  }),
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

/**
 * `POST /webhook` body: a submitted annotation (online learning: `ANNOTATION_CREATED` on submit,
 * `ANNOTATION_UPDATED` on a later change) or a lead's request to train (`START_TRAINING`, no task
 * or annotation). The annotation's regions are Labelwork's (pixels, code points).
 */
export const NativeWebhookRequest = z.object({
  protocol: z.literal(ML_NATIVE_PROTOCOL),
  action: z.enum(['ANNOTATION_CREATED', 'ANNOTATION_UPDATED', 'START_TRAINING']),
  project: z.string(),
  task: NativeTask.optional(),
  annotation: z
    .object({
      /** The annotation's id (stable across its versions). */
      id: z.string().optional(),
      version: z.number().int().positive().optional(),
      regions: z.array(Region).max(MAX_REGIONS),
      /** The annotator's user id. */
      completedBy: z.string().optional(),
      createdAt: z.string().optional(),
      updatedAt: z.string().optional(),
    })
    .optional(),
});
export type NativeWebhookRequest = z.infer<typeof NativeWebhookRequest>;

/** The workers' model-backend queue (its own hash tag) and its jobs. */
export const ML_QUEUE = '{ml}';
export const ML_JOBS = { predictRun: 'predict-run', health: 'ml-health', webhook: 'ml-webhook' } as const;
/** BullMQ job id of a run (one job per run: starting it twice is a no-op). */
export const mlRunJobId = (runId: string) => `run-${runId}`;
export const PredictRunJob = z.object({ runId: z.string().regex(/^[0-9a-f]{24}$/) });
export type PredictRunJob = z.infer<typeof PredictRunJob>;
/**
 * One annotation webhook to one backend (queued by the workers' `ml-webhooks` consumer of the
 * `annotation.saved` domain event): the regions are read when it is sent.
 */
export const MlWebhookJob = z.object({
  projectId: z.string().regex(/^[0-9a-f]{24}$/),
  backendId: z.string().regex(/^[0-9a-f]{24}$/),
  annotationId: z.string().regex(/^[0-9a-f]{24}$/),
  version: z.number().int().positive(),
  action: z.enum(['ANNOTATION_CREATED', 'ANNOTATION_UPDATED']),
  reviewId: z
    .string()
    .regex(/^[0-9a-f]{24}$/)
    .optional(),
});
export type MlWebhookJob = z.infer<typeof MlWebhookJob>;
/** BullMQ job id of a webhook: one per backend, annotation version and action (a redelivered event adds nothing). */
export const mlWebhookJobId = (j: MlWebhookJob) =>
  `wh-${j.backendId}-${j.annotationId}-${j.version}-${j.action}${j.reviewId ? `-${j.reviewId}` : ''}`;
/** Attempts of a webhook (exponential backoff from ML_WEBHOOK_BACKOFF_MS: about 8.5 minutes in all). */
export const ML_WEBHOOK_ATTEMPTS = 9;
export const ML_WEBHOOK_BACKOFF_MS = 1000;
/** Longest wait for a webhook's answer (or the backend's own timeout when shorter). */
export const ML_WEBHOOK_TIMEOUT_MS = 30_000;
/** Lines of webhook log kept per attachment. */
export const ML_WEBHOOK_LOG_LINES = 50;

/**
 * Interactive assistance (`POST /api/tasks/:leaseId/assist`): the annotator's hint on the item
 * they hold, in pixels of the image — a positive point (a click) or a rough box (a drag) — and the
 * label the region should get. The server sends it to an interactive backend as Label Studio's
 * `params.context` (a `keypointlabels` or `rectanglelabels` result with `is_positive`) or the
 * native `params.context.regions`, and answers the backend's regions in pixels.
 */
export const AssistHint = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('point'), x: z.number().finite(), y: z.number().finite() }),
  z.object({
    kind: z.literal('box'),
    x: z.number().finite(),
    y: z.number().finite(),
    w: z.number().finite().positive(),
    h: z.number().finite().positive(),
  }),
]);
export type AssistHint = z.infer<typeof AssistHint>;
export const AssistInput = z.object({
  label: z.string().min(1).max(200),
  hint: AssistHint,
  /** Which interactive backend (default: the first attached one, by name). */
  backendId: z
    .string()
    .regex(/^[0-9a-f]{24}$/)
    .optional(),
});
export type AssistInput = z.infer<typeof AssistInput>;
/** What the assist route answers: the regions to add (ids to be replaced by the editor), from which backend. */
export interface AssistReply {
  regions: Region[];
  backend: string;
  modelVersion: string | null;
  ms: number;
}
/** Default time an assist call may take (config ML_ASSIST_TIMEOUT_MS), and assist calls per user and minute. */
export const ML_ASSIST_TIMEOUT_MS = 4000;
export const ML_ASSIST_PER_MINUTE = 60;

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
  /** The backend's circuit breaker (shared by all processes): consecutive failures, and while open when a probe may try again. */
  breaker: { phase: 'closed' | 'open' | 'half-open'; failures: number; reopenAt: string | null };
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
  log: MlLogLineView[];
  createdAt: string;
  finishedAt: string | null;
}

/**
 * What a run or webhook log line says, as a code with parameters, so that each reader sees it in
 * their own language (the client translates `ml.logLine.<code>`); times are epoch milliseconds.
 * `message` keeps the English sentence for API clients and for lines written before codes existed.
 * `detail` is the backend's or the network's own words, shown as they are.
 */
export type MlLogLine =
  | { code: 'run.started'; params: { user: string } }
  | { code: 'run.detached'; params: Record<string, never> }
  | { code: 'run.resuming'; params: { after: number; attempt: number } }
  | { code: 'run.done'; params: { done: number; stored: number; refused: number } }
  | { code: 'run.cancelled'; params: { done: number } }
  | { code: 'run.waiting'; params: { first: number; last: number; until: number; detail: string } }
  | { code: 'run.retrying'; params: { first: number; last: number; attempt: number; detail: string } }
  | { code: 'run.gaveUp'; params: { first: number; last: number; detail: string } }
  | { code: 'run.refused'; params: { first: number; last: number; task: string; reason: string; detail: string } }
  | { code: 'webhook.waiting'; params: WebhookLogParams & { until: number } }
  | { code: 'webhook.retrying'; params: WebhookLogParams & { attempt: number; detail: string } }
  | { code: 'webhook.gaveUp'; params: WebhookLogParams & { detail: string } }
  | { code: 'webhook.sent'; params: WebhookLogParams & { attempt: number } };
export type MlLogCode = MlLogLine['code'];
/** Which annotation a webhook line is about. */
export interface WebhookLogParams {
  action: string;
  seq: number;
  annotation: string;
  version: number;
}

const span = (p: { first: number; last: number }) => `items #${p.first}–#${p.last}`;
const about = (p: WebhookLogParams) => `${p.action} item #${p.seq} (annotation ${p.annotation} v${p.version})`;

/** The English sentence of a log line (stored beside its code). */
export function mlLogMessage(line: MlLogLine): string {
  switch (line.code) {
    case 'run.started':
      return `run started by ${line.params.user}`;
    case 'run.detached':
      return 'the backend was removed or detached from the project; run stopped';
    case 'run.resuming':
      return `resuming after item #${line.params.after} (attempt ${line.params.attempt})`;
    case 'run.done':
      return `done: ${line.params.done} items, ${line.params.stored} predictions stored, ${line.params.refused} batches refused`;
    case 'run.cancelled':
      return `cancelled after ${line.params.done} items`;
    case 'run.waiting':
      return `${span(line.params)}: ${line.params.detail ? `${line.params.detail} — ` : ''}backend unavailable, waiting until ${new Date(line.params.until).toISOString()} (circuit breaker open)`;
    case 'run.retrying':
      return `${span(line.params)}: ${line.params.detail} — retrying (attempt ${line.params.attempt})`;
    case 'run.gaveUp':
      return `${span(line.params)}: ${line.params.detail} — giving up`;
    case 'run.refused':
      return `${span(line.params)} refused${line.params.task ? ` (task ${line.params.task})` : ''}: ${line.params.reason}: ${line.params.detail}`;
    case 'webhook.waiting':
      return `${about(line.params)}: backend unavailable, waiting until ${new Date(line.params.until).toISOString()} (circuit breaker open)`;
    case 'webhook.retrying':
      return `${about(line.params)}: ${line.params.detail} — retrying (attempt ${line.params.attempt})`;
    case 'webhook.gaveUp':
      return `${about(line.params)}: ${line.params.detail} — giving up`;
    case 'webhook.sent':
      return `${about(line.params)} sent${line.params.attempt > 1 ? ` (attempt ${line.params.attempt})` : ''}`;
  }
}

/** A log line with its level and English sentence, ready to store. */
export function mlLogLine(level: 'info' | 'error', line: MlLogLine): { level: 'info' | 'error'; message: string } & MlLogLine {
  return { level, message: mlLogMessage(line), ...line };
}

/** A log line as the API returns it. */
export type MlLogLineView = { at: string; level: 'info' | 'error'; message: string } & (
  MlLogLine | { code?: undefined; params?: undefined }
);

/** An attachment's webhook: whether it is on, and how the sends went (shown to the project's leads). */
export interface MlWebhookView {
  enabled: boolean;
  sent: number;
  failed: number;
  lastAt: string | null;
  lastError: string | null;
  log: MlLogLineView[];
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
