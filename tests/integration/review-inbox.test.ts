import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { InboxEntry, InboxReadPayload, ReviewVerdictPayload } from '@labelwork/core';
import { ApiClient } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { signedInUser } from '../support/project-setup.ts';
import { answer, connected, sid, socketFor, textProject, type TestUser } from '../support/tasks.ts';

/**
 * The annotator's inbox (issue #10, item 5): verdicts and comments are stored with read state when
 * they are made, so someone who was offline sees them at the next sign-in, and read state persists.
 */
let t: TestApp;
let admin: ApiClient;
let lead: TestUser;
let anno: TestUser;
let other: TestUser;
let rev: TestUser;
let projectId = '';
const sockets: Socket[] = [];

const user = (username: string, role: string, level: string, reviewer = false) =>
  signedInUser(admin, { name: username, role, level, reviewer });

/** A fresh session: what the annotator has after signing in again on another day or device. */
async function signInAgain(u: TestUser): Promise<ApiClient> {
  const c = t.client();
  await c.login(u.username, `${u.username}-password`);
  return c;
}

async function submitAndDecide(verdict: 'accept' | 'reject', comment?: string): Promise<{ itemId: string; reviewId: string }> {
  const n = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
  expect(n.status).toBe(200);
  const s = await anno.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, { submissionId: sid(), ...answer(1) });
  expect(s.status).toBe(201);
  const task = await rev.client.post(`/api/projects/${projectId}/review/next`);
  expect(task.status).toBe(200);
  const v = await rev.client.post(`/api/projects/${projectId}/review/tasks/${task.body.task.taskId}/verdict`, {
    token: task.body.task.token,
    verdict,
    comments: comment ? [{ anchor: { kind: 'item' }, text: comment }] : [],
  });
  expect(v.status).toBe(201);
  return { itemId: n.body.task.item.id, reviewId: v.body.review.id };
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
  lead = await user('lead', 'lead', 'L2');
  anno = await user('anno', 'annotator', 'L4');
  other = await user('other', 'annotator', 'L4');
  rev = await user('rev', 'annotator', 'L2', true);
  ({ projectId } = await textProject(lead.client, [anno.id, other.id, rev.id], { n: 4, overlap: 1, reviewPolicy: { sampleRate: 1 } }));
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

describe('the review inbox', () => {
  let rejected: InboxEntry;
  it('an annotator who was offline when rejected sees the rejection at the next sign-in, named by the first words of the text', async () => {
    const { itemId, reviewId } = await submitAndDecide('reject', 'the class is wrong');
    const fresh = await signInAgain(anno);
    const list = await fresh.get('/api/inbox');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, unread: 1, page: 1, pageSize: 20 });
    rejected = list.body.entries[0];
    expect(rejected).toMatchObject({
      id: reviewId,
      kind: 'verdict',
      verdict: 'reject',
      projectId,
      itemId,
      text: 'the class is wrong',
      read: false,
    });
    expect(rejected.itemName).toMatch(/^text number \d about Alice$/);
    expect((await fresh.get('/api/inbox/unread-count')).body).toEqual({ unread: 1 });
    // Nobody else's inbox has it.
    expect((await other.client.get('/api/inbox')).body).toMatchObject({ total: 0, unread: 0, entries: [] });
  });

  it('a verdict while online comes live with the same id and the item name, and is in the inbox too', async () => {
    const s = socketFor(anno.client);
    sockets.push(s);
    await connected(s);
    const live = new Promise<ReviewVerdictPayload>((resolve) => s.once('review:verdict', resolve));
    const { reviewId } = await submitAndDecide('accept');
    const v = await live;
    expect(v.reviewId).toBe(reviewId);
    expect(v.itemName).toMatch(/^text number \d about Alice$/);
    const list = (await anno.client.get('/api/inbox')).body;
    expect(list.unread).toBe(2);
    // Unread first, then newest first.
    expect(list.entries.map((e: InboxEntry) => e.id)).toEqual([reviewId, rejected.id]);
  });

  it('marks one entry read; read state persists across sessions and reorders the list (unread first)', async () => {
    const s = socketFor(anno.client);
    sockets.push(s);
    await connected(s);
    const first = (await anno.client.get('/api/inbox')).body.entries[0] as InboxEntry;
    const told = new Promise<InboxReadPayload>((resolve) => s.once('inbox:read', resolve));
    const r = await anno.client.post(`/api/inbox/${first.id}/read`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ entry: { id: first.id, read: true }, unread: 1 });
    expect(await told).toEqual({ ids: [first.id], all: false, unread: 1 });
    const later = await signInAgain(anno);
    const list = (await later.get('/api/inbox')).body;
    expect(list.unread).toBe(1);
    expect(list.entries.map((e: InboxEntry) => [e.id, e.read])).toEqual([
      [rejected.id, false],
      [first.id, true],
    ]);
    // Marking again is harmless.
    expect((await later.post(`/api/inbox/${first.id}/read`)).body).toMatchObject({ entry: { read: true }, unread: 1 });
  });

  it('pages the list and marks all read', async () => {
    const p = (await anno.client.get('/api/inbox?page=2&pageSize=1')).body;
    expect(p).toMatchObject({ total: 2, unread: 1, page: 2, pageSize: 1 });
    expect(p.entries).toHaveLength(1);
    expect(p.entries[0].read).toBe(true);
    const all = await anno.client.post('/api/inbox/read-all');
    expect(all.body).toEqual({ marked: 1, unread: 0 });
    expect((await (await signInAgain(anno)).get('/api/inbox/unread-count')).body).toEqual({ unread: 0 });
  });

  it("answers 404 for someone else's entry or a bad id, 400 for a bad page, 401 signed out", async () => {
    expect((await other.client.post(`/api/inbox/${rejected.id}/read`)).status).toBe(404);
    expect((await anno.client.post('/api/inbox/nope/read')).status).toBe(404);
    const bad = await anno.client.get('/api/inbox?pageSize=1000');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await t.client().get('/api/inbox')).status).toBe(401);
    // The other user's failed attempt changed nothing.
    expect((await anno.client.get('/api/inbox')).body.entries.find((e: InboxEntry) => e.id === rejected.id).read).toBe(true);
  });
});
