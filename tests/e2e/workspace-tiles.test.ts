import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { wheelFactor } from '../../client/src/editor/viewport.ts';
import { ApiClient } from '../support/api-client.ts';
import { drag, launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { fitView, stageView } from '../support/editor-driver.ts';
import { texturedJpegFile } from '../support/large-image.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { createUser, setUpProject, signedInUser } from '../support/project-setup.ts';
import { waitFor } from '../support/tasks.ts';

/**
 * Issue #17, gigapixel images: a 5,000 × 3,000 photo-like JPEG (above IMAGE_TILES_MIN_SIDE) gets its
 * tile pyramid from the workers; the annotator's workspace draws it from tiles. What is on the
 * screen is compared with the original (16 × 16 block colours of a screenshot against the same
 * part of the original) at fit zoom and zoomed deep into a corner, where full-resolution tiles are
 * drawn; a box drawn there is stored in full-resolution pixels, exactly where it was aimed.
 */

const IMAGE = { width: 5000, height: 3000 };
const SCHEMA = { labels: [{ name: 'cell', color: '#e6194b', hotkey: 'c', tool: 'bbox' }] };

let app: OwnApp;
let browser: Browser;
let lead: ApiClient;
let page: Page;
let projectId = '';
let original: Buffer;
type View = { left: number; top: number; scale: number; x: number; y: number };

/** Mean difference of 16 × 16 block colours between the screen area `clip` and the original's part under it in view `v`. */
async function screenVsOriginal(p: Page, v: View, clip: { x: number; y: number; width: number; height: number }): Promise<number> {
  const shot = await p.screenshot({ clip });
  const ix = (clip.x - v.left - v.x) / v.scale;
  const iy = (clip.y - v.top - v.y) / v.scale;
  const part = sharp(original).extract({
    left: Math.round(ix),
    top: Math.round(iy),
    width: Math.round(clip.width / v.scale),
    height: Math.round(clip.height / v.scale),
  });
  const blocks = (s: Sharp) => s.resize(16, 16, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const [a, b] = await Promise.all([blocks(sharp(shot)), blocks(part)]);
  return a.reduce((m, x, i) => m + Math.abs(x - b[i]!), 0) / a.length;
}

beforeAll(async () => {
  app = await startOwnApp({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') });
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  lead = (await signedInUser(admin, { name: 'lead-tiles', role: 'lead', level: 'L2', lang: 'en' })).client;
  const annoId = await createUser(admin, { name: 'anno-tiles', role: 'annotator', level: 'L4', lang: 'en' });
  original = await readFile(await texturedJpegFile(path.join(os.tmpdir(), 'labelwork-test-images'), IMAGE.width, IMAGE.height, 11));
  projectId = await setUpProject(lead, {
    name: 'Slide',
    kind: 'image',
    labelSchema: SCHEMA,
    members: [annoId],
    images: [{ name: 'slide.jpg', data: original, type: 'image/jpeg' }],
    queue: 1,
  });
  const item = (await lead.get(`/api/projects/${projectId}/items`)).body.items[0];
  await waitFor(
    'the tile pyramid',
    async () => (await lead.get(`/api/files/${item.image.fileId}/tiles`)).body.manifest?.status === 'ready',
    120_000,
    250,
  );
  browser = await launchBrowser();
  page = await (await newContext(browser, app.url, 'en-US')).newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await signIn(page, 'anno-tiles', 'anno-tiles-password');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('workspace: a large image drawn from its tile pyramid', () => {
  it('shows the image at fit zoom and deep in a corner, and stores a box drawn there in full-resolution pixels', async () => {
    const p = page;
    const tileRequests: string[] = [];
    p.on('request', (r) => {
      if (/\/api\/files\/[0-9a-f]{24}(\/|$)/.test(new URL(r.url()).pathname)) tileRequests.push(new URL(r.url()).pathname);
    });
    const fullResTiles: string[] = [];
    p.on('response', (r) => {
      if (r.status() === 200 && /\/tiles\/4\/\d+\/\d+$/.test(r.url())) fullResTiles.push(r.url());
    });
    await p.goto(`/projects/${projectId}/work`);
    await p.locator('[data-testid=workspace][data-phase=working]').waitFor({ timeout: 30_000 });
    await p.locator('.annotation-editor__veil').waitFor({ state: 'detached', timeout: 30_000 });
    await fitView(p);
    const fit = await stageView(p, IMAGE);
    // The whole image on the screen looks like the original.
    const whole = {
      x: Math.ceil(fit.left + fit.x),
      y: Math.ceil(fit.top + fit.y),
      width: Math.floor(IMAGE.width * fit.scale) - 1,
      height: Math.floor(IMAGE.height * fit.scale) - 1,
    };
    await expect.poll(() => screenVsOriginal(p, fit, whole), { timeout: 10_000 }).toBeLessThan(8);
    // Only tiles: the original file itself was never fetched.
    expect(tileRequests.filter((u) => !u.includes('/tiles'))).toEqual([]);
    expect(tileRequests.some((u) => /\/tiles\/\d+\/\d+\/\d+$/.test(u))).toBe(true);
    await screenshot(p, 'workspace-tiles-fit-en');

    // Zoom deep around a point near the top-left corner: 10 wheel notches (× 8.7), past 1:1.
    const at = { x: Math.round(fit.left + fit.x + 300 * fit.scale), y: Math.round(fit.top + fit.y + 200 * fit.scale) };
    await p.mouse.move(at.x, at.y);
    for (let i = 0; i < 10; i++) await p.mouse.wheel(0, -120);
    const f = wheelFactor(-120) ** 10;
    const lx = at.x - fit.left;
    const ly = at.y - fit.top;
    const deep: View = { left: fit.left, top: fit.top, scale: fit.scale * f, x: lx - (lx - fit.x) * f, y: ly - (ly - fit.y) * f };
    expect(deep.scale).toBeGreaterThan(1);
    // To the right of and below the point (it is near the stage's top-left corner).
    const area = { x: at.x + 10, y: at.y + 10, width: 300, height: 200 };
    // Full-resolution tiles (level 4 of 5) arrive and are drawn where the original has those pixels.
    await expect.poll(() => fullResTiles.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => screenVsOriginal(p, deep, area), { timeout: 15_000 }).toBeLessThan(10);
    await screenshot(p, 'workspace-tiles-deep-en');

    // A box drawn there is stored in full-resolution pixels, where it was aimed.
    await p.keyboard.press('c');
    const a = { x: at.x + 40, y: at.y + 30 };
    const b = { x: at.x + 210, y: at.y + 160 };
    await drag(p, a.x, a.y, b.x, b.y);
    await expect.poll(() => p.getByTestId('region-row').count()).toBe(1);
    await p.locator('[data-testid=save-indicator][data-state=saved]').waitFor({ timeout: 15_000 });
    const toImage = (q: { x: number; y: number }) => ({
      x: (q.x - deep.left - deep.x) / deep.scale,
      y: (q.y - deep.top - deep.y) / deep.scale,
    });
    const ia = toImage(a);
    const ib = toImage(b);
    const leases = (await lead.get(`/api/projects/${projectId}/queue/leases`)).body.leases as { itemId: string }[];
    let box: { x: number; y: number; w: number; h: number } | undefined;
    await expect
      .poll(
        async () => {
          const drafts = (await lead.get(`/api/projects/${projectId}/drafts`)).body.drafts as { itemId: string; regions: (typeof box)[] }[];
          box = drafts.find((d) => d.itemId === leases[0]!.itemId)?.regions[0];
          return box !== undefined;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    for (const [got, want] of [
      [box!.x, ia.x],
      [box!.y, ia.y],
      [box!.w, ib.x - ia.x],
      [box!.h, ib.y - ia.y],
    ] as const)
      expect(Math.abs(got - want), JSON.stringify({ box, want: [ia, ib] })).toBeLessThanOrEqual(1);
    // Near the top-left corner, in full-resolution pixels (not those of a level).
    expect(box!.x).toBeGreaterThan(150);
    expect(box!.x).toBeLessThan(450);
  });
});
