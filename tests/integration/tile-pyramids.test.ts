import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ObjectId } from 'mongodb';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_EVENTS, SERVER_EVENTS, TILE_SIZE, pyramidLevels, type TileManifest, type TilesProgressPayload } from '@labelwork/core';
import type { RunningWorkers } from '../../workers/src/app.ts';
import type { ApiClient } from '../support/api-client.ts';
import { imageSchema, jpegBuffer } from '../support/fixtures.ts';
import { texturedJpegFile } from '../support/large-image.ts';
import { setUpProject, signedInUser, type TestUser } from '../support/project-setup.ts';
import { connected, socketFor, startTestWorkers, waitFor } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let lead: TestUser;
let member: TestUser;
let outsider: TestUser;
let workers: RunningWorkers | null = null;

beforeAll(async () => {
  t = await startTestApp();
  const admin = await t.admin();
  lead = await signedInUser(admin, { name: 'tiles-lead', role: 'lead', level: 'L2' });
  member = await signedInUser(admin, { name: 'tiles-anno', role: 'annotator', level: 'L5' });
  outsider = await signedInUser(admin, { name: 'tiles-outsider', role: 'annotator', level: 'L5' });
}, 60_000);
afterAll(async () => {
  await workers?.close(0);
  await t?.close();
});

/** A GET with the user's session, body as bytes. */
async function getBytes(c: ApiClient, p: string, headers: Record<string, string> = {}) {
  const res = await fetch(c.baseUrl + p, { headers: { cookie: c.cookie, ...headers } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Colours of a 16 × 16 downscale, to compare a tile with a downscale of the original despite JPEG noise. */
async function blocks(img: Sharp): Promise<Buffer> {
  return img.resize(16, 16, { fit: 'fill', kernel: 'cubic' }).removeAlpha().raw().toBuffer();
}
const meanDiff = (a: Buffer, b: Buffer) => a.reduce((m, v, i) => m + Math.abs(v - b[i]!), 0) / a.length;

describe('tile pyramids of large images', () => {
  it('builds the pyramid in a worker with progress, serves tiles of the right size and pixels, cached, to members only', async () => {
    const W = 5000;
    const H = 3000;
    const file = await texturedJpegFile(path.join(os.tmpdir(), 'labelwork-test-images'), W, H, 7);
    const data = await readFile(file);
    const projectId = await setUpProject(lead.client, {
      name: `tiles ${new ObjectId().toHexString()}`,
      kind: 'image',
      labelSchema: imageSchema,
      members: [member.id],
    });
    const socket = socketFor(lead.client);
    await connected(socket);
    expect(await socket.emitWithAck(CLIENT_EVENTS.joinProject, { projectId })).toEqual({ ok: true });
    const events: TilesProgressPayload[] = [];
    socket.on(SERVER_EVENTS.tilesProgress, (p: TilesProgressPayload) => events.push(p));
    try {
      const imp = await lead.client.upload(`/api/projects/${projectId}/items/images`, 'files', [
        { name: 'slide.jpg', data, type: 'image/jpeg' },
      ]);
      expect(imp.status, JSON.stringify(imp.body)).toBe(201);
      const fileId = imp.body.items[0].image.fileId as string;
      expect(imp.body.items[0].image).toMatchObject({ width: W, height: H });
      // Queued at import: the job waits for a worker.
      const queued = await lead.client.get(`/api/files/${fileId}/tiles`);
      expect(queued.status).toBe(200);
      const levels = pyramidLevels(W, H);
      expect(queued.body.manifest).toMatchObject({
        status: 'queued',
        width: W,
        height: H,
        tileSize: TILE_SIZE,
        levels: levels.length,
        total: levels.reduce((n, l) => n + l.cols * l.rows, 0),
      });
      expect((await t.app.ctx.queues.export.getJob(`tile-pyramid-${fileId}`))?.name).toBe('tile-pyramid');
      // The item list shows the pyramid's state.
      expect((await lead.client.get(`/api/projects/${projectId}/items`)).body.items[0].tiles).toMatchObject({ status: 'queued', done: 0 });
      // Not ready yet: tiles are refused with a code.
      expect((await lead.client.get(`/api/files/${fileId}/tiles/0/0/0`)).status).toBe(409);

      workers = await startTestWorkers(t);
      const manifest = await waitFor(
        'the pyramid',
        async () => {
          const m = (await member.client.get(`/api/files/${fileId}/tiles`)).body.manifest as TileManifest;
          return m.status === 'ready' ? m : null;
        },
        60_000,
      );
      expect(manifest).toMatchObject({ format: 'jpeg', done: manifest.total });
      expect((await lead.client.get(`/api/projects/${projectId}/items`)).body.items[0].tiles).toEqual({
        status: 'ready',
        done: manifest.total,
        total: manifest.total,
      });
      await waitFor('the ready event', async () => events.some((e) => e.fileId === fileId && e.status === 'ready'));
      expect(events.some((e) => e.fileId === fileId && e.status === 'building' && e.done > 0 && e.done < e.total)).toBe(true);
      expect(await t.app.ctx.db.db.collection('tiles.files').countDocuments({ 'metadata.fileId': new ObjectId(fileId) })).toBe(
        manifest.total,
      );

      // Every level: the corner tiles have the level's clipped size, and look like a downscale of the original.
      const original = await readFile(file);
      for (const l of levels) {
        for (const [col, row] of [
          [0, 0],
          [l.cols - 1, l.rows - 1],
        ] as const) {
          const r = await getBytes(member.client, `/api/files/${fileId}/tiles/${l.level}/${col}/${row}`);
          expect(r.status).toBe(200);
          expect(r.headers.get('content-type')).toBe('image/jpeg');
          const meta = await sharp(r.body).metadata();
          expect([meta.width, meta.height]).toEqual([
            Math.min(TILE_SIZE, l.width - col * TILE_SIZE),
            Math.min(TILE_SIZE, l.height - row * TILE_SIZE),
          ]);
          const x = col * TILE_SIZE * l.factor;
          const y = row * TILE_SIZE * l.factor;
          const want = sharp(original).extract({
            left: x,
            top: y,
            width: Math.min(W - x, TILE_SIZE * l.factor),
            height: Math.min(H - y, TILE_SIZE * l.factor),
          });
          const diff = meanDiff(await blocks(sharp(r.body)), await blocks(want));
          expect(diff, `level ${l.level} tile ${col},${row}`).toBeLessThan(6);
        }
      }

      // Cached by the browser for good; asked again with the ETag, nothing is sent.
      const top = await getBytes(member.client, `/api/files/${fileId}/tiles/0/0/0`);
      expect(top.headers.get('cache-control')).toContain('immutable');
      const etag = top.headers.get('etag');
      expect(etag).toBeTruthy();
      const again = await getBytes(member.client, `/api/files/${fileId}/tiles/0/0/0`, { 'if-none-match': etag! });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);

      // Bad coordinates: a 4xx with a code, never a 500.
      const last = levels[levels.length - 1]!;
      for (const bad of [
        `${levels.length}/0/0`,
        `${last.level}/${last.cols}/0`,
        `${last.level}/0/${last.rows}`,
        `0/-1/0`,
        `x/0/0`,
        `0/0/1e9`,
      ]) {
        const r = await member.client.get(`/api/files/${fileId}/tiles/${bad}`);
        expect(r.status, bad).toBeGreaterThanOrEqual(400);
        expect(r.status, bad).toBeLessThan(500);
        expect(r.body.error.code, bad).toMatch(/NOT_FOUND|VALIDATION_FAILED/);
      }

      // Someone outside the project gets neither the manifest nor a tile.
      expect((await outsider.client.get(`/api/files/${fileId}/tiles`)).status).toBe(403);
      expect((await outsider.client.get(`/api/files/${fileId}/tiles/0/0/0`)).status).toBe(403);

      // Deleting the item deletes its pyramid.
      const itemId = imp.body.items[0].id as string;
      expect((await lead.client.post(`/api/projects/${projectId}/items/delete`, { ids: [itemId] })).status).toBe(200);
      expect(await t.app.ctx.db.db.collection('tiles.files').countDocuments({ 'metadata.fileId': new ObjectId(fileId) })).toBe(0);
      expect(await t.app.ctx.db.pyramids.countDocuments({ _id: new ObjectId(fileId) })).toBe(0);
    } finally {
      socket.close();
    }
  }, 180_000);

  it('gives small images no pyramid', async () => {
    const projectId = await setUpProject(lead.client, {
      name: `small ${new ObjectId().toHexString()}`,
      kind: 'image',
      labelSchema: imageSchema,
    });
    const data = await jpegBuffer(1200, 800);
    const imp = await lead.client.upload(`/api/projects/${projectId}/items/images`, 'files', [
      { name: 'small.jpg', data, type: 'image/jpeg' },
    ]);
    expect(imp.status).toBe(201);
    const r = await lead.client.get(`/api/files/${imp.body.items[0].image.fileId}/tiles`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });
});
