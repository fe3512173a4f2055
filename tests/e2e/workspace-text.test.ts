import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { selectText } from '../support/editor-driver.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { createUsers, setUpProject, signedInUser } from '../support/project-setup.ts';

/**
 * The annotator workspace on Chinese text, in 中文: spans selected with the mouse and with the
 * keyboard after an emoji (and a ZWJ emoji sequence) are stored as code-point offsets; the
 * guideline sits in a side panel; the server is killed while the annotator keeps labelling, the
 * tab then crashes, and after the restart a new tab resumes the work and every span arrives once.
 */

// 0 🎉 · 1–3 👩‍💻 (three code points, one character) · 4 张 5 伟 6 在 7 北 8 京 9 大 10 学 11 见 12 到 13 了 14 华 15 为 16 公 17 司 18 的 19 李 20 娜 21 。 …
const TEXT =
  '🎉👩‍💻张伟在北京大学见到了华为公司的李娜。两人随后一同前往深圳，参观了腾讯公司位于南山区的总部，并出席了由中国科学院主办的人工智能论坛。论坛结束后，李娜接受了新华社记者的采访。';
const TEXTS = [TEXT, '小米在上海发布了新手机。', '王芳去了杭州。'];

let app: OwnApp;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let lead: ApiClient;
let projectId = '';
let firstItem = '';

type Span = { id: string; type: 'span'; label: string; start: number; end: number };

async function draftOf(itemId: string): Promise<Span[] | null> {
  const r = await lead.get(`/api/projects/${projectId}/drafts`);
  return (r.body.drafts as { itemId: string; regions: Span[] }[]).find((x) => x.itemId === itemId)?.regions ?? null;
}

/** Spans as [label, start, end], in document order. */
const triples = (spans: readonly Span[]) => spans.map((s) => [s.label, s.start, s.end] as const).sort((a, b) => a[1] - b[1]);

async function shownSpans(p: Page): Promise<(readonly [string, number, number])[]> {
  const tags = await p
    .getByTestId('text-span')
    .evaluateAll((els) =>
      els.map(
        (e) =>
          [e.getAttribute('data-label') ?? '', Number(e.getAttribute('data-span-start')), Number(e.getAttribute('data-span-end'))] as const,
      ),
    );
  return [...tags].sort((a, b) => a[1] - b[1]);
}

const saved = (p: Page) => p.locator('[data-testid=save-indicator][data-state=saved]').waitFor({ timeout: 15_000 });

async function openWorkspace(p: Page): Promise<void> {
  await p.goto(`/projects/${projectId}/work`);
  await p.getByTestId('text-content').waitFor();
}

beforeAll(async () => {
  app = await startOwnApp({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') });
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  lead = (await signedInUser(admin, { name: 'lead-sun', role: 'lead', level: 'L2', lang: 'zh-CN' })).client;
  const members = await createUsers(admin, [
    { name: 'anno-li', role: 'annotator', level: 'L4', lang: 'zh-CN' },
    { name: 'trainee-wu', role: 'trainee', level: 'L5', lang: 'zh-CN' },
  ]);
  const g = await lead.get('/api/guidelines/chinese-ner/1.0');
  projectId = await setUpProject(lead, {
    name: '新闻实体',
    kind: 'text',
    labelSchema: g.body.guideline.labelSchema,
    minLevel: 'L4',
    guideline: { slug: 'chinese-ner', version: '1.0' },
    members,
    text: { name: '新闻.jsonl', data: TEXTS.map((text, i) => JSON.stringify({ id: `n${i}`, text })).join('\n') },
    queue: true,
  });
  browser = await launchBrowser();
  ctx = await newContext(browser, app.url, 'zh-CN');
  page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('annotator workspace: Chinese text', () => {
  it('starts from the project list with the guideline in a side panel and definitions one click from the labels', async () => {
    await signIn(page, 'anno-li', 'anno-li-password');
    await expect.poll(() => page.getByTestId('project-start').textContent()).toBe('开始标注');
    await page.getByTestId('project-start').click();
    await page.getByTestId('text-content').waitFor();
    await expect.poll(() => page.getByTestId('text-content').textContent()).toContain('张伟在北京大学');
    await page.keyboard.press('Alt+g');
    await expect.poll(() => page.getByTestId('guideline-body').textContent()).toContain('人名');
    await page.locator('[data-testid=label-option][data-label=PER] ~ [data-testid=label-definition]').click();
    await expect.poll(() => page.getByTestId('label-definition-body').textContent()).not.toBe('');
    await page.keyboard.press('Escape');
    await page.getByTestId('label-definition-dialog').waitFor({ state: 'hidden' });
  });

  it('labels a span selected with the mouse after an emoji, and one selected with the keyboard, as code-point offsets', async () => {
    const leases = (await lead.get(`/api/projects/${projectId}/queue/leases`)).body.leases as { itemId: string }[];
    firstItem = leases[0]!.itemId;
    await selectText(page, 7, 11);
    await page.keyboard.press('2');
    await expect.poll(() => shownSpans(page)).toEqual([['ORG', 7, 11]]);
    // Keyboard only: Home, two characters right (🎉 and the three-code-point 👩‍💻), select 张伟, label PER.
    await page.getByTestId('text-content').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('1');
    await expect
      .poll(() => shownSpans(page))
      .toEqual([
        ['PER', 4, 6],
        ['ORG', 7, 11],
      ]);
    await saved(page);
    expect(triples((await draftOf(firstItem))!)).toEqual([
      ['PER', 4, 6],
      ['ORG', 7, 11],
    ]);
  });

  it('keeps labelling while the server is down; after a tab crash and the restart, a new tab resumes and every span arrives once', async () => {
    const before = (await draftOf(firstItem))!;
    await app.killServer();
    await selectText(page, 14, 18);
    await page.keyboard.press('2');
    // The caret sits after 华为公司; one character on, select 李娜.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('1');
    await page.keyboard.press('Control+z');
    await expect
      .poll(() => shownSpans(page))
      .toEqual([
        ['PER', 4, 6],
        ['ORG', 7, 11],
        ['ORG', 14, 18],
      ]);
    await page.keyboard.press('Control+Shift+z');
    const expected = [
      ['PER', 4, 6],
      ['ORG', 7, 11],
      ['ORG', 14, 18],
      ['PER', 19, 21],
    ];
    await expect.poll(() => shownSpans(page)).toEqual(expected);
    await page.locator('[data-testid=save-indicator][data-state=offline]').waitFor({ timeout: 15_000 });
    await expect.poll(async () => Number(await page.getByTestId('save-indicator').getAttribute('data-edits'))).toBe(4);
    await screenshot(page, 'workspace-text-offline-zh');
    // Written to the device well within a second; then the tab dies without unload handlers.
    await page.waitForTimeout(600);
    const cdp = await ctx.newCDPSession(page);
    const crashed = new Promise<void>((resolve) => page.once('crash', () => resolve()));
    // The command never answers: its renderer is gone.
    void cdp.send('Page.crash').catch(() => undefined);
    await crashed;
    await page.close().catch(() => undefined);

    await app.startServer();
    // The server never saw the offline work.
    expect(await draftOf(firstItem)).toEqual(before);
    page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    await openWorkspace(page);
    await page.getByTestId('work-restored').waitFor();
    await expect.poll(() => shownSpans(page)).toEqual(expected);
    await saved(page);
    const draft = (await draftOf(firstItem))!;
    expect(triples(draft)).toEqual(expected);
    // The two spans from before the outage arrive unchanged (same ids), nothing twice.
    expect(draft.filter((r) => before.some((b) => b.id === r.id))).toEqual(before);
    expect(new Set(draft.map((r) => r.id)).size).toBe(4);
    await screenshot(page, 'workspace-text-restored-zh');
    await page.getByTestId('work-restored').getByRole('button').click();
    await page.getByTestId('text-content').focus();
    await screenshot(page, 'workspace-text-zh');
  });

  it('submits with Ctrl+Enter: one annotation with the exact offsets, and the next text comes', async () => {
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('work-notice').waitFor();
    await expect.poll(() => page.getByTestId('text-content').textContent()).not.toContain('张伟');
    const anns = (await lead.get(`/api/projects/${projectId}/annotations?itemId=${firstItem}`)).body.annotations as {
      regions: Span[];
      durationMs: number;
    }[];
    expect(anns).toHaveLength(1);
    expect(triples(anns[0]!.regions)).toEqual([
      ['PER', 4, 6],
      ['ORG', 7, 11],
      ['ORG', 14, 18],
      ['PER', 19, 21],
    ]);
    expect(anns[0]!.durationMs).toBeGreaterThan(0);
    expect(await draftOf(firstItem)).toBeNull();
  });

  it('skips with a written reason and gives a task back, all from the keyboard', async () => {
    const second = await page.getByTestId('text-content').textContent();
    await page.keyboard.press('Alt+s');
    await page.getByTestId('skip-dialog').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('skip-preset');
    // The reasons are one stop; Tab goes on to the text box, Ctrl+Enter skips.
    await page.keyboard.press('Tab');
    await page.keyboard.type('与另一条重复');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('text-content').textContent()).not.toBe(second);
    const third = await page.getByTestId('text-content').textContent();
    // Give back: the panel's button takes focus, Enter asks for a task, and the same text returns.
    await page.getByTestId('release-task').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=work-status][data-phase=idle]').waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('text-content').textContent()).toBe(third);
    const counts = (await lead.get(`/api/projects/${projectId}/queue`)).body.counts;
    expect(counts).toMatchObject({ done: 1, skips: 1, leased: 1 });
  });

  it('tells a trainee below the project level why there is no task', async () => {
    const other = await newContext(browser, app.url, 'zh-CN');
    const p = await other.newPage();
    await signIn(p, 'trainee-wu', 'trainee-wu-password');
    await p.goto(`/projects/${projectId}/work`);
    const status = p.locator('[data-testid=work-status][data-code=LEVEL_TOO_LOW]');
    await status.waitFor();
    expect(await status.textContent()).toMatch(/L4.*L5/);
    await other.close();
  });
});
