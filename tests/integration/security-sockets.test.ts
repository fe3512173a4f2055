import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { CLIENT_EVENTS, SERVER_EVENTS, type Ack, type ShadowFrame, type ShadowState } from '@labelwork/core';
import { createApp, type LabelworkApp } from '../../server/src/app.ts';
import { SESSION_RECHECK_MS } from '../../server/src/infra/socket-sessions.ts';
import { SHADOW_USER_CHARS_PER_S, SHADOW_USER_FRAMES_PER_S } from '../../server/src/modules/live/shadow.socket.ts';
import { ApiClient } from '../support/api-client.ts';
import { textProject, waitFor, type TestUser } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Issue #11, items 2 and 3 and the shadowing hardening: what ends a session, an account or a
 * membership reaches live sockets on every server process (Redis adapter), a socket whose session
 * is gone is refused and dropped, the handshake checks Origin like HTTP does, and shadow frames are
 * limited per user (not per socket) with the publisher's membership re-checked.
 */
let t: TestApp;
let second: LabelworkApp;
let secondUrl = '';
/** How far the second process's clock is ahead of the real one. */
let skew = 0;
let admin: ApiClient;
let lead: TestUser;
const users: Record<string, TestUser> = {};
let projectId = '';
let itemId = '';
const sockets: Socket[] = [];

const NAMES = ['logout', 'expired', 'disabled', 'pw-admin', 'pw-self', 'role', 'removed', 'stays', 'shadow-src', 'shadow-gone'];

function rawSocket(
  cookie: string,
  url: string,
  headers: Record<string, string> = {},
  transport: 'websocket' | 'polling' = 'websocket',
): Socket {
  const s = connect(url, {
    transports: [transport],
    extraHeaders: { ...(cookie ? { cookie } : {}), ...headers },
    reconnection: false,
    forceNew: true,
  });
  sockets.push(s);
  return s;
}
const connected = (s: Socket) =>
  new Promise<void>((resolve, reject) => {
    if (s.connected) return resolve();
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(e));
  });
async function sock(c: ApiClient, url: string): Promise<Socket> {
  const s = rawSocket(c.cookie, url);
  await connected(s);
  return s;
}
/** The reason a socket is disconnected with, or a rejection when it stays connected. */
function ended(s: Socket, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!s.connected) return resolve('already');
    const timer = setTimeout(() => reject(new Error(`socket still connected after ${timeoutMs} ms`)), timeoutMs);
    s.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}
function emitAck<T extends object = object>(s: Socket, ev: string, p: unknown, timeoutMs = 3000): Promise<Ack<T>> {
  return s
    .timeout(timeoutMs)
    .emitWithAck(ev, p)
    .catch(() => ({ ok: false as const, code: 'TIMEOUT', message: 'no answer' }));
}
const taskNext = (s: Socket) => emitAck<{ task: { leaseId: string } }>(s, CLIENT_EVENTS.taskNext, { projectId });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function signIn(u: TestUser, url: string): Promise<ApiClient> {
  const c = new ApiClient(url);
  const r = await c.login(u.username, `${u.username}-password`);
  if (r.status !== 200) throw new Error(`login ${u.username}: ${r.status}`);
  return c;
}
/** The same session as `c`, talking to another server process. */
function sameSession(c: ApiClient, url: string): ApiClient {
  const o = new ApiClient(url);
  o.cookie = c.cookie;
  o.csrf = c.csrf;
  return o;
}

beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_PER_MINUTE: '1000' });
  second = await createApp({ ...t.app.ctx.config, PORT: 0 }, { now: () => Date.now() + skew });
  secondUrl = (await second.listen()).url;
  admin = await t.admin();
  const make = async (username: string, role: string, level = 'L3'): Promise<TestUser> => {
    const r = await admin.post('/api/users', { username, password: `${username}-password`, role, level });
    if (r.status !== 201) throw new Error(`user ${username}: ${JSON.stringify(r.body)}`);
    const client = t.client();
    await client.login(username, `${username}-password`);
    return { id: r.body.user.id, username, client };
  };
  lead = await make('lead', 'lead', 'L2');
  for (const n of NAMES) users[n] = await make(n, 'annotator');
  const p = await textProject(
    lead.client,
    NAMES.map((n) => users[n]!.id),
    { n: 30, overlap: 3 },
  );
  projectId = p.projectId;
  itemId = p.itemIds[0]!;
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await second?.close();
  await t?.close();
});

describe('ending a session reaches its live sockets', () => {
  it('logout disconnects the session’s sockets on every server process; they get no task; the user’s other session keeps its socket', async () => {
    const u = users.logout!;
    const c = await signIn(u, t.url);
    const other = await signIn(u, secondUrl);
    const s1 = await sock(c, t.url);
    const s2 = await sock(c, secondUrl);
    const s3 = await sock(other, secondUrl);
    expect(await taskNext(s2)).toMatchObject({ ok: true });
    const cookie = c.cookie;
    const gone = [ended(s1), ended(s2)];
    expect((await c.post('/api/auth/logout')).status).toBe(204);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(await taskNext(s2)).toMatchObject({ ok: false });
    // The old cookie opens no new socket.
    await expect(connected(rawSocket(cookie, secondUrl))).rejects.toThrow(/SESSION_EXPIRED/);
    await sleep(200);
    expect(s3.connected).toBe(true);
    expect(await taskNext(s3)).toMatchObject({ ok: true });
  });

  it('a socket whose session is gone without a logout (expired) is refused its next event with SESSION_EXPIRED and dropped; an idle one is dropped too', async () => {
    const u = users.expired!;
    const c = await signIn(u, t.url);
    const busy = await sock(c, secondUrl);
    const idle = await sock(c, t.url);
    expect(await taskNext(busy)).toMatchObject({ ok: true });
    // The session ends in Redis behind the server's back (its TTL ran out), no logout, no event.
    const token = decodeURIComponent(c.cookie.slice('lw_sid='.length));
    const key = `${t.prefix}:sess:${createHash('sha256').update(token).digest('hex')}`;
    const busyGone = ended(busy);
    const idleGone = ended(idle, 12_000);
    expect(await t.app.ctx.redis.del(key)).toBe(1);
    // The second process's clock moves past the re-check interval (no sleep, so its sweep does not get there first).
    skew = SESSION_RECHECK_MS + 100;
    try {
      expect(await taskNext(busy)).toMatchObject({ ok: false, code: 'SESSION_EXPIRED' });
    } finally {
      skew = 0; // the clocks agree again (per-second budgets elsewhere in this file count on it)
    }
    expect(await busyGone).toBe('io server disconnect');
    // The idle socket is found by the periodic sweep.
    expect(await idleGone).toBe('io server disconnect');
  });

  it('disabling a user disconnects all their sockets on every process, and none can connect again', async () => {
    const u = users.disabled!;
    const a = await signIn(u, t.url);
    const b = await signIn(u, secondUrl);
    const s1 = await sock(a, t.url);
    const s2 = await sock(b, secondUrl);
    const s3 = await sock(a, secondUrl);
    const gone = [ended(s1), ended(s2), ended(s3)];
    expect((await admin.patch(`/api/users/${u.id}`, { disabled: true })).status).toBe(200);
    expect(await Promise.all(gone)).toEqual(Array(3).fill('io server disconnect'));
    expect(await taskNext(s2)).toMatchObject({ ok: false });
    await expect(connected(rawSocket(b.cookie, secondUrl))).rejects.toThrow(/SESSION_EXPIRED/);
  });

  it('a password set by an admin disconnects every socket of the user', async () => {
    const u = users['pw-admin']!;
    const a = await signIn(u, t.url);
    const s1 = await sock(a, t.url);
    const s2 = await sock(sameSession(a, secondUrl), secondUrl);
    const gone = [ended(s1), ended(s2)];
    expect((await admin.patch(`/api/users/${u.id}`, { password: 'a-brand-new-password' })).status).toBe(200);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
  });

  it('changing one’s own password disconnects the sockets of one’s other sessions and keeps this session’s', async () => {
    const u = users['pw-self']!;
    const here = await signIn(u, t.url);
    const elsewhere = await signIn(u, secondUrl);
    const mine = await sock(here, secondUrl);
    const theirs = await sock(elsewhere, secondUrl);
    const theirsHere = await sock(elsewhere, t.url);
    const gone = [ended(theirs), ended(theirsHere)];
    const r = await here.patch('/api/auth/me', { currentPassword: `${u.username}-password`, password: 'my-new-password-1' });
    expect(r.status).toBe(200);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    await sleep(200);
    expect(mine.connected).toBe(true);
    expect(await taskNext(mine)).toMatchObject({ ok: true });
  });

  it('a role change disconnects every socket of the user', async () => {
    const u = users.role!;
    const a = await signIn(u, secondUrl);
    const s1 = await sock(a, secondUrl);
    const s2 = await sock(sameSession(a, t.url), t.url);
    const gone = [ended(s1), ended(s2)];
    expect((await admin.patch(`/api/users/${u.id}`, { role: 'trainee' })).status).toBe(200);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
  });
});

describe('removing a member reaches their live sockets', () => {
  it('a removed member stops receiving the project’s room and item events (on another process) and gets no task', async () => {
    const gone = users.removed!;
    const stays = users.stays!;
    const g = await sock(await signIn(gone, secondUrl), secondUrl);
    const s = await sock(stays.client, t.url);
    for (const x of [g, s]) {
      expect(await emitAck(x, CLIENT_EVENTS.joinProject, { projectId })).toEqual({ ok: true });
      expect(await emitAck(x, 'item:join', { projectId, itemId })).toMatchObject({ ok: true });
    }
    const leaked: string[] = [];
    g.on(SERVER_EVENTS.projectUpdated, () => leaked.push('project:updated'));
    g.on('item:presence', () => leaked.push('item:presence'));
    expect((await lead.client.del(`/api/projects/${projectId}/members/${gone.id}`)).status).toBe(200);
    await sleep(300);
    leaked.length = 0;
    // Room events after the removal: the member who stays gets them, the removed one nothing.
    const seen = new Promise((resolve) => s.once(SERVER_EVENTS.projectUpdated, resolve));
    const current = (await lead.client.get(`/api/projects/${projectId}`)).body.project;
    expect(
      (await lead.client.patch(`/api/projects/${projectId}`, { version: current.version, description: 'after the removal' })).status,
    ).toBe(200);
    await seen;
    const presence = new Promise((resolve) => s.once('item:presence', resolve));
    const third = await sock(users.logout!.client, t.url);
    expect(await emitAck(third, 'item:join', { projectId, itemId })).toMatchObject({ ok: true });
    await presence;
    await sleep(300);
    expect(leaked).toEqual([]);
    expect(await taskNext(g)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await emitAck(g, CLIENT_EVENTS.joinProject, { projectId })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });
});

describe('Origin on the Socket.IO handshake', () => {
  it('refuses a handshake from another origin (other port of the same host), over websocket and polling', async () => {
    const c = users.stays!.client;
    const port = new URL(t.url).port;
    const otherOrigin = `http://127.0.0.1:${Number(port) === 65535 ? 1 : Number(port) + 1}`;
    for (const transport of ['websocket', 'polling'] as const) {
      const s = rawSocket(c.cookie, t.url, { origin: otherOrigin }, transport);
      await expect(connected(s)).rejects.toThrow();
      expect(s.connected).toBe(false);
    }
    await expect(connected(rawSocket(c.cookie, t.url, { origin: 'http://evil.example' }))).rejects.toThrow();
    await expect(connected(rawSocket(c.cookie, t.url, { origin: 'null' }))).rejects.toThrow();
    await expect(connected(rawSocket(c.cookie, t.url, { origin: 'not a url' }))).rejects.toThrow();
  });

  it('accepts the same origin, and no Origin at all (non-browser clients), like HTTP', async () => {
    const c = users.stays!.client;
    for (const transport of ['websocket', 'polling'] as const) {
      const same = rawSocket(c.cookie, t.url, { origin: t.url }, transport);
      await connected(same);
      expect(await emitAck(same, CLIENT_EVENTS.joinProject, { projectId })).toEqual({ ok: true });
    }
    await connected(rawSocket(c.cookie, t.url));
  });
});

describe('shadowing limits', () => {
  const frame = (seq: number, over: Partial<ShadowState> = {}): ShadowState => ({
    projectId,
    sid: 'page-one',
    seq,
    itemId,
    itemKind: 'text',
    regions: [],
    draft: null,
    selection: [],
    tool: 'select',
    activeLabel: null,
    textSelection: null,
    ...over,
  });
  const send = (s: Socket, st: ShadowState) => emitAck<{ seq: number }>(s, 'shadow:state', st);

  it('limits frames per user, not per socket: four sockets on two processes share one budget', async () => {
    const u = users['shadow-src']!;
    const a = await signIn(u, t.url);
    const srcs = [
      await sock(a, t.url),
      await sock(a, t.url),
      await sock(sameSession(a, secondUrl), secondUrl),
      await sock(sameSession(a, secondUrl), secondUrl),
    ];
    for (const s of srcs) expect(await emitAck(s, 'shadow:publish', { projectId })).toMatchObject({ ok: true });
    // 4 × 20 small frames at once: a per-socket limit (30 a second) would let all 80 through.
    let from = Date.now();
    const answers = await Promise.all(srcs.flatMap((s, i) => Array.from({ length: 20 }, (_, k) => send(s, frame(i * 100 + k)))));
    let windows = Math.floor(Date.now() / 1000) - Math.floor(from / 1000) + 1;
    const ok = answers.filter((x) => x.ok).length;
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThanOrEqual(SHADOW_USER_FRAMES_PER_S * windows); // 30 in each one-second window the burst touched
    expect(answers.filter((x) => !x.ok).every((x) => !x.ok && x.code === 'RATE_LIMITED')).toBe(true);

    // Big frames: the characters a user may push a second are bounded too.
    await sleep(2100);
    const regions = Array.from({ length: 2000 }, (_, i) => ({
      id: `r${i}`,
      type: 'bbox',
      label: 'pos',
      x: 1,
      y: 2,
      w: 3,
      h: 4,
    })) as ShadowState['regions'];
    const size = JSON.stringify(frame(0, { regions })).length;
    expect(size).toBeGreaterThan(100_000);
    from = Date.now();
    const big = await Promise.all(
      srcs.flatMap((s, i) => Array.from({ length: 5 }, (_, k) => send(s, frame(1000 + i * 10 + k, { regions })))),
    );
    windows = Math.floor(Date.now() / 1000) - Math.floor(from / 1000) + 1;
    const bigOk = big.filter((x) => x.ok).length;
    expect(bigOk).toBeGreaterThan(0);
    expect(bigOk).toBeLessThan(20);
    expect(bigOk * size).toBeLessThanOrEqual(SHADOW_USER_CHARS_PER_S * windows); // two full-size frames' worth a second
  });

  it('a publisher removed from the project stops being a source at once, on every process', async () => {
    const u = users['shadow-gone']!;
    const a = await signIn(u, secondUrl);
    const src = await sock(a, secondUrl);
    expect(await emitAck(src, 'shadow:publish', { projectId })).toMatchObject({ ok: true });
    const w = await sock(lead.client, t.url);
    expect(await emitAck(w, 'shadow:watch', { projectId, userId: u.id })).toMatchObject({ ok: true, online: true });
    const frames: ShadowFrame[] = [];
    w.on('shadow:frame', (f: ShadowFrame) => frames.push(f));
    expect(await send(src, frame(1))).toMatchObject({ ok: true });
    await waitFor('the first frame', async () => frames.length === 1);
    await sleep(1100);
    expect((await lead.client.del(`/api/projects/${projectId}/members/${u.id}`)).status).toBe(200);
    await waitFor(
      'the source refused',
      async () => {
        const r = await send(src, frame(2));
        return !r.ok && r.code === 'FORBIDDEN';
      },
      3000,
      50,
    );
    expect(await emitAck(src, 'shadow:publish', { projectId })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await sleep(200);
    expect(frames.map((f) => f.seq)).toEqual([1]);
  });
});
