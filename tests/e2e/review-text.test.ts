import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { setUpProject, signedInUser } from '../support/project-setup.ts';

/** Reviewing a Chinese text item: a comment anchored to a text range selected with the keyboard (code points). */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const schema = {
  labels: [
    { name: 'PER', color: '#e6194b', hotkey: 'p', tool: 'span' },
    { name: 'ORG', color: '#3cb44b', hotkey: 'o', tool: 'span' },
  ],
};
const TEXT = '张伟在北京大学工作。';

let browser: Browser;
let page: Page;
let anno: ApiClient;
let projectId = '';

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  const lead = await signedInUser(admin, { name: `tlead-${run}`, role: 'lead', level: 'L2', reviewer: false });
  const a = await signedInUser(admin, { name: `tanno-${run}`, role: 'annotator', level: 'L4', reviewer: false });
  anno = a.client;
  const rev = await signedInUser(admin, { name: `trev-${run}`, role: 'annotator', level: 'L1', reviewer: true });
  projectId = await setUpProject(lead.client, {
    name: `文本审核 ${run}`,
    kind: 'text',
    labelSchema: schema,
    members: [a.id, rev.id],
    reviewPolicy: { sampleRate: 1 },
    text: { name: 'items.jsonl', data: JSON.stringify({ id: 't0', text: TEXT }) },
    queue: true,
  });
  const n = await anno.post(`/api/projects/${projectId}/tasks/next`);
  const s = await anno.post(`/api/tasks/${n.body.task.leaseId}/submit`, {
    submissionId: randomUUID().replace(/-/g, ''),
    regions: [
      { id: 's1', type: 'span', label: 'ORG', start: 0, end: 2 },
      { id: 's2', type: 'span', label: 'ORG', start: 3, end: 7 },
    ],
  });
  expect(s.status).toBe(201);
  browser = await launchBrowser();
  page = await (await newContext(browser, url, 'zh-CN')).newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await signIn(page, `trev-${run}`, `trev-${run}-password`);
});
afterAll(async () => {
  await browser?.close();
});

describe('reviewing a text item', () => {
  it('anchors the reject comment to the characters selected with the keyboard', async () => {
    await page.goto(`/projects/${projectId}/review`);
    await page.getByTestId('review-task').waitFor();
    await expect.poll(() => page.getByTestId('text-span').count()).toBe(2);
    await page.getByTestId('text-content').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => page.getByTestId('review-comment-anchor').inputValue()).toBe('span');
    await page.getByTestId('review-comment-text').fill('张伟是人名，应标 PER');
    await screenshot(page, 'review-text-zh');
    await page.getByTestId('review-reject').click();
    await page.getByTestId('review-empty').waitFor();
    const rework = (await anno.get(`/api/projects/${projectId}/rework`)).body.tasks;
    expect(rework).toHaveLength(1);
    expect(rework[0].comments).toEqual([
      expect.objectContaining({ anchor: { kind: 'span', start: 0, end: 2 }, text: '张伟是人名，应标 PER' }),
    ]);
    expect(rework[0].item).toMatchObject({ kind: 'text', text: TEXT });
  });
});
