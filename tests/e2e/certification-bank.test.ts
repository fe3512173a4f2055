import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PracticeSet, defaultCertificationConfig, parseGuideline, questionRef, quizQuestionType, rightOptions } from '@labelwork/core';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { imageSchema } from '../support/fixtures.ts';
import { setUpProject } from '../support/project-setup.ts';
import { page as signedInPage, user, type Actor } from '../support/review-setup.ts';

/**
 * Issue #14 in the browser: a lead writes and edits an exam question in the bank editor and the next
 * theory paper shows the edit; a lead assigns a mentor, the mentor writes a coaching note and a goal,
 * and the trainee sees them. Also takes the certification screenshots of the README (en and zh-CN).
 */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SLUG = 'vehicles-pedestrians-bbox';
const GUIDELINE = { slug: SLUG, version: '1.1' };
const dir = path.join(root, 'guidelines', SLUG);
const parsed = parseGuideline(readFileSync(path.join(dir, '1.1.md'), 'utf8'), `${SLUG}/1.1.md`);
if (!parsed.ok) throw new Error('guideline does not parse');
const fileBank = new Map(parsed.guideline.quiz.map((q) => [questionRef(SLUG, '1.1', q.id), q]));
const singles = parsed.guideline.quiz.filter((q) => quizQuestionType(q) === 'single').length;
const gold = new Map(
  PracticeSet.parse(JSON.parse(readFileSync(path.join(dir, 'practice-1.1', 'set.json'), 'utf8'))).items.map((i) => [i.id, i.gold]),
);

let browser: Browser;
let admin: ApiClient;
let lead: Actor;
let leadZh: Actor;
let mentor: Actor;
let trainee: Actor;
let traineeZh: Actor;
let graduate: Actor;
let certificateId = '';
let createdId = '';
const shots: string[] = [];

async function shoot(p: Page, name: string): Promise<void> {
  shots.push(await screenshot(p, name));
}

/** Passes the L5 theory and practical exams through the API with the right answers (from the shipped files). */
async function passL5(a: Actor): Promise<string> {
  const th = (await a.api.post('/api/certification/attempts', { part: 'theory', guideline: GUIDELINE })).body.attempt;
  const answers = Object.fromEntries((th.questions as { ref: string }[]).map((q) => [q.ref, rightOptions(fileBank.get(q.ref)!)]));
  await a.api.post(`/api/certification/attempts/${th.id}/submit`, { answers });
  const pr = (await a.api.post('/api/certification/attempts', { part: 'practical', guideline: GUIDELINE })).body.attempt;
  const items = Object.fromEntries((pr.items as { id: string }[]).map((i) => [i.id, gold.get(i.id)]));
  await a.api.post(`/api/certification/attempts/${pr.id}/submit`, { answers: items });
  return ((await a.api.get('/api/certification/me')).body.certificates as { id: string }[])[0]!.id;
}

async function setL5Theory(questions: number, mix: { 'true-false': number; single: number; multiple: number }): Promise<void> {
  const config = defaultCertificationConfig();
  config.levels.L5.theory.questions = questions;
  config.levels.L5.theory.mix = mix;
  expect((await admin.put('/api/certification/config', config)).status).toBe(200);
}

beforeAll(async () => {
  browser = await launchBrowser();
  admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  await admin.put('/api/certification/config', defaultCertificationConfig());
  lead = await user(admin, url, `bank-lead-${run}`, 'lead', 'L2', false, 'en');
  leadZh = await user(admin, url, `bank-lead-zh-${run}`, 'lead', 'L2', false, 'zh-CN');
  mentor = await user(admin, url, `mentor-${run}`, 'annotator', 'L3', false, 'en');
  trainee = await user(admin, url, `mentee-${run}`, 'trainee', 'L5', false, 'en');
  traineeZh = await user(admin, url, `mentee-zh-${run}`, 'trainee', 'L5', false, 'zh-CN');
  graduate = await user(admin, url, `graduate-${run}`, 'trainee', 'L5', false, 'en');
  await setUpProject(lead.api, {
    name: `mentoring ${run}`,
    kind: 'image',
    labelSchema: imageSchema,
    members: [leadZh.id, mentor.id, trainee.id, traineeZh.id, graduate.id],
  });
  certificateId = await passL5(graduate);
  expect((await lead.api.put(`/api/certification/mentoring/${traineeZh.id}/mentor`, { mentorId: mentor.id })).status).toBe(200);
  await mentor.api.post(`/api/certification/mentoring/${traineeZh.id}/goals`, { text: '复习截断目标的框法', due: '2026-12-20' });
}, 180_000);

afterAll(async () => {
  // Leave the shared bank and rules as the other browser tests expect them.
  if (createdId) {
    const q = (await lead.api.get(`/api/certification/questions/${SLUG}/1.1?status=active`)).body.questions.find(
      (x: { id: string }) => x.id === createdId,
    );
    if (q) await lead.api.post(`/api/certification/questions/${SLUG}/1.1/${createdId}/retire`, { version: q.version });
  }
  await admin?.put('/api/certification/config', defaultCertificationConfig());
  await browser?.close();
  // The README's certification screenshots (docs/screenshots) are refreshed from this run when asked
  // (LW_UPDATE_SCREENSHOTS=1), so that a test run does not rewrite tracked files.
  if (process.env.LW_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(path.join(root, 'docs', 'screenshots'), { recursive: true });
    for (const file of shots) copyFileSync(file, path.join(root, 'docs', 'screenshots', path.basename(file)));
  }
});

describe('question banks and mentoring in the browser', () => {
  it('a lead writes and edits a question in the bank, and the next theory paper shows the edit', async () => {
    const p = await signedInPage(browser, url, lead.name, 'en-US');
    await p.getByTestId('nav-trainees').click();
    await p.getByTestId('trainees-question-banks').click();
    await p.getByTestId('bank-guideline').selectOption(`${SLUG}@1.1`);
    await expect.poll(() => p.getByTestId('bank-row').count()).toBe(parsed.guideline.quiz.length);
    await p.getByTestId('bank-new').click();
    const stem = `Run ${run}: a car is cut by the image edge. How far does its box go?`;
    await p.getByTestId('q-topic').fill('truncation');
    await p.getByTestId('q-stem-zh-CN').fill(`第 ${run} 轮：车辆被图像边缘截断，框画到哪里？`);
    await p.getByTestId('q-stem-en').fill(stem);
    const zh = p.getByTestId('q-option-zh-CN');
    const en = p.getByTestId('q-option-en');
    await zh.nth(0).fill('画到图像边缘');
    await en.nth(0).fill('Up to the image edge');
    await zh.nth(1).fill('按想象的完整车辆画');
    await en.nth(1).fill('Around the whole car as imagined');
    await p.getByTestId('q-explanation-zh-CN').fill('只框可见部分，框停在图像边缘。');
    await p.getByTestId('q-explanation-en').fill('Only the visible part is boxed; the box stops at the edge.');
    // Without a right answer picked the first option is right; pick it explicitly as a lead would.
    await p.getByTestId('q-option-right').nth(0).check();
    expect(await p.getByTestId('q-preview').textContent()).toContain('(one answer)');
    await p.getByTestId('q-save').click();
    await p.getByTestId('bank-notice').waitFor();
    const row = p.locator('[data-testid=bank-row]', { hasText: stem });
    createdId = (await row.getAttribute('data-id'))!;
    expect(createdId).toMatch(/^q-/);

    // Edit it: a clearer stem (both languages) is saved as version 2.
    await row.getByTestId('bank-edit').click();
    const edited = `Run ${run}: where does the box of a car cut by the image edge end?`;
    await p.getByTestId('q-stem-en').fill(edited);
    await p.getByTestId('q-stem-zh-CN').fill(`第 ${run} 轮：被图像边缘截断的车，框画到哪里为止？`);
    await p.getByTestId('q-save').click();
    await expect.poll(() => p.getByTestId('bank-notice').textContent()).toContain('version 2');
    await expect.poll(() => p.locator('[data-testid=bank-row]', { hasText: edited }).count()).toBe(1);
    await p.getByTestId('bank-filter-topic').selectOption('truncation');
    await expect.poll(() => p.getByTestId('bank-row').count()).toBeGreaterThanOrEqual(1);
    await p.getByTestId('bank-filter-topic').selectOption('');
    await shoot(p, 'certification-bank-en');

    // A paper of every single-choice question (the file's and this one) holds the edited question.
    await setL5Theory(singles + 1, { 'true-false': 0, single: 1, multiple: 0 });
    const tp = await signedInPage(browser, url, trainee.name, 'en-US');
    await tp.getByTestId('nav-training').click();
    await tp.getByTestId('training-guideline').selectOption(`${SLUG}@1.1`);
    await tp.getByTestId('start-theory').click();
    await tp.getByTestId('exam-timer').waitFor();
    const q = tp.locator(`[data-testid=exam-question][data-ref="${questionRef(SLUG, '1.1', createdId)}"]`);
    await expect.poll(() => q.locator('legend').textContent()).toBe(`${edited} (one answer)`);
    await q.scrollIntoViewIfNeeded();
    await shoot(tp, 'certification-exam-en');
    await tp.close();

    // The same paper in Chinese; no stem shows the multiple-choice hint twice.
    await setL5Theory(20, { 'true-false': 3, single: 5, multiple: 1 });
    const zp = await signedInPage(browser, url, traineeZh.name, 'zh-CN');
    await zp.getByTestId('nav-training').click();
    await zp.getByTestId('training-guideline').selectOption(`${SLUG}@1.1`);
    await zp.getByTestId('start-theory').click();
    await zp.getByTestId('exam-timer').waitFor();
    await expect.poll(() => zp.getByTestId('exam-question').count()).toBe(20);
    for (const legend of await zp.locator('[data-testid=exam-question] legend').allTextContents())
      expect(legend.match(/多选/g)?.length ?? 0, legend).toBeLessThanOrEqual(1);
    await shoot(zp, 'certification-exam-zh');
    await zp.close();
    await p.close();
  });

  it('a lead assigns a mentor; the mentor writes a note and a goal; the trainee sees them', async () => {
    const lp = await signedInPage(browser, url, lead.name, 'en-US');
    await lp.goto(`/mentoring/${trainee.id}`);
    await lp.getByTestId('mentoring-pick').selectOption(mentor.id);
    await lp.getByTestId('mentoring-assign').click();
    await expect.poll(() => lp.getByTestId('mentoring-mentor').textContent()).toContain(mentor.name);
    await lp.close();

    const mp = await signedInPage(browser, url, mentor.name, 'en-US');
    await mp.getByTestId('nav-training').click();
    await mp.locator(`[data-testid=training-mentee][data-user-id="${trainee.id}"] a`).click();
    await mp.getByTestId('mentoring-note-form').waitFor();
    const text = `Missed truncated boxes in the theory paper (${run}); read hard case 3 again.`;
    await mp.getByTestId('mentoring-note-input').fill(text);
    await mp.getByTestId('mentoring-note-links').selectOption({ index: 0 });
    await mp.getByTestId('mentoring-note-add').click();
    await expect.poll(() => mp.getByTestId('mentoring-note-text').first().textContent()).toBe(text);
    await mp.getByTestId('mentoring-goal-text').fill('Box three truncated cars correctly in practice');
    await mp.getByTestId('mentoring-goal-due').fill('2026-12-20');
    await mp.getByTestId('mentoring-goal-add').click();
    await expect.poll(() => mp.getByTestId('mentoring-goal').count()).toBe(1);
    await mp.close();

    const tp = await signedInPage(browser, url, trainee.name, 'en-US');
    await tp.getByTestId('nav-training').click();
    await expect.poll(() => tp.getByTestId('training-mentor').textContent()).toContain(mentor.name);
    await expect.poll(() => tp.getByTestId('open-goal').first().textContent()).toContain('Box three truncated cars');
    await shoot(tp, 'certification-training-en');
    await tp.getByTestId('training-mentoring').getByRole('link').first().click();
    await expect.poll(() => tp.getByTestId('mentoring-note-text').first().textContent()).toBe(text);
    expect(await tp.getByTestId('mentoring-note-form').count()).toBe(0);
    await tp.close();

    const zp = await signedInPage(browser, url, traineeZh.name, 'zh-CN');
    await zp.getByTestId('nav-training').click();
    await expect.poll(() => zp.getByTestId('open-goal').first().textContent()).toContain('复习截断目标的框法');
    await shoot(zp, 'certification-training-zh');
    await zp.close();
  });

  it('shows the certificate and the Trainees view with mentors and open goals, in both languages', async () => {
    for (const [lang, locale, suffix] of [
      ['en', 'en-US', 'en'],
      ['zh-CN', 'zh-CN', 'zh'],
    ] as const) {
      expect((await graduate.api.patch('/api/auth/me', { lang })).status).toBe(200);
      const p = await signedInPage(browser, url, graduate.name, locale);
      await p.goto(`/certificates/${certificateId}`);
      await p.getByTestId('certificate').waitFor();
      await shoot(p, `certification-certificate-${suffix}`);
      await p.close();
    }
    for (const [who, suffix] of [
      [lead, 'en'],
      [leadZh, 'zh'],
    ] as const) {
      const p = await signedInPage(browser, url, who.name, suffix === 'en' ? 'en-US' : 'zh-CN');
      await p.getByTestId('nav-trainees').click();
      const row = p.locator(`[data-testid=trainee-row][data-user-id="${trainee.id}"]`);
      await expect.poll(() => row.getByTestId('trainee-mentor').textContent()).toBe(mentor.name);
      await expect.poll(() => row.getByTestId('open-goal').count()).toBe(1);
      await row.scrollIntoViewIfNeeded();
      await shoot(p, `certification-trainees-${suffix}`);
      await p.close();
    }
  });
});
