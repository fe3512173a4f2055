import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { fitView, stageView } from '../support/editor-driver.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { page as signedInPage, setupReviewProject, type ReviewSetup } from '../support/review-setup.ts';

/**
 * Review and rework screens (issue #10, items 7 and 18): the canvas keeps its own height when a
 * region is selected or deselected (it used to follow the side panel and crop the image); a
 * comment's callout sits beside the box it is about, not over it; "Give back" is a real button;
 * Ctrl+Enter submits the correction in the rework editor like in the workspace.
 */

const IMAGE = { width: 320, height: 200 };
/** Near the image's right edge, where a callout used to be pushed back over the box. */
const BOX = { x: 190, y: 30, w: 120, h: 80 };

let app: OwnApp;
let browser: Browser;
let setup: ReviewSetup;
let revPage: Page;
let annoPage: Page;

const stageHeight = (p: Page) => p.getByTestId('editor-stage').evaluate((el) => el.getBoundingClientRect().height);

/** Share of near-white pixels (a callout's background) inside the box as drawn on the page. */
async function whiteInsideBox(p: Page): Promise<number> {
  const v = await stageView(p, IMAGE);
  // The box's inside, 6 px in from its edges (its outline, handles and label tag stay out).
  const clip = {
    x: v.left + v.x + BOX.x * v.scale + 6,
    y: v.top + v.y + BOX.y * v.scale + 22,
    width: BOX.w * v.scale - 12,
    height: BOX.h * v.scale - 28,
  };
  const png = await p.screenshot({ clip });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  let white = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i]! > 235 && data[i + 1]! > 235 && data[i + 2]! > 235) white++;
  return white / (info.width * info.height);
}

beforeAll(async () => {
  app = await startOwnApp({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') });
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  setup = await setupReviewProject(admin, 'layout', { lead: app.url, anno: app.url, rev: app.url });
  const r = await setup.anno.api.post(`/api/tasks/${setup.leaseId}/submit`, {
    submissionId: randomUUID().replace(/-/g, ''),
    regions: [
      { id: 'box1', type: 'bbox', label: 'car', ...BOX },
      { id: 'box2', type: 'bbox', label: 'car', x: 20, y: 110, w: 90, h: 60 },
    ],
  });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  browser = await launchBrowser();
  revPage = await signedInPage(browser, app.url, setup.rev.name, 'en-US');
  annoPage = await signedInPage(browser, app.url, setup.anno.name, 'en-US');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('review and rework layout', () => {
  it('review: the canvas keeps its height when a region is selected and deselected; the callout sits beside its box; Give back is a button', async () => {
    const p = revPage;
    await p.goto(`/projects/${setup.projectId}/review`);
    await p.getByTestId('review-task').waitFor({ timeout: 10_000 });
    await p.locator('.annotation-editor__veil').waitFor({ state: 'detached' });
    const before = await stageHeight(p);
    // The canvas height comes from the viewport, not from the side panel.
    expect(before).toBeGreaterThan(500);
    const row = p.locator('[data-testid=region-row][data-region-id=box1]');
    await row.locator('.region-row__main').click();
    await p.getByTestId('selection-panel').waitFor();
    expect(await stageHeight(p)).toBe(before);
    await row.locator('.region-row__main').click();
    await expect.poll(() => row.getAttribute('data-selected')).toBe('false');
    expect(await stageHeight(p)).toBe(before);

    // A comment on the box near the right edge: its callout goes beside the box (here: left of it).
    await row.locator('.region-row__main').click();
    await expect.poll(() => p.getByTestId('review-comment-anchor').inputValue()).toBe('region');
    await p.getByTestId('review-comment-text').fill('This is a truck, not a car: the cargo box behind the cab gives it away.');
    await p.getByTestId('review-comment-add').click();
    await p.getByTestId('comment').first().waitFor();
    await fitView(p);
    await p.waitForTimeout(300);
    expect(await whiteInsideBox(p)).toBeLessThan(0.02);
    await screenshot(p, 'review-layout-callout-zh');

    // "Give back" looks like the buttons beside it: a border and a background of its own.
    const look = await p.getByTestId('review-release').evaluate((el) => {
      const cs = getComputedStyle(el);
      return { tag: el.tagName, border: parseFloat(cs.borderTopWidth), borderColor: cs.borderTopColor, text: el.textContent };
    });
    expect(look.tag).toBe('BUTTON');
    expect(look.border).toBeGreaterThan(0);
    expect(look.borderColor).not.toMatch(/rgba\(0, 0, 0, 0\)|transparent/);
    expect(look.text).toBe('退回任务'); // the reviewer's account is in Chinese
    // Reject with one more comment on the box (a reject needs one with it).
    await p.getByTestId('review-comment-text').fill('Please relabel it.');
    await p.getByTestId('review-reject').click();
    await p.getByTestId('review-empty').waitFor();
  });

  it('rework: the canvas keeps its height, the callout is beside the box, and Ctrl+Enter submits the correction', async () => {
    const p = annoPage;
    await p.goto(`/projects/${setup.projectId}/rework`);
    await p.getByTestId('rework-open').click();
    await p.getByTestId('rework-item').waitFor();
    await p.locator('.annotation-editor__veil').waitFor({ state: 'detached' });
    // The commented box is selected on open, so its callout shows.
    const row = p.locator('[data-testid=region-row][data-region-id=box1]');
    await expect.poll(() => row.getAttribute('data-selected')).toBe('true');
    const selected = await stageHeight(p);
    expect(selected).toBeGreaterThan(500);
    await fitView(p);
    await p.waitForTimeout(300);
    expect(await whiteInsideBox(p)).toBeLessThan(0.02);
    await screenshot(p, 'rework-layout-callout-zh');
    await row.locator('.region-row__main').click();
    await expect.poll(() => row.getAttribute('data-selected')).toBe('false');
    expect(await stageHeight(p)).toBe(selected);
    await screenshot(p, 'rework-layout-deselected-zh');

    // Fix the label, then submit from the keyboard.
    await row.locator('.region-row__main').click();
    await p.getByTestId('selection-label').selectOption('truck');
    await p.getByTestId('editor-stage').focus();
    await p.keyboard.press('Control+Enter');
    await p.getByTestId('rework-done').waitFor();
    await p.getByTestId('rework-empty').waitFor();
    const next = await setup.rev.api.post(`/api/projects/${setup.projectId}/review/next`);
    expect(next.status).toBe(200);
    const task = next.body.task as { annotationId: string; annotations: { id: string; regions: { id: string; label: string }[] }[] };
    const box1 = task.annotations.find((a) => a.id === task.annotationId)?.regions.find((r) => r.id === 'box1');
    expect(box1?.label).toBe('truck');
  });
});
