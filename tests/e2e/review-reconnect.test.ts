import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import type { OwnCluster, OwnServer } from '../support/own-app.ts';
import { page, setupReviewCluster, type ReviewSetup } from '../support/review-setup.ts';

/**
 * Catching up after a dropped connection: the annotator's server process dies (their socket drops),
 * the reviewer on the other process rejects their work and comments while they are away; when the
 * server is back the annotator's page reconnects and catches up through the inbox resync — one
 * toast per verdict, nothing twice, also after a second reconnect — and the rework list is current.
 */
let cluster: OwnCluster;
let A: OwnServer;
let B: OwnServer;
let browser: Browser;
let setup: ReviewSetup;
let annoPage: Page;
/** Socket.IO WebSockets the annotator's page has opened (one more after every reconnect). */
let sockets = 0;
const run = randomUUID().slice(0, 6);

beforeAll(async () => {
  ({ cluster, A, B, setup } = await setupReviewCluster({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') }, run));
  browser = await launchBrowser();
  annoPage = await page(browser, A.url, setup.anno.name, 'zh-CN', (p) =>
    p.on('websocket', (ws) => {
      if (new URL(ws.url()).pathname.startsWith('/socket.io/')) sockets++;
    }),
  );
});
afterAll(async () => {
  await browser?.close();
  await cluster?.close();
});

describe('reconnecting after a drop', () => {
  it('shows what was missed once, and only once', async () => {
    const { projectId } = setup;
    // The annotator's work goes to review; they wait on their rework list, connected to A.
    const s = await setup.anno.api.post(`/api/tasks/${setup.leaseId}/submit`, {
      submissionId: randomUUID().replace(/-/g, ''),
      regions: [{ id: 'box1', type: 'bbox', label: 'car', x: 40, y: 30, w: 120, h: 80 }],
    });
    expect(s.status).toBe(201);
    await annoPage.goto(`/projects/${projectId}/rework`);
    await annoPage.getByTestId('rework-empty').waitFor();

    // A dies: the annotator's socket drops. Meanwhile the reviewer (on B) rejects with a comment.
    await A.kill();
    const task = (await setup.rev.api.post(`/api/projects/${projectId}/review/next`)).body.task;
    const v = await setup.rev.api.post(`/api/projects/${projectId}/review/tasks/${task.taskId}/verdict`, {
      token: task.token,
      verdict: 'reject',
      comments: [{ anchor: { kind: 'region', regionId: 'box1' }, text: '断线期间的批注' }],
    });
    expect(v.status).toBe(201);
    await annoPage.waitForTimeout(1500);
    expect(await annoPage.getByTestId('review-toast').count()).toBe(0);

    // A is back: the page reconnects by itself and catches up — one toast, badge 1, the list reloaded.
    await A.start();
    await annoPage.locator('[data-testid=review-toast][data-verdict=reject]').waitFor({ timeout: 15_000 });
    expect(await annoPage.getByTestId('review-toast').count()).toBe(1);
    expect(await annoPage.getByTestId('review-toast').first().textContent()).toContain('断线期间的批注');
    expect(await annoPage.getByTestId('inbox-badge').textContent()).toBe('1');
    await annoPage.getByTestId('rework-row').waitFor({ timeout: 5000 });

    // A second drop and reconnect brings nothing new: no toast again, the badge stays at 1.
    await annoPage.getByTestId('review-toast').getByRole('button').click();
    expect(await annoPage.getByTestId('review-toast').count()).toBe(0);
    const before = sockets;
    await A.kill();
    await A.start();
    await expect.poll(() => sockets, { timeout: 15_000 }).toBeGreaterThan(before);
    await annoPage.waitForTimeout(2000); // the catch-up call answers
    expect(await annoPage.getByTestId('review-toast').count()).toBe(0);
    expect(await annoPage.getByTestId('inbox-badge').textContent()).toBe('1');
    await annoPage.getByTestId('inbox-button').click();
    expect(await annoPage.getByTestId('inbox-entry').count()).toBe(1);
  });
});
