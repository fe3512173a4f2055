import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { imageSchema, pngBuffer } from '../support/fixtures.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { setUpProject, signedInUser } from '../support/project-setup.ts';

/**
 * Backups in the browser: an admin downloads a project's backup from the project page and restores
 * it from the projects page as a new project whose items (with their images) are listed.
 */

let app: OwnApp;
let browser: Browser;
let page: Page;
let projectId = '';
let dir = '';

beforeAll(async () => {
  app = await startOwnApp({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') });
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  const lead = (await signedInUser(admin, { name: 'bk-lead', role: 'lead', level: 'L2', lang: 'en' })).client;
  projectId = await setUpProject(lead, {
    name: 'Crossing',
    kind: 'image',
    labelSchema: imageSchema,
    images: [
      { name: 'a.png', data: await pngBuffer(64, 48, '#112233'), type: 'image/png' },
      { name: 'b.png', data: await pngBuffer(40, 30, '#445566'), type: 'image/png' },
    ],
  });
  dir = await mkdtemp(path.join(tmpdir(), 'lw-backup-e2e-'));
  browser = await launchBrowser();
  page = await (await newContext(browser, app.url, 'en-US')).newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await signIn(page, 'admin', app.adminPassword);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('backups in the browser', () => {
  it('an admin backs a project up from its page and restores the zip as a new project', async () => {
    await page.goto(`/projects/${projectId}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('project-backup').click()]);
    expect(download.suggestedFilename()).toMatch(/^Crossing-backup-.*\.zip$/);
    const file = path.join(dir, 'crossing.zip');
    await download.saveAs(file);
    await page.getByTestId('project-backup-done').waitFor();
    expect((await readFile(file)).subarray(0, 2).toString()).toBe('PK');

    await page.goto('/projects');
    await page.getByTestId('restore-backup-input').setInputFiles(file);
    const done = page.getByTestId('restore-backup-done');
    await done.waitFor();
    expect(await done.textContent()).toContain('Crossing');
    await screenshot(page, 'backup-restored');
    await expect.poll(() => page.getByTestId('project-row').count()).toBe(2);
    await page.getByTestId('restore-backup-open').click();
    await page.getByTestId('project-title').waitFor();
    expect(page.url()).not.toContain(projectId);
    await page.getByTestId('tab-items').click();
    await expect.poll(() => page.getByTestId('item-row').count()).toBe(2);
    // The restored images are served: both thumbnails decode.
    await expect
      .poll(() => page.$$eval('[data-testid="item-thumb"]', (imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length))
      .toBe(2);
  });

  it('shows the restore error in the person’s language for a file that is not a backup', async () => {
    const bad = path.join(dir, 'bad.zip');
    await writeFile(bad, 'not a zip');
    await page.goto('/projects');
    await page.getByTestId('restore-backup-input').setInputFiles(bad);
    await page.getByTestId('restore-backup-error').waitFor();
  });
});
