import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectIou, buildLsLabelConfig, convertLsPredictReply, type BBoxRegion, type LsPredictRequest } from '@labelwork/core';
import { startPythonBackend, type BackendProc } from '../../scripts/ml-backends.ts';
import { pedestrianScene, shippedGuideline } from '../support/ml-fixtures.ts';

// The reference backends are real model servers (python/backends) started in the project's Python
// environment; these tests call them exactly as Labelwork does and check their replies with core's validator.

const TOKEN = 'ls-api-key-for-tests';
let media: Server;
let mediaUrl = '';
let scene: Awaited<ReturnType<typeof pedestrianScene>>;
const backends: BackendProc[] = [];

async function post(base: string, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

beforeAll(async () => {
  scene = await pedestrianScene();
  media = createServer((req, res) => {
    const ok =
      req.url === '/signed/scene.png?sig=abc' || (req.url === '/data/upload/1/scene.png' && req.headers.authorization === `Token ${TOKEN}`);
    if (!ok) return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'image/png' }).end(scene.png);
  });
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
}, 30_000);

afterAll(async () => {
  await Promise.all(backends.map((b) => b.stop()));
  await new Promise<void>((r) => media.close(() => r()));
});

describe('pedestrians reference backend (OpenCV HOG)', () => {
  const guideline = shippedGuideline('vehicles-pedestrians-bbox');
  const config = buildLsLabelConfig('image', guideline.labelSchema);
  let be: BackendProc;
  beforeAll(async () => {
    be = await startPythonBackend('pedestrians', { env: { LABEL_STUDIO_URL: mediaUrl, LABEL_STUDIO_API_KEY: TOKEN } });
    backends.push(be);
  }, 300_000);

  it('answers /health and /setup as label_studio_ml does', async () => {
    const h = await fetch(`${be.url}/health`);
    expect(await h.json()).toMatchObject({ status: 'UP', model_class: 'PedestrianHog' });
    const s = await post(be.url, '/setup', { project: '7.1764979200', schema: config.xml, extra_params: {} });
    expect(s).toMatchObject({ status: 200, json: { model_version: expect.stringMatching(/^hog-people-opencv-/) } });
  });

  it('finds the figures from an absolute signed URL and a relative /data path with the API token; the replies validate', async () => {
    const body: LsPredictRequest = {
      tasks: [
        { id: 1, data: { image: `${mediaUrl}/signed/scene.png?sig=abc` } },
        { id: 2, data: { image: '/data/upload/1/scene.png' } },
      ],
      model_version: null,
      project: '7.1764979200',
      label_config: config.xml,
      params: { login: null, password: null, context: null },
    };
    const r = await post(be.url, '/predict', body);
    expect(r.status).toBe(200);
    const extent = { kind: 'image' as const, width: scene.width, height: scene.height };
    const converted = convertLsPredictReply(r.json, config, guideline.labelSchema, [extent, extent]);
    expect(converted.ok ? null : converted.error).toBeNull();
    if (!converted.ok) return;
    for (const p of converted.predictions) {
      expect(p.modelVersion).toMatch(/^hog-people-opencv-/);
      expect(p.score).toBeGreaterThan(0);
      const boxes = p.regions as BBoxRegion[];
      expect(boxes.every((b) => b.type === 'bbox' && b.label === 'pedestrian')).toBe(true);
      // Each drawn figure is matched by a detected box.
      for (const f of scene.figures) expect(Math.max(...boxes.map((b) => rectIou(b, f)))).toBeGreaterThan(0.3);
    }
  });

  it('answers 500 with the error when the media cannot be fetched (no token)', async () => {
    const r = await post(be.url, '/predict', {
      tasks: [{ id: 3, data: { image: `${mediaUrl}/data/upload/1/scene.png` } }],
      project: '7.1',
      label_config: config.xml,
      params: {},
    });
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.json)).toMatch(/401/);
  });
});

describe('chinese_ner reference backend (jieba)', () => {
  const guideline = shippedGuideline('chinese-ner');
  const config = buildLsLabelConfig('text', guideline.labelSchema);
  let be: BackendProc;
  beforeAll(async () => {
    be = await startPythonBackend('chinese_ner');
    backends.push(be);
  }, 300_000);

  it('tags names with code-point offsets (an emoji before them counts one) that validate against the text', async () => {
    const text = '\u{1F600}张三在北京大学读书，王建国去了上海。';
    const r = await post(be.url, '/predict', { tasks: [{ id: 1, data: { text } }], project: '8.1', label_config: config.xml, params: {} });
    const converted = convertLsPredictReply(r.json, config, guideline.labelSchema, [{ kind: 'text', length: [...text].length, text }]);
    expect(converted.ok ? null : converted.error).toBeNull();
    const spans = converted.ok ? converted.predictions[0]!.regions : [];
    const read = spans.map((s) => (s.type === 'span' ? [[...text].slice(s.start, s.end).join(''), s.label] : null));
    expect(read).toContainEqual(['张三', 'PER']);
    expect(read).toContainEqual(['王建国', 'PER']);
    expect(read).toContainEqual(['上海', 'LOC']);
  });

  it('learns from the ANNOTATION_CREATED webhook (new model version, the word is found) and ignores unknown events', async () => {
    const text = '李小龙在华为工作';
    const before = ((await (await fetch(`${be.url}/health`)).json()) as { model_version: string }).model_version;
    const hook = await post(be.url, '/webhook', {
      action: 'ANNOTATION_CREATED',
      project: { id: 8, label_config: config.xml },
      task: { id: 1, data: { text } },
      annotation: {
        id: 1,
        result: [{ from_name: 'label', to_name: 'text', type: 'labels', value: { start: 4, end: 6, labels: ['ORG'] } }],
      },
    });
    expect(hook).toMatchObject({ status: 201, json: { status: 'ok', result: { added: 1 } } });
    const after = ((await (await fetch(`${be.url}/health`)).json()) as { model_version: string }).model_version;
    expect(after).not.toBe(before);
    const r = await post(be.url, '/predict', { tasks: [{ id: 2, data: { text } }], project: '8.1', label_config: config.xml, params: {} });
    const c = convertLsPredictReply(r.json, config, guideline.labelSchema, [{ kind: 'text', length: 8, text }]);
    expect(c.ok && c.predictions[0]!.regions).toContainEqual(expect.objectContaining({ start: 4, end: 6, label: 'ORG' }));
    expect(await post(be.url, '/webhook', { action: 'PROJECT_UPDATED', project: { id: 8, label_config: '' } })).toEqual({
      status: 200,
      json: { status: 'Unknown event' },
    });
  });
});
