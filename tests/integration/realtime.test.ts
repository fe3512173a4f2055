import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { CLIENT_EVENTS, SERVER_EVENTS, type Ack, type ProjectUpdatedPayload } from '@labelwork/core';
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
const connected = (s: Socket) => new Promise<void>((resolve, reject) => {
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
