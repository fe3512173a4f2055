import { ObjectId } from 'mongodb';
import type { BreakerView, Database, MlAttachmentDoc, MlBackendDoc, MlHealth, MlRunDoc } from '@labelwork/engine';
import type { MlBackendView, MlRunView, MlWebhookView } from '@labelwork/core';

/** Reads and writes of the ml collections from the server (the workers' predict processor writes runs' progress). */
export const mlRepo = {
  backends: (db: Database) => db.mlBackends.find({}, { sort: { name: 1 } }).toArray(),
  backend: (db: Database, id: ObjectId) => db.mlBackends.findOne({ _id: id }),
  insertBackend: (db: Database, doc: MlBackendDoc) => db.mlBackends.insertOne(doc),
  deleteBackend: (db: Database, id: ObjectId) => db.mlBackends.deleteOne({ _id: id }),
  setHealth: (db: Database, id: ObjectId, health: MlHealth) => db.mlBackends.updateOne({ _id: id }, { $set: { health } }),
  attachments: (db: Database, projectId: ObjectId) => db.mlAttachments.find({ projectId }).toArray(),
  attachment: (db: Database, projectId: ObjectId, backendId: ObjectId) => db.mlAttachments.findOne({ _id: `${projectId}:${backendId}` }),
  putAttachment: (db: Database, doc: MlAttachmentDoc) => db.mlAttachments.replaceOne({ _id: doc._id }, doc, { upsert: true }),
  /** Turns an attachment's annotation webhook on or off (its counters and log stay). */
  setWebhook: (db: Database, a: MlAttachmentDoc, enabled: boolean, mediaBase: string) =>
    db.mlAttachments.updateOne(
      { _id: a._id },
      a.webhook
        ? { $set: { 'webhook.enabled': enabled, 'webhook.mediaBase': mediaBase } }
        : { $set: { webhook: { enabled, mediaBase, sent: 0, failed: 0, lastAt: null, lastError: null, log: [] } } },
    ),
  item: (db: Database, id: ObjectId) => db.items.findOne({ _id: id }, { projection: { seq: 1, image: 1, kind: 1 } }),
  detach: (db: Database, projectId: ObjectId, backendId: ObjectId) => db.mlAttachments.deleteOne({ _id: `${projectId}:${backendId}` }),
  detachEverywhere: (db: Database, backendId: ObjectId) => db.mlAttachments.deleteMany({ backendId }),
  runs: (db: Database, projectId: ObjectId) => db.mlRuns.find({ projectId }, { sort: { createdAt: -1 }, limit: 20 }).toArray(),
  run: (db: Database, projectId: ObjectId, id: ObjectId) => db.mlRuns.findOne({ _id: id, projectId }),
  activeRun: (db: Database, projectId: ObjectId, backendId: ObjectId) =>
    db.mlRuns.findOne({ projectId, backendId, status: { $in: ['queued', 'running'] } }),
  insertRun: (db: Database, doc: MlRunDoc) => db.mlRuns.insertOne(doc),
  requestCancel: (db: Database, projectId: ObjectId, id: ObjectId) =>
    db.mlRuns.updateOne({ _id: id, projectId, status: { $in: ['queued', 'running'] } }, { $set: { cancelRequested: true } }),
  itemCount: (db: Database, projectId: ObjectId) => db.items.countDocuments({ projectId }),
  /** The final answers of items for model quality: the quality job's consensus where it ran, else the items' annotations. */
  consensusOf: (db: Database, itemIds: ObjectId[]) =>
    db.agreements.find({ _id: { $in: itemIds.map((id) => `item:${id.toHexString()}`) } }).toArray(),
  annotationsOf: (db: Database, projectId: ObjectId, itemIds: ObjectId[]) =>
    db.annotations
      .find({ projectId, itemId: { $in: itemIds }, gold: false }, { projection: { itemId: 1, regions: 1, status: 1 } })
      .toArray(),
  /** An item image's GridFS entry (its metadata names the project), for the signed media route. */
  fileInfo: (db: Database, id: ObjectId) => db.files.find({ _id: id }).next(),
  fileStream: (db: Database, id: ObjectId) => db.files.openDownloadStream(id),
};

export function backendView(b: MlBackendDoc, breaker: BreakerView): MlBackendView {
  return {
    id: b._id.toHexString(),
    name: b.name,
    url: b.url,
    protocol: b.protocol,
    allowPrivate: b.allowPrivate,
    hasBasicAuth: b.basicAuth !== null,
    timeoutMs: b.timeoutMs,
    interactive: b.interactive,
    health: { ...b.health, checkedAt: b.health.checkedAt?.toISOString() ?? null },
    breaker,
  };
}

export function runView(r: MlRunDoc): MlRunView {
  return {
    id: r._id.toHexString(),
    backendId: r.backendId.toHexString(),
    status: r.status,
    total: r.total,
    done: r.done,
    stored: r.stored,
    refusedBatches: r.refusedBatches,
    modelVersion: r.modelVersion,
    error: r.error,
    log: r.log.map((l) => ({ ...l, at: l.at.toISOString() })),
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export function webhookView(a: MlAttachmentDoc): MlWebhookView {
  const w = a.webhook;
  return {
    enabled: w?.enabled ?? false,
    sent: w?.sent ?? 0,
    failed: w?.failed ?? 0,
    lastAt: w?.lastAt?.toISOString() ?? null,
    lastError: w?.lastError ?? null,
    log: (w?.log ?? []).map((l) => ({ ...l, at: l.at.toISOString() })),
  };
}
