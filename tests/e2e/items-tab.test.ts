import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { setUpProject } from '../support/project-setup.ts';
import { page as signedInPage, user, type Actor } from '../support/review-setup.ts';

// Issue #10 items 8, 16 and 18 (import part): the Items tab searches, filters, deletes and links to
// items; a second upload of the same files is noticed; import errors stack, are in Chinese, and a
// failed upload keeps the selection.

const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const files = mkdtempSync(path.join(tmpdir(), 'lw-e2e-items-'));
const imageSchema = { labels: [{ name: 'car', color: '#e6194b', tool: 'bbox' }] };
const textSchema = { labels: [{ name: 'PER', color: '#e6194b', tool: 'span' }] };
let browser: Browser;
let lead: Actor;
let anno: Actor;
let page: Page;
let projectId = '';

const rows = () => page.getByTestId('item-row');
const names = () => page.locator('[data-testid=item-row] [data-testid=item-link]').allTextContents();

async function uploadFiles(paths: string[]): Promise<void> {
  await page.getByTestId('tab-import').click();
  await page.getByTestId('import-images-input').setInputFiles(paths);
  await page.getByTestId('import-submit').click();
}

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  lead = await user(admin, url, `ilead-${run}`, 'lead', 'L2', false, 'zh-CN');
  anno = await user(admin, url, `ianno-${run}`, 'annotator', 'L4');
  projectId = await setUpProject(lead.api, { name: `条目 ${run}`, kind: 'image', labelSchema: imageSchema, members: [anno.id] });
  for (const [name, color] of [
    ['cat-a.png', '#aa0000'],
    ['cat-b.png', '#00aa00'],
    ['dog-c.png', '#0000aa'],
    ['dog-d.png', '#aaaa00'],
  ] as const) {
    writeFileSync(path.join(files, name), await pngBuffer(64, 48, color));
  }
  writeFileSync(path.join(files, 'broken.png'), 'this is not an image');
  browser = await launchBrowser();
  page = await signedInPage(browser, url, lead.name, 'zh-CN');
  await page.goto(`${url}/projects/${projectId}/import`);
});
afterAll(async () => {
  await browser?.close();
});

describe('the Items tab', () => {
  it('keeps the selection after a failed upload, with the error stacked and in Chinese', async () => {
    await uploadFiles([path.join(files, 'cat-a.png'), path.join(files, 'broken.png')]);
    await page.locator('[data-testid=import-status][data-phase=failed]').waitFor();
    const summary = page.getByTestId('import-summary');
    const list = page.getByTestId('import-errors');
    expect(await summary.textContent()).toContain('有 1 个文件被拒绝');
    expect(await list.textContent()).toContain('broken.png：不是 PNG、JPEG、WebP 或 SVG 图像');
    // Title and list stack (one column), they are not spread side by side.
    const [s, l] = [await summary.boundingBox(), await list.boundingBox()];
    expect(l!.y).toBeGreaterThanOrEqual(s!.y + s!.height - 1);
    expect(Math.abs(l!.x - s!.x)).toBeLessThan(30);
    // The files are still selected: the person can drop the bad one and retry.
    expect(await page.getByTestId('import-selected').textContent()).toContain('2');
    await screenshot(page, 'import-failed-kept-zh');
  });

  it('imports, then notices the same files uploaded again and skips them', async () => {
    await page.getByTestId('import-clear').click();
    await uploadFiles(['cat-a.png', 'cat-b.png', 'dog-c.png'].map((n) => path.join(files, n)));
    await page.locator('[data-testid=import-status][data-phase=done]').waitFor();
    expect(await page.getByTestId('import-selected').count()).toBe(0);
    await uploadFiles(['cat-a.png', 'cat-b.png', 'dog-d.png'].map((n) => path.join(files, n)));
    await page.locator('[data-testid=import-status][data-phase=done]').waitFor();
    expect(await page.getByTestId('import-duplicate-notice').textContent()).toContain('已跳过 2 个重复项');
    expect(await page.getByTestId('import-duplicates').textContent()).toContain('cat-a.png：与条目 #1 相同');
    await screenshot(page, 'import-duplicates-zh');
    await page.getByTestId('tab-items').click();
    await expect.poll(names).toEqual(['cat-a.png', 'cat-b.png', 'dog-c.png', 'dog-d.png']);
  });

  it('searches by name and filters by import and status', async () => {
    await page.getByTestId('items-search').fill('DOG');
    await expect.poll(names).toEqual(['dog-c.png', 'dog-d.png']);
    await page.getByTestId('items-search').fill('');
    await expect.poll(() => rows().count()).toBe(4);
    const imports = page.getByTestId('items-filter-import').locator('option');
    await expect.poll(() => imports.count()).toBe(3);
    // Imports are listed newest first: the second upload brought only dog-d.png.
    await page.getByTestId('items-filter-import').selectOption({ index: 1 });
    await expect.poll(names).toEqual(['dog-d.png']);
    await page.getByTestId('items-filter-import').selectOption('');
    await page.getByTestId('items-filter-status').selectOption('complete');
    await page.getByTestId('items-no-match').waitFor();
    await page.getByTestId('items-filter-status').selectOption('new');
    await expect.poll(() => rows().count()).toBe(4);
    await page.getByTestId('items-filter-status').selectOption('');
  });

  it('links a file name to the item view', async () => {
    const row = rows().filter({ hasText: 'cat-b.png' });
    const id = await row.getAttribute('data-item-id');
    await row.getByTestId('item-link').click();
    await page.locator(`[data-testid=item-page][data-item-id="${id}"]`).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/projects/${projectId}/items/${id}`);
    await page.goBack();
    await expect.poll(() => rows().count()).toBe(4);
  });

  it('deletes selected items after asking, keeping the one with an annotation', async () => {
    expect((await lead.api.post(`/api/projects/${projectId}/queue/items`, { all: true })).status).toBe(200);
    const task = await anno.api.post(`/api/projects/${projectId}/tasks/next`);
    expect(task.status).toBe(200);
    const submit = await anno.api.post(`/api/tasks/${task.body.task.leaseId}/submit`, {
      submissionId: randomUUID().replace(/-/g, ''),
      regions: [{ id: 'r', type: 'bbox', label: 'car', x: 1, y: 1, w: 9, h: 9 }],
    });
    expect(submit.status).toBe(201);
    const annotated = task.body.task.item.id as string;
    await page.reload();
    await expect.poll(() => rows().count()).toBe(4);
    await page.getByTestId('items-select-page').check();
    expect(await page.getByTestId('items-selected-count').textContent()).toContain('4');
    await page.getByTestId('items-delete').click();
    await page.getByTestId('items-delete-confirm').waitFor();
    await page.getByTestId('items-delete-no').click();
    expect(await rows().count()).toBe(4);
    await page.getByTestId('items-delete').click();
    await page.getByTestId('items-delete-yes').click();
    // One of them has an annotation: nothing is deleted, and the others are offered.
    await page.getByTestId('items-delete-annotated').waitFor();
    expect(await rows().count()).toBe(4);
    await screenshot(page, 'items-delete-annotated-zh');
    await page.getByTestId('items-delete-others').click();
    await expect.poll(async () => (await page.getByTestId('items-delete-result').textContent()) ?? '').toContain('已删除 3 个条目');
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().getAttribute('data-item-id')).toBe(annotated);
    expect((await lead.api.get(`/api/projects/${projectId}`)).body.project.counts.items).toBe(1);
  });
});

describe('text import messages in Chinese', () => {
  it('says an empty file is empty and gives each bad line its reason in Chinese', async () => {
    const p = await lead.api.post('/api/projects', { name: `文本 ${run}`, kind: 'text', labelSchema: textSchema });
    const textProject = p.body.project.id as string;
    const empty = path.join(files, 'empty.jsonl');
    writeFileSync(empty, '\n');
    await page.goto(`${url}/projects/${textProject}/import`);
    await page.getByTestId('import-text-input').setInputFiles(empty);
    await page.getByTestId('import-submit').click();
    await page.locator('[data-testid=import-status][data-phase=failed]').waitFor();
    expect(await page.getByTestId('import-summary').textContent()).toBe('文件是空的，未导入任何内容。');
    const bad = path.join(files, 'bad.jsonl');
    writeFileSync(bad, ['{"text":"好"}', '{"text":', '{"nope":1}', '{"text":"x","meta":{"$a":1}}'].join('\n'));
    await page.getByTestId('import-text-input').setInputFiles(bad);
    await page.getByTestId('import-submit').click();
    await page.locator('[data-testid=import-status][data-phase=failed]').waitFor();
    expect(await page.getByTestId('import-summary').textContent()).toBe('有 3 行无效，未导入任何内容。');
    const lines = await page.getByTestId('import-errors').locator('li').allTextContents();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('不是有效的 JSON');
    expect(lines[1]).toContain('“text”缺失或类型不对');
    expect(lines[2]).toContain('meta 的键“$a”');
    for (const l of lines) expect(l).not.toMatch(/not valid|Invalid input|must not/);
    await screenshot(page, 'import-errors-zh');
  });
});
