import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import type { UserDoc } from '@labelwork/engine';
import { usersRepo } from '../users/index.ts';
import { verifyPassword } from '../users/index.ts';

/**
 * Checks a signed-in user's current password (changing one's own password), under the sign-in
 * guard's lockout: per account (keyed by user id, apart from sign-in locks, so guesses through a
 * stolen cookie do not lock the owner out of signing in), 5 free failures, then LOCKED_OUT with
 * an exponential wait; and one check at a time per account on all server processes (others:
 * RATE_LIMITED), so a burst of guesses costs one scrypt at a time. Checked against the stored
 * hash as it is now, not a cached copy.
 */
export async function checkCurrentPassword(ctx: AppContext, user: UserDoc, given: string | undefined): Promise<void> {
  if (!given) throw new AppError('BAD_CREDENTIALS', 'the current password is wrong');
  // Usernames cannot contain ':', so these keys never meet a sign-in lock.
  const who = `me:${user._id.toHexString()}`;
  await ctx.loginGuard.exclusive(who, async () => {
    const now = ctx.now();
    await ctx.loginGuard.checkLock(who, now);
    const stored = await usersRepo.byId(ctx.db, user._id);
    if (stored && (await verifyPassword(given, stored.passwordHash))) {
      await ctx.loginGuard.recordSuccess(who);
      return;
    }
    await ctx.loginGuard.recordFailure(who, now);
    throw new AppError('BAD_CREDENTIALS', 'the current password is wrong');
  });
}
