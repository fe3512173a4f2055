import { ObjectId } from 'mongodb';
import type { Level, User, UserInput, UserPatch } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { UserDoc } from '@labelwork/engine';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { generatePassword, hashPassword } from './password.ts';
import { endUserSessions } from './session-end.ts';
import { accessChanged } from '../../infra/access-changes.ts';
import { usersRepo } from './users.repository.ts';

export function toUser(d: UserDoc): User {
  return {
    id: d._id.toHexString(),
    username: d.username,
    displayName: d.displayName,
    role: d.role,
    reviewer: d.reviewer,
    level: d.level,
    lang: d.lang,
    disabled: d.disabled,
    ...(d.imported ? { imported: true } : {}),
    createdAt: d.createdAt.toISOString(),
  };
}

/** The username of the placeholder annotator of a file annotator. */
export const placeholderUsername = (source: string) => `imported:${source}`;

/**
 * The placeholder annotator of a file annotator (`imported:<source>`), made on first use, found again
 * after: a disabled annotator with no usable password (nobody can sign in as it), marked `imported`.
 * Refuses (USERNAME_TAKEN) when a real account already has that name.
 */
export async function placeholderAnnotator(ctx: AppContext, actor: ObjectId, source: string): Promise<UserDoc> {
  const username = placeholderUsername(source);
  for (let attempt = 0; attempt < 2; attempt++) {
    const found = await usersRepo.byUsername(ctx.db, username);
    if (found) {
      if (!found.imported) throw new AppError('USERNAME_TAKEN', `a user named ${username} exists and is not a placeholder`);
      return found;
    }
    const now = new Date(ctx.now());
    const doc: UserDoc = {
      ...newUserDoc({ username, role: 'annotator', reviewer: false, level: 'L5', lang: 'en', passwordHash: '!imported-placeholder' }, now),
      disabled: true,
      imported: { source, at: now },
    };
    if (await usersRepo.insert(ctx.db, doc)) {
      await audit(ctx, actor, 'user.placeholder', { type: 'user', id: doc._id }, { username });
      return doc;
    }
  }
  throw new AppError('CONFLICT', `the placeholder ${username} could not be made; try again`);
}

/** What every user record starts as (an enabled account, created and updated now); the one place a UserDoc is built. */
export function newUserDoc(
  u: Pick<UserDoc, 'username' | 'role' | 'reviewer' | 'level' | 'lang' | 'passwordHash'> & { displayName?: string },
  now: Date,
): UserDoc {
  return {
    _id: new ObjectId(),
    schemaVersion: 1,
    username: u.username,
    usernameLower: u.username.toLowerCase(),
    displayName: u.displayName ?? u.username,
    role: u.role,
    reviewer: u.reviewer,
    level: u.level,
    lang: u.lang,
    passwordHash: u.passwordHash,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
}

export async function createUser(ctx: AppContext, actor: ObjectId | null, input: UserInput): Promise<User> {
  const now = new Date(ctx.now());
  const doc = newUserDoc(
    {
      username: input.username,
      displayName: input.displayName ?? input.username,
      role: input.role,
      reviewer: input.reviewer,
      level: input.level,
      lang: input.lang,
      passwordHash: await hashPassword(input.password),
    },
    now,
  );
  if (!(await usersRepo.insert(ctx.db, doc)))
    throw new AppError('USERNAME_TAKEN', 'that username is taken', [{ path: 'username', message: 'taken' }]);
  await audit(
    ctx,
    actor,
    'user.create',
    { type: 'user', id: doc._id },
    { username: doc.username, role: doc.role, level: doc.level, reviewer: doc.reviewer },
  );
  return toUser(doc);
}

export async function updateUser(ctx: AppContext, actor: UserDoc, id: ObjectId, patch: UserPatch): Promise<User> {
  const current = await usersRepo.byId(ctx.db, id);
  if (!current) throw new AppError('NOT_FOUND', 'no such user');
  if (actor._id.equals(id) && ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true)) {
    throw new AppError('CONFLICT', 'you cannot demote or disable your own account');
  }
  const set: Partial<UserDoc> = { updatedAt: new Date(ctx.now()) };
  for (const k of ['displayName', 'role', 'reviewer', 'level', 'lang', 'disabled'] as const) {
    if (patch[k] !== undefined) (set as Record<string, unknown>)[k] = patch[k];
  }
  if (patch.password !== undefined) set.passwordHash = await hashPassword(patch.password);
  const updated = await usersRepo.update(ctx.db, id, set);
  if (!updated) throw new AppError('NOT_FOUND', 'no such user');
  // Role, level, reviewer flag, disabled: every cache of this user drops it, on every process, before we answer.
  await accessChanged(ctx, { userId: id.toHexString() });
  if (patch.disabled || patch.password !== undefined || (patch.role && patch.role !== current.role)) {
    await endUserSessions(ctx, id.toHexString()); // and their live sockets
  }
  const { password: _pw, ...shown } = patch;
  await audit(
    ctx,
    actor._id,
    'user.update',
    { type: 'user', id },
    { ...shown, ...(patch.password !== undefined ? { passwordChanged: true } : {}) },
  );
  return toUser(updated);
}

/**
 * Moves a user from level `from` to `to` (a certification promotion) only if they are still at
 * `from`, so that two promotions racing cannot both apply. Drops every cached access decision of
 * the user and writes the audit log. Returns false when the user was no longer at `from`.
 */
export async function promoteUserLevel(
  ctx: AppContext,
  id: ObjectId,
  from: Level,
  to: Level,
  details: Record<string, unknown>,
): Promise<boolean> {
  const updated = await usersRepo.setLevelIf(ctx.db, id, from, to, new Date(ctx.now()));
  if (!updated) return false;
  await accessChanged(ctx, { userId: id.toHexString() });
  await audit(ctx, null, 'user.promote', { type: 'user', id }, { from, to, ...details });
  return true;
}

/**
 * Makes sure an admin exists. The password comes from ADMIN_PASSWORD or is generated,
 * printed once and stored only as a hash. Returns the generated password, if any.
 */
export async function bootstrapAdmin(ctx: AppContext): Promise<string | null> {
  if (await usersRepo.anyAdmin(ctx.db)) return null;
  const generated = ctx.config.ADMIN_PASSWORD ? null : generatePassword();
  const password = ctx.config.ADMIN_PASSWORD ?? generated!;
  const now = new Date(ctx.now());
  const doc = newUserDoc(
    {
      username: ctx.config.ADMIN_USERNAME,
      role: 'admin',
      reviewer: true,
      level: 'L1',
      lang: 'zh-CN',
      passwordHash: await hashPassword(password),
    },
    now,
  );
  // Another server process may bootstrap at the same moment: the unique index keeps one.
  if (!(await usersRepo.insert(ctx.db, doc))) return null;
  await audit(ctx, null, 'user.bootstrap-admin', { type: 'user', id: doc._id }, { username: doc.username });
  return generated;
}
