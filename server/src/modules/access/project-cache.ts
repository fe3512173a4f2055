import { ObjectId } from 'mongodb';
import { SwrCache } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { Database, ProjectDoc } from '@labelwork/engine';
import { projectsRepo } from './projects.repository.ts';

/** Fresh for a second, then refreshed in the background; up to 30 s old while a refresh fails. */
const FRESH_MS = 1000;
const MAX_STALE_MS = 30_000;

/**
 * The process's cache of project documents, for the task hot path and background handlers (domain
 * events, once per completed item): on FerretDB each read of a project with a thousand members
 * decodes the whole document. Built by the composition root (app.ts), kept in `ctx.state.projects`
 * and registered with the access invalidation path, so a change made through the API (members,
 * status, settings, review policy) reaches every process before its next request; anything else
 * within about a second.
 */
export function projectCache(db: Database, now: () => number): SwrCache<ProjectDoc | null> {
  return new SwrCache(now, FRESH_MS, MAX_STALE_MS, (id) => projectsRepo.byId(db, new ObjectId(id)));
}

/** A project document from the process's cache, without an access check (callers check or need none). */
export function cachedProject(ctx: AppContext, id: string): Promise<ProjectDoc | null> {
  return ctx.state.projects.get(id);
}
