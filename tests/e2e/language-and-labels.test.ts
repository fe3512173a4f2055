import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot } from '../support/browser.ts';
import { setUpProject } from '../support/project-setup.ts';
import { page, user, type Actor } from '../support/review-setup.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { sid } from '../support/tasks.ts';
import { drawBox, fitView } from '../support/editor-driver.ts';

/**
 * Issue #10 items 13–15, 6 and 18: the language rule around sign-in, field errors that follow a
 * language switch, removing labels in use (merge / retire, number keys) and the layout of the
 * projects page and Queue tab in both languages.
 */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
let browser: Browser;
let admin: ApiClient;
let lead: Actor;
let anno: Actor;

beforeAll(async () => {
  admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  lead = await user(admin, url, `llead-${run}`, 'lead', 'L2', false, 'en');
  anno = await user(admin, url, `lanno-${run}`, 'annotator', 'L4', false, 'en');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const htmlLang = (p: Page) => p.evaluate(() => document.documentElement.lang);

async function signInOn(p: Page, name: string): Promise<void> {
  await p.getByTestId('login-username').fill(name);
  await p.getByTestId('login-password').fill(`${name}-password`);
  await p.getByTestId('login-submit').click();
  await p.getByTestId('nav-projects').waitFor();
}

async function signOut(p: Page): Promise<void> {
  await p.getByTestId('user-menu').click();
  await p.getByTestId('sign-out').click();
  await p.getByTestId('login-username').waitFor();
}

describe('language around sign-in', () => {
  it('keeps the language last used on the device on the sign-in page, and a choice made there after sign-in', async () => {
    const ctx = await newContext(browser, url, 'en-US');
    const p = await ctx.newPage();
    await p.goto('/');
    await p.getByTestId('login-username').waitFor();
    // A new device follows the browser.
    expect(await htmlLang(p)).toBe('en');
    await p.getByTestId('lang-zh-CN').click();
    // The choice outlives a reload of the sign-in page (it did not: the flag lived in page memory).
    await p.reload();
    await p.getByTestId('login-username').waitFor();
    expect(await htmlLang(p)).toBe('zh-CN');
    // After sign-in the account (en) does not flip the UI back: the choice is kept and saved.
    await signInOn(p, lead.name);
    expect(await htmlLang(p)).toBe('zh-CN');
    await expect.poll(async () => (await lead.api.get('/api/auth/me')).body.user.lang).toBe('zh-CN');
    await p.reload();
    await p.getByTestId('nav-projects').waitFor();
    expect(await htmlLang(p)).toBe('zh-CN');
    // Signed out, the sign-in page stays in the language last used here.
    await signOut(p);
    expect(await htmlLang(p)).toBe('zh-CN');
    await ctx.close();
  });

  it('uses the account language when nobody switched on this device, and remembers it for the next sign-in page', async () => {
    const ctx = await newContext(browser, url, 'zh-CN');
    const p = await ctx.newPage();
    await p.goto('/');
    await p.getByTestId('login-username').waitFor();
    expect(await htmlLang(p)).toBe('zh-CN');
    await signInOn(p, anno.name);
    expect(await htmlLang(p)).toBe('en');
    expect((await anno.api.get('/api/auth/me')).body.user.lang).toBe('en');
    // In no project yet, the empty list says what happens next and links to Training (it said only "No projects here yet.").
    await p.getByTestId('projects-empty').waitFor();
    expect(await p.getByTestId('projects-empty').textContent()).toContain('A lead adds you to a project');
    expect(await p.getByTestId('projects-empty-training').getAttribute('href')).toBe('/training');
    await signOut(p);
    await p.reload();
    await p.getByTestId('login-username').waitFor();
    expect(await htmlLang(p)).toBe('en');
    await ctx.close();
  });
});

describe('field errors follow the language', () => {
  it('shows the password rule in Chinese and re-translates it on switching to English', async () => {
    // The e2e admin's password is not `<name>-password`: sign in by hand.
    const ctx = await newContext(browser, url, 'zh-CN');
    const q = await ctx.newPage();
    await q.goto('/');
    await q.getByTestId('login-username').fill('admin');
    await q.getByTestId('login-password').fill(inject('adminPassword'));
    await q.getByTestId('login-submit').click();
    await q.getByTestId('nav-projects').waitFor();
    await q.getByTestId('lang-zh-CN').click();
    await q.goto(`${url}/users`);
    await q.getByTestId('new-user-username').fill(`短密码${run}`);
    await q.getByTestId('new-user-password').fill('short');
    await q.getByTestId('create-user-submit').click();
    const form = q.getByTestId('create-user-form');
    await expect.poll(() => form.textContent()).toContain('至少需要 10 个字符。');
    expect(await form.textContent()).not.toContain('must be at least');
    await q.getByTestId('lang-en').click();
    await expect.poll(() => form.textContent()).toContain('Must be at least 10 characters.');
    expect(await form.textContent()).not.toContain('至少需要');
    // Back to the admin's default language for other tests.
    await q.getByTestId('lang-zh-CN').click();
    await expect.poll(async () => (await admin.get('/api/auth/me')).body.user.lang).toBe('zh-CN');
    await ctx.close();
  });

  it('numbers labels from 1 and refuses a hotkey that is an editor shortcut, in the UI language', async () => {
    const p = await page(browser, url, lead.name, 'zh-CN');
    await p.getByTestId('lang-zh-CN').click();
    await p.goto(`${url}/projects/new`);
    await p.getByTestId('project-name').fill(`键 ${run}`);
    await p.getByTestId('project-kind').selectOption('image');
    await p.getByTestId('add-label').click();
    await p.getByTestId('add-label').click();
    const rows = p.getByTestId('label-row');
    await rows.nth(0).getByTestId('label-name').fill('car');
    await rows.nth(1).getByTestId('label-name').fill('ignore');
    await rows.nth(1).getByTestId('label-hotkey').fill('1');
    await rows.nth(0).getByTestId('label-hotkey').fill('1');
    await p.getByTestId('project-form').locator('button[type=submit]').click();
    await expect.poll(() => rows.nth(1).textContent()).toContain('快捷键“1”已被第 1 个标签使用。');
    await rows.nth(1).getByTestId('label-hotkey').fill('0');
    await expect.poll(() => rows.nth(1).textContent()).toContain('快捷键“0”是编辑器“原始大小（1:1）”的按键，请换一个键。');
    await p.getByTestId('lang-en').click();
    await expect
      .poll(() => rows.nth(1).textContent())
      .toContain('Hotkey "0" is the editor\'s key for "Actual size (1:1)": choose another key.');
    await p.context().close();
  });
});

describe('removing labels that stored work uses', () => {
  it('warns with the count, merges into another label or retires it, and says which number keys change', async () => {
    const schema = {
      labels: [
        { name: 'pos', color: '#2f9e44', tool: 'class-single' },
        { name: 'neg', color: '#e03131', tool: 'class-single' },
        { name: 'meh', color: '#1c7ed6', tool: 'class-single' },
        { name: 'PER', color: '#ae3ec9', tool: 'span', hotkey: 'q' },
      ],
    };
    const projectId = await setUpProject(lead.api, {
      name: `标签 ${run}`,
      kind: 'text',
      labelSchema: schema,
      members: [anno.id],
      text: { name: 'x.jsonl', data: ['一', '二', '三'].map((text) => JSON.stringify({ text })).join('\n') },
      queue: true,
    });
    for (const label of ['neg', 'meh']) {
      const n = await anno.api.post(`/api/projects/${projectId}/tasks/next`);
      const s = await anno.api.post(`/api/tasks/${n.body.task.leaseId}/submit`, {
        submissionId: sid(),
        durationMs: 1000,
        regions: [{ id: 'c', type: 'class', label }],
      });
      expect(s.status).toBe(201);
    }

    const p = await page(browser, url, lead.name, 'en');
    await p.getByTestId('lang-en').click();
    await p.goto(`${url}/projects/${projectId}/settings`);
    const rows = p.getByTestId('label-row');
    await rows.nth(0).waitFor();
    // Remove "neg" (1 region): merge it into "pos".
    await rows.nth(1).getByTestId('label-remove').click();
    await p.getByTestId('project-form').locator('button[type=submit]').click();
    const change = p.locator('[data-testid=label-change][data-label=neg]');
    await change.waitFor();
    expect(await change.getByTestId('label-change-usage').textContent()).toBe(
      '"neg" is used by 1 region (1 in submitted work, 0 in drafts, 0 in gold answers).',
    );
    // Retire is the default: it keeps every number key.
    expect(await p.getByTestId('label-key-changes').count()).toBe(0);
    // Merging removes "neg" for good: "meh" moves from 3 to 2 and the form says so.
    await change.getByTestId('label-change-merge').check();
    await change.getByTestId('label-change-into').selectOption('pos');
    await expect.poll(() => p.locator('[data-testid=label-key-change][data-label=meh]').textContent()).toBe('meh: 3 → 2');
    await screenshot(p, 'label-removal-warning-en');
    await p.getByTestId('label-changes-confirm').click();
    await p.getByTestId('project-saved').waitFor();
    const usage1 = (await lead.api.get(`/api/projects/${projectId}/label-usage`)).body.labels;
    expect(usage1.neg).toBeUndefined();
    expect(usage1.pos.annotations).toBe(1);
    expect((await lead.api.get(`/api/projects/${projectId}`)).body.project.labelSchema.labels.map((l: { name: string }) => l.name)).toEqual(
      ['pos', 'meh', 'PER'],
    );

    // Remove "meh" (1 region) and retire it: kept in place, marked retired; PER keeps its keys.
    await rows.nth(1).getByTestId('label-remove').click();
    await p.getByTestId('project-form').locator('button[type=submit]').click();
    await p.locator('[data-testid=label-change][data-label=meh]').getByTestId('label-change-retire').check();
    expect(await p.getByTestId('label-key-changes').count()).toBe(0);
    await p.getByTestId('label-changes-confirm').click();
    await p.getByTestId('project-saved').waitFor();
    const labels = (await lead.api.get(`/api/projects/${projectId}`)).body.project.labelSchema.labels;
    expect(labels.map((l: { name: string; retired?: boolean }) => [l.name, l.retired ?? false])).toEqual([
      ['pos', false],
      ['meh', true],
      ['PER', false],
    ]);
    expect(await rows.nth(1).getByTestId('label-retired').count()).toBe(1);
    await p.context().close();

    // The annotator's editor no longer offers the retired class.
    const ap = await page(browser, url, anno.name, 'en');
    await ap.goto(`${url}/projects/${projectId}/work`);
    await ap.getByTestId('classification').waitFor();
    expect(await ap.getByTestId('classification').textContent()).not.toContain('meh');
    await ap.context().close();
  });
});

describe('label descriptions from a guideline', () => {
  it('are shown in the UI language, and the guideline keeps 0 for 1:1 zoom', async () => {
    const g = await lead.api.get('/api/guidelines/vehicles-pedestrians-bbox/1.0');
    expect(g.status).toBe(200);
    const labelSchema = g.body.guideline.labelSchema;
    expect(labelSchema.labels.find((l: { name: string }) => l.name === 'ignore').hotkey).toBe('9');
    const projectId = await setUpProject(lead.api, {
      name: `车辆 ${run}`,
      kind: 'image',
      labelSchema,
      guideline: { slug: 'vehicles-pedestrians-bbox', version: '1.0' },
      members: [anno.id],
      images: [{ name: `scene-${run}.png`, data: await pngBuffer(320, 240, `#${run}`), type: 'image/png' }],
      queue: true,
    });

    const p = await page(browser, url, anno.name, 'en');
    await p.getByTestId('lang-en').click();
    await p.goto(`${url}/projects/${projectId}/work`);
    const car = p.locator('[data-testid=label-option][data-label=car]');
    await car.waitFor();
    expect(await car.getAttribute('title')).toMatch(/^Car: sedans, SUVs/);
    expect(await p.locator('[data-testid=label-option][data-label=ignore] kbd').allTextContents()).toEqual(['9']);
    await p.getByTestId('lang-zh-CN').click();
    await expect.poll(() => car.getAttribute('title')).toMatch(/^小汽车：轿车/);
    await p.getByTestId('lang-en').click();
    await p.context().close();
  });
});

describe('layout in both languages', () => {
  for (const lang of ['zh-CN', 'en'] as const) {
    it(`keeps the projects filter label on one line and the Queue tab controls apart (${lang})`, async () => {
      const p = await page(browser, url, lead.name, lang);
      await p.getByTestId(`lang-${lang}`).click();
      await p.setViewportSize({ width: 900, height: 700 });
      await p.goto(`${url}/projects`);
      const filter = p.getByTestId('project-filter');
      await filter.waitFor();
      const label = p.locator(`label[for="${await filter.getAttribute('id')}"]`);
      await screenshot(p, `projects-filter-${lang}`);
      const lb = (await label.boundingBox())!;
      const fb = (await filter.boundingBox())!;
      // One line: no taller than the select beside it (it was one character per line).
      expect(lb.height).toBeLessThanOrEqual(fb.height);

      const pr = await lead.api.post('/api/projects', {
        name: `布局 ${run} ${lang}`,
        kind: 'text',
        labelSchema: { labels: [{ name: 'PER', color: '#ae3ec9', tool: 'span' }] },
        overlap: 1,
        goldRate: 0,
        minLevel: 'L5',
      });
      await p.goto(`${url}/projects/${pr.body.project.id}/queue`);
      await p.getByTestId('queue-tab').waitFor();
      await screenshot(p, `queue-tab-${lang}`);
      const box = async (id: string) => (await p.getByTestId(id).boundingBox())!;
      const priority = await box('queue-priority');
      const pause = await box('queue-pause');
      expect(pause.x - (priority.x + priority.width)).toBeGreaterThanOrEqual(6);
      const overlap = await box('queue-overlap');
      const save = await box('queue-overlap-save');
      // The overlap box ends before the Save button starts (its border ran through it).
      expect(save.x - (overlap.x + overlap.width)).toBeGreaterThanOrEqual(6);
      await p.context().close();
    });

    it(`keeps a long Chinese label name inside the workspace region row and side panel; no guideline tells the annotator whom to ask (${lang})`, async () => {
      const long = '非机动车道上违规停放的电动自行车及其附属设施';
      const projectId = await setUpProject(lead.api, {
        name: `长标签 ${run} ${lang}`,
        kind: 'image',
        labelSchema: { labels: [{ name: long, color: '#e6194b', tool: 'bbox' }] },
        members: [anno.id],
        images: [{ name: `long-${run}-${lang}.png`, data: await pngBuffer(320, 240, `#${run}`), type: 'image/png' }],
        queue: true,
      });
      const p = await page(browser, url, anno.name, lang);
      await p.getByTestId(`lang-${lang}`).click();
      await p.goto(`${url}/projects/${projectId}/work`);
      await p.getByTestId('editor-stage').waitFor();
      await fitView(p);
      await p.keyboard.press('1');
      await drawBox(p, { width: 320, height: 240 }, { x: 40, y: 40 }, { x: 200, y: 160 });
      const row = p.getByTestId('region-row');
      await row.waitFor();
      await row.getByRole('button').first().click();
      await screenshot(p, `workspace-long-label-${lang}`);
      // The name is cut with an ellipsis before the row's buttons (it ran under them), and the full name is its tooltip.
      const name = row.locator('.region-row__name');
      const nb = (await name.boundingBox())!;
      const hide = (await row.getByTestId('region-hide').boundingBox())!;
      expect(nb.x + nb.width).toBeLessThanOrEqual(hide.x);
      expect(await name.getAttribute('title')).toContain(long);
      // "Delete <label>" stays inside the selection panel (it ran out of the window's right edge).
      const panel = (await p.getByTestId('selection-panel').boundingBox())!;
      const del = (await p.getByTestId('selection-delete').boundingBox())!;
      expect(del.x + del.width).toBeLessThanOrEqual(panel.x + panel.width);
      // With no guideline, the annotator is not sent to a Settings tab they do not have.
      await p.goto(`${url}/projects/${projectId}`);
      const none = p.getByTestId('guideline-none');
      await none.waitFor();
      expect(await none.textContent()).toMatch(lang === 'en' ? /Ask your lead/ : /咨询组长/);
      await p.context().close();
    });
  }
});
