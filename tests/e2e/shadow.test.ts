import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { clickImage, drawBox, fitView } from '../support/editor-driver.ts';
import { imageSchema } from '../support/fixtures.ts';
import { createUser, setUpProject, signedInUser } from '../support/project-setup.ts';
import { streetScene } from '../support/scene-image.ts';

/**
 * Read-only shadowing in two browsers at once: a lead (English) opens the watch page of an
 * annotator (Chinese) from the Queue tab; the annotator sees that a lead is watching; the box they
 * draw with the mouse shows on the lead's page within a second, with their selection; when they
 * submit and get the next item, the lead's page follows; when the lead leaves, the chip goes.
 */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const IMAGE = { width: 960, height: 640 };

let browser: Browser;
let projectId = '';
let annoId = '';
let leadName = '';
let annoName = '';
let leadPage: Page;
let annoPage: Page;

async function page(name: string, locale: string): Promise<Page> {
  const ctx = await newContext(browser, url, locale);
  const p = await ctx.newPage();
  p.on('pageerror', (e) => console.error(`pageerror (${name}):`, e.message));
  await signIn(p, name, `${name}-password`);
  return p;
}

const leadRows = () => leadPage.locator('[data-testid=watch-canvas] [data-testid=region-row]');
const status = () => leadPage.getByTestId('shadow-status');

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  leadName = `lead-${run}`;
  annoName = `anno-${run}`;
  const lead = (await signedInUser(admin, { name: leadName, role: 'lead', level: 'L2', lang: 'en' })).client;
  annoId = await createUser(admin, { name: annoName, role: 'annotator', level: 'L4', lang: 'zh-CN' });
  projectId = await setUpProject(lead, {
    name: `Shadow ${run}`,
    kind: 'image',
    labelSchema: imageSchema,
    members: [annoId],
    images: [
      { name: 'street-001.png', data: await streetScene(IMAGE.width, IMAGE.height), type: 'image/png' },
      { name: 'street-002.png', data: await streetScene(IMAGE.width, IMAGE.height, 1), type: 'image/png' },
    ],
    queue: true,
  });
  browser = await launchBrowser();
  [leadPage, annoPage] = await Promise.all([page(leadName, 'en-US'), page(annoName, 'zh-CN')]);
});
afterAll(async () => {
  await browser?.close();
});

describe('shadowing in two browsers', () => {
  it('the lead opens the watch page from the Queue tab, and the annotator sees that a lead is watching', async () => {
    await annoPage.goto(`/projects/${projectId}/work`);
    await annoPage.getByTestId('editor-stage').waitFor();
    await annoPage.locator('.annotation-editor__veil').waitFor({ state: 'detached' });
    // Nobody watches yet: no chip.
    expect(await annoPage.getByTestId('shadow-watched').count()).toBe(0);

    await leadPage.goto(`/projects/${projectId}/queue`);
    const row = leadPage.locator(`[data-testid=queue-lease-row][data-user-id="${annoId}"]`);
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain(annoName);
    await screenshot(leadPage, 'shadow-queue-en');
    await row.getByTestId('watch-annotator').click();
    await leadPage.getByTestId('watch-page').waitFor();
    expect(new URL(leadPage.url()).pathname).toBe(`/projects/${projectId}/watch/${annoId}`);

    // The annotator is told, in Chinese, who is watching.
    const chip = annoPage.getByTestId('shadow-watched');
    await chip.waitFor({ timeout: 3000 });
    expect(await chip.textContent()).toBe(`组长正在观看：${leadName}`);

    // The lead sees the annotator's item, read-only, with the status line.
    await leadPage.locator('[data-testid=shadow-status][data-state=working]').waitFor({ timeout: 5000 });
    // The item's name follows once the item is loaded (until then the line names it by its id).
    await expect
      .poll(() => leadPage.getByTestId('shadow-status-text').textContent(), { timeout: 5000 })
      .toMatch(new RegExp(`^${annoName} is annotating street-00[12]\\.png · updated (just now|\\d+ sec\\. ago)$`));
    await leadPage.getByTestId('watch-canvas').waitFor();
    expect(await leadRows().count()).toBe(0);
  });

  it('a box drawn with the mouse shows on the lead’s page within a second, and so does the selection', async () => {
    const firstItem = await status().getAttribute('data-item-id');
    expect(firstItem).toMatch(/^[0-9a-f]{24}$/);
    await fitView(annoPage);
    await annoPage.keyboard.press('c');
    await drawBox(annoPage, IMAGE, { x: 125, y: 380 }, { x: 325, y: 500 });
    const drawn = Date.now();
    await leadRows().first().waitFor({ timeout: 1000 });
    expect(Date.now() - drawn).toBeLessThan(1000);
    expect(await leadRows().count()).toBe(1);
    expect(await leadRows().first().getAttribute('data-label')).toBe('car');
    // The annotator's region id is the lead's: the same box.
    const annoBox = await annoPage.getByTestId('region-row').first().getAttribute('data-region-id');
    expect(await leadRows().first().getAttribute('data-region-id')).toBe(annoBox);
    await expect.poll(() => leadPage.getByTestId('shadow-tool').textContent()).toBe('Tool: Box · label: car');

    // The annotator selects the box: it is highlighted on the lead's side too.
    await annoPage.keyboard.press('v');
    await clickImage(annoPage, IMAGE, { x: 220, y: 440 });
    await expect.poll(() => leadRows().first().getAttribute('data-selected'), { timeout: 1000 }).toBe('true');
    // The selected box's geometry is the annotator's, to the pixel.
    const geom = async (p: Page) => (await p.getByTestId('selection-geometry').textContent())?.match(/\d+/g)?.map(Number) ?? [];
    expect(await geom(leadPage)).toEqual(await geom(annoPage));

    await annoPage.waitForTimeout(300);
    await screenshot(annoPage, 'shadow-watched-zh');
    await leadPage.waitForTimeout(300);
    await screenshot(leadPage, 'shadow-watch-en');
  });

  it('when the annotator submits and gets the next item, the lead follows; when the lead leaves, the chip goes', async () => {
    const firstItem = await status().getAttribute('data-item-id');
    await annoPage.getByTestId('submit-task').click();
    await expect.poll(() => status().getAttribute('data-item-id'), { timeout: 10_000 }).not.toBe(firstItem);
    const second = await status().getAttribute('data-item-id');
    expect(second).toMatch(/^[0-9a-f]{24}$/);
    await leadPage.locator(`[data-testid=watch-canvas][data-item-id="${second}"]`).waitFor({ timeout: 5000 });
    expect(await leadRows().count()).toBe(0);
    expect(await status().getAttribute('data-state')).toBe('working');

    // A box on the second item reaches the lead too.
    await annoPage.getByTestId('editor-stage').waitFor();
    await annoPage.locator('.annotation-editor__veil').waitFor({ state: 'detached' });
    await fitView(annoPage);
    await annoPage.keyboard.press('e');
    await drawBox(annoPage, IMAGE, { x: 790, y: 300 }, { x: 852, y: 436 });
    await expect.poll(() => leadRows().count(), { timeout: 2000 }).toBe(1);
    expect(await leadRows().first().getAttribute('data-label')).toBe('pedestrian');

    // The lead goes back to the queue: the annotator's chip disappears.
    await leadPage.getByTestId('watch-back').click();
    await leadPage.getByTestId('queue-tab').waitFor();
    await annoPage.getByTestId('shadow-watched').waitFor({ state: 'detached', timeout: 5000 });
  });
});
