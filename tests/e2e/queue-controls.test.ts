import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { setUpProject } from '../support/project-setup.ts';
import { page, user, type Actor } from '../support/review-setup.ts';

/** The lead's queue controls from the Queue tab: priority of what is put up, and overlap for new items. */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const schema = {
  labels: [
    { name: 'pos', color: '#2f9e44', hotkey: 'p', tool: 'class-single' },
    { name: 'neg', color: '#e03131', hotkey: 'n', tool: 'class-single' },
  ],
};
let browser: Browser;
let lead: Actor;
let anno: Actor;
let projectId = '';

const importTexts = async (texts: string[]): Promise<void> => {
  const r = await lead.api.upload(`/api/projects/${projectId}/items/text`, 'file', [
    { name: `batch-${randomUUID().slice(0, 4)}.jsonl`, data: texts.map((text) => JSON.stringify({ text })).join('\n') },
  ]);
  expect(r.status).toBe(201);
};

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  lead = await user(admin, url, `qlead-${run}`, 'lead', 'L2', false, 'zh-CN');
  anno = await user(admin, url, `qanno-${run}`, 'annotator', 'L4');
  projectId = await setUpProject(lead.api, { name: `队列 ${run}`, kind: 'text', labelSchema: schema, members: [anno.id] });
  // An item already waiting at the default priority (50).
  await importTexts(['早到的条目']);
  expect((await lead.api.post(`/api/projects/${projectId}/queue/items`, { all: true })).status).toBe(200);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('queue controls', () => {
  it('puts new items up at a higher priority (served first) and changes overlap for items put up later', async () => {
    await importTexts(['加急的条目']);
    const leadPage = await page(browser, url, lead.name, 'zh-CN');
    await leadPage.goto(`${url}/projects/${projectId}/queue`);
    await leadPage.getByTestId('queue-tab').waitFor();
    await leadPage.getByTestId('queue-priority').fill('80');
    await leadPage.getByTestId('queue-all').click();
    await expect.poll(async () => (await leadPage.getByTestId('queue-count-items-queued').textContent())?.trim()).toBe('2');
    // The urgent item, put up later at priority 80, is served before the one waiting at 50.
    const next = await anno.api.post(`/api/projects/${projectId}/tasks/next`);
    expect(next.status).toBe(200);
    expect(next.body.task.item.text).toBe('加急的条目');
    expect((await anno.api.post(`/api/tasks/${next.body.task.leaseId}/release`)).status).toBe(200);

    // Overlap 1 → 3 for items put up from now on.
    await leadPage.getByTestId('queue-overlap').fill('3');
    await leadPage.getByTestId('queue-overlap-save').click();
    await expect.poll(async () => (await lead.api.get(`/api/projects/${projectId}`)).body.project.overlap).toBe(3);
    await expect.poll(() => leadPage.getByTestId('queue-overlap-save').isDisabled()).toBe(true);
    const before = (await lead.api.get(`/api/projects/${projectId}/queue`)).body.counts.waiting;
    await importTexts(['三人标注的条目']);
    await leadPage.getByTestId('queue-all').click();
    // The new item is three tasks; the two already queued keep one each.
    await expect.poll(async () => (await lead.api.get(`/api/projects/${projectId}/queue`)).body.counts.waiting).toBe(before + 3);
    await screenshot(leadPage, 'queue-controls-zh');
  });

  it('refuses an out-of-range priority from the API with a field error', async () => {
    const r = await lead.api.post(`/api/projects/${projectId}/queue/items`, { all: true, priority: 0 });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
  });
});
