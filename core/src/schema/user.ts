import { z } from 'zod';
import { withReason } from '../contracts/issues.ts';
import { DisplayName, Id, Lang, Level, Role } from './common.ts';

export const Username = z
  .string()
  .trim()
  .refine((s) => /^[\p{L}\p{N}_.-]{2,40}$/u.test(s), withReason('username_format', 'must be 2–40 letters, digits, "_", "." or "-"'));

/** At least 10 characters; long passphrases welcome. */
export const Password = z.string().min(10, 'must be at least 10 characters').max(200);

export const UserInput = z.object({
  username: Username,
  displayName: DisplayName.optional(),
  password: Password,
  role: Role,
  reviewer: z.boolean().default(false),
  level: Level.default('L5'),
  lang: Lang.default('zh-CN'),
});
export type UserInput = z.infer<typeof UserInput>;

export const UserPatch = z.object({
  displayName: DisplayName.optional(),
  password: Password.optional(),
  role: Role.optional(),
  reviewer: z.boolean().optional(),
  level: Level.optional(),
  lang: Lang.optional(),
  disabled: z.boolean().optional(),
});
export type UserPatch = z.infer<typeof UserPatch>;

export const LoginInput = z.object({ username: z.string().trim().min(1).max(80), password: z.string().min(1).max(200) });
export type LoginInput = z.infer<typeof LoginInput>;

/** A user as the API returns it (never the password hash). */
export interface User {
  id: Id;
  username: string;
  displayName: string;
  role: Role;
  reviewer: boolean;
  level: Level;
  lang: 'zh-CN' | 'en';
  disabled: boolean;
  /** A placeholder annotator made by a dataset import (it cannot sign in; it only carries imported annotations). */
  imported?: boolean;
  createdAt: string;
}
