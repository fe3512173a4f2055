/**
 * Model-assisted labeling: registered model backends, their attachment to projects, pre-annotation
 * runs, the media-signing secret and the integer ids Label Studio backends get. Written only by the
 * server's ml module (server/src/modules/ml), the workers' predict processor
 * (workers/src/processors/predict.ts) and their webhook processor (webhook counters and log of an
 * attachment, workers/src/processors/ml-webhook.ts); predictions themselves
 * belong to the predictions owner, not to these collections.
 */
import { randomBytes } from 'node:crypto';
import type { Collection, Db, ObjectId } from 'mongodb';
import type { MlLogLine, MlProtocol } from '@labelwork/core';
import type { RedisClient } from '../redis/connection.ts';

export type MlHealthStatus = 'up' | 'down' | 'unknown';

export interface MlHealth {
  status: MlHealthStatus;
  checkedAt: Date | null;
  /** The backend's `model_version` from /health or /setup, when it gave one. */
  modelVersion: string | null;
  error: string | null;
}

/** A model backend an admin registered. */
export interface MlBackendDoc {
  _id: ObjectId;
  schemaVersion: 1;
  name: string;
  url: string;
  protocol: MlProtocol;
  /** Allow-listed by an admin: may live on a private, loopback or link-local address. */
  allowPrivate: boolean;
  basicAuth: { user: string; password: string } | null;
  timeoutMs: number;
  interactive: boolean;
  health: MlHealth;
  createdBy: ObjectId;
  createdAt: Date;
}

/** A backend attached to a project (`_id` = `<projectId>:<backendId>`), with what /setup answered. */
export interface MlAttachmentDoc {
  _id: string;
  projectId: ObjectId;
  backendId: ObjectId;
  /** Label Studio's `project` string: `<integer id>.<created at, unix seconds>`. */
  lsProject: string;
  modelVersion: string | null;
  setupError: string | null;
  attachedBy: ObjectId;
  attachedAt: Date;
  /** Annotation webhooks (online learning); absent = off (attachments made before the option). */
  webhook?: MlWebhookState;
}

/** An attachment's annotation webhook: on or off (a lead's choice), and how the sends went. */
export interface MlWebhookState {
  enabled: boolean;
  /** Origin the backend fetches the task's signed image URL from (set when a lead turns it on). */
  mediaBase: string;
  sent: number;
  failed: number;
  lastAt: Date | null;
  lastError: string | null;
  /** The newest lines (at most ML_WEBHOOK_LOG_LINES). */
  log: MlRunLogLine[];
}

export type MlRunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** A stored log line: English `message`, and (lines written since codes exist) its code and parameters for translation. */
export type MlLogEntry = { level: 'info' | 'error'; message: string } & (MlLogLine | { code?: undefined; params?: undefined });
export type MlRunLogLine = MlLogEntry & { at: Date };

/** One pre-annotation run of a backend over a project's items, in item order (`seq`). */
export interface MlRunDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  backendId: ObjectId;
  status: MlRunStatus;
  /** Origin the backend fetches signed image URLs from (the server's public URL). */
  mediaBase: string;
  total: number;
  /** Items handled (predicted or refused); the run resumes after `cursorSeq`. */
  done: number;
  cursorSeq: number;
  stored: number;
  refusedBatches: number;
  modelVersion: string | null;
  /** The newest lines (at most ML_RUN_LOG_LINES). */
  log: MlRunLogLine[];
  cancelRequested: boolean;
  error: string | null;
  createdBy: ObjectId;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export const ML_RUN_LOG_LINES = 200;

export interface MlCollections {
  mlBackends: Collection<MlBackendDoc>;
  mlAttachments: Collection<MlAttachmentDoc>;
  mlRuns: Collection<MlRunDoc>;
  mlSecrets: Collection<{ _id: string; secret: string }>;
  /** Integer ids for Label Studio backends (`_id` = `annotation:<hex>` or `user:<hex>`). */
  mlIntIds: Collection<{ _id: string; n: number }>;
}

export function mlCollections(db: Db): MlCollections {
  return {
    mlBackends: db.collection<MlBackendDoc>('mlBackends'),
    mlAttachments: db.collection<MlAttachmentDoc>('mlAttachments'),
    mlRuns: db.collection<MlRunDoc>('mlRuns'),
    mlSecrets: db.collection<{ _id: string; secret: string }>('mlSecrets'),
    mlIntIds: db.collection<{ _id: string; n: number }>('mlIntIds'),
  };
}

export async function ensureMlIndexes(d: MlCollections): Promise<void> {
  await d.mlBackends.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
  await d.mlAttachments.createIndex({ projectId: 1 }, { name: 'project' });
  await d.mlRuns.createIndex({ projectId: 1, createdAt: -1 }, { name: 'project_created' });
}

/**
 * Which projects have annotation webhooks on changes only when a lead attaches, detaches or
 * switches one (server/src/modules/ml), yet the workers ask it for every saved annotation. This
 * Redis counter moves after each such change, so a reader can keep its answer until it moves (the
 * workers' webhook targets, workers/src/processors/ml-webhook.ts): a query per annotation, which
 * FerretDB answers by scanning the collection, becomes one GET.
 */
const mlWebhookGenerationKey = (prefix: string): string => `${prefix}:ml:webhook-generation`;

/** Moves the generation above; called after the database write it announces. */
export async function markMlWebhooksChanged(redis: RedisClient, prefix: string): Promise<void> {
  await redis.incr(mlWebhookGenerationKey(prefix));
}

/** The generation to key cached webhook targets by ('0' before any change). */
export async function mlWebhookGeneration(redis: RedisClient, prefix: string): Promise<string> {
  return (await redis.get(mlWebhookGenerationKey(prefix))) ?? '0';
}

/**
 * The secret that signs media URLs for backends, shared by server and workers: created once (the
 * first caller's insert wins; everyone reads the stored one).
 */
export async function mlMediaSecret(d: Pick<MlCollections, 'mlSecrets'>): Promise<string> {
  await d.mlSecrets.updateOne({ _id: 'media' }, { $setOnInsert: { secret: randomBytes(32).toString('hex') } }, { upsert: true });
  const doc = await d.mlSecrets.findOne({ _id: 'media' });
  if (!doc) throw new Error('media secret not stored');
  return doc.secret;
}

/**
 * The integer a Label Studio backend knows an annotation or a user by (`annotation.id`,
 * `completed_by`): allocated once from a counter per kind, then always the same.
 */
export async function lsIntId(
  d: Pick<MlCollections, 'mlIntIds'> & { counters: Collection<{ _id: string; seq: number }> },
  kind: 'annotation' | 'user',
  id: ObjectId,
): Promise<number> {
  const key = `${kind}:${id.toHexString()}`;
  const found = await d.mlIntIds.findOne({ _id: key });
  if (found) return found.n;
  const r = await d.counters.findOneAndUpdate({ _id: `ml-ls-${kind}` }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
  if (!r) throw new Error(`counter ml-ls-${kind} not returned`);
  try {
    await d.mlIntIds.insertOne({ _id: key, n: r.seq });
    return r.seq;
  } catch {
    // Another call allocated it first: theirs is the one.
    const again = await d.mlIntIds.findOne({ _id: key });
    if (!again) throw new Error(`no integer id for ${key}`);
    return again.n;
  }
}
