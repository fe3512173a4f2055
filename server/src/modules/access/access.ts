import type { ObjectId } from 'mongodb';
import type { AppContext } from '../../context.ts';
import type { ProjectDoc, UserDoc } from '@labelwork/engine';
import { AppError } from '../../http/errors.ts';
import { projectsRepo } from './projects.repository.ts';

export type ProjectNeed = 'view' | 'manage';

export function isMember(user: UserDoc, p: ProjectDoc): boolean {
  return p.ownerId.equals(user._id) || p.memberIds.some((m) => m.equals(user._id));
}

export function canAccess(user: UserDoc, p: ProjectDoc, need: ProjectNeed): boolean {
  if (user.role === 'admin') return true;
  if (!isMember(user, p)) return false;
  return need === 'view' || user.role === 'lead';
}

/**
 * Loads a project the user may view or manage. To anyone but an admin, a missing project and a
 * project they may not touch get the same 403, so the answer never reveals what exists.
 */
export async function loadProject(ctx: AppContext, user: UserDoc, id: ObjectId, need: ProjectNeed): Promise<ProjectDoc> {
  const p = await projectsRepo.byId(ctx.db, id);
  if (user.role === 'admin') {
    if (!p) throw new AppError('NOT_FOUND', 'no such project');
    return p;
  }
  if (!p || !canAccess(user, p, need)) throw new AppError('FORBIDDEN', 'you have no access to this project');
  return p;
}
