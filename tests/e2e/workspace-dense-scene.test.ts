import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { wheelFactor } from '../../client/src/editor/viewport.ts';
import { ApiClient } from '../support/api-client.ts';
import { drag, launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { fitView, stageView } from '../support/editor-driver.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { createUser, setUpProject, signedInUser } from '../support/project-setup.ts';
import { streetScene } from '../support/scene-image.ts';

/**
 * 50,000 boxes on one image (issue #17, part 2): the draft is accepted by the server, the workspace
 * opens it, a click selects exactly the box under the pointer (hit-testing through the spatial
 * index), the region list counts them and scrolls to the selected row, delete and undo work, and
 * drawing a box adds exactly one region: it shows on the canvas (the bitmap of the scene repaints
 * only around it), a click selects it, and autosave stores it with the other 50,000.
 */

const IMAGE = { width: 4000, height: 3000 };
const SCHEMA = { labels: [{ name: 'car', color: '#e6194b', hotkey: 'c', tool: 'bbox' }] };
const COLS = 250;
const ROWS = 200;
const N = COLS * ROWS;

type Box = { id: string; type: 'bbox'; label: string; x: number; y: number; w: number; h: number };

/** A 250 × 200 grid of 10 × 9 px boxes, 6 and 6 px apart: each point hits at most one box. */
const grid: Box[] = Array.from({ length: N }, (_, i) => ({
  id: `n${i}`,
  type: 'bbox',
  label: 'car',
  x: (i % COLS) * 16 + 3,
  y: Math.floor(i / COLS) * 15 + 3,
  w: 10,
  h: 9,
}));
const centre = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

let app: OwnApp;
let browser: Browser;
let lead: ApiClient;
let page: Page;
let projectId = '';
let itemId = '';

beforeAll(async () => {
  app = await startOwnApp({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') });
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  lead = (await signedInUser(admin, { name: 'lead-dense', role: 'lead', level: 'L2', lang: 'en' })).client;
  const annoId = await createUser(admin, { name: 'anno-dense', role: 'annotator', level: 'L4', lang: 'en' });
  projectId = await setUpProject(lead, {
    name: 'Dense scene',
    kind: 'image',
    labelSchema: SCHEMA,
    members: [annoId],
    images: [{ name: 'slide-001.png', data: await streetScene(IMAGE.width, IMAGE.height), type: 'image/png' }],
    queue: 1,
  });
  const anno = new ApiClient(app.url);
  await anno.login('anno-dense', 'anno-dense-password');
  const next = await anno.post(`/api/projects/${projectId}/tasks/next`);
  expect(next.status).toBe(200);
  itemId = next.body.task.item.id as string;
  // The draft the workspace resumes: 50,000 boxes through the API the autosaver uses.
  const draft = await anno.put(`/api/tasks/${next.body.task.leaseId}/draft`, { regions: grid });
  expect(draft.status, JSON.stringify(draft.body).slice(0, 300)).toBe(200);
  browser = await launchBrowser();
  page = await (await newContext(browser, app.url, 'en-US')).newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await signIn(page, 'anno-dense', 'anno-dense-password');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const regionCount = async (p: Page) => Number(/\d+/.exec((await p.getByTestId('region-count').textContent()) ?? '')?.[0] ?? NaN);

async function draftLength(): Promise<number> {
  const r = await lead.get(`/api/projects/${projectId}/drafts`);
  return (r.body.drafts as { itemId: string; regions: unknown[] }[]).find((x) => x.itemId === itemId)?.regions.length ?? -1;
}

/** Whether the regions' layer (under the overlay: what the scene bitmap shows) has the label's red (#e6194b) within 1 px left or right of a page point. */
async function redNear(p: Page, x: number, y: number): Promise<boolean> {
  return p.evaluate(
    ([px, py]) => {
      type K = { stages: { container(): Element; getLayers(): { getCanvas(): { _canvas: HTMLCanvasElement } }[] }[] };
      const host = document.querySelector('[data-testid=editor-stage]')!;
      const konva = (window as unknown as { Konva: K }).Konva;
      const canvas = konva.stages
        .find((st) => host.contains(st.container()))!
        .getLayers()[0]!
        .getCanvas()._canvas;
      const r = canvas.getBoundingClientRect();
      const k = canvas.width / r.width;
      const d = canvas
        .getContext('2d')!
        .getImageData(Math.floor((px! - 1 - r.left) * k), Math.floor((py! - r.top) * k), Math.ceil(3 * k), 1).data;
      for (let i = 0; i < d.length; i += 4) if (d[i]! > 180 && d[i + 1]! < 90 && d[i + 2]! < 120) return true;
      return false;
    },
    [x, y],
  );
}

/** The selected row is in the page and inside the list's scrolled view. */
async function selectedRowInView(p: Page): Promise<string | null> {
  return p.evaluate(() => {
    const row = document.querySelector<HTMLElement>('[data-testid=region-row][data-selected=true]');
    const list = document.querySelector<HTMLElement>('.region-list');
    if (!row || !list) return null;
    const r = row.getBoundingClientRect();
    const l = list.getBoundingClientRect();
    return r.top >= l.top - 1 && r.bottom <= l.bottom + 1 ? row.dataset.regionId! : null;
  });
}

describe('workspace: 50,000 boxes on one image', () => {
  it('selects the clicked box, scrolls the list to it, deletes and undoes, and draws exactly one more box', async () => {
    const p = page;
    await p.goto(`/projects/${projectId}/work`);
    await p.locator('[data-testid=workspace][data-phase=working]').waitFor({ timeout: 60_000 });
    await p.locator('.annotation-editor__veil').waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => regionCount(p), { timeout: 60_000 }).toBe(N);
    expect(await p.getByTestId('region-row').count()).toBeLessThan(100);

    await fitView(p);
    await p.waitForTimeout(300);
    await screenshot(p, 'workspace-50k-boxes-fitted-en');

    // Zoom in around a box in the middle of the image (and of the list): 8 wheel notches at its centre.
    const target = grid[100 * COLS + 125]!;
    const v = await stageView(p, IMAGE);
    const at = { x: Math.round(v.left + v.x + centre(target).x * v.scale), y: Math.round(v.top + v.y + centre(target).y * v.scale) };
    await p.mouse.move(at.x, at.y);
    for (let i = 0; i < 8; i++) await p.mouse.wheel(0, -120);
    // Where the wheel left the view: the image point under the pointer stays under it.
    const scale = v.scale * wheelFactor(-120) ** 8;
    const under = { x: (at.x - v.left - v.x) / v.scale, y: (at.y - v.top - v.y) / v.scale };
    const toPage = (q: { x: number; y: number }) => ({ x: at.x + (q.x - under.x) * scale, y: at.y + (q.y - under.y) * scale });
    await p.waitForTimeout(300);
    await screenshot(p, 'workspace-50k-boxes-zoomed-en');

    // Click each of the target and its right-hand and lower neighbours: exactly that one is selected.
    for (const b of [target, grid[100 * COLS + 126]!, grid[101 * COLS + 125]!]) {
      const q = toPage(centre(b));
      await p.mouse.click(q.x, q.y);
      await expect.poll(() => selectedRowInView(p), { timeout: 5_000 }).toBe(b.id);
      expect(await p.locator('[data-testid=region-row][data-selected=true]').count()).toBe(1);
    }
    const chosen = grid[101 * COLS + 125]!;
    // The row's number is its place in the list.
    await expect(p.locator(`[data-testid=region-row][data-region-id=${chosen.id}]`).getAttribute('aria-posinset')).resolves.toBe(
      String(101 * COLS + 125 + 1),
    );

    await p.keyboard.press('Delete');
    await expect.poll(() => regionCount(p)).toBe(N - 1);
    expect(await p.locator(`[data-testid=region-row][data-region-id=${chosen.id}]`).count()).toBe(0);
    // Clicking where it was selects nothing now.
    const q = toPage(centre(chosen));
    await p.mouse.click(q.x, q.y);
    await expect.poll(() => p.locator('[data-testid=region-row][data-selected=true]').count()).toBe(0);
    await p.keyboard.press('Control+z');
    await expect.poll(() => regionCount(p)).toBe(N);
    await p.mouse.click(q.x, q.y);
    await expect.poll(() => selectedRowInView(p), { timeout: 5_000 }).toBe(chosen.id);

    // A new box over the grid: exactly one more region, and autosave stores all of them.
    await p.getByTestId('tool-bbox').click();
    const a = toPage({ x: target.x - 19, y: target.y - 20 });
    const b = toPage({ x: target.x + 40, y: target.y + 30 });
    // Its left edge runs down the middle of a gap between grid columns: image there before, the label's red after.
    const edge = { x: Math.round(a.x), y: Math.round(toPage({ x: 0, y: target.y + 5 }).y) };
    await p.mouse.move(edge.x + 200, edge.y + 200);
    await p.waitForTimeout(300);
    expect(await redNear(p, edge.x, edge.y)).toBe(false);
    await drag(p, Math.round(a.x), Math.round(a.y), Math.round(b.x), Math.round(b.y));
    await expect.poll(() => regionCount(p)).toBe(N + 1);
    await p.waitForTimeout(300);
    expect(await regionCount(p)).toBe(N + 1);
    // Drawn on the scene's layer (#e6194b, opaque outline), not only on the overlay.
    await expect.poll(() => redNear(p, edge.x, edge.y)).toBe(true);
    await screenshot(p, 'workspace-50k-boxes-new-box-en');
    // A click inside it, at the middle of a gap between four grid boxes, selects it (the last row). Six
    // more wheel notches there first: a click picks the smallest region within 7 screen px, and the
    // grid boxes must be farther than that.
    await p.getByTestId('tool-select').click();
    const inside = toPage({ x: target.x - 3, y: target.y - 3 });
    const ix = Math.round(inside.x);
    const iy = Math.round(inside.y);
    await p.mouse.move(ix, iy);
    for (let i = 0; i < 6; i++) await p.mouse.wheel(0, -120);
    await p.waitForTimeout(300);
    await p.mouse.click(ix, iy);
    const row = p.locator('[data-testid=region-row][data-selected=true]');
    await expect.poll(() => row.getAttribute('aria-posinset'), { timeout: 5_000 }).toBe(String(N + 1));
    const newId = await row.getAttribute('data-region-id');
    expect(newId).not.toMatch(/^n\d+$/);
    await p.keyboard.press('Escape');
    // 4–5 MB of JSON to send and check: give a busy machine time.
    await expect.poll(() => p.getByTestId('save-indicator').getAttribute('data-state'), { timeout: 120_000, interval: 500 }).toBe('saved');
    await expect.poll(draftLength, { timeout: 60_000 }).toBe(N + 1);
    const r = await lead.get(`/api/projects/${projectId}/drafts`);
    const saved = (r.body.drafts as { itemId: string; regions: { id: string }[] }[]).find((x) => x.itemId === itemId)!.regions;
    expect(saved.some((x) => x.id === newId)).toBe(true);
  }, 300_000);
});
