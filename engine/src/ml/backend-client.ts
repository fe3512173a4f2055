/**
 * The calls Labelwork makes to a model backend, in either protocol (Label Studio's ML backend or
 * the native labelwork.ml/1), through the guarded outbound client. Used by the server (register,
 * attach, health) and the workers (pre-annotation runs, scheduled health).
 */
import {
  buildLsLabelConfig,
  convertLsPredictReply,
  convertNativePredictReply,
  LsHealthReply,
  LsSetupReply,
  ML_MAX_REPLY_BYTES,
  ML_NATIVE_PROTOCOL,
  NativeHealthReply,
  NativeSetupReply,
  type LabelSchema,
  type LsLabelConfig,
  type LsPredictRequest,
  type NativePredictRequest,
  type ProjectKind,
  type ReplyResult,
  type TaskExtent,
} from '@labelwork/core';
import type { Agent } from 'node:http';
import type { MlBackendDoc, MlHealth } from '../db/ml.ts';
import { callBackend, OutboundError } from './outbound.ts';

type Backend = Pick<MlBackendDoc, 'url' | 'protocol' | 'allowPrivate' | 'basicAuth' | 'timeoutMs'>;

const opts = (b: Backend, method: 'GET' | 'POST', body?: unknown, timeoutMs = b.timeoutMs, agent?: Agent) => ({
  method,
  body,
  timeoutMs,
  maxBytes: ML_MAX_REPLY_BYTES,
  allowPrivate: b.allowPrivate,
  basicAuth: b.basicAuth,
  ...(agent ? { agent } : {}),
});

/** `GET /health`: up with the model version it names, or down with why. Never throws. */
export async function checkBackendHealth(b: Backend, now: Date): Promise<MlHealth> {
  try {
    const { json } = await callBackend(b.url, '/health', opts(b, 'GET', undefined, Math.min(b.timeoutMs, 10_000)));
    const parsed = (b.protocol === 'labelwork' ? NativeHealthReply : LsHealthReply).safeParse(json);
    if (!parsed.success || parsed.data.status !== 'UP')
      return {
        status: 'down',
        checkedAt: now,
        modelVersion: null,
        error: `/health did not answer {"status": "UP"}: ${JSON.stringify(json).slice(0, 200)}`,
      };
    const d = parsed.data as { model_version?: unknown; modelVersion?: unknown };
    const mv = typeof d.model_version === 'string' ? d.model_version : typeof d.modelVersion === 'string' ? d.modelVersion : null;
    return { status: 'up', checkedAt: now, modelVersion: mv?.slice(0, 500) ?? null, error: null };
  } catch (e) {
    return { status: 'down', checkedAt: now, modelVersion: null, error: e instanceof Error ? e.message : String(e) };
  }
}

export interface SetupInput {
  kind: ProjectKind;
  labelSchema: LabelSchema;
  projectId: string;
  /** Label Studio's `project`: `<integer id>.<created at, unix seconds>`. */
  lsProject: string;
}

/** `POST /setup`: the model version the backend reports (null when it has none yet). Throws OutboundError. */
export async function setupBackend(b: Backend, s: SetupInput): Promise<string | null> {
  if (b.protocol === 'labelwork') {
    const { json } = await callBackend(
      b.url,
      '/setup',
      opts(b, 'POST', { protocol: ML_NATIVE_PROTOCOL, project: s.projectId, kind: s.kind, labelSchema: s.labelSchema }),
    );
    const r = NativeSetupReply.safeParse(json);
    if (!r.success) throw new OutboundError('bad_json', '/setup did not answer {"modelVersion": "…"}');
    return r.data.modelVersion;
  }
  const config = buildLsLabelConfig(s.kind, s.labelSchema);
  const { json } = await callBackend(b.url, '/setup', opts(b, 'POST', { project: s.lsProject, schema: config.xml, extra_params: {} }));
  const r = LsSetupReply.safeParse(json);
  if (!r.success) throw new OutboundError('bad_json', '/setup did not answer {"model_version": …}');
  return r.data.model_version ?? null;
}

/** One task to predict: its integer id, what the backend reads, and the extent regions are checked against. */
export interface PredictTask {
  id: number;
  data: { image: string; width: number; height: number } | { text: string };
  extent: TaskExtent;
}

export interface PredictInput extends SetupInput {
  modelVersion: string | null;
  tasks: PredictTask[];
  /** An annotator's hint (interactive backends): Label Studio's `{result: […]}` or the native `{regions, hints}`. */
  context?: unknown;
  /** Shorter than the backend's own timeout (interactive calls). */
  timeoutMs?: number;
  /** The run's keep-alive agent (outbound.ts `backendAgent`); without it each call has its own connection. */
  agent?: Agent;
  /** The Label Studio label config of `labelSchema`, when the caller built it once for many calls. */
  lsConfig?: LsLabelConfig;
}

/**
 * `POST /predict` for a batch and the validated, converted reply. Throws OutboundError when the
 * backend cannot be called (a retry may help); returns `{ok: false}` when its reply is refused.
 */
export async function predictBatch(b: Backend, p: PredictInput): Promise<ReplyResult & { ms: number }> {
  if (b.protocol === 'labelwork') {
    const body: NativePredictRequest = {
      protocol: ML_NATIVE_PROTOCOL,
      project: p.projectId,
      modelVersion: p.modelVersion,
      kind: p.kind,
      labelSchema: p.labelSchema,
      tasks: p.tasks.map((t) => ({ id: t.id, data: t.data })),
      params: { context: (p.context as NativePredictRequest['params']['context'] | undefined) ?? null },
    };
    const { json, ms } = await callBackend(b.url, '/predict', opts(b, 'POST', body, p.timeoutMs ?? b.timeoutMs, p.agent));
    return {
      ...convertNativePredictReply(
        json,
        p.labelSchema,
        p.tasks.map((t) => t.extent),
      ),
      ms,
    };
  }
  const config = p.lsConfig ?? buildLsLabelConfig(p.kind, p.labelSchema);
  const body: LsPredictRequest = {
    tasks: p.tasks.map((t) => ({ id: t.id, data: 'text' in t.data ? { text: t.data.text } : { image: t.data.image } })),
    model_version: p.modelVersion,
    project: p.lsProject,
    label_config: config.xml,
    params: { login: null, password: null, context: p.context ?? null },
  };
  const { json, ms } = await callBackend(b.url, '/predict', opts(b, 'POST', body, p.timeoutMs ?? b.timeoutMs, p.agent));
  return {
    ...convertLsPredictReply(
      json,
      config,
      p.labelSchema,
      p.tasks.map((t) => t.extent),
    ),
    ms,
  };
}

/**
 * `POST /webhook` with START_TRAINING (a lead's "train" button): Label Studio's body
 * `{action, project: {id, label_config}}` or the native one. Returns what the backend answered (200/201).
 */
export async function trainBackend(b: Backend, s: SetupInput): Promise<unknown> {
  const body =
    b.protocol === 'labelwork'
      ? { protocol: ML_NATIVE_PROTOCOL, action: 'START_TRAINING', project: s.projectId }
      : {
          action: 'START_TRAINING',
          project: { id: Number(s.lsProject.split('.')[0]), label_config: buildLsLabelConfig(s.kind, s.labelSchema).xml },
        };
  return (await callBackend(b.url, '/webhook', opts(b, 'POST', body))).json;
}

/**
 * `POST /webhook` with an annotation (ANNOTATION_CREATED / ANNOTATION_UPDATED): the body is built by
 * the caller in the backend's protocol (core's `buildLsAnnotationWebhook`, or NativeWebhookRequest).
 * Any 2xx is accepted; returns what the backend answered. Throws OutboundError.
 */
export async function sendAnnotationWebhook(b: Backend, body: unknown, timeoutMs: number): Promise<unknown> {
  return (await callBackend(b.url, '/webhook', opts(b, 'POST', body, Math.min(b.timeoutMs, timeoutMs)))).json;
}
