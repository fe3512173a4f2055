import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ApiClient } from './api-client.ts';
import { newContext, screenshot, signIn } from './browser.ts';
import { pngBuffer } from './fixtures.ts';
import { startOwnCluster, type OwnCluster, type OwnServer } from './own-app.ts';
import { setUpProject, signedInUser } from './project-setup.ts';

/**
 * Setup and the live-review steps shared by the browser tests of issue #6 (one server process in
 * tests/e2e/review-flow.test.ts, two in tests/e2e/review-multiprocess.test.ts). Data is set up
 * through the API; the annotator's submit goes through the API too.
 */
export const reviewSchema = {
  labels: [
    { name: 'car', color: '#e6194b', hotkey: 'c', tool: 'bbox' },
    { name: 'truck', color: '#3cb44b', hotkey: 't', tool: 'bbox' },
  ],
};

export interface Actor {
  id: string;
  name: string;
  /** Signed in on the server `apiUrl` names (password `<name>-password`). */
  api: ApiClient;
}

/** Creates a user through the admin's client and signs them in on `apiUrl`. */
export async function user(
  admin: ApiClient,
  apiUrl: string,
  name: string,
  role: string,
  level: string,
  reviewer = false,
  lang = 'zh-CN',
): Promise<Actor> {
  const u = await signedInUser(admin, { name, role, level, reviewer, lang }, apiUrl);
  return { id: u.id, name, api: u.client };
}

/** A browser context of its own on `baseUrl`, signed in as `name`; `watch` sees the page before it loads anything. */
export async function page(browser: Browser, baseUrl: string, name: string, locale: string, watch?: (p: Page) => void): Promise<Page> {
  const ctx = await newContext(browser, baseUrl, locale);
  const p = await ctx.newPage();
  p.on('pageerror', (e) => console.error(`pageerror (${name}):`, e.message));
  watch?.(p);
  await signIn(p, name, `${name}-password`);
  return p;
}

export interface ReviewSetup {
  lead: Actor;
  anno: Actor;
  rev: Actor;
  projectId: string;
  /** The item the annotator holds (lease `leaseId`), not yet submitted. */
  itemId: string;
  leaseId: string;
}

/**
 * A lead (en), an annotator (L4) and a reviewer (L2 + flag, both zh-CN); an image project reviewing
 * every submission, two items queued, and the annotator holding the first one. Each actor's API
 * client talks to the server `urls` names for them.
 */
export async function setupReviewProject(
  admin: ApiClient,
  run: string,
  urls: { lead: string; anno: string; rev: string },
): Promise<ReviewSetup> {
  const lead = await user(admin, urls.lead, `lead-${run}`, 'lead', 'L2', false, 'en');
  const anno = await user(admin, urls.anno, `anno-${run}`, 'annotator', 'L4');
  const rev = await user(admin, urls.rev, `rev-${run}`, 'annotator', 'L2', true);
  const projectId = await setUpProject(lead.api, {
    name: `审核 ${run}`,
    kind: 'image',
    labelSchema: reviewSchema,
    members: [anno.id, rev.id],
    reviewPolicy: { sampleRate: 1 },
    images: [
      { name: 'street.png', data: await pngBuffer(320, 200, '#8aa4c8'), type: 'image/png' },
      { name: 'yard.png', data: await pngBuffer(320, 200, '#a8c48a'), type: 'image/png' },
    ],
    queue: true,
  });
  // The annotator holds the task now; the submit comes later, while everyone watches.
  const n = await anno.api.post(`/api/projects/${projectId}/tasks/next`);
  if (n.status !== 200) throw new Error(`next: ${JSON.stringify(n.body)}`);
  return { lead, anno, rev, projectId, itemId: n.body.task.item.id, leaseId: n.body.task.leaseId };
}

/** A dashboard tile's machine value. */
export const tile = (p: Page, id: string) => p.getByTestId(id).getAttribute('data-value');

export interface ReviewPages {
  annoPage: Page;
  revPage: Page;
  leadPage: Page;
}

/**
 * Steps 1–2 of the flow: with the lead on the dashboard, the reviewer on an empty review view and
 * the annotator on the project page, the annotator submits a box; the reviewer sees it within a
 * second, rejects it with a comment on the box, and the annotator gets the comment within a second;
 * the dashboard's review tile follows without a reload. `screenshotPrefix` names the screenshot
 * (`<prefix>review-view-zh`); without it none is taken.
 */
export async function submitAndReject(
  s: ReviewSetup,
  { annoPage, revPage, leadPage }: ReviewPages,
  opts: { screenshotPrefix?: string } = {},
): Promise<void> {
  // The lead watches the dashboard; the reviewer waits on an empty queue (entered from the project page).
  await leadPage.goto(`/projects/${s.projectId}/dashboard`);
  await leadPage.getByTestId('dashboard').waitFor();
  expect(await tile(leadPage, 'tile-review')).toBe('0');
  await revPage.goto(`/projects/${s.projectId}`);
  await revPage.getByTestId('open-review').click();
  await revPage.getByTestId('review-empty').waitFor();
  await annoPage.goto(`/projects/${s.projectId}`);
  await annoPage.getByTestId('project-title').waitFor();

  const started = Date.now();
  const r = await s.anno.api.post(`/api/tasks/${s.leaseId}/submit`, {
    submissionId: randomUUID().replace(/-/g, ''),
    regions: [{ id: 'box1', type: 'bbox', label: 'car', x: 40, y: 30, w: 120, h: 80 }],
  });
  expect(r.status).toBe(201);
  await revPage.locator('[data-testid=review-counts][data-pending="1"], [data-testid=review-task]').first().waitFor({ timeout: 1000 });
  expect(Date.now() - started).toBeLessThan(1000);
  // An empty review view draws the new task by itself.
  await revPage.getByTestId('review-task').waitFor({ timeout: 5000 });
  expect(await revPage.getByTestId('review-task').getAttribute('data-item-id')).toBe(s.itemId);
  // The dashboard's review tile moved without a reload.
  await expect.poll(() => tile(leadPage, 'tile-review'), { timeout: 3000 }).toBe('0');
  await expect.poll(async () => (await leadPage.getByTestId('tile-review').textContent()) ?? '', { timeout: 3000 }).toMatch(/1 in review/);

  // Select the box (region list) and reject with a comment on it.
  await revPage.locator('[data-testid=region-row][data-region-id=box1]').click();
  await expect.poll(() => revPage.getByTestId('review-comment-anchor').inputValue()).toBe('region');
  await revPage.getByTestId('review-comment-text').fill('这不是轿车，是卡车');
  if (opts.screenshotPrefix !== undefined) {
    await revPage.waitForTimeout(300); // let the image settle for the screenshot
    await screenshot(revPage, `${opts.screenshotPrefix}review-view-zh`);
  }
  const rejected = Date.now();
  await revPage.getByTestId('review-reject').click();
  await annoPage.locator('[data-testid=review-toast][data-verdict=reject]').waitFor({ timeout: 1000 });
  expect(Date.now() - rejected).toBeLessThan(1000);
  expect(await annoPage.getByTestId('review-toast').first().textContent()).toContain('这不是轿车，是卡车');
  expect(await annoPage.getByTestId('inbox-badge').textContent()).toBe('1');
  await revPage.getByTestId('review-empty').waitFor();
  await expect.poll(async () => (await leadPage.getByTestId('tile-review').textContent()) ?? '', { timeout: 3000 }).toMatch(/1 in rework/);
}

/**
 * Step 3: the annotator opens the rework from the toast, sees the comment on the (selected) box,
 * relabels it and resubmits; the waiting reviewer draws the re-review by itself and accepts, and
 * the annotator's accept toast comes within a second. Screenshot `<prefix>rework-item-zh`.
 */
export async function reworkAndAccept(
  _s: ReviewSetup,
  { annoPage, revPage }: ReviewPages,
  opts: { screenshotPrefix?: string } = {},
): Promise<void> {
  await annoPage.getByTestId('review-toast').getByRole('link').click();
  await annoPage.getByTestId('rework-row').waitFor();
  await annoPage.getByTestId('rework-open').click();
  const comment = annoPage.getByTestId('comment').first();
  expect(await comment.getAttribute('data-region-id')).toBe('box1');
  expect(await comment.getByTestId('comment-text').textContent()).toBe('这不是轿车，是卡车');
  // The commented box is selected when the item opens.
  await expect.poll(() => annoPage.locator('[data-testid=region-row][data-region-id=box1]').getAttribute('data-selected')).toBe('true');
  await annoPage.getByTestId('selection-label').selectOption('truck');
  if (opts.screenshotPrefix !== undefined) {
    await annoPage.waitForTimeout(300);
    await screenshot(annoPage, `${opts.screenshotPrefix}rework-item-zh`);
  }
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
}

/**
 * Two server processes (and the workers) behind one database and Redis prefix, with the review
 * project set up: the annotator's API client on server A, the reviewer's and the lead's on B.
 */
export async function setupReviewCluster(
  services: { mongoUrl: string; redisUrl: string },
  run: string,
): Promise<{ cluster: OwnCluster; A: OwnServer; B: OwnServer; setup: ReviewSetup }> {
  const cluster = await startOwnCluster(services, { servers: 2 });
  const [A, B] = cluster.servers as [OwnServer, OwnServer];
  const admin = new ApiClient(A.url);
  await admin.login('admin', cluster.adminPassword);
  const setup = await setupReviewProject(admin, run, { anno: A.url, rev: B.url, lead: B.url });
  return { cluster, A, B, setup };
}
