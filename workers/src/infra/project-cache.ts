import { ObjectId } from 'mongodb';
import type { WorkerContext } from '../context.ts';
import type { ProjectRow } from './mongo.ts';

const TTL_MS = 5000;
const caches = new WeakMap<WorkerContext, Map<string, { at: number; doc: ProjectRow | null }>>();

/**
 * A project document for the quality processors, cached for five seconds per process: every item
 * job needs the label schema, and on FerretDB each read is a table scan competing with the writes.
 */
export async function projectOf(w: WorkerContext, id: string): Promise<ProjectRow | null> {
  let c = caches.get(w);
  if (!c) {
    c = new Map();
    caches.set(w, c);
  }
  const hit = c.get(id);
  if (hit && w.now() - hit.at < TTL_MS) return hit.doc;
  const doc = await w.db.projects.findOne({ _id: new ObjectId(id) });
  c.set(id, { at: w.now(), doc });
  return doc;
}
