import type { AckFailure } from '@labelwork/core';
import type { AppContext } from '../context.ts';
import { AppError, unavailable } from '../http/errors.ts';
import type { UserDoc } from '@labelwork/engine';

/** A socket handler's failure as an ack: the AppError's code and message, UNAVAILABLE for a store that is down, anything else INTERNAL. */
export function ackFail(e: unknown): AckFailure {
  const known = e instanceof AppError ? e : unavailable(e);
  if (known) return { ok: false, code: known.code, message: known.message };
  return { ok: false, code: 'INTERNAL', message: 'internal error' };
}

/** The ack callback a client passed, or a no-op when it passed none. */
export function replyOf<A>(ack: unknown): (a: A) => void {
  return typeof ack === 'function' ? (ack as (a: A) => void) : () => undefined;
}

/** The socket's user read again (a role or account change takes effect on live sockets); UNAUTHENTICATED when gone or disabled. */
export async function freshUser(ctx: AppContext, user: UserDoc): Promise<UserDoc> {
  const u = await ctx.db.users.findOne({ _id: user._id });
  if (!u || u.disabled) throw new AppError('UNAUTHENTICATED', 'sign in again');
  return u;
}
