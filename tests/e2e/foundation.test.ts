import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pngBuffer, jpegBuffer } from '../support/fixtures.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';

let browser: Browser;
let page: Page;
const url = inject('appUrl');
const files = mkdtempSync(path.join(tmpdir(), 'lw-e2e-files-'));

beforeAll(async () => {
  browser = await launchBrowser();
  const ctx = await newContext(browser, url, 'zh-CN');
  page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  page.on('dialog', (d) => void d.accept());
});
afterAll(async () => {
  await browser?.close();
});

async function addLabel(p: Page, name: string, tool: string, hotkey?: string): Promise<void> {
  // A new form starts with one empty label row; use it before adding more.
  const rows = p.getByTestId('label-row');
  const reuse = (await rows.count()) > 0 && (await rows.last().getByTestId('label-name').inputValue()) === '';
  if (!reuse) await p.getByTestId('add-label').click();
  const row = rows.last();
  await row.getByTestId('label-name').fill(name);
  await row.getByTestId('label-tool').selectOption(tool);
  if (hotkey !== undefined) await row.getByTestId('label-hotkey').fill(hotkey);
}

describe('a lead sets up a project in the browser', () => {
  it('the admin signs in and creates a lead account', async () => {
    await signIn(page, 'admin', inject('adminPassword'));
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.getByTestId('nav-users').click();
    await page.getByTestId('new-user-username').fill('lead-wang');
    await page.getByTestId('new-user-display-name').fill('王组长');
    await page.getByTestId('new-user-password').fill('lead-wang-password');
    await page.getByTestId('new-user-role').selectOption('lead');
    await page.getByTestId('new-user-level').selectOption('L2');
    await page.getByTestId('create-user-submit').click();
    await page.getByTestId('create-user-done').waitFor();
    await expect.poll(() => page.getByTestId('user-row').filter({ hasText: 'lead-wang' }).count()).toBe(1);
    await screenshot(page, 'users-admin-zh');
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-username').waitFor();
  });

  it('the lead creates an image project with a label schema, including a keypoint skeleton', async () => {
    await signIn(page, 'lead-wang', 'lead-wang-password');
    await page.getByTestId('new-project').click();
    await page.getByTestId('project-name').fill('路口车辆 <img src=x onerror="window.__xss=1">');
    await page.getByTestId('project-kind').selectOption('image');
    await page.getByTestId('project-overlap').fill('3');
    await addLabel(page, 'car', 'bbox', 'c');
    await addLabel(page, 'pedestrian', 'bbox', 'e');
    await addLabel(page, 'pose', 'keypoints', 'j');
    const pose = page.getByTestId('label-row').last();
    for (const name of ['head', 'hand']) {
      await pose.getByTestId('add-point').click();
      await pose.getByTestId('label-point').last().fill(name);
    }
    await pose.getByTestId('add-edge').click();
    await pose.getByTestId('edge-from').last().selectOption('head');
    await pose.getByTestId('edge-to').last().selectOption('hand');
    await screenshot(page, 'project-form-zh');
    await page.getByTestId('project-save').click();
    await page.getByTestId('project-title').waitFor();
    // Markup in a name is shown as text, never run.
    await expect.poll(() => page.getByTestId('project-title').textContent()).toContain('<img src=x');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('refuses a clashing hotkey with the error next to the field', async () => {
    await page.getByTestId('tab-settings').click();
    const rows = page.getByTestId('label-row');
    await rows.nth(1).getByTestId('label-hotkey').fill('c');
    await page.getByTestId('project-save').click();
    await expect.poll(() => rows.nth(1).locator('.field__error').count()).toBeGreaterThan(0);
    await rows.nth(1).getByTestId('label-hotkey').fill('e');
  });

  it('imports images and lists them with thumbnails', async () => {
    const a = path.join(files, '路口-001.png');
    const b = path.join(files, 'crossing-002.jpg');
    writeFileSync(a, await pngBuffer(800, 600, '#4a7'));
    writeFileSync(b, await jpegBuffer(640, 480));
    await page.getByTestId('tab-import').click();
    await page.getByTestId('import-images-input').setInputFiles([a, b]);
    await page.getByTestId('import-submit').click();
    await page.locator('[data-testid=import-status][data-phase=done]').waitFor();
    await page.getByTestId('tab-items').click();
    await expect.poll(() => page.getByTestId('item-row').count()).toBe(2);
    await expect
      .poll(() =>
        page
          .getByTestId('item-thumb')
          .first()
          .evaluate((img) => (img as HTMLImageElement).naturalWidth),
      )
      .toBeGreaterThan(0);
    await screenshot(page, 'items-images-zh');
  });

  it('creates a text project from the Chinese NER guideline and imports Chinese JSONL exactly', async () => {
    await page.getByTestId('nav-projects').click();
    await page.getByTestId('new-project').click();
    await page.getByTestId('project-name').fill('新闻实体 2026');
    await page.getByTestId('project-kind').selectOption('text');
    await page.getByTestId('project-guideline').selectOption('chinese-ner@1.0');
    await page.getByTestId('load-labels-from-guideline').click();
    await expect.poll(() => page.getByTestId('label-row').count()).toBeGreaterThanOrEqual(4);
    await page.getByTestId('project-save').click();
    await page.getByTestId('project-title').waitFor();
    const texts = ['华为公司在深圳发布了Mate 60。', '😀张伟去了北京大学。', '<b>不是粗体</b> & 𠀀'];
    const jsonl = path.join(files, '新闻.jsonl');
    writeFileSync(jsonl, texts.map((text, i) => JSON.stringify({ text, id: `n${i}` })).join('\n'));
    await page.getByTestId('tab-import').click();
    await page.getByTestId('import-text-input').setInputFiles(jsonl);
    await page.getByTestId('import-submit').click();
    await page.locator('[data-testid=import-status][data-phase=done]').waitFor();
    await page.getByTestId('tab-items').click();
    await expect.poll(() => page.getByTestId('item-text').allTextContents()).toEqual(texts);
    await screenshot(page, 'items-text-zh');
    await page.getByTestId('tab-guideline').click();
    await expect.poll(() => page.getByTestId('guideline-body').textContent()).toContain('PER');
    await screenshot(page, 'guideline-zh');
  });

  it('shows import errors with line numbers and imports nothing', async () => {
    const bad = path.join(files, 'bad.jsonl');
    writeFileSync(bad, ['{"text":"好"}', '{"text":', '{"nope":1}'].join('\n'));
    await page.getByTestId('tab-import').click();
    await page.getByTestId('import-text-input').setInputFiles(bad);
    await page.getByTestId('import-submit').click();
    await page.locator('[data-testid=import-status][data-phase=failed]').waitFor();
    const errors = await page.getByTestId('import-errors').textContent();
    expect(errors).toContain('2');
    expect(errors).toContain('3');
    await page.getByTestId('tab-items').click();
    await expect.poll(() => page.getByTestId('item-row').count()).toBe(3);
  });

  it('switches the UI between 中文 and English', async () => {
    const nav = page.getByTestId('nav-projects');
    const zh = await nav.textContent();
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    await expect.poll(() => nav.textContent()).not.toBe(zh);
    await screenshot(page, 'items-text-en');
    await page.reload();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByTestId('lang-zh-CN').click();
    await expect.poll(() => nav.textContent()).toBe(zh);
  });
});
