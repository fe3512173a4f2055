/**
 * @labelwork/engine — the owner of the shared state, for server and workers (never the client):
 * db/ the collections, document types and indexes.
 */
export * from './db/documents.ts';
export * from './db/database.ts';
export * from './db/datasets.ts';
