import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlMediaSecret, signedMediaUrl } from '@labelwork/engine';
import type { ApiClient } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { setUpProject, signedInUser, type TestUser } from '../support/project-setup.ts';
import { startMinimalBackend, type MinimalBackend } from '../support/ml-minimal-backend.ts';
import { pedestrianScene, shippedGuideline } from '../support/ml-fixtures.ts';
import { startPythonBackend, type BackendProc } from '../../scripts/ml-backends.ts';

// Model backends: registration by admins with the SSRF rules, health, attaching to a project
// (/setup with the generated label config), and the signed media route backends fetch images from.

let t: TestApp;
let admin: ApiClient;
let lead: TestUser;
let minimal: MinimalBackend;
let pedestrians: BackendProc;
let projectId = '';

beforeAll(async () => {
  [t, minimal, pedestrians] = await Promise.all([startTestApp(), startMinimalBackend(), startPythonBackend('pedestrians')]);
  admin = await t.admin();
  lead = await signedInUser(admin, { name: 'ml-lead', role: 'lead', level: 'L1' });
  const scene = await pedestrianScene();
  projectId = await setUpProject(lead.client, {
    name: 'street',
    kind: 'image',
    labelSchema: shippedGuideline('vehicles-pedestrians-bbox').labelSchema,
    images: [{ name: 'scene.png', data: scene.png, type: 'image/png' }],
  });
}, 300_000);

afterAll(async () => {
  await Promise.all([t?.close(), minimal?.close(), pedestrians?.stop()]);
});

const register = (body: Record<string, unknown>) =>
  admin.post('/api/ml/backends', { name: `b-${Math.random().toString(36).slice(2, 8)}`, ...body });

describe('registering a model backend', () => {
  it.each([
    ['loopback', () => minimal.url],
    ['localhost (resolves to loopback)', () => minimal.url.replace('127.0.0.1', 'localhost')],
    ['IPv6 loopback', () => minimal.url.replace('127.0.0.1', '[::1]')],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data'],
    ['a private network', () => 'http://10.1.2.3:9090'],
    ['IPv4-mapped IPv6 loopback', () => 'http://[::ffff:127.0.0.1]:9090'],
  ])('refuses %s unless an admin allow-lists it', async (_what, url) => {
    const r = await register({ url: url() });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('ML_ADDRESS_REFUSED');
  });

  it('refuses non-HTTP URLs and credentials in the URL', async () => {
    expect((await register({ url: 'file:///etc/passwd', allowPrivate: true })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await register({ url: minimal.url.replace('http://', 'http://u:p@'), allowPrivate: true })).body.error.code).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('registers an allow-listed loopback backend after a /health check, and only admins may', async () => {
    const r = await register({ url: pedestrians.url, allowPrivate: true, name: 'pedestrians' });
    expect(r.status).toBe(201);
    expect(r.body.backend.health).toMatchObject({ status: 'up', modelVersion: expect.stringMatching(/^hog-people-opencv-/) });
    expect(JSON.stringify(r.body)).not.toMatch(/password/);
    const byLead = await lead.client.post('/api/ml/backends', { name: 'x', url: pedestrians.url, allowPrivate: true });
    expect(byLead.status).toBe(403);
  });

  it('does not follow a redirect, and refuses huge, slow and non-UP answers', async () => {
    const cases: [MinimalBackend['behave'], Record<string, unknown>][] = [
      [(p) => (p === '/health' ? { status: 302, headers: { location: pedestrians.url + '/health' } } : null), {}],
      [(p) => (p === '/health' ? { raw: `{"status":"UP","x":"${'a'.repeat(17 * 1024 * 1024)}"}` } : null), {}],
      [(p) => (p === '/health' ? { json: { status: 'UP' }, delayMs: 3000 } : null), { timeoutMs: 1000 }],
      [(p) => (p === '/health' ? { json: { status: 'DOWN' } } : null), {}],
      [(p) => (p === '/health' ? { raw: '<html>hello</html>' } : null), {}],
    ];
    for (const [behave, extra] of cases) {
      minimal.behave = behave;
      const r = await register({ url: minimal.url, allowPrivate: true, ...extra });
      expect(r.status, JSON.stringify(r.body)).toBe(502);
      expect(r.body.error.code).toBe('ML_BACKEND_UNAVAILABLE');
    }
    minimal.behave = () => null;
    // The redirect target was never called.
    expect(minimal.requests.filter((q) => q.path !== '/health')).toEqual([]);
  }, 60_000);

  it("never sends the user's session; sends the backend's own Basic credentials", async () => {
    minimal.requests.length = 0;
    const r = await register({ url: minimal.url, allowPrivate: true, name: 'minimal', basicAuth: { user: 'lw', password: 'secret-pass' } });
    expect(r.status).toBe(201);
    const h = minimal.requests.at(-1)!.headers;
    expect(h.cookie).toBeUndefined();
    expect(h['x-csrf-token']).toBeUndefined();
    expect(h.authorization).toBe(`Basic ${Buffer.from('lw:secret-pass').toString('base64')}`);
  });
});

describe('attaching a backend to a project', () => {
  it('runs /setup with the label config and shows the model version to the lead', async () => {
    const list = (await admin.get('/api/ml/backends')).body.backends as { id: string; name: string }[];
    const ped = list.find((b) => b.name === 'pedestrians')!;
    const minimalId = list.find((b) => b.name === 'minimal')!.id;
    const a = await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: ped.id });
    expect(a.status).toBe(200);
    expect(a.body.backends.find((b: { id: string }) => b.id === ped.id).attached.modelVersion).toMatch(/^hog-people-opencv-/);
    minimal.requests.length = 0;
    expect((await lead.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: minimalId })).status).toBe(200);
    const setup = minimal.requests.find((q) => q.path === '/setup')!.body as { project: string; schema: string };
    expect(setup.project).toMatch(/^\d+\.\d+$/);
    expect(setup.schema).toContain('<RectangleLabels name="label" toName="image">');
    expect(setup.schema).toContain('<Label value="pedestrian"');
    const other = await signedInUser(admin, { name: 'ml-other-lead', role: 'lead', level: 'L1' });
    expect((await other.client.post(`/api/projects/${projectId}/ml/attach`, { backendId: ped.id })).status).toBe(403);
  });
});

describe('the train button', () => {
  it('sends START_TRAINING with the project and its label config to an attached backend', async () => {
    const list = (await admin.get('/api/ml/backends')).body.backends as { id: string; name: string }[];
    const minimalId = list.find((b) => b.name === 'minimal')!.id;
    minimal.requests.length = 0;
    const r = await lead.client.post(`/api/projects/${projectId}/ml/train`, { backendId: minimalId });
    expect(r).toMatchObject({ status: 200, body: { result: { status: 'ok' } } });
    const hook = minimal.requests.find((q) => q.path === '/webhook')!.body as {
      action: string;
      project: { id: number; label_config: string };
    };
    expect(hook.action).toBe('START_TRAINING');
    expect(Number.isInteger(hook.project.id)).toBe(true);
    expect(hook.project.label_config).toContain('<RectangleLabels name="label" toName="image">');
    const unattached = await admin.post('/api/ml/backends', { name: 'not-attached', url: minimal.url, allowPrivate: true });
    expect((await lead.client.post(`/api/projects/${projectId}/ml/train`, { backendId: unattached.body.backend.id })).status).toBe(409);
  });
});

describe('signed media URLs for backends', () => {
  it('serve the image without a session, and refuse a tampered, expired or other-project link', async () => {
    const item = await t.app.ctx.db.items.findOne({ projectId: new (await import('mongodb')).ObjectId(projectId) });
    const fileId = item!.image!.fileId.toHexString();
    const secret = await mlMediaSecret(t.app.ctx.db);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const good = signedMediaUrl(t.url, secret, fileId, projectId, exp);
    const r = await fetch(good);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect((await r.arrayBuffer()).byteLength).toBe(item!.image!.bytes);
    const refused = [
      good.replace(/s=[^&]+$/, 's=AAAA'),
      signedMediaUrl(t.url, secret, fileId, projectId, Math.floor(Date.now() / 1000) - 1),
      signedMediaUrl(t.url, secret, fileId, '0123456789abcdef01234567', exp),
      signedMediaUrl(t.url, 'another-secret', fileId, projectId, exp),
    ];
    for (const u of refused) expect((await fetch(u)).status).toBe(401);
  });
});
