import type { ObjectId } from 'mongodb';
import type { ProjectLead } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { UserDoc } from '@labelwork/engine';
import { usersRepo } from '../users/index.ts';
import { loadProject } from '../access/index.ts';

/**
 * The people to ask about a project (a trainee whose level is too low asks them to assess their
 * work): its owner first, then members who are leads; disabled accounts left out. Anyone who may
 * see the project may ask.
 */
export async function projectLeads(ctx: AppContext, user: UserDoc, projectId: ObjectId): Promise<ProjectLead[]> {
  const p = await loadProject(ctx, user, projectId, 'view');
  const users = await usersRepo.byIds(ctx.db, [p.ownerId, ...p.memberIds]);
  const isLead = (u: UserDoc): u is UserDoc & { role: 'admin' | 'lead' } =>
    !u.disabled && (u.role === 'lead' || (u.role === 'admin' && u._id.equals(p.ownerId)));
  return users
    .filter(isLead)
    .sort((a, b) => Number(b._id.equals(p.ownerId)) - Number(a._id.equals(p.ownerId)) || a.username.localeCompare(b.username))
    .map((u) => ({ id: u._id.toHexString(), username: u.username, displayName: u.displayName, role: u.role }));
}
