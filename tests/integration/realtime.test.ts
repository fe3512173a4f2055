import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { CLIENT_EVENTS, SERVER_EVENTS, type Ack, type AnnouncementPayload, type ProjectUpdatedPayload } from '@labelwork/core';
import type { LabelworkApp } from '../../server/src/app.ts';
import { ACCESS_MAX_STALE_MS } from '../../server/src/modules/access/access-cache.ts';
import type { ApiClient } from '../support/api-client.ts';
import { textSchema } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let admin: ApiClient;
let lead: ApiClient;
let anno: ApiClient;
let outsider: ApiClient;
let projectId = '';
const sockets: Socket[] = [];

function socketFor(c: ApiClient | null, url = t.url): Socket {
  const s = connect(url, { transports: ['websocket'], extraHeaders: c ? { cookie: c.cookie } : {}, reconnection: false, forceNew: true });
  sockets.push(s);
  return s;
}
const connected = (s: Socket) =>
  new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(e));
  });
const join = (s: Socket, id: string) => new Promise<Ack>((resolve) => s.emit(CLIENT_EVENTS.joinProject, { projectId: id }, resolve));

async function user(name: string, role: string): Promise<ApiClient> {
  await admin.post('/api/users', { username: name, password: `${name}-password`, role });
  const c = t.client();
  await c.login(name, `${name}-password`);
  return c;
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
  lead = await user('lead', 'lead');
  anno = await user('anno', 'annotator');
  outsider = await user('outsider', 'annotator');
  const p = await lead.post('/api/projects', { name: 'rt', kind: 'text', labelSchema: textSchema });
  projectId = p.body.project.id;
  const annoId = (await anno.get('/api/auth/me')).body.user.id;
  await lead.put(`/api/projects/${projectId}/members`, { userIds: [annoId] });
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

describe('Socket.IO gateway', () => {
  it('refuses a socket without a session', async () => {
    const s = socketFor(null);
    await expect(connected(s)).rejects.toThrow('UNAUTHENTICATED');
  });

  it('refuses to join a project room the user is not a member of, and garbage ids', async () => {
    const s = socketFor(outsider);
    await connected(s);
    expect(await join(s, projectId)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await join(s, 'nope')).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
  });

  it('refuses per-message deflate, so a room broadcast is one frame written as is to every socket', async () => {
    // What a browser offers: compression. Accepted, every queue:counts to 5,000 dashboards would be
    // deflated once per socket instead of encoded once for the room.
    const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      headers: { cookie: lead.cookie },
      perMessageDeflate: true,
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    expect(ws.extensions).toBe('');
    ws.close();
  });

  it('tells members when a project changes, and no one else', async () => {
    const member = socketFor(anno);
    const other = socketFor(outsider);
    await Promise.all([connected(member), connected(other)]);
    expect(await join(member, projectId)).toEqual({ ok: true });
    let leaked = false;
    other.on(SERVER_EVENTS.projectUpdated, () => {
      leaked = true;
    });
    const got = new Promise<ProjectUpdatedPayload>((resolve) => member.once(SERVER_EVENTS.projectUpdated, resolve));
    const current = (await lead.get(`/api/projects/${projectId}`)).body.project;
    await lead.patch(`/api/projects/${projectId}`, { version: current.version, description: '更新' });
    const ev = await got;
    expect(ev.projectId).toBe(projectId);
    expect(ev.version).toBe(current.version + 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(leaked).toBe(false);
  });

  it('delivers events raised on one server process to clients of another (Redis adapter)', async () => {
    const { createApp } = await import('../../server/src/app.ts');
    const second = await createApp({ ...t.app.ctx.config, PORT: 0 });
    const { url } = await second.listen();
    try {
      const s = socketFor(anno, url);
      await connected(s);
      expect(await join(s, projectId)).toEqual({ ok: true });
      const got = new Promise<ProjectUpdatedPayload>((resolve) => s.once(SERVER_EVENTS.projectUpdated, resolve));
      const current = (await lead.get(`/api/projects/${projectId}`)).body.project;
      await lead.patch(`/api/projects/${projectId}`, { version: current.version, description: 'via server one' });
      expect((await got).projectId).toBe(projectId);
    } finally {
      await second.close();
    }
  });
});

describe('lead announcements (cached access check)', () => {
  /** A second server process's app on the same database and Redis, with a clock the test moves. */
  let second: LabelworkApp;
  let secondUrl = '';
  let clock = Date.now();
  const announce = (s: Socket, text: string) => new Promise<Ack>((resolve) => s.emit(CLIENT_EVENTS.announce, { projectId, text }, resolve));
  const idOf = async (c: ApiClient) => (await c.get('/api/auth/me')).body.user.id as string;
  /** A lead who is a member (not the owner) of the project, with a connected socket on `url`. */
  async function memberLead(name: string, url = t.url): Promise<{ id: string; client: ApiClient; socket: Socket }> {
    const c = await user(name, 'lead');
    const id = await idOf(c);
    expect((await lead.put(`/api/projects/${projectId}/members`, { userIds: [id] })).status).toBe(200);
    const socket = socketFor(c, url);
    await connected(socket);
    return { id, client: c, socket };
  }

  beforeAll(async () => {
    const { createApp } = await import('../../server/src/app.ts');
    second = await createApp({ ...t.app.ctx.config, PORT: 0 }, { now: () => clock });
    secondUrl = (await second.listen()).url;
  });
  afterAll(async () => {
    await second?.close();
  });

  it('reaches the project room from a lead; members who may not manage it and outsiders are refused', async () => {
    const member = socketFor(anno);
    const ls = socketFor(lead);
    const out = socketFor(outsider);
    await Promise.all([connected(member), connected(ls), connected(out)]);
    expect(await join(member, projectId)).toEqual({ ok: true });
    const got = new Promise<AnnouncementPayload>((resolve) => member.once(SERVER_EVENTS.announcement, resolve));
    const ack = await announce(ls, '指南 1.2 已发布');
    expect(ack).toMatchObject({ ok: true });
    expect(await got).toMatchObject({ projectId, text: '指南 1.2 已发布', byName: 'lead' });
    expect(await announce(member, 'not mine to say')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await announce(out, 'nor mine')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    // Refusals are cached too: asking again gets the same answer.
    expect(await announce(member, 'again')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('a lead removed from the project is refused at once, on this server process and on another (invalidation over Redis)', async () => {
    const here = await memberLead('lead-removed');
    const elsewhere = socketFor(here.client, secondUrl);
    await connected(elsewhere);
    // Both processes have a cached "may manage" now.
    expect(await announce(here.socket, 'one')).toMatchObject({ ok: true });
    expect(await announce(elsewhere, 'two')).toMatchObject({ ok: true });
    expect((await lead.del(`/api/projects/${projectId}/members/${here.id}`)).status).toBe(200);
    // The removal went through server one: its cache is dropped before the response.
    expect(await announce(here.socket, 'three')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    // Server two's clock stands still, so its cached decision never ages out: only the
    // invalidation sent over the Socket.IO Redis adapter can refuse this.
    await expect.poll(async () => (await announce(elsewhere, 'four')).ok, { timeout: 5000, interval: 50 }).toBe(false);
    expect(await announce(elsewhere, 'five')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('a demoted lead is disconnected and refused on signing in again; a disabled one is disconnected', async () => {
    const l = await memberLead('lead-demoted');
    expect(await announce(l.socket, 'still lead')).toMatchObject({ ok: true });
    const dropped = (s: Socket) => new Promise<string>((resolve) => s.once('disconnect', resolve));
    // A role change ends the user's sessions, and with them their live sockets.
    let gone = dropped(l.socket);
    expect((await admin.patch(`/api/users/${l.id}`, { role: 'annotator' })).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect((await l.client.login('lead-demoted', 'lead-demoted-password')).status).toBe(200);
    const s2 = socketFor(l.client);
    await connected(s2);
    expect(await announce(s2, 'demoted')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    gone = dropped(s2);
    expect((await admin.patch(`/api/users/${l.id}`, { role: 'lead' })).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect((await l.client.login('lead-demoted', 'lead-demoted-password')).status).toBe(200);
    const s3 = socketFor(l.client);
    await connected(s3);
    expect(await announce(s3, 'lead again')).toMatchObject({ ok: true });
    gone = dropped(s3);
    expect((await admin.patch(`/api/users/${l.id}`, { disabled: true })).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    await expect(connected(socketFor(l.client))).rejects.toThrow('SESSION_EXPIRED');
  });

  it(`without any invalidation (a change straight in the database) a cached permission is used at most ${ACCESS_MAX_STALE_MS} ms`, async () => {
    const l = await memberLead('lead-db', secondUrl);
    expect(await announce(l.socket, 'cached')).toMatchObject({ ok: true });
    // Behind the services' back: no invalidation is sent.
    await t.app.ctx.db.projects.updateOne({ _id: new ObjectId(projectId) }, { $pull: { memberIds: new ObjectId(l.id) } });
    expect(await announce(l.socket, 'within the bound')).toMatchObject({ ok: true });
    clock += ACCESS_MAX_STALE_MS;
    expect(await announce(l.socket, 'past the bound')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });
});
