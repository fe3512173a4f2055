import { ObjectId } from 'mongodb';
import { SwrCache } from '@labelwork/core';
import type { WorkerContext } from '../context.ts';
import type { ProjectDoc, Database } from '@labelwork/engine';

const TTL_MS = 5000;

/**
 * Project documents for the quality processors, kept five seconds per process: every item job
 * needs the label schema, and on FerretDB each read is a table scan competing with the writes.
 * Never served older than that (no stale window). Built once by the composition root (app.ts) and
 * kept in `ctx.state.projects`.
 */
export function projectCache(db: Database, now: () => number): SwrCache<ProjectDoc | null> {
  return new SwrCache(now, TTL_MS, TTL_MS, (id) => db.projects.findOne({ _id: new ObjectId(id) }));
}

/** A project document, from the process's cache. */
export function projectOf(w: WorkerContext, id: string): Promise<ProjectDoc | null> {
  return w.state.projects.get(id);
}
