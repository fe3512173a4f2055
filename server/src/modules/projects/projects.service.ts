import { ObjectId } from 'mongodb';
import {
  SERVER_EVENTS,
  reviewRooms,
  rooms,
  shadowRooms,
  toolKindIssues,
  type Project,
  type ProjectInput,
  type ProjectPatch,
  type ProjectStatus,
} from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { ProjectDoc, UserDoc } from '@labelwork/engine';
import { AppError, fieldIssue, validationError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { findGuideline } from '../guidelines/index.ts';
import { usersRepo } from '../users/index.ts';
import { accessChanged } from '../../infra/access-changes.ts';
import { applyLabelMerges, checkLabelMerges } from './projects.labels.ts';
import { canAccess, loadProject } from '../access/index.ts';
import { projectsRepo } from '../access/index.ts';

export function toProject(d: ProjectDoc): Project {
  return {
    id: d._id.toHexString(),
    name: d.name,
    description: d.description,
    kind: d.kind,
    labelSchema: d.labelSchema,
    overlap: d.overlap,
    goldRate: d.goldRate,
    minLevel: d.minLevel,
    ...(d.guideline ? { guideline: d.guideline } : {}),
    reviewPolicy: d.reviewPolicy,
    status: d.status,
    ownerId: d.ownerId.toHexString(),
    memberIds: d.memberIds.map((m) => m.toHexString()),
    counts: d.counts,
    ...(d.fromSnapshot
      ? {
          fromSnapshot: {
            projectId: d.fromSnapshot.projectId.toHexString(),
            snapshotId: d.fromSnapshot.snapshotId.toHexString(),
            number: d.fromSnapshot.number,
            version: d.fromSnapshot.version,
            sha256: d.fromSnapshot.sha256,
          },
        }
      : {}),
    version: d.version,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

function checkFits(ctx: AppContext, p: Pick<ProjectInput, 'kind' | 'labelSchema' | 'guideline'>): void {
  const issues = toolKindIssues(p.kind, p.labelSchema).map((i) => fieldIssue(i));
  if (p.guideline && !findGuideline(ctx, p.guideline.slug, p.guideline.version)) {
    issues.push({
      path: 'guideline',
      reason: 'unknown_guideline',
      params: { guideline: `${p.guideline.slug}@${p.guideline.version}` },
      message: `no guideline ${p.guideline.slug}@${p.guideline.version}`,
    });
  }
  if (issues.length) throw validationError(issues);
}

async function notifyUpdated(ctx: AppContext, p: ProjectDoc, by: ObjectId): Promise<void> {
  // Members or status may have changed: every process drops its cached decisions and project copy before we answer.
  await accessChanged(ctx, { projectId: p._id.toHexString() });
  ctx.io
    ?.to(rooms.project(p._id.toHexString()))
    .emit(SERVER_EVENTS.projectUpdated, { projectId: p._id.toHexString(), version: p.version, by: by.toHexString() });
}

/**
 * A removed member's live sockets leave the project's rooms on every server process (Redis
 * adapter): project events, the review queue, and their shadowing source. Item rooms and watching
 * are re-checked by their socket modules on the access change.
 */
function leaveProjectRooms(ctx: AppContext, userId: string, projectId: string): void {
  ctx.io
    ?.in(rooms.user(userId))
    .socketsLeave([rooms.project(projectId), reviewRooms.review(projectId), shadowRooms.source(projectId, userId)]);
}

export async function listProjects(ctx: AppContext, user: UserDoc, status: ProjectStatus | 'all'): Promise<Project[]> {
  const docs = await projectsRepo.list(ctx.db, { userId: user._id, all: user.role === 'admin' }, status);
  return docs.map(toProject);
}

export async function createProject(
  ctx: AppContext,
  user: UserDoc,
  input: ProjectInput,
  fromSnapshot?: ProjectDoc['fromSnapshot'],
  /** A given id (a snapshot restore job's, so a retried job finds what its earlier attempt made). */
  id?: ObjectId,
): Promise<Project> {
  checkFits(ctx, input);
  const now = new Date(ctx.now());
  const doc: ProjectDoc = {
    _id: id ?? new ObjectId(),
    schemaVersion: 1,
    name: input.name,
    description: input.description,
    kind: input.kind,
    labelSchema: input.labelSchema,
    overlap: input.overlap,
    goldRate: input.goldRate,
    minLevel: input.minLevel,
    ...(input.guideline ? { guideline: input.guideline } : {}),
    reviewPolicy: input.reviewPolicy,
    status: 'active',
    ownerId: user._id,
    memberIds: [],
    counts: { items: 0, gold: 0, done: 0 },
    ...(fromSnapshot ? { fromSnapshot } : {}),
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  await projectsRepo.insert(ctx.db, doc);
  await audit(
    ctx,
    user._id,
    'project.create',
    { type: 'project', id: doc._id },
    { name: doc.name, kind: doc.kind, ...(fromSnapshot ? { fromSnapshot: fromSnapshot.snapshotId.toHexString() } : {}) },
  );
  return toProject(doc);
}

export async function updateProject(ctx: AppContext, user: UserDoc, id: ObjectId, patch: ProjectPatch): Promise<Project> {
  const current = await loadProject(ctx, user, id, 'manage');
  if (current.status === 'archived') throw new AppError('PROJECT_ARCHIVED', 'unarchive the project before editing it');
  const { version, labelMerges = [], ...fields } = patch;
  if (labelMerges.length > 0) checkLabelMerges(current.labelSchema, fields.labelSchema ?? current.labelSchema, labelMerges);
  if (fields.kind && fields.kind !== current.kind && current.counts.items > 0) {
    throw validationError([{ path: 'kind', reason: 'kind_locked', message: 'the kind cannot change once the project has items' }]);
  }
  checkFits(ctx, {
    kind: fields.kind ?? current.kind,
    labelSchema: fields.labelSchema ?? current.labelSchema,
    guideline: fields.guideline === null ? undefined : (fields.guideline ?? current.guideline),
  });
  const set: Record<string, unknown> = { updatedAt: new Date(ctx.now()) };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) set[k] = v;
  const updated = await projectsRepo.updateIfVersion(
    ctx.db,
    id,
    version,
    fields.guideline === null ? { $set: set, $unset: { guideline: '' } } : { $set: set },
  );
  if (!updated) {
    const now = await projectsRepo.byId(ctx.db, id);
    if (!now) throw new AppError('NOT_FOUND', 'no such project');
    throw new AppError('VERSION_CONFLICT', 'someone else changed this project; reload and try again', { current: toProject(now) });
  }
  // The schema no longer has the merged labels: their regions move to the labels they merge into.
  const relabelled = labelMerges.length > 0 ? await applyLabelMerges(ctx, id, labelMerges) : undefined;
  await audit(
    ctx,
    user._id,
    'project.update',
    { type: 'project', id },
    { fields: Object.keys(fields), version: updated.version, ...(relabelled ? { labelMerges, relabelled } : {}) },
  );
  await notifyUpdated(ctx, updated, user._id);
  return toProject(updated);
}

export async function setProjectStatus(ctx: AppContext, user: UserDoc, id: ObjectId, status: ProjectStatus): Promise<Project> {
  await loadProject(ctx, user, id, 'manage');
  const updated = await projectsRepo.update(ctx.db, id, { $set: { status, updatedAt: new Date(ctx.now()) } });
  if (!updated) throw new AppError('NOT_FOUND', 'no such project');
  await audit(ctx, user._id, status === 'archived' ? 'project.archive' : 'project.unarchive', { type: 'project', id });
  await notifyUpdated(ctx, updated, user._id);
  return toProject(updated);
}

export async function addMembers(ctx: AppContext, user: UserDoc, id: ObjectId, userIds: string[]): Promise<Project> {
  await loadProject(ctx, user, id, 'manage');
  const ids = [...new Set(userIds)].map((s) => new ObjectId(s));
  const found = await usersRepo.byIds(ctx.db, ids);
  if (found.length !== ids.length) {
    const known = new Set(found.map((u) => u._id.toHexString()));
    throw validationError(
      userIds.flatMap((u, i) =>
        known.has(u) ? [] : [{ path: `userIds[${i}]`, reason: 'unknown_user' as const, message: 'no such user' }],
      ),
    );
  }
  const updated = await projectsRepo.update(ctx.db, id, {
    $addToSet: { memberIds: { $each: ids } },
    $set: { updatedAt: new Date(ctx.now()) },
  });
  if (!updated) throw new AppError('NOT_FOUND', 'no such project');
  await audit(ctx, user._id, 'project.members-add', { type: 'project', id }, { userIds });
  await notifyUpdated(ctx, updated, user._id);
  return toProject(updated);
}

export async function removeMember(ctx: AppContext, user: UserDoc, id: ObjectId, memberId: ObjectId): Promise<Project> {
  await loadProject(ctx, user, id, 'manage');
  const updated = await projectsRepo.update(ctx.db, id, { $pull: { memberIds: memberId }, $set: { updatedAt: new Date(ctx.now()) } });
  if (!updated) throw new AppError('NOT_FOUND', 'no such project');
  await audit(ctx, user._id, 'project.members-remove', { type: 'project', id }, { userId: memberId.toHexString() });
  await notifyUpdated(ctx, updated, user._id);
  const member = await usersRepo.byId(ctx.db, memberId);
  if (member && !canAccess(member, updated, 'view')) leaveProjectRooms(ctx, memberId.toHexString(), id.toHexString());
  return toProject(updated);
}
