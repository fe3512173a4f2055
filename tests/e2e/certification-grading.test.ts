import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_COMPREHENSIVE_RUBRIC, DEFAULT_SPECIFICATION_RUBRIC, defaultCertificationConfig, type Rubric } from '@labelwork/core';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { page as signedInPage, user, type Actor } from '../support/review-setup.ts';

/**
 * Issue #14, the parts graded by people, in the browser: an L3 candidate writes a specification and
 * hands it in; a lead claims it from the grading queue and grades it against the rubric, and the
 * candidate is promoted and reads the grade. Then an L2 candidate hands in a portfolio, a lead
 * convenes a panel of two leads, each scores on their own page (the second in Chinese) without
 * seeing the other's score, and the candidate sees the decision and is promoted to L1.
 */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const SLUG = 'vehicles-pedestrians-bbox';

let browser: Browser;
let admin: ApiClient;
let leadA: Actor;
let leadB: Actor;
let specCandidate: Actor;
let panelCandidate: Actor;

async function fillRubric(p: Page, rubric: Rubric, share: number, comment: string): Promise<void> {
  for (const c of rubric) await p.getByTestId(`points-${c.id}`).fill(String(Math.round(c.points * share)));
  await p.getByTestId(`comment-${rubric[0]!.id}`).fill(`${comment} (criterion note)`);
  await p.getByTestId('overall-comment').fill(comment);
}

beforeAll(async () => {
  browser = await launchBrowser();
  admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  // L3: only the specification exercise (2 rules, 1 example); L2: only the comprehensive review, so each pass promotes.
  const config = defaultCertificationConfig();
  for (const level of ['L3', 'L2'] as const) {
    const l = config.levels[level];
    l.theory.enabled = l.practical.enabled = l.review.enabled = false;
    l.specification.enabled = level === 'L3';
    l.comprehensive.enabled = level === 'L2';
  }
  config.levels.L3.specification.minEdgeCases = 2;
  config.levels.L3.specification.minExamples = 1;
  expect((await admin.put('/api/certification/config', config)).status).toBe(200);
  leadA = await user(admin, url, `grade-lead-a-${run}`, 'lead', 'L1', false, 'en');
  leadB = await user(admin, url, `grade-lead-b-${run}`, 'lead', 'L1', false, 'zh-CN');
  specCandidate = await user(admin, url, `spec-cand-${run}`, 'annotator', 'L3', false, 'en');
  panelCandidate = await user(admin, url, `panel-cand-${run}`, 'annotator', 'L2', false, 'en');
}, 180_000);

afterAll(async () => {
  await admin?.put('/api/certification/config', defaultCertificationConfig());
  await browser?.close();
});

describe('certification parts graded by people, in the browser', () => {
  it('a candidate writes and hands in a specification; a lead claims and grades it; the candidate is promoted', async () => {
    const c = await signedInPage(browser, url, specCandidate.name, 'en-US');
    c.on('dialog', (d) => void d.accept());
    await c.getByTestId('nav-training').click();
    await c.getByTestId('training-guideline').selectOption(`${SLUG}@1.1`);
    await c.getByTestId('start-specification').click();
    await c.getByTestId('spec-form').waitFor();
    await expect.poll(() => c.getByTestId('spec-sample-item').count()).toBe(6);
    await c.getByTestId('spec-scope').fill('Dash-camera street scenes; every road user at least partly visible.');
    const definitions = c.getByTestId('spec-definition');
    const labels = await definitions.count();
    for (let i = 0; i < labels; i++) await definitions.nth(i).fill(`Definition ${i + 1}: what counts and what does not.`);
    await c.getByTestId('spec-add-case').click();
    await c.getByTestId('spec-situation').nth(0).fill('A cyclist pushing the bicycle');
    await c.getByTestId('spec-rule').nth(0).fill('Label as pedestrian; the bicycle is not boxed separately.');
    await c.getByTestId('spec-add-example').click();
    await c.getByTestId('spec-example-note').nth(0).fill('A parked car, half hidden: one box over the visible part.');
    await c.getByTestId('spec-save').click();
    await c.getByTestId('spec-saved').waitFor();
    // One rule is too few: the hand-in is refused and says why.
    await c.getByTestId('spec-submit').click();
    await c.getByTestId('spec-problems').waitFor();
    expect(await c.getByTestId('spec-problems').textContent()).toContain('at least 2 complete edge-case rules');
    await c.getByTestId('spec-add-case').click();
    await c.getByTestId('spec-situation').nth(1).fill('A car on a billboard');
    await c.getByTestId('spec-rule').nth(1).fill('Not labeled: only real road users.');
    await screenshot(c, 'certification-specification-writing');
    await c.getByTestId('spec-submit').click();
    await expect.poll(() => c.getByTestId('specification-page').getAttribute('data-status')).toBe('awaiting');
    const specUrl = c.url();

    const l = await signedInPage(browser, url, leadA.name, 'en-US');
    await l.getByTestId('nav-trainees').click();
    await l.getByTestId('trainees-grading').click();
    await l.getByTestId('grading-counts').waitFor();
    const row = l.locator('[data-testid=grading-spec]', { hasText: specCandidate.name });
    await row.getByTestId('grading-open').click();
    await l.getByTestId('spec-readonly').waitFor();
    expect(await l.getByTestId('spec-readonly').textContent()).toContain('A car on a billboard');
    await l.getByTestId('spec-claim').click();
    await l.getByTestId('rubric-form').waitFor();
    await fillRubric(l, DEFAULT_SPECIFICATION_RUBRIC, 0.8, 'Clear rules; say how far a box follows an occluded car.');
    await screenshot(l, 'certification-specification-grading');
    await l.getByTestId('rubric-submit').click();
    await l.getByTestId('spec-grade').waitFor();
    expect(await l.getByTestId('spec-score').textContent()).toContain('80 of 100');

    await c.goto(specUrl);
    await c.getByTestId('spec-grade').waitFor();
    expect(await c.getByTestId('spec-overall').textContent()).toContain('occluded car');
    await screenshot(c, 'certification-specification-graded');
    await c.getByTestId('nav-training').click();
    await expect.poll(() => c.getByTestId('training-level').textContent()).toBe('L2');
    await c.context().close();
    await l.context().close();
  });

  it('a panel of two leads scores an L2 candidate independently; the candidate sees the decision and is promoted', async () => {
    const c = await signedInPage(browser, url, panelCandidate.name, 'en-US');
    await c.getByTestId('nav-training').click();
    await c.getByTestId('start-comprehensive').click();
    await c.getByTestId('portfolio-statement').fill('Led two street-scene projects; wrote the occlusion rules; trained three annotators.');
    await c.getByTestId('portfolio-submit').click();
    await c.getByTestId('panel-wait-convene').waitFor();
    const panelUrl = c.url();

    const a = await signedInPage(browser, url, leadA.name, 'en-US');
    await a.goto(`${url}/grading`);
    await a.locator('[data-testid=grading-panel]', { hasText: panelCandidate.name }).getByTestId('grading-open').click();
    await a.getByTestId('panel-convene').waitFor();
    await a.locator(`[data-testid=panel-choose][data-user-id="${leadA.id}"]`).check();
    await a.locator(`[data-testid=panel-choose][data-user-id="${leadB.id}"]`).check();
    await a.getByTestId('panel-convene-submit').click();
    await a.getByTestId('panel-score').waitFor();
    await fillRubric(a, DEFAULT_COMPREHENSIVE_RUBRIC, 0.9, 'Strong portfolio from lead A');
    await a.getByTestId('defense-note').fill('Asked about occlusion; answered with the rule and its exceptions.');
    await a.getByTestId('rubric-submit').click();
    await a.getByTestId('panel-my-score').waitFor();

    // The second member, in Chinese, sees who scored but not the score.
    const b = await signedInPage(browser, url, leadB.name, 'zh-CN');
    await b.goto(`${url}/grading`);
    await b.locator('[data-testid=grading-panel]', { hasText: panelCandidate.name }).getByTestId('grading-open').click();
    await b.getByTestId('panel-score').waitFor();
    expect(await b.locator(`[data-testid=panel-member][data-member-id="${leadA.id}"]`).getAttribute('data-scored')).toBe('yes');
    expect(await b.getByTestId('panel-page').textContent()).not.toContain('Strong portfolio from lead A');
    expect(await b.getByTestId('panel-score').textContent()).toContain('其他成员的评分不可见');
    // Nor does the candidate.
    await c.goto(panelUrl);
    await c.getByTestId('panel-wait-scores').waitFor();
    expect(await c.getByTestId('panel-page').textContent()).not.toContain('Strong portfolio from lead A');
    await fillRubric(b, DEFAULT_COMPREHENSIVE_RUBRIC, 0.7, '评审 B：整体良好');
    await b.getByTestId('defense-note').fill('问到模型评测时回答不够具体。');
    await screenshot(b, 'certification-panel-scoring');
    await b.getByTestId('rubric-submit').click();
    await b.getByTestId('panel-decision').waitFor();
    expect(await b.getByTestId('panel-decision').getAttribute('data-passed')).toBe('yes');

    await c.goto(panelUrl);
    await c.getByTestId('panel-decision').waitFor();
    expect(await c.getByTestId('panel-decision').textContent()).toContain('Passed with a mean of 80');
    await expect.poll(() => c.getByTestId('panel-score-row').count()).toBe(2);
    expect(await c.getByTestId('panel-scores').textContent()).toContain('Strong portfolio from lead A');
    await screenshot(c, 'certification-panel-decision');
    await c.getByTestId('nav-training').click();
    await expect.poll(() => c.getByTestId('training-level').textContent()).toBe('L1');
    for (const x of [a, b, c]) await x.context().close();
  });
});
