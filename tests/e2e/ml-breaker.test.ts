import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { setUpProject, signedInUser } from '../support/project-setup.ts';
import { shippedGuideline } from '../support/ml-fixtures.ts';
import { startMinimalBackend, type MinimalBackend } from '../support/ml-minimal-backend.ts';

/**
 * A model backend's circuit breaker in the Models tab: the backend process goes away during a
 * pre-annotation run, the breaker opens after ML_BREAKER_FAILURES failed calls and the lead (en) and
 * the admin (zh-CN) see it paused, with the run waiting; the backend comes back and an admin's
 * health check closes the breaker.
 */

let app: OwnApp;
let backend: MinimalBackend;
let browser: Browser;
let adminPage: Page;
let leadPage: Page;
let projectId = '';

beforeAll(async () => {
  [app, backend] = await Promise.all([
    startOwnApp(
      { mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') },
      { ML_BREAKER_FAILURES: '2', ML_BREAKER_COOLDOWN_MS: '600000' },
    ),
    startMinimalBackend(),
  ]);
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  const lead = (await signedInUser(admin, { name: 'breaker-lead', role: 'lead', level: 'L2', lang: 'en' })).client;
  projectId = await setUpProject(lead, {
    name: 'Breaker',
    kind: 'text',
    labelSchema: shippedGuideline('chinese-ner').labelSchema,
    text: {
      name: 'items.jsonl',
      data: ['张三在北京。', '李四在上海。'].map((text, i) => JSON.stringify({ id: `s${i}`, text })).join('\n'),
    },
  });
  const reg = await admin.post('/api/ml/backends', { name: 'flaky', url: backend.url, allowPrivate: true, timeoutMs: 5000 });
  expect(reg.status).toBe(201);
  expect((await lead.post(`/api/projects/${projectId}/ml/attach`, { backendId: reg.body.backend.id })).status).toBe(200);
  browser = await launchBrowser();
  adminPage = await (await newContext(browser, app.url, 'zh-CN')).newPage();
  leadPage = await (await newContext(browser, app.url, 'en-US')).newPage();
  for (const pg of [adminPage, leadPage]) pg.on('pageerror', (e) => console.error('pageerror:', e.message));
  await signIn(adminPage, 'admin', app.adminPassword);
  await signIn(leadPage, 'breaker-lead', 'breaker-lead-password');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.close(), backend?.close()]);
});

describe('a model backend circuit breaker in the Models tab', () => {
  it('shows the backend paused while it is down and the run waiting, and a health check closes it', async () => {
    const port = Number(new URL(backend.url).port);
    await backend.close();
    await leadPage.goto(`/projects/${projectId}/models`);
    const row = leadPage.locator('[data-testid=ml-backend][data-backend-name=flaky]');
    await row.getByTestId('ml-run').click();
    // Two failed calls (the job's first attempt and its retry) open the breaker; the tab polls.
    const breaker = row.getByTestId('ml-breaker');
    await expect.poll(() => breaker.getAttribute('data-phase'), { timeout: 30_000 }).toBe('open');
    expect(await breaker.textContent()).toMatch(/^Paused after 2 failures until /);
    const run = leadPage.getByTestId('ml-run-row').first();
    expect(await run.getAttribute('data-status')).toBe('running');
    await run.locator('summary').click();
    await expect.poll(() => run.getByTestId('ml-run-log').textContent()).toMatch(/backend unavailable, waiting until/);
    await screenshot(leadPage, 'ml-breaker-open-en');

    await adminPage.goto(`/projects/${projectId}/models`);
    const adminRow = adminPage.locator('[data-testid=ml-backend][data-backend-name=flaky]');
    await expect.poll(() => adminRow.getByTestId('ml-breaker').textContent()).toMatch(/^连续失败 2 次，暂停调用至 /);
    // The run log is in the reader's language too, with the time in their locale (not an ISO stamp).
    const adminRun = adminPage.getByTestId('ml-run-row').first();
    await adminRun.locator('summary').click();
    await expect.poll(() => adminRun.getByTestId('ml-run-log').textContent()).toMatch(/第 \d+–\d+ 条：.*后端不可用，熔断器已打开，等待至 /);
    expect(await adminRun.getByTestId('ml-run-log').textContent()).not.toMatch(/\d{4}-\d\d-\d\dT|backend unavailable/);
    // Back on its port, the backend answers the admin's health check: the breaker closes.
    backend = await startMinimalBackend(port);
    await adminRow.getByTestId('ml-check').click();
    await expect.poll(() => adminRow.getByTestId('ml-health').getAttribute('data-status')).toBe('up');
    await expect.poll(() => adminRow.getByTestId('ml-breaker').count()).toBe(0);
  }, 120_000);
});
