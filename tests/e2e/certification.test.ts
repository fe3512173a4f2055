import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PracticeSet, defaultCertificationConfig, parseGuideline, rightOptions, type Region } from '@labelwork/core';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { drawBox, fitView } from '../support/editor-driver.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { setUpProject } from '../support/project-setup.ts';
import { page as signedInPage, user, type Actor } from '../support/review-setup.ts';

/**
 * Issue #14 in the browser: a trainee practises and sees their work beside the gold, takes the L5
 * theory and practical exams, passes, is promoted with a certificate, and can then work on a project
 * that needs L4; the lead sees it in the Trainees view. Exam answers come from the shipped files,
 * as a person who studied them would give them.
 */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SLUG = 'vehicles-pedestrians-bbox';
const dir = path.join(root, 'guidelines', SLUG);
const parsed = parseGuideline(readFileSync(path.join(dir, '1.1.md'), 'utf8'), `${SLUG}/1.1.md`);
if (!parsed.ok) throw new Error('guideline does not parse');
const bank = new Map(parsed.guideline.quiz.map((q) => [`${SLUG}@1.1#${q.id}`, q]));
const set = PracticeSet.parse(JSON.parse(readFileSync(path.join(dir, 'practice-1.1', 'set.json'), 'utf8')));
const IMAGE = { width: 640, height: 400 };
const HOTKEY: Record<string, string> = Object.fromEntries(parsed.guideline.labelSchema.labels.map((l) => [l.name, l.hotkey ?? '']));

let browser: Browser;
let admin: ApiClient;
let lead: Actor;
let trainee: Actor;
let p: Page;
let projectId = '';

/** Draws each gold box with its label's hotkey (Escape first, so the hotkey picks a tool and relabels nothing). */
async function drawGold(page: Page, gold: readonly Region[]): Promise<void> {
  await fitView(page);
  for (const r of gold) {
    if (r.type !== 'bbox') continue;
    await page.keyboard.press('Escape');
    await page.keyboard.press(HOTKEY[r.label]!);
    await drawBox(page, IMAGE, { x: r.x, y: r.y }, { x: r.x + r.w, y: r.y + r.h });
  }
  await expect.poll(() => page.getByTestId('region-row').count()).toBe(gold.length);
}

beforeAll(async () => {
  browser = await launchBrowser();
  admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  // A short L5 exam for the browser: 6 questions, 1 practical item (the rules stay those of the defaults).
  const config = defaultCertificationConfig();
  config.levels.L5.theory.questions = 6;
  config.levels.L5.practical.items = 1;
  expect((await admin.put('/api/certification/config', config)).status).toBe(200);
  lead = await user(admin, url, `cert-lead-${run}`, 'lead', 'L2');
  trainee = await user(admin, url, `cert-trainee-${run}`, 'trainee', 'L5', false, 'en');
  projectId = await setUpProject(lead.api, {
    name: `needs L4 ${run}`,
    kind: 'image',
    labelSchema: parsed.guideline.labelSchema,
    minLevel: 'L4',
    members: [trainee.id],
    images: [{ name: 'street.png', data: await pngBuffer(320, 200), type: 'image/png' }],
    queue: 1,
  });
  p = await signedInPage(browser, url, trainee.name, 'en-US');
}, 180_000);

afterAll(async () => {
  await admin?.put('/api/certification/config', defaultCertificationConfig());
  await browser?.close();
});

describe('certification in the browser', () => {
  it('practises an item and sees the work beside the gold answer', async () => {
    expect((await trainee.api.post(`/api/projects/${projectId}/tasks/next`)).body.error.code).toBe('LEVEL_TOO_LOW');
    await p.getByTestId('nav-training').click();
    await expect.poll(() => p.getByTestId('training-level').textContent()).toBe('L5');
    await p.getByTestId('training-guideline').selectOption(`${SLUG}@1.1`);
    // Before the first practice it says how to begin (it read "0 items practised, first answers scored — on average").
    await expect.poll(() => p.getByTestId('practice-progress').textContent()).toMatch(/^Nothing practised yet\. Pick an item below/);
    await p.locator('[data-testid=practice-item][data-item-id=street-01]').click();
    await p.getByTestId('editor-stage').waitFor();
    // street-01 holds one car; label it truck to see a wrong-label verdict.
    const car = set.items.find((i) => i.id === 'street-01')!.gold[0] as Extract<Region, { type: 'bbox' }>;
    await drawGold(p, [{ ...car, label: 'truck' }]);
    await p.getByTestId('practice-submit').click();
    await p.getByTestId('practice-feedback').waitFor();
    expect(await p.getByTestId('feedback-region').getAttribute('data-verdict')).toBe('wrong-label');
    expect(await p.getByTestId('practice-score').textContent()).toBe('0%');
    await screenshot(p, 'certification-practice-feedback');
    // Fix it and try again: the second answer is for learning only.
    await p.getByTestId('practice-retry').click();
    await p.getByTestId('editor-stage').waitFor();
  });

  it('takes and passes the L5 theory exam', async () => {
    await p.getByTestId('nav-training').click();
    await p.getByTestId('training-guideline').selectOption(`${SLUG}@1.1`);
    await p.getByTestId('start-theory').click();
    await p.getByTestId('exam-timer').waitFor();
    const questions = p.getByTestId('exam-question');
    await expect.poll(() => questions.count()).toBe(6);
    for (let i = 0; i < 6; i++) {
      const q = questions.nth(i);
      const ref = (await q.getAttribute('data-ref'))!;
      for (const k of rightOptions(bank.get(ref)!)) await q.locator(`[data-testid=exam-option][data-index="${k}"]`).check();
    }
    await screenshot(p, 'certification-theory');
    await p.getByTestId('exam-submit').click();
    await p.getByTestId('exam-report').waitFor();
    expect(await p.getByTestId('exam-score').textContent()).toBe('100');
    expect(await p.getByTestId('exam-result').getAttribute('data-passed')).toBe('yes');
  });

  it('takes and passes the L5 practical exam, is promoted and gets a certificate', async () => {
    await p.getByTestId('exam-back').click();
    await p.getByTestId('training-guideline').selectOption(`${SLUG}@1.1`);
    await p.getByTestId('start-practical').click();
    await p.getByTestId('exam-timer').waitFor();
    const itemId = (await p.getByTestId('exam-item').getAttribute('data-item-id'))!;
    await p.getByTestId('editor-stage').waitFor();
    await drawGold(p, set.items.find((i) => i.id === itemId)!.gold);
    await screenshot(p, 'certification-practical');
    await p.getByTestId('exam-submit').click();
    await p.getByTestId('exam-report').waitFor();
    expect(await p.getByTestId('exam-result').getAttribute('data-passed')).toBe('yes');
    expect(Number(await p.getByTestId('exam-score').textContent())).toBeGreaterThanOrEqual(60);
    await p.getByTestId('exam-promoted').waitFor();
    await p.getByTestId('exam-certificate').click();
    await p.getByTestId('certificate').waitFor();
    expect(await p.getByTestId('certificate-number').first().textContent()).toMatch(/^LW-\d{4}-L5-\d{6}$/);
    expect(await p.getByTestId('certificate-zh-CN').textContent()).toContain('认证等级为 L4');
    expect(await p.getByTestId('certificate-en').textContent()).toContain('certified at level L4');
    await screenshot(p, 'certification-certificate');
  });

  it('can then work on the project that needs L4, and the lead sees the promotion', async () => {
    await p.goto(`${url}/projects/${projectId}/work`);
    await p.getByTestId('editor-stage').waitFor();
    const leadPage = await signedInPage(browser, url, lead.name, 'en-US');
    await leadPage.getByTestId('nav-trainees').click();
    const row = leadPage.locator(`[data-testid=trainee-row][data-user-id="${trainee.id}"]`);
    await expect.poll(() => row.getByTestId('trainee-level').textContent()).toBe('L4');
    await screenshot(leadPage, 'certification-trainees');
  });
});
