import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { setUpProject } from '../support/project-setup.ts';
import { reviewSchema, user, type Actor } from '../support/review-setup.ts';

/**
 * Issue #10, items 4, 5, 9, 10, 11 and 19 as a person meets them in the browser: every role lands on
 * a tab it can use, a trainee sees the level a project needs and who to ask, an admin deactivates,
 * reactivates and resets a password, an annotator who was offline when rejected finds it in the
 * inbox (read state kept), items are named by their file name, and ten accepts make one toast.
 * Data is set up through the API.
 */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
let browser: Browser;
let admin: ApiClient;
let lead: Actor;
let anno: Actor;
let rev: Actor;
let trainee: Actor;
let projectId = '';
let highProjectId = '';

const PERMISSION = /permission|权限/i;

async function open(name: string, locale: string, password = `${name}-password`): Promise<Page> {
  const ctx = await newContext(browser, url, locale);
  const p = await ctx.newPage();
  p.on('pageerror', (e) => console.error(`pageerror (${name}):`, e.message));
  await signIn(p, name, password);
  return p;
}

async function alerts(p: Page): Promise<string[]> {
  return p.locator('[role=alert]').allTextContents();
}

/** The annotator submits their next task (through the API) and the reviewer gives a verdict on it. */
async function submitAndDecide(verdict: 'accept' | 'reject', comment?: string): Promise<void> {
  const n = await anno.api.post(`/api/projects/${projectId}/tasks/next`);
  expect(n.status, JSON.stringify(n.body)).toBe(200);
  const s = await anno.api.post(`/api/tasks/${n.body.task.leaseId}/submit`, {
    submissionId: randomUUID().replace(/-/g, ''),
    regions: [{ id: 'b1', type: 'bbox', label: 'car', x: 5, y: 5, w: 20, h: 20 }],
  });
  expect(s.status).toBe(201);
  const task = await rev.api.post(`/api/projects/${projectId}/review/next`);
  expect(task.status).toBe(200);
  const v = await rev.api.post(`/api/projects/${projectId}/review/tasks/${task.body.task.taskId}/verdict`, {
    token: task.body.task.token,
    verdict,
    comments: comment ? [{ anchor: { kind: 'item' }, text: comment }] : [],
  });
  expect(v.status).toBe(201);
}

beforeAll(async () => {
  admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  lead = await user(admin, url, `lead-${run}`, 'lead', 'L2', false, 'en');
  anno = await user(admin, url, `anno-${run}`, 'annotator', 'L4');
  rev = await user(admin, url, `rev-${run}`, 'annotator', 'L2', true, 'en');
  trainee = await user(admin, url, `trainee-${run}`, 'annotator', 'L5', false, 'en');
  const images = [];
  for (let i = 0; i < 12; i++)
    images.push({
      name: `street-${String(i).padStart(3, '0')}.png`,
      data: await pngBuffer(64, 48, `#8aa4${(16 + i * 8).toString(16)}`),
      type: 'image/png',
    });
  projectId = await setUpProject(lead.api, {
    name: `first hour ${run}`,
    kind: 'image',
    labelSchema: reviewSchema,
    members: [anno.id, rev.id, trainee.id],
    reviewPolicy: { sampleRate: 1 },
    images,
    queue: 12,
  });
  // A project above the trainee's level.
  highProjectId = await setUpProject(lead.api, {
    name: `advanced ${run}`,
    kind: 'image',
    labelSchema: reviewSchema,
    minLevel: 'L3',
    members: [trainee.id, anno.id],
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the first hour, in the browser', () => {
  it('annotators, reviewers and trainees open a project on a tab they can use, without a permission error; leads on the items', async () => {
    for (const [who, locale] of [
      [anno, 'zh-CN'],
      [rev, 'en-US'],
      [trainee, 'en-US'],
    ] as const) {
      const p = await open(who.name, locale);
      await p.locator(`[data-testid=project-row][data-project-id="${projectId}"] [data-testid=project-link]`).click();
      await p.getByTestId('project-title').waitFor();
      await expect.poll(() => p.getByTestId('tab-guideline').getAttribute('aria-current')).toBe('page');
      expect(await p.getByTestId('tab-items').count()).toBe(0);
      // Give a refused request time to show up: there must be none.
      await p.waitForTimeout(500);
      expect((await alerts(p)).filter((a) => PERMISSION.test(a))).toEqual([]);
      expect(new URL(p.url()).pathname).toBe(`/projects/${projectId}`);
      if (who === trainee) await screenshot(p, 'project-landing-trainee-en');
      await p.context().close();
    }
    const lp = await open(lead.name, 'en-US');
    await lp.locator(`[data-testid=project-row][data-project-id="${projectId}"] [data-testid=project-link]`).click();
    await expect.poll(() => lp.getByTestId('tab-items').getAttribute('aria-current')).toBe('page');
    await lp.getByTestId('item-table').waitFor();
    await lp.context().close();
  });

  it('a trainee sees the level a project needs instead of a start button, and on its page who to ask (no quiz promised, no save indicator)', async () => {
    const p = await open(trainee.name, 'en-US');
    const row = p.locator(`[data-testid=project-row][data-project-id="${highProjectId}"]`);
    expect(await row.getByTestId('project-level').textContent()).toBe('L3');
    expect(await row.getByTestId('project-start').count()).toBe(0);
    expect(await row.getByTestId('project-needs-level').textContent()).toBe('Needs L3 — you are L5');
    // Where the trainee has the level, the start button is there.
    const ok = p.locator(`[data-testid=project-row][data-project-id="${projectId}"]`);
    expect(await ok.getByTestId('project-start').count()).toBe(1);
    await screenshot(p, 'project-list-levels-trainee-en');
    await row.getByTestId('project-needs-level').click();
    await p.getByTestId('level-help').waitFor();
    await p.getByTestId('level-lead').first().waitFor();
    expect(await p.getByTestId('level-lead').allTextContents()).toEqual([lead.name]);
    const text = (await p.getByTestId('level-help').textContent()) ?? '';
    expect(text).toContain('needs certification level L3 or above; yours is L5');
    expect(text).toContain('raised by a lead or an admin');
    expect(text.toLowerCase()).not.toContain('quiz');
    expect(await p.getByTestId('save-indicator').count()).toBe(0);
    await screenshot(p, 'level-too-low-en');
    // The same page in Chinese.
    await p.getByTestId('lang-zh-CN').click();
    await expect.poll(async () => (await p.getByTestId('level-help').textContent()) ?? '').toContain('请联系项目组长');
    await p.context().close();
  });

  it('an admin deactivates a user after confirming (they cannot sign in), reactivates them, and resets a password (old sessions end)', async () => {
    const victim = await user(admin, url, `temp-${run}`, 'annotator', 'L5', false, 'en');
    const p = await open('admin', 'en-US', inject('adminPassword'));
    await p.getByTestId('nav-users').click();
    const row = p.locator(`[data-testid=user-row][data-user-id="${victim.id}"]`);
    // The admin works in Chinese (their profile language).
    expect(await row.getByTestId('user-status').textContent()).toBe('正常');
    await row.getByTestId('user-deactivate').click();
    await p.getByTestId('user-status-dialog').waitFor();
    expect(await p.getByTestId('user-status-dialog').textContent()).toContain('重新启用前无法登录');
    await screenshot(p, 'user-deactivate-dialog-zh');
    // Cancel changes nothing.
    await p.getByTestId('user-status-cancel').click();
    expect(await row.getByTestId('user-status').getAttribute('data-disabled')).toBe('false');
    await row.getByTestId('user-deactivate').click();
    await p.getByTestId('user-status-confirm').click();
    await expect.poll(() => row.getByTestId('user-status').getAttribute('data-disabled')).toBe('true');
    expect((await victim.api.get('/api/auth/me')).status).toBe(401);
    expect((await new ApiClient(url).login(victim.name, `${victim.name}-password`)).status).toBe(401);
    await row.getByTestId('user-reactivate').click();
    await p.getByTestId('user-status-confirm').click();
    await expect.poll(() => row.getByTestId('user-status').getAttribute('data-disabled')).toBe('false');
    const back = new ApiClient(url);
    expect((await back.login(victim.name, `${victim.name}-password`)).status).toBe(200);
    // A new password: too short is refused in the dialog, then set; the old session ends.
    await row.getByTestId('user-reset-password').click();
    await p.getByTestId('user-new-password').fill('short');
    await p.getByTestId('user-password-submit').click();
    await p.locator('[data-testid=user-password-dialog] .field__error').waitFor();
    await p.getByTestId('user-new-password').fill('a-brand-new-password');
    await p.getByTestId('user-password-submit').click();
    await row.getByTestId('user-reset-done').waitFor();
    expect((await back.get('/api/auth/me')).status).toBe(401);
    expect((await new ApiClient(url).login(victim.name, `${victim.name}-password`)).status).toBe(401);
    expect((await new ApiClient(url).login(victim.name, 'a-brand-new-password')).status).toBe(200);
    await p.context().close();
  });

  it('an annotator who was offline when rejected finds it in the inbox at sign-in, named by file name; read state survives a reload', async () => {
    await submitAndDecide('reject', '框太松了');
    const p = await open(anno.name, 'zh-CN');
    await expect.poll(() => p.getByTestId('inbox-badge').textContent()).toBe('1');
    await p.getByTestId('inbox-button').click();
    const entry = p.getByTestId('inbox-entry');
    expect(await entry.count()).toBe(1);
    expect(await entry.getAttribute('data-read')).toBe('false');
    const text = (await entry.textContent()) ?? '';
    expect(text).toMatch(/street-\d{3}\.png/);
    expect(text).toContain('框太松了');
    expect(text).not.toMatch(/[0-9a-f]{6}/);
    await screenshot(p, 'inbox-unread-zh');
    await entry.getByTestId('inbox-mark-read').click();
    await expect.poll(() => entry.getAttribute('data-read')).toBe('true');
    expect(await p.getByTestId('inbox-badge').count()).toBe(0);
    await p.reload();
    await p.getByTestId('inbox-button').click();
    await expect.poll(() => p.getByTestId('inbox-entry').getAttribute('data-read')).toBe('true');
    expect(await p.getByTestId('inbox-badge').count()).toBe(0);
    await p.context().close();
  });

  it('the reviewer sees the item by its file name', async () => {
    const n = await anno.api.post(`/api/projects/${projectId}/tasks/next`);
    expect(n.status, JSON.stringify(n.body)).toBe(200);
    await anno.api.post(`/api/tasks/${n.body.task.leaseId}/submit`, {
      submissionId: randomUUID().replace(/-/g, ''),
      regions: [{ id: 'b1', type: 'bbox', label: 'car', x: 5, y: 5, w: 20, h: 20 }],
    });
    const p = await open(rev.name, 'en-US');
    await p.goto(`/projects/${projectId}/review`);
    await p.getByTestId('review-item-name').waitFor();
    expect(await p.getByTestId('review-item-name').textContent()).toBe(`Item ${n.body.task.item.image.name}`);
    // Accept it (the reviewer holds the lease: the API resumes it).
    const task = await rev.api.post(`/api/projects/${projectId}/review/next`);
    expect(
      (
        await rev.api.post(`/api/projects/${projectId}/review/tasks/${task.body.task.taskId}/verdict`, {
          token: task.body.task.token,
          verdict: 'accept',
        })
      ).status,
    ).toBe(201);
    await p.context().close();
  });

  it('ten accepts arriving at once make one toast, "10 annotations accepted" (10 条标注已通过), that opens the inbox', async () => {
    const before: number = (await anno.api.get('/api/inbox/unread-count')).body.unread;
    const p = await open(anno.name, 'en-US');
    await p.getByTestId('inbox-button').waitFor();
    await p.waitForTimeout(300);
    for (let i = 0; i < 10; i++) await submitAndDecide('accept');
    await expect
      .poll(() => p.locator('[data-testid=review-toast][data-kind=accepted]').getAttribute('data-count'), { timeout: 5000 })
      .toBe('10');
    expect(await p.getByTestId('review-toast').count()).toBe(1);
    // The annotator's profile language is Chinese.
    expect(await p.getByTestId('review-toast').textContent()).toContain('10 条标注已通过');
    await screenshot(p, 'toast-accepted-group-zh');
    await p.getByTestId('toast-open-inbox').click();
    await p.getByTestId('inbox-panel').waitFor();
    // The ten, and what was unread before (the accept of the previous test).
    await expect.poll(() => p.locator('[data-testid=inbox-entry][data-read=false]').count()).toBe(before + 10);
    await p.getByTestId('inbox-mark-all').click();
    await expect.poll(() => p.getByTestId('inbox-badge').count()).toBe(0);
    // The badge goes at once; the server has it too a moment later.
    await expect.poll(async () => (await anno.api.get('/api/inbox/unread-count')).body).toEqual({ unread: 0 });
    await p.reload();
    await p.getByTestId('inbox-button').waitFor();
    await p.waitForTimeout(500);
    expect(await p.getByTestId('inbox-badge').count()).toBe(0);
  });

  it('the lead’s dashboard shows a car↔truck mix-up between boxes and throughput per active hour', async () => {
    const d = await lead.api.post('/api/projects', {
      name: `mix-up ${run}`,
      kind: 'image',
      labelSchema: reviewSchema,
      overlap: 2,
      goldRate: 0,
      minLevel: 'L5',
    });
    expect(d.status).toBe(201);
    const id: string = d.body.project.id;
    await lead.api.put(`/api/projects/${id}/members`, { userIds: [anno.id, trainee.id] });
    expect(
      (
        await lead.api.upload(`/api/projects/${id}/items/images`, 'files', [
          { name: 'junction.png', data: await pngBuffer(200, 100, '#a0b0c0'), type: 'image/png' },
        ])
      ).status,
    ).toBe(201);
    for (let tries = 0; (await lead.api.get(`/api/projects/${id}`)).body.project.counts.items < 1; tries++) {
      if (tries > 100) throw new Error('the import did not finish');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await lead.api.post(`/api/projects/${id}/queue/items`, { all: true })).status).toBe(200);
    for (const [who, label] of [
      [anno, 'car'],
      [trainee, 'truck'],
    ] as const) {
      const n = await who.api.post(`/api/projects/${id}/tasks/next`);
      expect(n.status, JSON.stringify(n.body)).toBe(200);
      const s = await who.api.post(`/api/tasks/${n.body.task.leaseId}/submit`, {
        submissionId: randomUUID().replace(/-/g, ''),
        durationMs: 20_000,
        regions: [{ id: 'b1', type: 'bbox', label, x: 10, y: 10, w: 60, h: 40 }],
      });
      expect(s.status).toBe(201);
    }
    const p = await open(lead.name, 'en-US');
    await p.goto(`/projects/${id}/dashboard`);
    const cell = p.locator('[data-testid=confusion-regions] [data-testid=confusion-cell][data-row=car][data-col=truck]');
    await expect.poll(async () => ((await cell.count()) ? cell.getAttribute('data-value') : null), { timeout: 20_000 }).toBe('1');
    expect(
      await p
        .locator('[data-testid=confusion-regions] [data-testid=confusion-cell][data-row=truck][data-col=car]')
        .getAttribute('data-value'),
    ).toBe('1');
    const tile = (await p.getByTestId('tile-throughput').textContent()) ?? '';
    expect(tile).toContain('/ active h');
    expect(tile).toContain('2 submissions in');
    expect(Number(await p.getByTestId('tile-throughput').getAttribute('data-value'))).toBeGreaterThan(100);
    await p.getByTestId('dashboard-confusion').scrollIntoViewIfNeeded();
    await screenshot(p, 'dashboard-region-confusion-en');
    await p.context().close();
  });
});
