import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';

/** Reviewing a Chinese text item: a comment anchored to a text range selected with the keyboard (code points). */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const schema = { labels: [{ name: 'PER', color: '#e6194b', hotkey: 'p', tool: 'span' }, { name: 'ORG', color: '#3cb44b', hotkey: 'o', tool: 'span' }] };
const TEXT = '张伟在北京大学工作。';

let browser: Browser;
let page: Page;
let anno: ApiClient;
let projectId = '';

async function user(admin: ApiClient, name: string, role: string, level: string, reviewer = false): Promise<{ id: string; api: ApiClient }> {
  const r = await admin.post('/api/users', { username: name, password: `${name}-password`, role, level, reviewer });
  if (r.status !== 201) throw new Error(`user ${name}: ${JSON.stringify(r.body)}`);
  const api = new ApiClient(url);
  await api.login(name, `${name}-password`);
  return { id: r.body.user.id, api };
}

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  const lead = await user(admin, `tlead-${run}`, 'lead', 'L2');
  const a = await user(admin, `tanno-${run}`, 'annotator', 'L4');
  anno = a.api;
  const rev = await user(admin, `trev-${run}`, 'annotator', 'L1', true);
  const p = await lead.api.post('/api/projects', { name: `文本审核 ${run}`, kind: 'text', labelSchema: schema, overlap: 1, goldRate: 0, minLevel: 'L5' });
  projectId = p.body.project.id;
  await lead.api.put(`/api/projects/${projectId}/members`, { userIds: [a.id, rev.id] });
  const cur = (await lead.api.get(`/api/projects/${projectId}`)).body.project;
  expect((await lead.api.patch(`/api/projects/${projectId}`, { version: cur.version, reviewPolicy: { sampleRate: 1 } })).status).toBe(200);
  expect((await lead.api.upload(`/api/projects/${projectId}/items/text`, 'file', [{ name: 'items.jsonl', data: JSON.stringify({ id: 't0', text: TEXT }) }])).status).toBe(201);
  expect((await lead.api.post(`/api/projects/${projectId}/queue/items`, { all: true })).status).toBe(200);
  const n = await anno.post(`/api/projects/${projectId}/tasks/next`);
  const s = await anno.post(`/api/tasks/${n.body.task.leaseId}/submit`, {
    submissionId: randomUUID().replace(/-/g, ''),
    regions: [{ id: 's1', type: 'span', label: 'ORG', start: 0, end: 2 }, { id: 's2', type: 'span', label: 'ORG', start: 3, end: 7 }],
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
    expect(rework[0].comments).toEqual([expect.objectContaining({ anchor: { kind: 'span', start: 0, end: 2 }, text: '张伟是人名，应标 PER' })]);
    expect(rework[0].item).toMatchObject({ kind: 'text', text: TEXT });
  });
});
