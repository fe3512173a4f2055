import type { Lang, Level, Role, User, UserPatch } from '@labelwork/core';
import { http, seg } from './http.ts';

export interface NewUser {
  username: string;
  displayName?: string;
  password: string;
  role: Role;
  reviewer: boolean;
  level: Level;
  lang?: Lang;
}

export async function listUsers(signal?: AbortSignal): Promise<User[]> {
  const { users } = await http.get<{ users: User[] }>('/api/users', signal ? { signal } : {});
  return users;
}

export async function createUser(input: NewUser): Promise<User> {
  return (await http.post<{ user: User }>('/api/users', input)).user;
}

export async function updateUser(id: string, patch: UserPatch): Promise<User> {
  return (await http.patch<{ user: User }>(`/api/users/${seg(id)}`, patch)).user;
}
