import type { AppContext } from '../../context.ts';
import { disconnectSession, disconnectUser } from '../../infra/socket-sessions.ts';

/** Ends one session (logout): its Redis record, then its live sockets on every server process. */
export async function endSession(ctx: AppContext, token: string): Promise<void> {
  await ctx.sessions.destroy(token);
  disconnectSession(ctx, ctx.sessions.idOf(token));
}

/**
 * Ends every session of a user but the one of `exceptToken` (password change, disable, role
 * change): the Redis records, then their live sockets on every server process.
 */
export async function endUserSessions(ctx: AppContext, userId: string, exceptToken?: string): Promise<void> {
  await ctx.sessions.destroyAllForUser(userId, exceptToken);
  disconnectUser(ctx, userId, exceptToken ? ctx.sessions.idOf(exceptToken) : undefined);
}
