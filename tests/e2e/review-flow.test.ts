import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { page, reworkAndAccept, setupReviewProject, submitAndReject, tile, type Actor, type ReviewSetup } from '../support/review-setup.ts';

/**
 * Live review across three browsers at once: an annotator's submit reaches the reviewer's queue
 * within a second, a reject with a comment on a box reaches the annotator within a second, the
 * annotator fixes it, the reviewer accepts, and the lead's dashboard follows without a reload.
 * Data is set up through the API to keep this short.
 */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
let browser: Browser;
let setup: ReviewSetup;
let anno: Actor;
let lead: Actor;
let projectId = '';
let annoPage: Page;
let revPage: Page;
let leadPage: Page;

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  setup = await setupReviewProject(admin, run, { lead: url, anno: url, rev: url });
  ({ lead, anno, projectId } = setup);

  browser = await launchBrowser();
  [annoPage, revPage, leadPage] = await Promise.all([
    page(browser, url, anno.name, 'zh-CN'),
    page(browser, url, setup.rev.name, 'zh-CN'),
    page(browser, url, lead.name, 'en-US'),
  ]);
});
afterAll(async () => {
  await browser?.close();
});

describe('live review in three browsers', () => {
  it('the reviewer sees a submission within a second, rejects it with a comment on a box, the annotator sees it within a second', async () => {
    await submitAndReject(setup, { annoPage, revPage, leadPage }, { screenshotPrefix: '' });
  });

  it('the annotator fixes the box from the rework list, the reviewer gets it back at once and accepts', async () => {
    await reworkAndAccept(setup, { annoPage, revPage, leadPage }, { screenshotPrefix: '' });
  });

  it('the dashboard shows the verdicts without a reload', async () => {
    await expect.poll(() => tile(leadPage, 'tile-rejection'), { timeout: 3000 }).toBe('0.5');
    expect(await tile(leadPage, 'tile-review')).toBe('0');
    await expect.poll(() => leadPage.getByTestId('annotator-row').count()).toBe(1);
    expect(await leadPage.getByTestId('dashboard-csv').getAttribute('href')).toBe(
      `/api/projects/${projectId}/dashboard/annotators.csv?lang=en`,
    );
    await screenshot(leadPage, 'dashboard-en');
    // The same in Chinese, numbers formatted for zh-CN.
    await leadPage.getByTestId('lang-zh-CN').click();
    await expect.poll(async () => (await leadPage.getByTestId('tile-rejection').textContent()) ?? '').toContain('驳回率');
    await screenshot(leadPage, 'dashboard-zh');
  });

  it('a reviewer fixes a box themself: both versions are kept and the annotator is told', async () => {
    const n = await anno.api.post(`/api/projects/${projectId}/tasks/next`);
    expect(n.status).toBe(200);
    const s = await anno.api.post(`/api/tasks/${n.body.task.leaseId}/submit`, {
      submissionId: randomUUID().replace(/-/g, ''),
      regions: [{ id: 'box2', type: 'bbox', label: 'car', x: 10, y: 10, w: 60, h: 40 }],
    });
    expect(s.status).toBe(201);
    // The reviewer's view is waiting after the accept: the new task comes by itself.
    await revPage.locator(`[data-testid=review-task][data-item-id="${n.body.task.item.id}"]`).waitFor({ timeout: 3000 });
    await revPage.getByTestId('review-fix').click();
    await revPage.locator('[data-testid=region-row][data-region-id=box2]').click();
    await revPage.getByTestId('selection-label').selectOption('truck');
    await revPage.getByTestId('review-fix-submit').click();
    await annoPage.locator('[data-testid=review-toast][data-verdict=fix]').waitFor({ timeout: 1000 });
    const history = (await lead.api.get(`/api/projects/${projectId}/reviews?annotationId=${s.body.annotation.id}`)).body.reviews;
    expect(history).toEqual([
      expect.objectContaining({
        verdict: 'fix',
        originalRegions: [expect.objectContaining({ id: 'box2', label: 'car' })],
        fixedRegions: [expect.objectContaining({ id: 'box2', label: 'truck' })],
      }),
    ]);
    await expect.poll(() => tile(leadPage, 'tile-rejection'), { timeout: 3000 }).toBe(String(1 / 3));
  });
});
