import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type LabelworkApp } from '../../server/src/app.ts';
import { ApiClient } from '../support/api-client.ts';
import { signedInUser } from '../support/project-setup.ts';
import { textProject, type TestUser } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Issue #11, hardening: caches never serve revoked rights. A change of a user (level, reviewer
 * flag) or of a project's members is seen by the very next request on every server process, even
 * when that process had just cached the old user or project.
 */
let t: TestApp;
let second: LabelworkApp;
let secondUrl = '';
let admin: ApiClient;
let lead: TestUser;
let reviewer: TestUser;
let member: TestUser;
let projectId = '';

const user = (username: string, role: string, level: string, reviewer = false) =>
  signedInUser(admin, { name: username, role, level, reviewer });
/** The same session, talking to the second server process. */
function onSecond(c: ApiClient): ApiClient {
  const o = new ApiClient(secondUrl);
  o.cookie = c.cookie;
  o.csrf = c.csrf;
  return o;
}

beforeAll(async () => {
  t = await startTestApp();
  second = await createApp({ ...t.app.ctx.config, PORT: 0 });
  secondUrl = (await second.listen()).url;
  admin = await t.admin();
  lead = await user('lead', 'lead', 'L2');
  reviewer = await user('rev', 'annotator', 'L2', true);
  member = await user('member', 'annotator', 'L3');
  projectId = (await textProject(lead.client, [reviewer.id, member.id], { n: 4, overlap: 2 })).projectId;
});
afterAll(async () => {
  await second?.close();
  await t?.close();
});

describe('revoked rights are not served from caches', () => {
  it('a reviewer lowered below the review level, or losing the flag, is refused a review lease at once on every process', async () => {
    const both = [reviewer.client, onSecond(reviewer.client)];
    // Both processes have just read the reviewer (and so hold them in their caches).
    for (const c of both) {
      const r = await c.post(`/api/projects/${projectId}/review/next`);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('NOTHING_TO_DO');
    }
    expect((await admin.patch(`/api/users/${reviewer.id}`, { level: 'L3' })).status).toBe(200);
    for (const c of both) {
      const r = await c.post(`/api/projects/${projectId}/review/next`);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('LEVEL_TOO_LOW');
    }
    // Back to L2 (allowed again at once), then the reviewer flag taken away.
    expect((await admin.patch(`/api/users/${reviewer.id}`, { level: 'L2' })).status).toBe(200);
    for (const c of both) expect((await c.post(`/api/projects/${projectId}/review/next`)).status).toBe(404);
    expect((await admin.patch(`/api/users/${reviewer.id}`, { reviewer: false })).status).toBe(200);
    for (const c of both) {
      const r = await c.post(`/api/projects/${projectId}/review/next`);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('a removed member is refused tasks/next at once, on the process that removed them and on another', async () => {
    const here = member.client;
    const there = onSecond(member.client);
    // Both processes have the project cached (each just handed out, then resumed, the member's task).
    const first = await here.post(`/api/projects/${projectId}/tasks/next`);
    expect(first.status).toBe(200);
    const again = await there.post(`/api/projects/${projectId}/tasks/next`);
    expect(again.status).toBe(200);
    expect(again.body.task.leaseId).toBe(first.body.task.leaseId);
    expect((await lead.client.del(`/api/projects/${projectId}/members/${member.id}`)).status).toBe(200);
    for (const c of [there, here]) {
      const r = await c.post(`/api/projects/${projectId}/tasks/next`);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    // Added back: allowed again at once, everywhere.
    expect((await lead.client.put(`/api/projects/${projectId}/members`, { userIds: [member.id] })).status).toBe(200);
    for (const c of [there, here]) expect((await c.post(`/api/projects/${projectId}/tasks/next`)).status).toBe(200);
  });

  it("a person's own change of language shows on their next request on every process (users are cached for 30 s)", async () => {
    const here = member.client;
    const there = onSecond(member.client);
    for (const lang of ['en', 'zh-CN', 'en']) {
      // Both processes have just read the user (and so hold them in their caches).
      for (const c of [here, there]) expect((await c.get('/api/auth/me')).status).toBe(200);
      expect((await here.patch('/api/auth/me', { lang })).status).toBe(200);
      for (const c of [there, here]) expect((await c.get('/api/auth/me')).body.user.lang).toBe(lang);
    }
  });
});
