import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import {
  SHADOW_MAX_FRAME_CHARS,
  type Ack,
  type ShadowFrame,
  type ShadowState,
  type ShadowStatusPayload,
  type ShadowUser,
  type ShadowWatchersPayload,
  type ShadowWatchInfo,
} from '@labelwork/core';
import { ApiClient } from '../support/api-client.ts';
import { signedInUser } from '../support/project-setup.ts';
import { connected, socketFor, textProject, waitFor, type TestUser } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Read-only shadowing over real Redis and FerretDB: who may watch, frames reaching the watch room
 * (and no other, and across server processes), the last frame for a late watcher, the watched
 * annotator told who watches, and bad frames refused.
 */
let t: TestApp;
let admin: ApiClient;
let adminId = '';
let lead: TestUser;
let otherLead: TestUser;
let anno: TestUser;
let anno2: TestUser;
let trainee: TestUser;
let outsider: TestUser;
let projectId = '';
let itemId = '';
let otherProjectId = '';
const sockets: Socket[] = [];

const user = (username: string, role: string, level = 'L3') => signedInUser(admin, { name: username, role, level });

async function sock(c: ApiClient): Promise<Socket> {
  const s = socketFor(c);
  sockets.push(s);
  await connected(s);
  return s;
}
const emitAck = <T extends object = object>(s: Socket, ev: string, p: unknown) => new Promise<Ack<T>>((resolve) => s.emit(ev, p, resolve));
const watch = (s: Socket, userId: string, pid = projectId) => emitAck<ShadowWatchInfo>(s, 'shadow:watch', { projectId: pid, userId });
const publish = (s: Socket, pid = projectId) => emitAck<{ watchers: ShadowUser[] }>(s, 'shadow:publish', { projectId: pid });
const send = (s: Socket, state: unknown) => emitAck<{ seq: number }>(s, 'shadow:state', state);
/** The next event of a name on a socket that passes `f`. */
function next<T>(s: Socket, ev: string, f: (p: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(ev, on);
      reject(new Error(`no ${ev} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (p: T) => {
      if (!f(p)) return;
      clearTimeout(timer);
      s.off(ev, on);
      resolve(p);
    };
    s.on(ev, on);
  });
}
/** Everything of an event name a socket gets from now on. */
function record<T>(s: Socket, ev: string): T[] {
  const got: T[] = [];
  s.on(ev, (p: T) => got.push(p));
  return got;
}

function state(seq: number, over: Partial<ShadowState> = {}): ShadowState {
  return {
    projectId,
    sid: 'page-one',
    seq,
    itemId,
    itemKind: 'text',
    regions: [{ id: 'r1', type: 'class', label: 'pos' }],
    draft: null,
    selection: ['r1'],
    tool: 'select',
    activeLabel: 'pos',
    textSelection: { anchor: 0, focus: 4 },
    ...over,
  };
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
  adminId = (await admin.get('/api/auth/me')).body.user.id;
  lead = await user('lead', 'lead', 'L2');
  otherLead = await user('lead-b', 'lead', 'L2');
  anno = await user('anno', 'annotator');
  anno2 = await user('anno2', 'annotator');
  trainee = await user('trainee', 'trainee', 'L5');
  outsider = await user('outsider', 'annotator');
  const p = await textProject(lead.client, [anno.id, anno2.id, trainee.id], { n: 2, overlap: 1, queue: false });
  projectId = p.projectId;
  itemId = p.itemIds[0]!;
  otherProjectId = (await textProject(otherLead.client, [outsider.id], { n: 1, overlap: 1, queue: false })).projectId;
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

describe('shadowing: who may watch', () => {
  it('refuses annotators, trainees, leads of other projects and garbage; a non-member target is not found', async () => {
    const a = await sock(anno.client);
    const tr = await sock(trainee.client);
    const ol = await sock(otherLead.client);
    const l = await sock(lead.client);
    expect(await watch(a, anno2.id)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await watch(tr, anno.id)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await watch(ol, anno.id)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    // The other project's lead may watch in their own project, not ours.
    expect(await watch(ol, outsider.id, otherProjectId)).toMatchObject({ ok: true, online: false, frame: null });
    expect(await watch(l, outsider.id)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await watch(l, 'nope')).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(await emitAck(l, 'shadow:watch', null)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    // Publishing needs membership of the project.
    const o = await sock(outsider.client);
    expect(await publish(o)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    // Watching is audited.
    await waitFor('audit', async () => (await t.app.ctx.db.audit.findOne({ action: 'shadow.watch', targetId: outsider.id })) ?? null);
  });
});

describe('shadowing: frames', () => {
  it('tells the annotator who watches; frames reach the watchers and no one else; a late watcher gets the last frame', async () => {
    const src = await sock(anno.client);
    const pub = await publish(src);
    expect(pub).toEqual({ ok: true, watchers: [] });
    const watchersSeen = record<ShadowWatchersPayload>(src, 'shadow:watchers');

    // The lead watches: the annotator's workspace is told at once, and the lead sees it online.
    const l = await sock(lead.client);
    const toldLead = next<ShadowWatchersPayload>(src, 'shadow:watchers', (p) => p.watchers.some((w) => w.userId === lead.id));
    const w = await watch(l, anno.id);
    expect(w).toMatchObject({ ok: true, online: true, frame: null, annotator: { userId: anno.id, username: 'anno' } });
    expect((await toldLead).watchers).toEqual([{ userId: lead.id, username: 'lead', displayName: 'lead' }]);

    // Someone in another watch room (the admin, watching anno2) and a plain project member get nothing.
    const bystander = await sock(admin);
    expect(await watch(bystander, anno2.id)).toMatchObject({ ok: true });
    const member = await sock(anno2.client);
    expect(await emitAck(member, 'project:join', { projectId })).toEqual({ ok: true });
    const bystanderFrames = record<ShadowFrame>(bystander, 'shadow:frame');
    const memberFrames = record<ShadowFrame>(member, 'shadow:frame');

    const got = next<ShadowFrame>(l, 'shadow:frame');
    expect(await send(src, state(1))).toEqual({ ok: true, seq: 1 });
    const f = await got;
    expect(f).toMatchObject({
      projectId,
      userId: anno.id,
      sid: 'page-one',
      seq: 1,
      itemId,
      selection: ['r1'],
      textSelection: { anchor: 0, focus: 4 },
    });
    expect(f.regions).toEqual([{ id: 'r1', type: 'class', label: 'pos' }]);
    expect(Number.isNaN(Date.parse(f.at))).toBe(false);

    // A second frame, then a late watcher (the admin) gets it in the watch answer.
    const got2 = next<ShadowFrame>(l, 'shadow:frame');
    expect(await send(src, state(2, { regions: [], selection: [], tool: 'bbox', activeLabel: 'neg' }))).toMatchObject({ ok: true, seq: 2 });
    expect((await got2).seq).toBe(2);
    const late = await sock(admin);
    const toldBoth = next<ShadowWatchersPayload>(src, 'shadow:watchers', (p) => p.watchers.length === 2);
    const lw = await watch(late, anno.id);
    if (!lw.ok) throw new Error(lw.message);
    expect(lw.frame).toMatchObject({ seq: 2, tool: 'bbox', activeLabel: 'neg', regions: [], userId: anno.id });
    expect(lw.online).toBe(true);
    expect((await toldBoth).watchers.map((x) => x.userId).sort()).toEqual([adminId, lead.id].sort());

    await new Promise((r) => setTimeout(r, 200));
    expect(bystanderFrames).toEqual([]);
    expect(memberFrames).toEqual([]);

    // The lead stops watching, the admin's socket goes away: the annotator is told each time.
    const leadGone = next<ShadowWatchersPayload>(src, 'shadow:watchers', (p) => p.watchers.length === 1);
    expect(await emitAck(l, 'shadow:unwatch', { projectId, userId: anno.id })).toEqual({ ok: true });
    expect((await leadGone).watchers.map((x) => x.userId)).toEqual([adminId]);
    const nobody = next<ShadowWatchersPayload>(src, 'shadow:watchers', (p) => p.watchers.length === 0);
    late.disconnect();
    await nobody;
    expect(watchersSeen.length).toBeGreaterThanOrEqual(4);

    // The annotator leaves the workspace: a watcher is told it went offline, and keeps the last frame.
    const l2 = await sock(lead.client);
    expect(await watch(l2, anno.id)).toMatchObject({ ok: true, online: true });
    const offline = next<ShadowStatusPayload>(l2, 'shadow:status', (p) => !p.online);
    src.disconnect();
    expect(await offline).toEqual({ projectId, userId: anno.id, online: false });
    expect(await watch(l2, anno.id)).toMatchObject({ ok: true, online: false, frame: { seq: 2 } });
    // And back online when the workspace opens again.
    const src2 = await sock(anno.client);
    const online = next<ShadowStatusPayload>(l2, 'shadow:status', (p) => p.online);
    expect(await publish(src2)).toMatchObject({ ok: true, watchers: [{ userId: lead.id }] });
    expect(await online).toEqual({ projectId, userId: anno.id, online: true });
  });

  it('refuses oversized, invalid and unannounced frames', async () => {
    const src = await sock(anno2.client);
    // Not a source of the project yet.
    expect(await send(src, state(1))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await publish(src)).toMatchObject({ ok: true });
    const l = await sock(lead.client);
    expect(await watch(l, anno2.id)).toMatchObject({ ok: true });
    const frames = record<ShadowFrame>(l, 'shadow:frame');

    const big = Array.from({ length: 3000 }, (_, i) => ({ id: `r${i}`, type: 'bbox', label: 'pos'.repeat(20), x: 1, y: 2, w: 3, h: 4 }));
    expect(JSON.stringify(big).length).toBeGreaterThan(SHADOW_MAX_FRAME_CHARS);
    expect(await send(src, state(1, { regions: big as ShadowState['regions'] }))).toMatchObject({ ok: false, code: 'PAYLOAD_TOO_LARGE' });
    const bad = await send(src, { ...state(2), regions: [{ id: 'x', type: 'bbox', label: 'pos', x: 1, y: 2, w: -3, h: 4 }] });
    expect(bad).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    if (!bad.ok) expect(bad.message).toMatch(/^regions\[0\]/);
    expect(await send(src, { ...state(3), seq: -1 })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(await send(src, { ...state(4), tool: 'laser' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(await send(src, 'hello')).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    // A frame for a project this socket is not the source of.
    expect(await send(src, state(5, { projectId: otherProjectId }))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    // A good one still goes through; unknown fields are dropped.
    expect(await send(src, { ...state(6), secret: 'x' })).toMatchObject({ ok: true, seq: 6 });
    await waitFor('the good frame', async () => frames.length === 1);
    expect(frames.map((f) => f.seq)).toEqual([6]);
    expect('secret' in frames[0]!).toBe(false);

    // Far above the throttle: refused with RATE_LIMITED.
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => send(src, state(100 + i))));
    expect(answers.some((a) => !a.ok && a.code === 'RATE_LIMITED')).toBe(true);
  });

  it('stops a watcher who loses access while watching (removed from the project)', async () => {
    const member = await user('lead-member', 'lead', 'L2');
    const cur = (await lead.client.get(`/api/projects/${projectId}`)).body.project;
    expect((await lead.client.put(`/api/projects/${projectId}/members`, { userIds: [...cur.memberIds, member.id] })).status).toBe(200);
    const src = await sock(anno.client);
    expect(await publish(src)).toMatchObject({ ok: true });
    const w = await sock(member.client);
    expect(await watch(w, anno.id)).toMatchObject({ ok: true });
    const frames = record<ShadowFrame>(w, 'shadow:frame');
    expect(await send(src, state(500))).toMatchObject({ ok: true });
    await waitFor('a frame while allowed', async () => frames.length === 1);

    const revoked = next<{ projectId: string; userId: string; code: string }>(w, 'shadow:revoked');
    const watchers = next<ShadowWatchersPayload>(src, 'shadow:watchers', (p) => !p.watchers.some((x) => x.userId === member.id));
    expect((await lead.client.del(`/api/projects/${projectId}/members/${member.id}`)).status).toBe(200);
    expect(await revoked).toMatchObject({ projectId, userId: anno.id, code: 'FORBIDDEN' });
    // The annotator is told the lead is no longer watching, and no more frames reach them.
    await watchers;
    expect(await send(src, state(501))).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(frames.map((f) => f.seq)).toEqual([500]);
    // Watching again is refused.
    expect(await watch(w, anno.id)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('reaches a watcher on another server process (Redis adapter), and the last frame is shared', async () => {
    const { createApp } = await import('../../server/src/app.ts');
    const second = await createApp({ ...t.app.ctx.config, PORT: 0 });
    const { url } = await second.listen();
    try {
      const remoteLead = new ApiClient(url);
      await remoteLead.login('lead', 'lead-password');
      const w = await sock(remoteLead);
      const src = await sock(trainee.client);
      expect(await publish(src)).toMatchObject({ ok: true });
      // The source on server one learns of the watcher on server two.
      const told = next<ShadowWatchersPayload>(src, 'shadow:watchers', (p) => p.watchers.some((x) => x.userId === lead.id));
      expect(await watch(w, trainee.id)).toMatchObject({ ok: true, online: true, annotator: { username: 'trainee' } });
      await told;
      const got = next<ShadowFrame>(w, 'shadow:frame');
      expect(await send(src, state(7, { sid: 'trainee-page' }))).toMatchObject({ ok: true });
      expect(await got).toMatchObject({ userId: trainee.id, seq: 7, sid: 'trainee-page' });
      // A watcher on server one gets that frame from Redis.
      const here = await sock(admin);
      expect(await watch(here, trainee.id)).toMatchObject({ ok: true, frame: { seq: 7, userId: trainee.id } });
    } finally {
      await second.close();
    }
  });
});
