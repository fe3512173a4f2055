import type { ErrorBody } from '@labelwork/core';

/** Codes the client adds to the server's table, for failures that never got a JSON answer (TIMEOUT: a socket ack that did not come). */
export type ClientOnlyCode = 'NETWORK' | 'BAD_RESPONSE' | 'TIMEOUT';

/** A failed API call: the server's `{error:{code,message,details}}`, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

export function isAbortError(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

let csrfToken: string | null = null;

/** Remembers the token from the login or `me` answer; every state-changing request sends it. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

let sessionLost: ((error: ApiError) => void) | null = null;

/** Called when any request answers 401 UNAUTHENTICATED / SESSION_EXPIRED (the app goes back to sign in). */
export function onSessionLost(handler: ((error: ApiError) => void) | null): void {
  sessionLost = handler;
}

const SESSION_CODES: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'SESSION_EXPIRED']);

/** Tells the session handler when `error` means the session is gone. */
export function reportSessionLoss(error: ApiError): void {
  if (error.status === 401 && SESSION_CODES.has(error.code)) sessionLost?.(error);
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const e = body.error;
  return (
    typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' && 'message' in e && typeof e.message === 'string'
  );
}

/** Turns a failed response's status and text into an ApiError. */
export function errorFromResponse(status: number, text: string): ApiError {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: a proxy page or an empty body.
  }
  if (isErrorBody(body)) return new ApiError(status, body.error.code, body.error.message, body.error.details);
  const code =
    status === 401
      ? 'UNAUTHENTICATED'
      : status === 413
        ? 'PAYLOAD_TOO_LARGE'
        : status === 429
          ? 'RATE_LIMITED'
          : status >= 500
            ? 'INTERNAL'
            : 'BAD_RESPONSE';
  return new ApiError(status, code, `HTTP ${status}`);
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  signal?: AbortSignal;
  /** A 401 is an ordinary answer here (signing in, probing the session): don't leave the page. */
  expectUnauthenticated?: boolean;
  /** Let the request outlive the page (sent on pagehide; the body must stay under 64 KB). */
  keepalive?: boolean;
}

/** One JSON API call. Resolves with the parsed body (undefined for 204); rejects with ApiError. */
export async function request<T>(method: Method, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') Object.assign(headers, csrfHeaders());
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      credentials: 'same-origin',
      signal: options.signal ?? null,
      ...(options.keepalive ? { keepalive: true } : {}),
    });
  } catch (e) {
    if (isAbortError(e)) throw e;
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!res.ok) {
    const error = errorFromResponse(res.status, text);
    if (!options.expectUnauthenticated) reportSessionLoss(error);
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', 'The server answered with something other than JSON.');
  }
}

export const http = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, body, options),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, body, options),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PATCH', path, body, options),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, undefined, options),
};

/** `path?k=v&…`, skipping undefined values. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Path segment for an id or slug taken from data (never trusted to be URL-safe). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
