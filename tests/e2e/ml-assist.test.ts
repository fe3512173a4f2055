import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rectIou, type BBoxRegion } from '@labelwork/core';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { dragImage } from '../support/editor-driver.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { createUser, setUpProject, signedInUser } from '../support/project-setup.ts';
import { pedestrianScene, shippedGuideline } from '../support/ml-fixtures.ts';
import { startPythonBackend, type BackendProc } from '../../scripts/ml-backends.ts';

/**
 * Interactive assistance and the annotation webhook in the browser: an admin registers the
 * pedestrian reference backend as interactive, the lead attaches it and turns its webhook on in
 * the Models tab; an annotator picks Assist, drags a rough box around a person, the detector's
 * box appears as an ordinary region, and it is what the submit stores; the webhook is sent.
 */

let app: OwnApp;
let backend: BackendProc;
let browser: Browser;
let lead: ApiClient;
let adminPage: Page;
let leadPage: Page;
let annotator: Page;
let projectId = '';
let scene: Awaited<ReturnType<typeof pedestrianScene>>;

beforeAll(async () => {
  [app, backend, scene] = await Promise.all([
    startOwnApp({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') }),
    startPythonBackend('pedestrians'),
    pedestrianScene(),
  ]);
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  lead = (await signedInUser(admin, { name: 'assist-lead', role: 'lead', level: 'L2', lang: 'en' })).client;
  const annoId = await createUser(admin, { name: 'assist-anno', role: 'annotator', level: 'L4', lang: 'zh-CN' });
  projectId = await setUpProject(lead, {
    name: 'Pedestrians (assist)',
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

describe('interactive assistance', () => {
  it('an admin registers the pedestrian backend as interactive; the lead attaches it and turns its webhook on', async () => {
    await adminPage.goto(`/projects/${projectId}/models`);
    await adminPage.getByTestId('ml-add-name').fill('pedestrians');
    await adminPage.getByTestId('ml-add-url').fill(backend.url);
    await adminPage.getByTestId('ml-add-private').check();
    await adminPage.getByTestId('ml-add-interactive').check();
    await adminPage.getByTestId('ml-add-submit').click();
    const adminRow = adminPage.locator('[data-testid=ml-backend][data-backend-name=pedestrians]');
    await adminRow.getByTestId('ml-interactive').waitFor();

    await signIn(leadPage, 'assist-lead', 'assist-lead-password');
    await leadPage.goto(`/projects/${projectId}/models`);
    const row = leadPage.locator('[data-testid=ml-backend][data-backend-name=pedestrians]');
    await row.getByTestId('ml-attach').click();
    const toggle = row.getByTestId('ml-webhook-toggle');
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(false);
    // A controlled switch: it shows the state the server answered.
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    await expect.poll(() => row.getByTestId('ml-webhook-stats').textContent()).toBe(' Webhook: 0 sent, 0 failed');
  });

  it('an annotator picks Assist, drags a rough box around a person, and the detector box is added and submitted', async () => {
    await signIn(annotator, 'assist-anno', 'assist-anno-password');
    await annotator.goto(`/projects/${projectId}/work`);
    await annotator.getByTestId('editor-stage').waitFor();
    const tool = annotator.getByTestId('tool-assist');
    await tool.waitFor();
    await tool.click();
    await expect.poll(() => annotator.getByTestId('tool-hint').textContent()).toMatch(/辅助/);
    const fig = scene.figures[0]!;
    const hint = { x: fig.x - 25, y: fig.y - 20, w: fig.w + 50, h: fig.h + 35 };
    await dragImage(annotator, scene, { x: hint.x, y: hint.y }, { x: hint.x + hint.w, y: hint.y + hint.h });
    const rows = annotator.locator('[data-testid=region-row][data-label=pedestrian]');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => annotator.getByTestId('assist-notice').textContent()).toMatch(/模型添加了 1 个区域/);
    await screenshot(annotator, 'ml-assist');
    // An ordinary region: undo takes it away, redo brings it back.
    await annotator.getByTestId('undo').click();
    await expect.poll(() => rows.count()).toBe(0);
    await annotator.getByTestId('redo').click();
    await expect.poll(() => rows.count()).toBe(1);
    await annotator.getByTestId('submit-task').click();
    await expect
      .poll(
        async () => {
          const a = await lead.get(`/api/projects/${projectId}/annotations`);
          return ((a.body.annotations as { regions: BBoxRegion[] }[] | undefined)?.[0]?.regions ?? []).length;
        },
        { timeout: 20_000 },
      )
      .toBe(1);
    const a = await lead.get(`/api/projects/${projectId}/annotations`);
    const [box] = (a.body.annotations as { regions: BBoxRegion[] }[])[0]!.regions;
    expect(box).toMatchObject({ type: 'bbox', label: 'pedestrian' });
    // The model's box around the person, not the rough box dragged.
    expect(rectIou(box!, fig)).toBeGreaterThan(0.3);
    expect(Math.abs(box!.x - hint.x) + Math.abs(box!.w - hint.w)).toBeGreaterThan(2);
  });

  it('the lead sees the webhook of that submit sent', async () => {
    await leadPage.reload();
    const row = leadPage.locator('[data-testid=ml-backend][data-backend-name=pedestrians]');
    await expect
      .poll(
        async () => {
          await leadPage.reload();
          return row.getByTestId('ml-webhook-stats').textContent();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(' Webhook: 1 sent, 0 failed');
    await row.getByTestId('ml-webhook').locator('summary').click();
    await expect.poll(() => row.getByTestId('ml-webhook-log').textContent()).toMatch(/ANNOTATION_CREATED item #1 .* sent/);
  });
});
