import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client.ts';
import { imageSchema, textSchema } from '../support/fixtures.ts';
import { signedInUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let admin: ApiClient;
const users: Record<string, { id: string; client: ApiClient }> = {};

async function makeUser(username: string, role: string, level = 'L5') {
  users[username] = await signedInUser(admin, { name: username, role, level });
  return users[username]!;
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
  await makeUser('lead1', 'lead', 'L2');
  await makeUser('lead2', 'lead', 'L2');
  await makeUser('anno1', 'annotator', 'L4');
  await makeUser('trainee1', 'trainee');
});
afterAll(async () => {
  await t?.close();
});

describe('users and roles', () => {
  it('lets only admins create and change users', async () => {
    const byLead = await users.lead1!.client.post('/api/users', { username: 'x1', password: 'long-enough-1', role: 'annotator' });
    expect(byLead.status).toBe(403);
    expect(byLead.body.error.code).toBe('FORBIDDEN');
    const byAnno = await users.anno1!.client.get('/api/users');
    expect(byAnno.status).toBe(403);
    const patch = await admin.patch(`/api/users/${users.anno1!.id}`, { level: 'L3', reviewer: true });
    expect(patch.status).toBe(200);
    expect(patch.body.user).toMatchObject({ level: 'L3', reviewer: true });
  });

  it('refuses a taken username (any case) and weak input with field paths', async () => {
    const dup = await admin.post('/api/users', { username: 'LEAD1', password: 'long-enough-1', role: 'lead' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('USERNAME_TAKEN');
    const bad = await admin.post('/api/users', { username: 'a', password: 'short', role: 'wizard', level: 'L9' });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(['level', 'password', 'role', 'username']);
  });

  it('signs a disabled user out everywhere', async () => {
    const u = await makeUser('leaver', 'annotator');
    expect((await admin.patch(`/api/users/${u.id}`, { disabled: true })).status).toBe(200);
    expect((await u.client.get('/api/auth/me')).status).toBe(401);
    expect((await t.client().login('leaver', 'leaver-password')).status).toBe(401);
  });

  it('writes an audit record for every change', async () => {
    const actions = await t.app.ctx.db.audit.distinct('action');
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'user.update', 'auth.login']));
  });
});

describe('projects', () => {
  let projectId = '';
  let version = 0;

  it('lets a lead create an image project with a full label schema', async () => {
    const r = await users.lead1!.client.post('/api/projects', {
      name: '路口车辆 <b>v1</b>',
      kind: 'image',
      labelSchema: imageSchema,
      overlap: 3,
      goldRate: 0.1,
      minLevel: 'L4',
      guideline: { slug: 'vehicles-pedestrians-bbox', version: '1.0' },
    });
    expect(r.status).toBe(201);
    expect(r.body.project).toMatchObject({
      name: '路口车辆 <b>v1</b>',
      kind: 'image',
      overlap: 3,
      goldRate: 0.1,
      minLevel: 'L4',
      status: 'active',
      version: 1,
    });
    expect(r.body.project.labelSchema.labels[3].edges).toHaveLength(2);
    projectId = r.body.project.id;
    version = r.body.project.version;
  });

  it('refuses an invalid label schema with the field path of each problem', async () => {
    const r = await users.lead1!.client.post('/api/projects', {
      name: 'bad',
      kind: 'image',
      labelSchema: {
        labels: [
          { name: 'car', color: '#ff0000', hotkey: 'c', tool: 'bbox' },
          { name: 'Car', color: '#00ff00', hotkey: 'C', tool: 'lasso' },
          { name: 'pose', color: '#0000ff', tool: 'keypoints', points: ['a', 'b'], edges: [{ from: 'a', to: 'z' }] },
          { name: 'ent', color: '#0000ff', tool: 'span' },
        ],
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('labelSchema.labels[1].tool');
    const r2 = await users.lead1!.client.post('/api/projects', {
      name: 'bad2',
      kind: 'image',
      labelSchema: {
        labels: [
          { name: 'car', color: '#ff0000', hotkey: 'c', tool: 'bbox' },
          { name: 'Car', color: '#00ff00', hotkey: 'C', tool: 'bbox' },
          { name: 'pose', color: '#0000ff', tool: 'keypoints', points: ['a', 'b'], edges: [{ from: 'a', to: 'z' }] },
        ],
      },
    });
    const paths2 = r2.body.error.details.map((d: { path: string }) => d.path);
    expect(paths2).toEqual(
      expect.arrayContaining(['labelSchema.labels[1].name', 'labelSchema.labels[1].hotkey', 'labelSchema.labels[2].edges[0].to']),
    );
    // Each problem carries a reason code and params for clients to translate; label numbers count from 1.
    expect(r2.body.error.details).toContainEqual({
      path: 'labelSchema.labels[1].hotkey',
      reason: 'duplicate_hotkey',
      params: { hotkey: 'C', other: 1 },
      message: 'hotkey "C" is already used by label 1',
    });
    expect(r2.body.error.details).toContainEqual(
      expect.objectContaining({ path: 'labelSchema.labels[2].edges[0].to', reason: 'edge_unknown_point', params: { point: 'z' } }),
    );
    const r3 = await users.lead1!.client.post('/api/projects', {
      name: 'bad3',
      kind: 'image',
      labelSchema: { labels: [{ name: 'ent', color: '#0000ff', tool: 'span' }] },
    });
    expect(r3.body.error.details).toEqual([
      {
        path: 'labelSchema.labels[0].tool',
        reason: 'tool_not_for_kind',
        params: { tool: 'span', kind: 'image' },
        message: 'tool "span" is not available in image projects',
      },
    ]);
    const r4 = await users.lead1!.client.post('/api/projects', {
      name: 'bad4',
      kind: 'text',
      labelSchema: textSchema,
      guideline: { slug: 'no-such', version: '1.0' },
    });
    expect(r4.body.error.details).toEqual([
      { path: 'guideline', reason: 'unknown_guideline', params: { guideline: 'no-such@1.0' }, message: 'no guideline no-such@1.0' },
    ]);
    // A label hotkey may not shadow an editor shortcut of the project's kind (0 is 1:1 zoom in the image editor).
    const r5 = await users.lead1!.client.post('/api/projects', {
      name: 'bad5',
      kind: 'image',
      labelSchema: { labels: [{ name: 'ignore', color: '#7f7f7f', hotkey: '0', tool: 'bbox' }] },
    });
    expect(r5.status).toBe(400);
    expect(r5.body.error.details).toEqual([
      expect.objectContaining({
        path: 'labelSchema.labels[0].hotkey',
        reason: 'hotkey_reserved',
        params: { hotkey: '0', command: 'view.actual' },
      }),
    ]);
    // A missing field says "required" by code, whatever zod's English wording.
    const r6 = await users.lead1!.client.post('/api/projects', {
      kind: 'image',
      labelSchema: { labels: [{ name: 'a', color: '#7f7f7f', tool: 'bbox' }] },
    });
    expect(r6.body.error.details).toContainEqual(expect.objectContaining({ path: 'name', reason: 'required' }));
  });

  it('edits with optimistic versioning: a stale version gets 409 with the current project', async () => {
    const ok = await users.lead1!.client.patch(`/api/projects/${projectId}`, { version, overlap: 2, description: '城市路口' });
    expect(ok.status).toBe(200);
    expect(ok.body.project).toMatchObject({ overlap: 2, goldRate: 0.1, minLevel: 'L4', description: '城市路口', version: version + 1 });
    const stale = await users.lead1!.client.patch(`/api/projects/${projectId}`, { version, overlap: 5 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(stale.body.error.details.current.overlap).toBe(2);
    version = ok.body.project.version;
    const cleared = await users.lead1!.client.patch(`/api/projects/${projectId}`, { version, guideline: null });
    expect(cleared.body.project.guideline).toBeUndefined();
    version = cleared.body.project.version;
  });

  it('keeps other leads and annotators out without revealing whether a project exists', async () => {
    const other = await users.lead2!.client.get(`/api/projects/${projectId}`);
    const missing = await users.lead2!.client.get('/api/projects/0123456789abcdef01234567');
    const garbage = await users.lead2!.client.get('/api/projects/not-an-id');
    expect(other.status).toBe(403);
    expect(missing.body).toEqual(other.body);
    expect(garbage.body).toEqual(other.body);
    expect((await users.lead2!.client.patch(`/api/projects/${projectId}`, { version, name: 'mine' })).status).toBe(403);
    expect((await users.anno1!.client.get(`/api/projects/${projectId}`)).status).toBe(403);
    expect((await users.anno1!.client.post('/api/projects', { name: 'x', kind: 'text', labelSchema: textSchema })).status).toBe(403);
    const list = await users.lead2!.client.get('/api/projects');
    expect(list.body.projects).toEqual([]);
  });

  it('adds members, who can then see the project but not manage it', async () => {
    const r = await users.lead1!.client.put(`/api/projects/${projectId}/members`, { userIds: [users.anno1!.id, users.trainee1!.id] });
    expect(r.status).toBe(200);
    expect(r.body.project.memberIds).toEqual(expect.arrayContaining([users.anno1!.id, users.trainee1!.id]));
    version = r.body.project.version;
    expect((await users.anno1!.client.get(`/api/projects/${projectId}`)).status).toBe(200);
    expect((await users.anno1!.client.get(`/api/projects/${projectId}/items`)).status).toBe(403);
    expect((await users.anno1!.client.patch(`/api/projects/${projectId}`, { version, name: 'x' })).status).toBe(403);
    const unknown = await users.lead1!.client.put(`/api/projects/${projectId}/members`, { userIds: ['0123456789abcdef01234567'] });
    expect(unknown.status).toBe(400);
    const rm = await users.lead1!.client.del(`/api/projects/${projectId}/members/${users.trainee1!.id}`);
    expect(rm.body.project.memberIds).not.toContain(users.trainee1!.id);
    expect((await users.trainee1!.client.get(`/api/projects/${projectId}`)).status).toBe(403);
  });

  it('archives and unarchives; an archived project refuses edits and imports', async () => {
    const a = await users.lead1!.client.post(`/api/projects/${projectId}/archive`);
    expect(a.body.project.status).toBe('archived');
    const edit = await users.lead1!.client.patch(`/api/projects/${projectId}`, { version: a.body.project.version, name: 'nope' });
    expect(edit.body.error.code).toBe('PROJECT_ARCHIVED');
    expect((await users.lead1!.client.get('/api/projects?status=archived')).body.projects.map((p: { id: string }) => p.id)).toContain(
      projectId,
    );
    expect((await users.lead1!.client.get('/api/projects')).body.projects.map((p: { id: string }) => p.id)).not.toContain(projectId);
    const u = await users.lead1!.client.post(`/api/projects/${projectId}/unarchive`);
    expect(u.body.project.status).toBe('active');
  });

  it('lets admins see every project and reach every route group', async () => {
    const r = await admin.get('/api/projects?status=all');
    expect(r.body.projects.length).toBeGreaterThan(0);
    expect((await admin.get(`/api/projects/${projectId}/items`)).status).toBe(200);
    expect((await admin.get('/api/projects/0123456789abcdef01234567')).status).toBe(404);
  });
});

describe('guidelines', () => {
  it('lists the bundled guidelines and serves one without its quiz answers', async () => {
    const list = await users.anno1!.client.get('/api/guidelines');
    expect(list.body.guidelines.map((g: { slug: string }) => g.slug)).toEqual(
      expect.arrayContaining(['vehicles-pedestrians-bbox', 'chinese-ner']),
    );
    const g = await users.anno1!.client.get('/api/guidelines/chinese-ner/1.0');
    expect(g.status).toBe(200);
    expect(g.body.guideline.body['zh-CN']).toContain('PER');
    expect(g.body.guideline.quiz).toBeUndefined();
    expect(g.body.guideline.quizSize).toBeGreaterThanOrEqual(12);
  });
});

describe('health', () => {
  it('reports database, Redis eviction policy and queues to an admin', async () => {
    const r = await admin.get('/api/health');
    const body = r.body;
    expect(r.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.database.ok).toBe(true);
    expect(body.redis.maxmemoryPolicy).toBe('noeviction');
    expect(body.queues.ok).toBe(true);
  });
});
