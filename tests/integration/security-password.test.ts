import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client.ts';
import { signedInUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Issue #11, item 7: guesses of the current password on `PATCH /api/auth/me` fall under the
 * sign-in lockout (per account) and run one at a time per account, so a burst of them neither
 * brute-forces the password nor keeps the hashing pool from other users' sign-ins.
 */
let t: TestApp;
let admin: ApiClient;

const user = async (username: string) => (await signedInUser(admin, { name: username, role: 'annotator' })).client;
const guess = (c: ApiClient, currentPassword: string) => c.patch('/api/auth/me', { currentPassword, password: 'the-new-password-1' });

beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_PER_MINUTE: '1000' });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
});

describe('current-password guesses', () => {
  it('locks the account’s password change after 5 wrong current passwords (LOCKED_OUT with retryAfterS), even for the right one; sign-in stays open', async () => {
    const c = await user('guesser');
    for (let i = 0; i < 5; i++) {
      const r = await guess(c, `wrong-guess-${i}`);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('BAD_CREDENTIALS');
    }
    for (const pw of ['wrong-guess-5', 'guesser-password']) {
      const r = await guess(c, pw);
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('LOCKED_OUT');
      expect(r.body.error.details.retryAfterS).toBeGreaterThan(0);
    }
    // The password did not change, and the owner can still sign in (the lock is on the password change only).
    expect((await t.client().login('guesser', 'guesser-password')).status).toBe(200);
    expect((await t.client().login('guesser', 'the-new-password-1')).status).toBe(401);
  });

  it('a burst of concurrent guesses is checked one at a time (the rest refused), and another user’s sign-in meanwhile succeeds', async () => {
    const c = await user('burster');
    await user('bystander');
    const burst = Promise.all(Array.from({ length: 60 }, (_, i) => guess(c, `burst-guess-${i}`)));
    const other = t.client();
    const signIn = other.login('bystander', 'bystander-password');
    const [answers, signed] = await Promise.all([burst, signIn]);
    expect(signed.status).toBe(200);
    expect(signed.body.user.username).toBe('bystander');
    const checked = answers.filter((r) => r.status === 401);
    const refused = answers.filter((r) => r.status === 429);
    expect(checked.length + refused.length).toBe(60);
    // At most the 5 free failures were actually hashed; everything else was refused without it.
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.length).toBeLessThanOrEqual(5);
    for (const r of refused) expect(['RATE_LIMITED', 'LOCKED_OUT']).toContain(r.body.error.code);
  });

  it('a right current password still changes the password (and resets the count)', async () => {
    const c = await user('changer');
    expect((await guess(c, 'nope-nope-nope')).status).toBe(401);
    const r = await c.patch('/api/auth/me', { currentPassword: 'changer-password', password: 'changer-new-password' });
    expect(r.status).toBe(200);
    expect((await t.client().login('changer', 'changer-new-password')).status).toBe(200);
    expect(await t.app.ctx.redis.exists(`${t.prefix}:lock:me:${r.body.user.id}`)).toBe(0);
  });
});
