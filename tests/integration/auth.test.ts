import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysEverywhere } from '../support/redis-client.ts';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await t?.close();
});

describe('sign-in and sessions', () => {
  it('signs the bootstrap admin in and reports who is signed in', async () => {
    const c = t.client();
    const r = await c.login('admin', ADMIN_PASSWORD);
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'admin', role: 'admin', level: 'L1' });
    expect(r.body.user.passwordHash).toBeUndefined();
    const cookie = r.headers.getSetCookie().find((s) => s.startsWith('lw_sid='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await c.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(r.body.csrfToken);
  });

  it('stores only a scrypt hash of the password', async () => {
    const doc = await t.app.ctx.db.users.findOne({ usernameLower: 'admin' });
    expect(doc!.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(doc!.passwordHash).not.toContain(ADMIN_PASSWORD);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const a = await t.client().login('admin', 'wrong-password-123');
    const b = await t.client().login('nobody-here', 'wrong-password-123');
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body.error.code).toBe('BAD_CREDENTIALS');
    expect(b.body).toEqual(a.body);
  });

  it('answers 401 UNAUTHENTICATED without a session and SESSION_EXPIRED after the session is gone', async () => {
    const anon = await t.client().get('/api/projects');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('UNAUTHENTICATED');
    const c = await t.admin();
    // Expire every session of the admin in Redis, as the TTL would.
    const keys = await keysEverywhere(t.app.ctx.redis, `${t.prefix}:sess:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) await t.app.ctx.redis.del(k);
    const r = await c.get('/api/projects');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('SESSION_EXPIRED');
  });

  it('requires the CSRF token on state-changing requests', async () => {
    const c = await t.admin();
    const noToken = await c.post('/api/projects', { name: 'x' }, { csrf: false });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe('CSRF_FAILED');
    const wrong = await c.request('POST', '/api/projects', {}, { csrf: false, headers: { 'x-csrf-token': 'forged' } });
    expect(wrong.body.error.code).toBe('CSRF_FAILED');
    const crossSite = await c.request('POST', '/api/auth/logout', {}, { headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('CSRF_FAILED');
  });

  it('logs out: the old cookie no longer works', async () => {
    const c = await t.admin();
    const saved = c.cookie;
    expect((await c.post('/api/auth/logout')).status).toBe(204);
    c.cookie = saved;
    const r = await c.get('/api/auth/me');
    expect(r.status).toBe(401);
  });

  it('locks an account out with growing waits after repeated failures, then lets the right password in', async () => {
    const admin = await t.admin();
    await admin.post('/api/users', { username: 'lockme', password: 'correct-horse-1', role: 'annotator' });
    const c = t.client();
    for (let i = 0; i < 5; i++) expect((await c.login('lockme', 'bad-password-xx')).status).toBe(401);
    const locked = await c.login('lockme', 'correct-horse-1');
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('LOCKED_OUT');
    expect(locked.body.error.details.retryAfterS).toBeGreaterThan(0);
    // The lock also answers for names that do not exist, so it reveals nothing.
    for (let i = 0; i < 5; i++) await c.login('ghost-user', 'bad-password-xx');
    expect((await c.login('ghost-user', 'bad-password-xx')).body.error.code).toBe('LOCKED_OUT');
    await t.app.ctx.redis.del(`${t.prefix}:lock:lockme`);
    expect((await c.login('lockme', 'correct-horse-1')).status).toBe(200);
  });

  it('rate-limits sign-in attempts per address', async () => {
    const strict = await startTestApp({ LOGIN_MAX_PER_MINUTE: '3' });
    try {
      const c = strict.client();
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await c.login(`user${i}`, 'whatever-pass')).status);
      expect(codes.slice(0, 3)).toEqual([401, 401, 401]);
      expect(codes[4]).toBe(429);
    } finally {
      await strict.close();
    }
  });

  /** Sign-ins in turn on an app with this per-minute limit, started well inside a minute so the window does not reset halfway; the statuses. */
  async function signInsWithLimit(limit: number, attempts: [username: string, password: string][]): Promise<number[]> {
    const strict = await startTestApp({ LOGIN_MAX_PER_MINUTE: String(limit) });
    try {
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
      const codes: number[] = [];
      for (const [u, p] of attempts) codes.push((await strict.client().login(u, p)).status);
      return codes;
    } finally {
      await strict.close();
    }
  }
  const admins = (n: number) => Array.from({ length: n }, () => ['admin', ADMIN_PASSWORD] as [string, string]);

  it('gives a successful sign-in its attempt back: an office behind one address all signs in, guesses are still limited', async () => {
    const guesses = Array.from({ length: 5 }, (_, i) => [`nobody${i}`, 'whatever-pass'] as [string, string]);
    const codes = await signInsWithLimit(3, [...admins(8), ...guesses, ...admins(1)]);
    expect(codes.slice(0, 8)).toEqual(Array<number>(8).fill(200));
    expect(codes.slice(8, 13)).toEqual([401, 401, 401, 429, 429]);
    // Refused attempts are not refunded, even with the right password.
    expect(codes[13]).toBe(429);
  });

  it('gives back only the first 10 × the limit successes of an address in a minute: one valid account cannot loop sign-ins without limit', async () => {
    // 10 given back; the 11th counts (1 of 1 attempts); the 12th is over the limit.
    expect(await signInsWithLimit(1, admins(12))).toEqual([...Array<number>(11).fill(200), 429]);
  });

  it('answers bad JSON with BAD_JSON and a too-large body with 413', async () => {
    const r = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(r.status).toBe(400);
    expect((await r.json()).error.code).toBe('BAD_JSON');
    const big = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'a'.repeat(3_000_000), password: 'x' }),
    });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    // Only the routes that carry an annotation's regions take large bodies (parsed, then refused for want of a session).
    const draft = await fetch(`${t.url}/api/tasks/nope/draft`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ regions: [], pad: 'a'.repeat(3_000_000) }),
    });
    expect(draft.status).not.toBe(413);
    expect(draft.status).toBeGreaterThanOrEqual(400);
  });

  it('sends security headers with a strict CSP', async () => {
    const r = await fetch(`${t.url}/api/health`);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
