import { ERROR_CODES, formatPath, issueFromZod, type ErrorCode, type FieldIssue, type Issue } from '@labelwork/core';
import type { ErrorRequestHandler } from 'express';
import type { ZodError } from 'zod';
import { isDatabaseUnreachable, isRedisUnavailable } from '@labelwork/engine';
import type { Logger } from '../infra/logger.ts';

/** An error the API reports to the client with a code from core's table. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.status = ERROR_CODES[code];
  }
}

/** A core issue (0-based path as a list) as the API reports it: `{ path: 'labels[2].hotkey', reason, params, message }`. */
export function fieldIssue(issue: Issue, prefix: readonly (string | number)[] = []): FieldIssue {
  return {
    path: formatPath([...prefix, ...issue.path]),
    reason: issue.reason,
    ...(issue.params && Object.keys(issue.params).length > 0 ? { params: issue.params } : {}),
    message: issue.message,
  };
}

export function zodIssues(err: ZodError, prefix: (string | number)[] = []): FieldIssue[] {
  return err.issues.map((i) => fieldIssue(issueFromZod(i, prefix)));
}

/** VALIDATION_FAILED with one `{path, reason, params, message}` per problem in `details`. */
export function validationError(issues: FieldIssue[], message = 'the request is not valid'): AppError {
  return new AppError('VALIDATION_FAILED', message, issues);
}

/** The one place that turns errors into `{error:{code,message,details}}`. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let e: AppError;
    if (err instanceof AppError) e = err;
    else if (isBodyParserError(err)) {
      if (err.type === 'entity.too.large') e = new AppError('PAYLOAD_TOO_LARGE', 'the request body is too large');
      else if (err.type === 'entity.parse.failed') e = new AppError('BAD_JSON', 'the request body is not valid JSON');
      else e = new AppError('VALIDATION_FAILED', err.message);
    } else if (isMulterError(err)) {
      e =
        err.code === 'LIMIT_FILE_SIZE'
          ? new AppError('PAYLOAD_TOO_LARGE', 'a file is larger than the upload limit', { field: err.field })
          : new AppError('VALIDATION_FAILED', `upload: ${err.message}`, { field: err.field });
    } else if (isMalformedMultipart(err)) {
      e = new AppError('VALIDATION_FAILED', `upload: the multipart body is malformed (${err.message})`);
    } else {
      // A store down, restarting or failing over: the same request may succeed in a moment (a
      // submit keeps its submission id, so resending it never stores it twice).
      const down = unavailable(err);
      if (down) log.warn('service unavailable', { method: req.method, path: req.path, details: down.details, err: String(err) });
      else log.error('unhandled error', { err, method: req.method, path: req.path });
      e = down ?? new AppError('INTERNAL', 'internal error');
    }
    if (e.status >= 500 && err instanceof AppError) log.error('server error', { code: e.code, msg: e.message });
    res.status(e.status).json({ error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } });
  };
}

/**
 * UNAVAILABLE (503, `details.reason` "database" or "redis") for an error of a store that is down,
 * restarting or failing over; null for anything else. HTTP and socket acks answer alike.
 */
export function unavailable(err: unknown): AppError | null {
  if (isDatabaseUnreachable(err))
    return new AppError('UNAVAILABLE', 'the database is not reachable right now; try again in a moment', { reason: 'database' });
  if (isRedisUnavailable(err))
    return new AppError('UNAVAILABLE', 'the task queue is not reachable right now; try again in a moment', { reason: 'redis' });
  return null;
}

function isBodyParserError(err: unknown): err is { type: string; message: string } {
  return typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string' && 'status' in err;
}

function isMulterError(err: unknown): err is { code: string; field?: string; message: string } {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'MulterError';
}

/**
 * busboy (under multer) refuses a malformed multipart body (a NUL in a part header, a body cut
 * short) with a plain Error and no code, so only its message tells; these are busboy 1.6's. The
 * upload tests in security-exposure.test.ts answer 500 instead of 400 if an upgrade changes them.
 */
const MALFORMED_MULTIPART =
  /^(Malformed part header|Unexpected end of (form|file)|Malformed content type|Missing Content-Type|Unsupported content type: |Multipart: Boundary not found)/;
function isMalformedMultipart(err: unknown): err is Error {
  return err instanceof Error && !('code' in err) && MALFORMED_MULTIPART.test(err.message);
}
