import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { createUser, setUpProject, signedInUser } from '../support/project-setup.ts';
import { pedestrianScene, shippedGuideline } from '../support/ml-fixtures.ts';
import { startPythonBackend, type BackendProc } from '../../scripts/ml-backends.ts';

/**
 * Model-assisted labeling in the browser: an admin registers the pedestrian reference backend in a
 * project's Models tab, the lead attaches it and runs pre-annotation (progress and log shown), and an
 * annotator starts from the detector's pre-filled boxes: rejects one, accepts the rest, submits.
 */

let app: OwnApp;
let backend: BackendProc;
let browser: Browser;
let lead: ApiClient;
let adminPage: Page;
let leadPage: Page;
let annotator: Page;
let projectId = '';

beforeAll(async () => {
  [app, backend] = await Promise.all([
    startOwnApp({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') }),
    startPythonBackend('pedestrians'),
  ]);
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  lead = (await signedInUser(admin, { name: 'ml-lead', role: 'lead', level: 'L2', lang: 'en' })).client;
  const annoId = await createUser(admin, { name: 'ml-anno', role: 'annotator', level: 'L4', lang: 'zh-CN' });
  const scene = await pedestrianScene();
  projectId = await setUpProject(lead, {
    name: 'Pedestrians',
    kind: 'image',
    labelSchema: shippedGuideline('vehicles-pedestrians-bbox').labelSchema,
    members: [annoId],
    images: [{ name: 'scene.png', data: scene.png, type: 'image/png' }],
    queue: 1,
  });
  browser = await launchBrowser();
  adminPage = await (await newContext(browser, app.url, 'en-US')).newPage();
  leadPage = await (await newContext(browser, app.url, 'en-US')).newPage();
  annotator = await (await newContext(browser, app.url, 'zh-CN')).newPage();
  for (const pg of [adminPage, leadPage, annotator]) pg.on('pageerror', (e) => console.error('pageerror:', e.message));
  await signIn(adminPage, 'admin', app.adminPassword);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.close(), backend?.stop()]);
});

describe('model-assisted labeling', () => {
  it('an admin registers the pedestrian backend (allow-listed loopback) and sees it up', async () => {
    await adminPage.goto(`/projects/${projectId}/models`);
    await adminPage.getByTestId('ml-tab').waitFor();
    await adminPage.getByTestId('ml-add-name').fill('pedestrians');
    await adminPage.getByTestId('ml-add-url').fill(backend.url);
    // Without the allow-list the loopback address is refused with a clear message.
    await adminPage.getByTestId('ml-add-submit').click();
    await expect.poll(() => adminPage.getByTestId('ml-error').textContent()).toMatch(/allow-list|允许列表/);
    await adminPage.getByTestId('ml-add-private').check();
    await adminPage.getByTestId('ml-add-submit').click();
    const row = adminPage.locator('[data-testid=ml-backend][data-backend-name=pedestrians]');
    await expect.poll(() => row.getByTestId('ml-health').getAttribute('data-status')).toBe('up');
    await expect.poll(() => row.getByTestId('ml-model-version').textContent()).toMatch(/hog-people-opencv/);
  });

  it('the lead attaches it and runs pre-annotation, with progress and a log', async () => {
    await signIn(leadPage, 'ml-lead', 'ml-lead-password');
    await leadPage.goto(`/projects/${projectId}/models`);
    const row = leadPage.locator('[data-testid=ml-backend][data-backend-name=pedestrians]');
    await row.getByTestId('ml-attach').click();
    await row.getByTestId('ml-run').click();
    const run = leadPage.getByTestId('ml-run-row').first();
    await expect.poll(() => run.getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    await expect.poll(() => run.getByTestId('ml-run-progress').textContent()).toBe('1 / 1 items, 1 predictions stored');
    await run.locator('summary').click();
    await expect.poll(() => run.getByTestId('ml-run-log').textContent()).toMatch(/Done: 1 items, 1 predictions stored/);
    await screenshot(leadPage, 'ml-models-tab');
  });

  it('an annotator starts from the pre-filled boxes, rejects one, accepts the rest and submits', async () => {
    await signIn(annotator, 'ml-anno', 'ml-anno-password');
    await annotator.goto(`/projects/${projectId}/work`);
    await annotator.getByTestId('editor-stage').waitFor();
    const rows = annotator.locator('[data-testid=region-row][data-label=pedestrian]');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const proposed = await rows.count();
    await rows.first().getByTestId('region-reject').click();
    await expect.poll(() => rows.count()).toBe(proposed - 1);
    await annotator.getByTestId('accept-all').click();
    await annotator.getByTestId('submit-task').click();
    await expect
      .poll(
        async () => {
          const a = await lead.get(`/api/projects/${projectId}/annotations`);
          return (
            (a.body.annotations as { regions: { label: string }[] }[] | undefined)?.[0]?.regions.filter((r) => r.label === 'pedestrian')
              .length ?? -1
          );
        },
        { timeout: 20_000 },
      )
      .toBe(proposed - 1);
  });
});
