/**
 * @labelwork/engine — the owner of the shared state, for server and workers (never the client):
 * - db/: every collection, its document type and its indexes (database.ts, documents.ts, one file per feature);
 * - assignment/: the assignment engine's Redis state as code outside the lease scripts touches it;
 * - annotations/: the one writer of annotations;
 * - predictions/: the one owner of predictions (model runs, dataset imports);
 * - events/: the durable domain-event stream (append, consumer groups, per-process tail);
 * - redis/: the one Redis connection factory (one server or a Redis Cluster, from REDIS_URL).
 */
export * from './db/documents.ts';
export * from './db/database.ts';
export * from './db/availability.ts';
export * from './db/relabel-stored.ts';
export * from './assignment/engine-state.ts';
export * from './assignment/imported-annotations.ts';
export * from './items/gold-answers.ts';
export * from './db/stored-keys.ts';
export * from './db/datasets.ts';
export * from './db/dataset-imports.ts';
export * from './annotations/annotations.ts';
export * from './db/predictions.ts';
export * from './predictions/predictions.ts';
export * from './events/domain-events.ts';
export * from './db/ml.ts';
export * from './db/certification.ts';
export * from './db/tiles.ts';
export * from './ml/outbound.ts';
export * from './ml/media-url.ts';
export * from './ml/backend-client.ts';
export * from './redis/connection.ts';
export * from './ml/circuit-breaker.ts';
export * from './ml/runs.ts';
export * from './redis/connection.ts';
