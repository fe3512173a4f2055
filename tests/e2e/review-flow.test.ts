import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { pngBuffer } from '../support/fixtures.ts';

/**
 * Live review across three browsers at once: an annotator's submit reaches the reviewer's queue
 * within a second, a reject with a comment on a box reaches the annotator within a second, the
 * annotator fixes it, the reviewer accepts, and the lead's dashboard follows without a reload.
 * Data is set up through the API to keep this short.
 */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const schema = {
  labels: [
    { name: 'car', color: '#e6194b', hotkey: 'c', tool: 'bbox' },
    { name: 'truck', color: '#3cb44b', hotkey: 't', tool: 'bbox' },
  ],
};

let browser: Browser;
let anno: { id: string; name: string; api: ApiClient };
let rev: { id: string; name: string };
let lead: { name: string; api: ApiClient };
let projectId = '';
let itemId = '';
let leaseId = '';
let annoPage: Page;
let revPage: Page;
let leadPage: Page;

async function user(admin: ApiClient, name: string, role: string, level: string, reviewer = false, lang = 'zh-CN'): Promise<{ id: string; name: string; api: ApiClient }> {
  const r = await admin.post('/api/users', { username: name, password: `${name}-password`, role, level, reviewer, lang });
  if (r.status !== 201) throw new Error(`user ${name}: ${JSON.stringify(r.body)}`);
  const api = new ApiClient(url);
  await api.login(name, `${name}-password`);
  return { id: r.body.user.id, name, api };
}

async function page(name: string, locale: string): Promise<Page> {
  const ctx = await newContext(browser, url, locale);
  const p = await ctx.newPage();
  p.on('pageerror', (e) => console.error(`pageerror (${name}):`, e.message));
  await signIn(p, name, `${name}-password`);
  return p;
}

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  const l = await user(admin, `lead-${run}`, 'lead', 'L2', false, 'en');
  lead = { name: l.name, api: l.api };
  anno = await user(admin, `anno-${run}`, 'annotator', 'L4');
  const r = await user(admin, `rev-${run}`, 'annotator', 'L2', true);
  rev = { id: r.id, name: r.name };
  const p = await lead.api.post('/api/projects', { name: `审核 ${run}`, kind: 'image', labelSchema: schema, overlap: 1, goldRate: 0, minLevel: 'L5' });
  if (p.status !== 201) throw new Error(`project: ${JSON.stringify(p.body)}`);
  projectId = p.body.project.id;
  await lead.api.put(`/api/projects/${projectId}/members`, { userIds: [anno.id, rev.id] });
  const cur = (await lead.api.get(`/api/projects/${projectId}`)).body.project;
  const pol = await lead.api.patch(`/api/projects/${projectId}`, { version: cur.version, reviewPolicy: { sampleRate: 1 } });
  if (pol.status !== 200) throw new Error(`policy: ${JSON.stringify(pol.body)}`);
  const imp = await lead.api.upload(`/api/projects/${projectId}/items/images`, 'files', [{ name: 'street.png', data: await pngBuffer(320, 200, '#8aa4c8'), type: 'image/png' }, { name: 'yard.png', data: await pngBuffer(320, 200, '#a8c48a'), type: 'image/png' }]);
  if (imp.status !== 201) throw new Error(`import: ${JSON.stringify(imp.body)}`);
  const q = await lead.api.post(`/api/projects/${projectId}/queue/items`, { all: true });
  if (q.status !== 200) throw new Error(`queue: ${JSON.stringify(q.body)}`);
  // The annotator holds the task now; the submit comes later, while everyone watches.
  const n = await anno.api.post(`/api/projects/${projectId}/tasks/next`);
  if (n.status !== 200) throw new Error(`next: ${JSON.stringify(n.body)}`);
  leaseId = n.body.task.leaseId;
  itemId = n.body.task.item.id;

  browser = await launchBrowser();
  [annoPage, revPage, leadPage] = await Promise.all([page(anno.name, 'zh-CN'), page(rev.name, 'zh-CN'), page(lead.name, 'en-US')]);
});
afterAll(async () => {
  await browser?.close();
});

const tile = (p: Page, id: string) => p.getByTestId(id).getAttribute('data-value');

describe('live review in three browsers', () => {
  it('the reviewer sees a submission within a second, rejects it with a comment on a box, the annotator sees it within a second', async () => {
    // The lead watches the dashboard; the reviewer waits on an empty queue (entered from the project page).
    await leadPage.goto(`/projects/${projectId}/dashboard`);
    await leadPage.getByTestId('dashboard').waitFor();
    expect(await tile(leadPage, 'tile-review')).toBe('0');
    await revPage.goto(`/projects/${projectId}`);
    await revPage.getByTestId('open-review').click();
    await revPage.getByTestId('review-empty').waitFor();
    await annoPage.goto(`/projects/${projectId}`);
    await annoPage.getByTestId('project-title').waitFor();

    const started = Date.now();
    const s = await anno.api.post(`/api/tasks/${leaseId}/submit`, {
      submissionId: randomUUID().replace(/-/g, ''),
      regions: [{ id: 'box1', type: 'bbox', label: 'car', x: 40, y: 30, w: 120, h: 80 }],
    });
    expect(s.status).toBe(201);
    await revPage.locator('[data-testid=review-counts][data-pending="1"], [data-testid=review-task]').first().waitFor({ timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
    // An empty review view draws the new task by itself.
    await revPage.getByTestId('review-task').waitFor({ timeout: 5000 });
    expect(await revPage.getByTestId('review-task').getAttribute('data-item-id')).toBe(itemId);
    // The dashboard's review tile moved without a reload.
    await expect.poll(() => tile(leadPage, 'tile-review'), { timeout: 3000 }).toBe('0');
    await expect.poll(async () => (await leadPage.getByTestId('tile-review').textContent()) ?? '', { timeout: 3000 }).toMatch(/1 in review/);

    // Select the box (region list) and reject with a comment on it.
    await revPage.locator('[data-testid=region-row][data-region-id=box1]').click();
    await expect.poll(() => revPage.getByTestId('review-comment-anchor').inputValue()).toBe('region');
    await revPage.getByTestId('review-comment-text').fill('这不是轿车，是卡车');
    await revPage.waitForTimeout(300); // let the image settle for the screenshot
    await screenshot(revPage, 'review-view-zh');
    const rejected = Date.now();
    await revPage.getByTestId('review-reject').click();
    await annoPage.locator('[data-testid=review-toast][data-verdict=reject]').waitFor({ timeout: 1000 });
    expect(Date.now() - rejected).toBeLessThan(1000);
    expect(await annoPage.getByTestId('review-toast').first().textContent()).toContain('这不是轿车，是卡车');
    expect(await annoPage.getByTestId('inbox-badge').textContent()).toBe('1');
    await revPage.getByTestId('review-empty').waitFor();
    await expect.poll(async () => (await leadPage.getByTestId('tile-review').textContent()) ?? '', { timeout: 3000 }).toMatch(/1 in rework/);
  });

  it('the annotator fixes the box from the rework list, the reviewer gets it back at once and accepts', async () => {
    await annoPage.getByTestId('review-toast').getByRole('link').click();
    await annoPage.getByTestId('rework-row').waitFor();
    await annoPage.getByTestId('rework-open').click();
    const comment = annoPage.getByTestId('comment').first();
    expect(await comment.getAttribute('data-region-id')).toBe('box1');
    expect(await comment.getByTestId('comment-text').textContent()).toBe('这不是轿车，是卡车');
    // The commented box is selected when the item opens.
    await expect.poll(() => annoPage.locator('[data-testid=region-row][data-region-id=box1]').getAttribute('data-selected')).toBe('true');
    await annoPage.getByTestId('selection-label').selectOption('truck');
    await annoPage.waitForTimeout(300);
    await screenshot(annoPage, 'rework-item-zh');
    await annoPage.getByTestId('rework-submit').click();
    await annoPage.getByTestId('rework-done').waitFor();
    await annoPage.getByTestId('rework-empty').waitFor();

    // The waiting reviewer draws the re-review by itself.
    await revPage.getByTestId('review-task').waitFor({ timeout: 3000 });
    expect(await revPage.getByTestId('review-reasons').textContent()).toContain('已返工');
    expect(await revPage.locator('[data-testid=region-row][data-region-id=box1]').getAttribute('data-label')).toBe('truck');
    expect(await revPage.getByTestId('comment').count()).toBe(1);
    const accepted = Date.now();
    await revPage.getByTestId('review-accept').click();
    await annoPage.locator('[data-testid=review-toast][data-verdict=accept]').waitFor({ timeout: 1000 });
    expect(Date.now() - accepted).toBeLessThan(1000);
    await revPage.getByTestId('review-notice').waitFor();
  });

  it('the dashboard shows the verdicts without a reload', async () => {
    await expect.poll(() => tile(leadPage, 'tile-rejection'), { timeout: 3000 }).toBe('0.5');
    expect(await tile(leadPage, 'tile-review')).toBe('0');
    await expect.poll(() => leadPage.getByTestId('annotator-row').count()).toBe(1);
    expect(await leadPage.getByTestId('dashboard-csv').getAttribute('href')).toBe(`/api/projects/${projectId}/dashboard/annotators.csv?lang=en`);
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
    expect(history).toEqual([expect.objectContaining({ verdict: 'fix', originalRegions: [expect.objectContaining({ id: 'box2', label: 'car' })], fixedRegions: [expect.objectContaining({ id: 'box2', label: 'truck' })] })]);
    await expect.poll(() => tile(leadPage, 'tile-rejection'), { timeout: 3000 }).toBe(String(1 / 3));
  });
});
