import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { signedInUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

// Issue #11 hardening: who may choose the client address, what /api/health tells strangers,
// and which characters a display name may hold.

let t: TestApp;
let admin: ApiClient;
let lead: ApiClient;
let annotator: ApiClient;
let annotatorId: string;

beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_PER_MINUTE: '1000' });
  admin = await t.admin();
  lead = (await signedInUser(admin, { name: 'sec-lead', role: 'lead' })).client;
  ({ client: annotator, id: annotatorId } = await signedInUser(admin, { name: 'sec-anno', role: 'annotator' }));
});
afterAll(async () => {
  await t?.close();
});

/** Sign-in attempts from one connection, each claiming another client address. */
async function loginsWithRotatingForwardedFor(app: TestApp, n: number, sameAddress = false): Promise<number[]> {
  const c = app.client();
  const codes: number[] = [];
  for (let i = 0; i < n; i++) {
    const xff = sameAddress ? '203.0.113.7' : `203.0.113.${i + 1}`;
    codes.push(
      (
        await c.request(
          'POST',
          '/api/auth/login',
          { username: `nobody${i}`, password: 'whatever-pass' },
          { headers: { 'x-forwarded-for': xff } },
        )
      ).status,
    );
  }
  return codes;
}

describe('client address and proxies (TRUST_PROXY)', () => {
  it('by default ignores X-Forwarded-For, so rotating it does not get past the sign-in rate limit', async () => {
    const strict = await startTestApp({ LOGIN_MAX_PER_MINUTE: '3' });
    try {
      const codes = await loginsWithRotatingForwardedFor(strict, 6);
      expect(codes.slice(0, 3)).toEqual([401, 401, 401]);
      expect(codes.slice(3)).toEqual([429, 429, 429]);
      // The audit records the real peer, not the claimed address.
      const failed = await strict.app.ctx.db.db.collection('audit').find({ action: 'auth.login-failed' }).toArray();
      expect(failed.length).toBe(3);
      for (const a of failed) expect(JSON.stringify(a)).not.toContain('203.0.113.');
    } finally {
      await strict.close();
    }
  });

  it('believes X-Forwarded-For only from proxies named in TRUST_PROXY', async () => {
    const behindProxy = await startTestApp({ LOGIN_MAX_PER_MINUTE: '3', TRUST_PROXY: '127.0.0.1/8' });
    try {
      // Each claimed address is its own client now (the test runs on loopback, the configured proxy)…
      expect(await loginsWithRotatingForwardedFor(behindProxy, 5)).toEqual([401, 401, 401, 401, 401]);
      // …and one address is still limited.
      const same = await loginsWithRotatingForwardedFor(behindProxy, 5, true);
      expect(same.slice(0, 3)).toEqual([401, 401, 401]);
      expect(same.slice(3)).toEqual([429, 429]);
    } finally {
      await behindProxy.close();
    }
  });
});

describe('/api/health', () => {
  it('tells anonymous callers only the status', async () => {
    const r = await fetch(`${t.url}/api/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('tells signed-in non-admins (lead, annotator) and a forged cookie only the status', async () => {
    for (const c of [lead, annotator]) {
      const r = await c.get('/api/health');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ status: 'ok' });
    }
    const forged = await fetch(`${t.url}/api/health`, { headers: { cookie: 'lw_sid=not-a-session' } });
    expect(await forged.json()).toEqual({ status: 'ok' });
  });

  it('gives a signed-in admin the database, Redis and queue details', async () => {
    const r = await admin.get('/api/health');
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ok');
    expect(r.body.database).toMatchObject({ ok: true, ping: true });
    expect(r.body.redis).toMatchObject({ ok: true, maxmemoryPolicy: 'noeviction' });
    expect(r.body.queues.ok).toBe(true);
    expect(r.body.queues.quality).toHaveProperty('waiting');
  });

  it('answers 503 with only {status:"down"} to anyone when Redis is gone', async () => {
    const broken = await startTestApp();
    try {
      const adminOfBroken = await broken.admin();
      broken.app.ctx.redis.disconnect();
      const anon = await fetch(`${broken.url}/api/health`);
      expect(anon.status).toBe(503);
      expect(await anon.json()).toEqual({ status: 'down' });
      // The session store is Redis too: without it nobody is known to be an admin.
      const r = await adminOfBroken.get('/api/health');
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ status: 'down' });
    } finally {
      await broken.close();
    }
  });
});

describe('display names', () => {
  const bad = {
    NUL: 'Eve\u0000',
    'right-to-left override': 'Eve\u202Egpj.exe',
    'first strong isolate': '\u2068Eve',
    'C1 control': 'Eve\u0085',
    'zero-width space': 'E\u200Bve',
  };

  for (const [what, displayName] of Object.entries(bad)) {
    it(`refuses a ${what} in a display name on create, admin edit and own profile`, async () => {
      const created = await admin.post('/api/users', {
        username: `u${Math.random().toString(36).slice(2, 8)}`,
        password: 'long-enough-pw',
        role: 'annotator',
        displayName,
      });
      expect(created.status).toBe(400);
      expect(created.body.error.code).toBe('VALIDATION_FAILED');
      expect(created.body.error.details[0].path).toBe('displayName');
      const edited = await admin.patch(`/api/users/${annotatorId}`, { displayName });
      expect(edited.status).toBe(400);
      expect(edited.body.error.code).toBe('VALIDATION_FAILED');
      const own = await annotator.patch('/api/auth/me', { displayName });
      expect(own.status).toBe(400);
      expect(own.body.error.code).toBe('VALIDATION_FAILED');
    });
  }

  it('stores nothing from a refused name and keeps ordinary names in any script', async () => {
    const doc = await t.app.ctx.db.users.findOne({ usernameLower: 'sec-anno' });
    expect(doc!.displayName).toBe('sec-anno');
    const own = await annotator.patch('/api/auth/me', { displayName: '张伟 👩‍💻' });
    expect(own.status).toBe(200);
    expect(own.body.user.displayName).toBe('张伟 👩‍💻');
  });

  it('strips control and text-direction characters from uploaded file names (item titles and import history)', async () => {
    const img = await lead.post('/api/projects', {
      name: 'Uploads',
      kind: 'image',
      labelSchema: { labels: [{ name: 'car', color: '#123456', tool: 'bbox' }] },
    });
    expect(img.status).toBe(201);
    const id = img.body.project.id;
    const up = await lead.upload(`/api/projects/${id}/items/images`, 'files', [
      { name: 'cat\u202Egnp.exe\u0085.png', data: await pngBuffer(8, 8), type: 'image/png' },
    ]);
    expect(up.status).toBe(201);
    const items = await lead.get(`/api/projects/${id}/items`);
    expect(items.body.items[0].image.name).toBe('catgnp.exe.png');
    const txt = await lead.post('/api/projects', {
      name: 'Texts',
      kind: 'text',
      labelSchema: { labels: [{ name: 'PER', color: '#123456', tool: 'span' }] },
    });
    const imp = await lead.upload(`/api/projects/${txt.body.project.id}/items/text`, 'file', [
      { name: 'news\u2067lsnoj.jsonl', data: '{"text":"hello"}' },
    ]);
    expect(imp.status).toBe(201);
    const history = await lead.get(`/api/projects/${txt.body.project.id}/imports`);
    expect(history.body.imports[0].fileName).toBe('newslsnoj.jsonl');
  });

  it('answers a malformed multipart upload (a NUL in the part header, a body cut short) with 400, not 500', async () => {
    const img = await lead.post('/api/projects', {
      name: 'Malformed',
      kind: 'image',
      labelSchema: { labels: [{ name: 'car', color: '#123456', tool: 'bbox' }] },
    });
    const url = `/api/projects/${img.body.project.id}/items/images`;
    const nul = await lead.upload(url, 'files', [{ name: 'cat\u0000.png', data: await pngBuffer(8, 8), type: 'image/png' }]);
    expect(nul.status).toBe(400);
    expect(nul.body.error.code).toBe('VALIDATION_FAILED');
    const boundary = 'xxBOUNDARYxx';
    const cut = await lead.request('POST', url, undefined, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(cut.status).toBe(400);
    const truncated = await fetch(`${t.url}${url}`, {
      method: 'POST',
      headers: { cookie: lead.cookie, 'x-csrf-token': lead.csrf, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG`,
    });
    expect(truncated.status).toBe(400);
    expect((await truncated.json()).error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a right-to-left override in a project name and a label name', async () => {
    const labelSchema = { labels: [{ name: 'PER', color: '#123456', tool: 'span' }] };
    const project = await lead.post('/api/projects', { name: 'News\u202Etxt.exe', kind: 'text', labelSchema });
    expect(project.status).toBe(400);
    expect(project.body.error.details[0].path).toBe('name');
    const label = await lead.post('/api/projects', {
      name: 'News',
      kind: 'text',
      labelSchema: { labels: [{ ...labelSchema.labels[0], name: 'P\u2066ER' }] },
    });
    expect(label.status).toBe(400);
    expect(label.body.error.details[0].path).toBe('labelSchema.labels[0].name');
  });
});
