import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { drag, launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { fitView, stageView } from '../support/editor-driver.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { createUser, setUpProject, signedInUser } from '../support/project-setup.ts';
import { streetScene } from '../support/scene-image.ts';

/**
 * Nothing moves the stage while a person works on it (issue #10, item 2): after Ctrl+Enter the
 * next task opens under a "Submitted." notice that fades 4 s later. Boxes are drawn on a
 * 4000 × 3000 image before, across and after the notice going — one drag is held while it goes —
 * aimed with the stage transform measured once before drawing. The stage box never changes and
 * every stored box is within 1 image pixel of where it was aimed.
 */

const IMAGE = { width: 4000, height: 3000 };
const SCHEMA = { labels: [{ name: 'car', color: '#e6194b', hotkey: 'c', tool: 'bbox' }] };

let app: OwnApp;
let browser: Browser;
let lead: ApiClient;
let page: Page;
let projectId = '';

type Box = { id: string; label: string; x: number; y: number; w: number; h: number };

async function leasedItem(): Promise<string> {
  const leases = (await lead.get(`/api/projects/${projectId}/queue/leases`)).body.leases as { itemId: string }[];
  expect(leases).toHaveLength(1);
  return leases[0]!.itemId;
}

async function draftOf(itemId: string): Promise<Box[]> {
  const r = await lead.get(`/api/projects/${projectId}/drafts`);
  return (r.body.drafts as { itemId: string; regions: Box[] }[]).find((x) => x.itemId === itemId)?.regions ?? [];
}

type Point = { x: number; y: number };

/** Every box aimed from page point `a` to `b` is stored within 1 image pixel of it, with the stage transform `v`. */
function expectStoredWhereAimed(
  stored: Box[],
  aims: { a: Point; b: Point }[],
  v: { left: number; top: number; x: number; y: number; scale: number },
): void {
  const toImage = (p: Point) => ({ x: (p.x - v.left - v.x) / v.scale, y: (p.y - v.top - v.y) / v.scale });
  for (const [n, aim] of aims.entries()) {
    const a = toImage(aim.a);
    const b = toImage(aim.b);
    const want = [a.x, a.y, b.x - a.x, b.y - a.y];
    const got = stored.map((s) => [s.x, s.y, s.w, s.h]).find((g) => g.every((val, k) => Math.abs(val - want[k]!) <= 1));
    expect(
      got,
      `box ${n + 1} aimed at ${want.map((x) => x.toFixed(1))}, stored ${JSON.stringify(stored.map((s) => [s.x, s.y, s.w, s.h].map(Math.round)))}`,
    ).toBeDefined();
  }
}

beforeAll(async () => {
  app = await startOwnApp({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') });
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  lead = (await signedInUser(admin, { name: 'lead-steady', role: 'lead', level: 'L2', lang: 'en' })).client;
  const annoId = await createUser(admin, { name: 'anno-steady', role: 'annotator', level: 'L4', lang: 'en' });
  const png = await streetScene(IMAGE.width, IMAGE.height);
  projectId = await setUpProject(lead, {
    name: 'Steady stage',
    kind: 'image',
    labelSchema: SCHEMA,
    members: [annoId],
    images: [
      { name: 'big-001.png', data: png, type: 'image/png' },
      // A darker copy: the same file twice would be taken for a duplicate upload.
      { name: 'big-002.png', data: await sharp(png).modulate({ brightness: 0.8 }).png().toBuffer(), type: 'image/png' },
    ],
    // Large images are put up once their import has been processed: ask until both are.
    queue: 2,
  });
  browser = await launchBrowser();
  page = await (await newContext(browser, app.url, 'en-US')).newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await signIn(page, 'anno-steady', 'anno-steady-password');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('workspace: the stage stays put while notices come and go', () => {
  it('stores boxes drawn before, across and after the "Submitted." notice within 1 px of where they were aimed', async () => {
    const p = page;
    await p.goto(`/projects/${projectId}/work`);
    await p.locator('[data-testid=workspace][data-phase=working]').waitFor({ timeout: 20_000 });
    await p.locator('.annotation-editor__veil').waitFor({ state: 'detached', timeout: 20_000 });
    const first = await leasedItem();
    await p.keyboard.press('Control+Enter');
    await p.getByTestId('work-notice').waitFor();
    await expect.poll(leasedItem, { timeout: 15_000 }).not.toBe(first);
    const second = await leasedItem();
    await p.locator('.annotation-editor__veil').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await p.getByTestId('work-notice').isVisible()).toBe(true);

    await fitView(p);
    await p.keyboard.press('c');
    // The transform, measured once: every box below is aimed with it, as a person aims at what they see.
    const v = await stageView(p, IMAGE);
    // Watch the stage's page box from inside the page, every frame.
    await p.evaluate(() => {
      const el = document.querySelector('[data-testid=editor-stage]')!;
      const first = el.getBoundingClientRect();
      const moves: string[] = [];
      (window as unknown as { stageMoves: string[] }).stageMoves = moves;
      const look = () => {
        const r = el.getBoundingClientRect();
        if (r.top !== first.top || r.left !== first.left || r.height !== first.height || r.width !== first.width)
          moves.push(`${r.left},${r.top} ${r.width}×${r.height}`);
        requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    });

    // Boxes aimed at whole CSS pixels on the page, in a grid over the image.
    const aims: { a: { x: number; y: number }; b: { x: number; y: number } }[] = [];
    const cell = (i: number) => {
      const col = i % 4;
      const row = Math.floor(i / 4);
      const x0 = Math.round(v.left + v.x + 40 + col * 200);
      const y0 = Math.round(v.top + v.y + 30 + row * 150);
      return { a: { x: x0, y: y0 }, b: { x: x0 + 120, y: y0 + 90 } };
    };
    let i = 0;
    const notice = p.getByTestId('work-notice');
    // While the notice shows: one box.
    aims.push(cell(i++));
    await drag(p, aims[0]!.a.x, aims[0]!.a.y, aims[0]!.b.x, aims[0]!.b.y);
    await screenshot(p, 'workspace-notice-over-stage-en');
    // Across its going: press, wait until it has gone, then finish the drag.
    const across = cell(i++);
    aims.push(across);
    await p.mouse.move(across.a.x, across.a.y);
    await p.mouse.down();
    await p.mouse.move(across.a.x + 30, across.a.y + 20, { steps: 3 });
    expect(await notice.isVisible()).toBe(true);
    await notice.waitFor({ state: 'detached', timeout: 10_000 });
    await p.mouse.move(across.b.x, across.b.y, { steps: 5 });
    await p.mouse.up();
    // After it went: more boxes, aimed with the same transform.
    for (let k = 0; k < 3; k++) {
      const c = cell(i++);
      aims.push(c);
      await drag(p, c.a.x, c.a.y, c.b.x, c.b.y);
    }
    await expect.poll(() => p.getByTestId('region-row').count()).toBe(aims.length);
    expect(await p.evaluate(() => (window as unknown as { stageMoves: string[] }).stageMoves.slice(0, 5))).toEqual([]);

    await p.locator('[data-testid=save-indicator][data-state=saved]').waitFor({ timeout: 15_000 });
    let stored: Box[] = [];
    await expect.poll(async () => (stored = await draftOf(second)).length, { timeout: 15_000 }).toBe(aims.length);
    expectStoredWhereAimed(stored, aims, v);
  });

  it('keeps the image in place on the screen when the stage box itself moves and resizes, even mid-drag', async () => {
    const p = page;
    const item = await leasedItem();
    const before = (await draftOf(item)).length;
    await fitView(p);
    const v = await stageView(p, IMAGE);
    // Something pushes the editor down by 45 px (and so makes the stage 45 px shorter), then goes:
    // the stage's box changes twice; the image must stay where it is on the screen.
    const push = (on: boolean) =>
      p.evaluate((show) => {
        const body = document.querySelector('.workspace__body')!;
        if (show) {
          const d = document.createElement('div');
          d.id = 'pusher';
          d.style.height = '45px';
          d.style.flex = 'none';
          body.before(d);
        } else document.getElementById('pusher')?.remove();
        return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      }, on);
    const aims = [
      {
        a: { x: Math.round(v.left + v.x + 60), y: Math.round(v.top + v.y + 340) },
        b: { x: Math.round(v.left + v.x + 180), y: Math.round(v.top + v.y + 420) },
      },
      {
        a: { x: Math.round(v.left + v.x + 260), y: Math.round(v.top + v.y + 340) },
        b: { x: Math.round(v.left + v.x + 380), y: Math.round(v.top + v.y + 420) },
      },
      {
        a: { x: Math.round(v.left + v.x + 460), y: Math.round(v.top + v.y + 340) },
        b: { x: Math.round(v.left + v.x + 580), y: Math.round(v.top + v.y + 420) },
      },
    ];
    const top0 = await p.getByTestId('editor-stage').evaluate((el) => el.getBoundingClientRect().top);
    // A drag held while the stage moves down.
    await p.mouse.move(aims[0]!.a.x, aims[0]!.a.y);
    await p.mouse.down();
    await p.mouse.move(aims[0]!.a.x + 20, aims[0]!.a.y + 10, { steps: 2 });
    await push(true);
    expect(await p.getByTestId('editor-stage').evaluate((el) => el.getBoundingClientRect().top)).toBe(top0 + 45);
    await p.mouse.move(aims[0]!.b.x, aims[0]!.b.y, { steps: 4 });
    await p.mouse.up();
    // A box drawn while the stage is moved, one after it has moved back.
    await drag(p, aims[1]!.a.x, aims[1]!.a.y, aims[1]!.b.x, aims[1]!.b.y);
    await push(false);
    await drag(p, aims[2]!.a.x, aims[2]!.a.y, aims[2]!.b.x, aims[2]!.b.y);
    await p.locator('[data-testid=save-indicator][data-state=saved]').waitFor({ timeout: 15_000 });
    let stored: Box[] = [];
    await expect.poll(async () => (stored = await draftOf(item)).length, { timeout: 15_000 }).toBe(before + aims.length);
    expectStoredWhereAimed(stored, aims, v);
  });
});
