import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, signIn } from '../support/browser.ts';
import { drawBox, dragImage, fitView } from '../support/editor-driver.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { createUser, setUpProject, signedInUser } from '../support/project-setup.ts';
import { streetScene } from '../support/scene-image.ts';

/**
 * Every change is kept on the device from the moment it is made (issue #10, item 1): an
 * annotator draws, moves, resizes, relabels and deletes boxes and reloads the page 0, 50, 150 or
 * 300 ms after each edit. After every reload the editor shows exactly the work as it was — the
 * same regions, labels and pixels — and that work reaches the server's draft.
 */

const IMAGE = { width: 960, height: 640 };
const DELAYS = [0, 50, 150, 300] as const;
/** Two box labels with hotkeys of their own (C, W) that no editor shortcut uses. */
const SCHEMA = {
  labels: [
    { name: 'car', color: '#e6194b', hotkey: 'c', tool: 'bbox' },
    { name: 'pedestrian', color: '#3cb44b', hotkey: 'w', tool: 'bbox' },
  ],
};

type Box = { id: string; type: 'bbox'; label: string; x: number; y: number; w: number; h: number; [k: string]: unknown };

let app: OwnApp;
let browser: Browser;
let lead: ApiClient;
let page: Page;
let projectId = '';
let itemId = '';
/** How many reloads the tests made, and how many of them kept the change. */
const tally = { reloads: 0, kept: 0 };

async function serverDraft(): Promise<Box[] | null> {
  const r = await lead.get(`/api/projects/${projectId}/drafts`);
  const d = (r.body.drafts as { itemId: string; regions: Box[] }[]).find((x) => x.itemId === itemId);
  return d ? d.regions : null;
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1;
const geometry = (b: Box) => [b.x, b.y, b.w, b.h];

/** Selects a region through its row in the region list (a click on a selected row would clear it). */
async function selectRow(p: Page, id: string): Promise<void> {
  const row = p.locator(`[data-testid=region-row][data-region-id="${id}"]`);
  if ((await row.getAttribute('data-selected')) !== 'true') await row.locator('.region-row__main').click();
  await p.locator(`[data-testid=region-row][data-region-id="${id}"][data-selected=true]`).waitFor();
  await p.getByTestId('editor-stage').focus();
}

/** What the editor shows after a reload: every region's id, label and geometry (as the selection panel rounds it). */
async function shownRegions(p: Page): Promise<{ id: string; label: string; geometry: number[] }[]> {
  const rows = await p
    .getByTestId('region-row')
    .evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-region-id')!, label: e.getAttribute('data-label')! })));
  const out: { id: string; label: string; geometry: number[] }[] = [];
  for (const r of rows) {
    await selectRow(p, r.id);
    const text = (await p.getByTestId('selection-geometry').textContent()) ?? '';
    out.push({ ...r, geometry: (text.match(/-?\d+/g) ?? []).map(Number) });
  }
  await p.keyboard.press('Escape');
  await p.keyboard.press('Escape');
  return out;
}

async function openEditor(p: Page): Promise<void> {
  await p.locator('[data-testid=workspace][data-phase=working]').waitFor({ timeout: 20_000 });
  await p.getByTestId('editor-stage').waitFor();
  await p.locator('.annotation-editor__veil').waitFor({ state: 'detached' });
  // The view is fitted on load; drawing helpers assume the fitted view.
  await fitView(p);
}

/**
 * What a region must be after the reload: exact (made from the server's previous copy by a
 * keyboard edit or left alone) or within a pixel of where the pointer put it.
 */
type Expect = { id: string | null; label: string; exact?: number[]; about?: number[] };

/**
 * Reloads `ms` after the edit, then checks the editor shows exactly `want` and that the server's
 * draft becomes the same. Returns the server's copy (the exact base for the next edit).
 */
async function reloadAndCheck(p: Page, ms: number, want: Expect[], what: string): Promise<Box[]> {
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  await p.reload();
  tally.reloads += 1;
  await openEditor(p);
  const shown = await shownRegions(p);
  const ctx = `${what}, reload after ${ms} ms`;
  expect(shown.length, `${ctx}: regions shown ${JSON.stringify(shown)}`).toBe(want.length);
  // The work reaches the server: its draft ends up with exactly the regions the editor shows.
  let server: Box[] = [];
  await expect
    .poll(
      async () => {
        server = (await serverDraft()) ?? [];
        return server.map((b) => `${b.id}:${b.label}:${geometry(b).map(Math.round).join(',')}`).sort();
      },
      { timeout: 15_000, message: `${ctx}: the server's draft` },
    )
    .toEqual(shown.map((s) => `${s.id}:${s.label}:${s.geometry.join(',')}`).sort());
  const fresh = server.filter((b) => !want.some((o) => o.id === b.id));
  for (const w of want) {
    // A new region has no id yet: it is the unmatched one nearest to where it was drawn.
    const distance = (b: Box) => geometry(b).reduce((n, v, i) => n + Math.abs(v - (w.about ?? w.exact ?? [])[i]!), 0);
    const got = w.id ? server.find((b) => b.id === w.id) : fresh.sort((a, b) => distance(a) - distance(b)).shift();
    expect(got, `${ctx}: region ${w.id ?? '(new)'} in ${JSON.stringify(server)}`).toBeDefined();
    expect(got!.label, ctx).toBe(w.label);
    if (w.exact) expect(geometry(got!), `${ctx}: exact geometry`).toEqual(w.exact);
    if (w.about)
      expect(
        geometry(got!).every((v, i) => near(v, w.about![i]!)),
        `${ctx}: ${geometry(got!)} ≈ ${w.about}`,
      ).toBe(true);
  }
  tally.kept += 1;
  return server;
}

beforeAll(async () => {
  app = await startOwnApp({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') });
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  lead = (await signedInUser(admin, { name: 'lead-he', role: 'lead', level: 'L2', lang: 'en' })).client;
  const annoId = await createUser(admin, { name: 'anno-qian', role: 'annotator', level: 'L4', lang: 'en' });
  projectId = await setUpProject(lead, {
    name: 'Durable boxes',
    kind: 'image',
    labelSchema: SCHEMA,
    members: [annoId],
    images: [{ name: 'street-durable.png', data: await streetScene(IMAGE.width, IMAGE.height), type: 'image/png' }],
    queue: true,
  });
  browser = await launchBrowser();
  page = await (await newContext(browser, app.url, 'en-US')).newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await signIn(page, 'anno-qian', 'anno-qian-password');
  await page.goto(`/projects/${projectId}/work`);
  await openEditor(page);
  itemId = (await lead.get(`/api/projects/${projectId}/queue/leases`)).body.leases[0].itemId;
}, 120_000);

afterAll(async () => {
  console.log(`reloads: ${tally.reloads}, change kept: ${tally.kept}`);
  await browser?.close();
  await app?.close();
});

describe('workspace: a reload at any moment keeps the last change', () => {
  it('keeps the second of two boxes drawn 150 ms apart when the page reloads 0, 50, 150 or 300 ms later', async () => {
    const p = page;
    let kept: Expect[] = [];
    for (const [n, ms] of DELAYS.entries()) {
      const y = 20 + n * 150;
      await p.getByTestId('editor-stage').focus();
      await p.keyboard.press('c');
      await drawBox(p, IMAGE, { x: 40, y }, { x: 200, y: y + 100 });
      await new Promise((r) => setTimeout(r, 150));
      await drawBox(p, IMAGE, { x: 720, y }, { x: 880, y: y + 120 });
      const server = await reloadAndCheck(
        p,
        ms,
        [...kept, { id: null, label: 'car', about: [40, y, 160, 100] }, { id: null, label: 'car', about: [720, y, 160, 120] }],
        'two boxes 150 ms apart',
      );
      kept = server.map((b) => ({ id: b.id, label: b.label, exact: geometry(b) }));
    }
  });

  for (const ms of DELAYS) {
    it(`keeps a drawn, moved, resized, relabelled and deleted box through reloads ${ms} ms after each edit`, async () => {
      const p = page;
      let base = (await serverDraft()) ?? [];
      const kept = base.map((b): Expect => ({ id: b.id, label: b.label, exact: geometry(b) }));

      // Draw.
      await p.getByTestId('editor-stage').focus();
      await p.keyboard.press('c');
      await drawBox(p, IMAGE, { x: 300, y: 300 }, { x: 420, y: 400 });
      base = await reloadAndCheck(p, ms, [...kept, { id: null, label: 'car', about: [300, 300, 120, 100] }], 'draw');
      const box = base.find((b) => !kept.some((k) => k.id === b.id))!;

      // Move with the mouse (select tool, drag from inside the box).
      await p.keyboard.press('v');
      await selectRow(p, box.id);
      await dragImage(p, IMAGE, { x: box.x + 60, y: box.y + 50 }, { x: box.x + 100, y: box.y + 80 });
      base = await reloadAndCheck(p, ms, [...kept, { id: box.id, label: 'car', about: [box.x + 40, box.y + 30, box.w, box.h] }], 'move');
      const moved = base.find((b) => b.id === box.id)!;

      // Resize from the keyboard: 10 px wider and 10 px taller, exactly.
      await selectRow(p, box.id);
      await p.keyboard.press('Alt+Shift+ArrowRight');
      await p.keyboard.press('Alt+Shift+ArrowDown');
      base = await reloadAndCheck(
        p,
        ms,
        [...kept, { id: box.id, label: 'car', exact: [moved.x, moved.y, moved.w + 10, moved.h + 10] }],
        'resize',
      );

      // Relabel with the pedestrian hotkey.
      await selectRow(p, box.id);
      await p.keyboard.press('w');
      base = await reloadAndCheck(
        p,
        ms,
        [...kept, { id: box.id, label: 'pedestrian', exact: [moved.x, moved.y, moved.w + 10, moved.h + 10] }],
        'relabel',
      );

      // Delete.
      await selectRow(p, box.id);
      await p.keyboard.press('Delete');
      await reloadAndCheck(p, ms, kept, 'delete');
    });
  }

  it('says "saved on this device" only once the change is committed in IndexedDB', async () => {
    const p = page;
    // Watch the indicator from inside the page: the moment it stops saying the change is being
    // written, read what IndexedDB holds for this item.
    await p.evaluate((item) => {
      const el = document.querySelector('[data-testid=save-indicator]')!;
      (window as unknown as { firstWritten: Promise<unknown> }).firstWritten = new Promise((resolve) => {
        let writing = false;
        const obs = new MutationObserver(() => {
          const state = el.getAttribute('data-state');
          if (state === 'unsaved') writing = true;
          else if (writing) {
            obs.disconnect();
            const open = indexedDB.open('labelwork-workspace');
            open.onsuccess = () => {
              const req = open.result.transaction('outbox').objectStore('outbox').getAll();
              req.onsuccess = () => {
                const drafts = (req.result as { kind: string; itemId: string; changedAt: number; regions: unknown[] }[]).filter(
                  (e) => e.kind === 'draft' && e.itemId === item,
                );
                drafts.sort((a, b) => b.changedAt - a.changedAt);
                resolve({ state, text: el.textContent, regions: drafts[0]?.regions.length ?? 0 });
              };
            };
          }
        });
        obs.observe(el, { attributes: true, attributeFilter: ['data-state'] });
      });
    }, itemId);
    const before = (await serverDraft())!.length;
    await p.getByTestId('editor-stage').focus();
    await p.keyboard.press('c');
    await drawBox(p, IMAGE, { x: 500, y: 480 }, { x: 600, y: 560 });
    const seen = (await p.evaluate(() => (window as unknown as { firstWritten: Promise<unknown> }).firstWritten)) as {
      state: string;
      text: string;
      regions: number;
    };
    expect(seen.regions).toBe(before + 1);
    expect(['device', 'saving', 'saved']).toContain(seen.state);
    // With nothing sent yet it says so in words.
    if (seen.state === 'device') expect(seen.text).toMatch(/Saved on this device · 1 change to send/);
    await p.locator('[data-testid=save-indicator][data-state=saved]').waitFor({ timeout: 15_000 });
    await expect.poll(async () => (await serverDraft())!.length).toBe(before + 1);
  });

  it('restores from the device alone when no draft reaches the server, then sends it once the server takes drafts again', async () => {
    const p = page;
    const start = (await serverDraft())!;
    const target = start[0]!;
    // Drafts never reach the server (not even the keepalive send as the page goes): what comes back is the device's.
    await p.context().route('**/api/tasks/*/draft', (r) => r.abort());
    try {
      for (const [n, ms] of DELAYS.entries()) {
        await p.getByTestId('editor-stage').focus();
        await p.keyboard.press('v');
        await selectRow(p, target.id);
        await p.keyboard.press('Shift+ArrowRight');
        if (ms > 0) await new Promise((r) => setTimeout(r, ms));
        await p.reload();
        tally.reloads += 1;
        await openEditor(p);
        await selectRow(p, target.id);
        const text = (await p.getByTestId('selection-geometry').textContent()) ?? '';
        const shown = (text.match(/-?\d+/g) ?? []).map(Number);
        expect(shown, `moved ${n + 1} × 10 px, reload after ${ms} ms`).toEqual([
          Math.round(target.x + 10 * (n + 1)),
          Math.round(target.y),
          Math.round(target.w),
          Math.round(target.h),
        ]);
        expect(await p.getByTestId('region-row').count()).toBe(start.length);
        tally.kept += 1;
        await p.keyboard.press('Escape');
      }
    } finally {
      await p.context().unroute('**/api/tasks/*/draft');
    }
    // The server takes drafts again: the next send carries the device's copy, to the exact coordinate.
    await p.keyboard.press('Control+s');
    await expect.poll(async () => (await serverDraft())!.find((b) => b.id === target.id)?.x, { timeout: 15_000 }).toBe(target.x + 40);
    const after = (await serverDraft())!;
    expect(after.filter((b) => b.id !== target.id)).toEqual(start.filter((b) => b.id !== target.id));
  });
});
