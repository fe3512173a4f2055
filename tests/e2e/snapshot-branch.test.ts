import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { setUpProject } from '../support/project-setup.ts';
import { page as signedInPage, user, type Actor } from '../support/review-setup.ts';

/**
 * Issue #13: the lead freezes a snapshot in the Datasets tab and branches a new project from it
 * (its ground truth as gold answers) — a restore job whose progress the row shows — and the new
 * project says which snapshot it came from.
 */

const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const labelSchema = { labels: [{ name: 'car', color: '#e6194b', tool: 'bbox' }] };
const gold = { id: 'g1', type: 'bbox', label: 'car', x: 20, y: 10, w: 100, h: 50 };
let browser: Browser;
let lead: Actor;
let leadPage: Page;
let projectId = '';

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  lead = await user(admin, url, `blead-${run}`, 'lead', 'L2', false, 'en');
  projectId = await setUpProject(lead.api, {
    name: `Mainline ${run}`,
    kind: 'image',
    labelSchema,
    images: [{ name: 'street 1.png', data: await pngBuffer(200, 100), type: 'image/png' }],
  });
  const items = await lead.api.get(`/api/projects/${projectId}/items`);
  expect(items.body.items).toHaveLength(1);
  const g = await lead.api.put(`/api/items/${items.body.items[0].id}/gold`, { gold: { regions: [gold] } });
  expect(g.status, JSON.stringify(g.body)).toBe(200);
  browser = await launchBrowser();
  leadPage = await signedInPage(browser, url, lead.name, 'en-US');
});
afterAll(async () => {
  await browser?.close();
});

describe('a new project from a snapshot', () => {
  it('the lead freezes a snapshot and branches a project from it with its ground truth as gold', async () => {
    try {
      await leadPage.goto(`${url}/projects/${projectId}/datasets`);
      await leadPage.getByTestId('snapshot-note').fill('baseline');
      await leadPage.getByTestId('snapshot-freeze').click();
      const snap = leadPage.getByTestId('snapshot-row').first();
      await expect.poll(() => snap.getAttribute('data-status'), { timeout: 30_000 }).toBe('complete');
      await snap.getByTestId('snapshot-branch').click();
      const dialog = leadPage.getByTestId('snapshot-branch-dialog');
      await dialog.getByTestId('snapshot-branch-name').fill(`Branch ${run}`);
      await dialog.getByTestId('snapshot-branch-ground-truth').selectOption('gold');
      await dialog.getByTestId('snapshot-branch-create').click();
      // The restore is a job: the row shows its progress (the request answered at once), then the link.
      const running = leadPage.getByTestId('snapshot-branch-running');
      await running.waitFor({ timeout: 15_000 });
      expect(await running.textContent()).toMatch(/Making the project: \d+ of 1 items/);
      expect(await running.getByTestId('snapshot-branch-progress').getAttribute('max')).toBe('1');
      const done = leadPage.getByTestId('snapshot-branch-done');
      await done.waitFor({ timeout: 30_000 });
      expect(await done.textContent()).toContain('1 item');
      await done.getByTestId('snapshot-branch-open').click();
      await expect.poll(() => leadPage.getByTestId('project-title').textContent(), { timeout: 15_000 }).toContain(`Branch ${run}`);
      expect(await leadPage.getByTestId('project-from-snapshot').textContent()).toMatch(
        /From snapshot #1 v1\.0\.0 \(sha256 [0-9a-f]{12}\)/,
      );
      const newId = new URL(leadPage.url()).pathname.split('/')[2]!;
      expect(newId).not.toBe(projectId);
      const p = (await lead.api.get(`/api/projects/${newId}`)).body.project;
      expect(p).toMatchObject({ counts: { items: 1, gold: 1 }, fromSnapshot: { projectId, number: 1, version: '1.0.0' } });
      const newItems = (await lead.api.get(`/api/projects/${newId}/items`)).body.items;
      expect(newItems[0]).toMatchObject({ image: { name: 'street 1.png' }, gold: { regions: [gold] } });
    } catch (e) {
      await screenshot(leadPage, 'snapshot-branch');
      throw e;
    }
  });
});
