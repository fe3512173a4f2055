import type { Lang, User } from '@labelwork/core';
import { http } from './http.ts';

export interface SessionAnswer {
  user: User;
  csrfToken: string;
}

export function login(username: string, password: string): Promise<SessionAnswer> {
  return http.post<SessionAnswer>('/api/auth/login', { username, password }, { expectUnauthenticated: true });
}

export function logout(): Promise<void> {
  return http.post<void>('/api/auth/logout', undefined, { expectUnauthenticated: true });
}

/** The current session, or ApiError 401 when there is none. */
export function fetchMe(): Promise<SessionAnswer> {
  return http.get<SessionAnswer>('/api/auth/me', { expectUnauthenticated: true });
}

export function updateMyLang(lang: Lang): Promise<{ user: User }> {
  return http.patch<{ user: User }>('/api/auth/me', { lang });
}
