import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.ts';
import type { OwnCluster, OwnServer } from '../support/own-app.ts';
import { page, reworkAndAccept, setupReviewCluster, submitAndReject, tile, type ReviewSetup } from '../support/review-setup.ts';

/**
 * The live review flow of review-flow.test.ts with two server processes behind the same database
 * and Redis prefix (plus the workers): the annotator's browser and API client talk to server A,
 * the reviewer's and the lead's to server B. Every live step (submit → reviewer's queue, reject →
 * annotator's toast, rework → reviewer, accept → annotator, counts → dashboard) has to cross from
 * one process to the other through the Socket.IO Redis adapter, with the same "within a second"
 * checks as the one-process test.
 */
let cluster: OwnCluster;
let A: OwnServer;
let B: OwnServer;
let browser: Browser;
let setup: ReviewSetup;
let annoPage: Page;
let revPage: Page;
let leadPage: Page;
const run = randomUUID().slice(0, 6);

/** Where each page's Socket.IO traffic went: the port of every polling request and WebSocket. */
const socketPorts = new Map<string, { polling: Set<number>; websocket: Set<number> }>();
function watchSockets(who: string) {
  const seen = { polling: new Set<number>(), websocket: new Set<number>() };
  socketPorts.set(who, seen);
  return (p: Page) => {
    p.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/socket.io/')) seen.polling.add(Number(u.port));
    });
    p.on('websocket', (ws) => {
      const u = new URL(ws.url());
      if (u.pathname.startsWith('/socket.io/')) seen.websocket.add(Number(u.port));
    });
  };
}
let leadLoads = 0;

beforeAll(async () => {
  ({ cluster, A, B, setup } = await setupReviewCluster({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') }, run));
  browser = await launchBrowser();
  [annoPage, revPage, leadPage] = await Promise.all([
    page(browser, A.url, setup.anno.name, 'zh-CN', watchSockets('anno')),
    page(browser, B.url, setup.rev.name, 'zh-CN', watchSockets('rev')),
    page(browser, B.url, setup.lead.name, 'en-US', watchSockets('lead')),
  ]);
  leadPage.on('load', () => leadLoads++);
});
afterAll(async () => {
  await browser?.close();
  await cluster?.close();
});

describe('live review across two server processes', () => {
  it('runs two distinct server processes on their own ports, one database and Redis prefix', async () => {
    expect(A.port).not.toBe(B.port);
    expect(A.pid()).not.toBe(B.pid());
    // The annotator's session (signed in on A) is valid on B: sessions live in the shared Redis.
    const me = await setup.anno.api.request('GET', '/api/auth/me');
    expect(me.status).toBe(200);
    const onB = await fetch(`${B.url}/api/auth/me`, { headers: { cookie: setup.anno.api.cookie } });
    expect(onB.status).toBe(200);
    expect(setup.anno.api.baseUrl).toBe(A.url);
    expect(setup.lead.api.baseUrl).toBe(B.url);
  });

  it('the reviewer on B sees a submission to A within a second, rejects it with a comment on a box, the annotator on A sees it within a second', async () => {
    await submitAndReject(setup, { annoPage, revPage, leadPage }, { screenshotPrefix: 'multiprocess-' });
  });

  it('the annotator on A fixes the box, the reviewer on B gets it back at once and accepts, the annotator sees it within a second', async () => {
    await reworkAndAccept(setup, { annoPage, revPage, leadPage }, { screenshotPrefix: 'multiprocess-' });
  });

  it('the dashboard on B shows the verdicts without a reload', async () => {
    await expect.poll(() => tile(leadPage, 'tile-rejection'), { timeout: 3000 }).toBe('0.5');
    expect(await tile(leadPage, 'tile-review')).toBe('0');
    expect(leadPage.url()).toBe(`${B.url}/projects/${setup.projectId}/dashboard`);
    expect(leadLoads).toBe(1); // the goto to the dashboard; live updates did not reload it
    await screenshot(leadPage, 'multiprocess-dashboard-en');
  });

  it('the events crossed processes: each page talked Socket.IO only to its own server', async () => {
    // Live updates came over the WebSocket (not a reload, not polling of a shared server).
    expect(socketPorts.get('anno')!.websocket).toEqual(new Set([A.port]));
    expect(socketPorts.get('rev')!.websocket).toEqual(new Set([B.port]));
    expect(socketPorts.get('lead')!.websocket).toEqual(new Set([B.port]));
    for (const who of ['anno', 'rev', 'lead']) {
      const polling = [...socketPorts.get(who)!.polling];
      expect(polling.every((p) => p === (who === 'anno' ? A.port : B.port))).toBe(true);
    }
    // Both servers are still the processes started at the beginning (no restart in between).
    expect(A.pid()).not.toBeNull();
    expect(B.pid()).not.toBeNull();
  });
});
