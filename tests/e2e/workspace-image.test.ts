import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser.ts';
import { clickImage, drawBox, drawPolygon, fitView, placeKeypoints, dragImage } from '../support/editor-driver.ts';
import { imageSchema } from '../support/fixtures.ts';
import { startOwnApp, type OwnApp } from '../support/own-app.ts';
import { createUser, setUpProject, signedInUser } from '../support/project-setup.ts';
import { streetScene } from '../support/scene-image.ts';

/**
 * The annotator workspace on images, in English: a lead puts items up from the Queue tab, an
 * annotator draws a box, a polygon and a skeleton with the mouse, labels with hotkeys, undoes,
 * redoes and resizes; the work survives a reload to the exact pixel; the server is killed while
 * they keep working and submit, and everything arrives once when it is back.
 */

const IMAGE = { width: 960, height: 640 };
let app: OwnApp;
let browser: Browser;
let lead: ApiClient;
let annotator: Page;
let leadPage: Page;
let projectId = '';
let firstItem = '';

type Box = { type: 'bbox'; label: string; x: number; y: number; w: number; h: number; id: string };
type AnyRegion = { id: string; type: string; label: string; [k: string]: unknown };

async function draftOf(itemId: string): Promise<AnyRegion[] | null> {
  const r = await lead.get(`/api/projects/${projectId}/drafts`);
  const d = (r.body.drafts as { itemId: string; regions: AnyRegion[] }[]).find((x) => x.itemId === itemId);
  return d ? d.regions : null;
}

async function annotationsOf(itemId: string): Promise<{ regions: AnyRegion[]; durationMs?: number }[]> {
  return (await lead.get(`/api/projects/${projectId}/annotations?itemId=${itemId}`)).body.annotations;
}

/** The selected box as the selection panel shows it: [x, y, w, h], rounded to pixels. */
async function shownBox(p: Page): Promise<number[]> {
  const text = (await p.getByTestId('selection-geometry').textContent()) ?? '';
  return (text.match(/\d+/g) ?? []).map(Number);
}
const closeTo = (got: number[], want: number[]) => got.length === want.length && got.every((v, i) => Math.abs(v - want[i]!) <= 1);

const saved = (p: Page) => p.locator('[data-testid=save-indicator][data-state=saved]').waitFor({ timeout: 15_000 });
/** Within a pixel of the intended image position (the pointer lands on whole CSS pixels). */
const near = (a: number, b: number) => Math.abs(a - b) <= 1;

beforeAll(async () => {
  app = await startOwnApp({ mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl') });
  const admin = new ApiClient(app.url);
  await admin.login('admin', app.adminPassword);
  lead = (await signedInUser(admin, { name: 'lead-chen', role: 'lead', level: 'L2', lang: 'en' })).client;
  const annoId = await createUser(admin, { name: 'anno-zhao', role: 'annotator', level: 'L4', lang: 'en' });
  projectId = await setUpProject(lead, {
    name: 'Street scenes',
    kind: 'image',
    labelSchema: imageSchema,
    guideline: { slug: 'vehicles-pedestrians-bbox', version: '1.0' },
    members: [annoId],
    images: [
      { name: 'street-001.png', data: await streetScene(IMAGE.width, IMAGE.height), type: 'image/png' },
      { name: 'street-002.png', data: await streetScene(IMAGE.width, IMAGE.height, 1), type: 'image/png' },
    ],
  });
  browser = await launchBrowser();
  leadPage = await (await newContext(browser, app.url, 'en-US')).newPage();
  annotator = await (await newContext(browser, app.url, 'en-US')).newPage();
  for (const pg of [leadPage, annotator]) pg.on('pageerror', (e) => console.error('pageerror:', e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('annotator workspace: images', () => {
  it('the lead puts every item up from the Queue tab and pauses the project', async () => {
    await signIn(leadPage, 'lead-chen', 'lead-chen-password');
    await leadPage.goto(`/projects/${projectId}/queue`);
    await leadPage.getByTestId('queue-all').click();
    await leadPage.getByTestId('queue-result').waitFor();
    await expect.poll(() => leadPage.getByTestId('queue-count-waiting').textContent()).toBe('2');
    await expect.poll(() => leadPage.getByTestId('queue-count-items-queued').textContent()).toBe('2');
    await leadPage.getByTestId('queue-pause').click();
    await expect.poll(() => leadPage.getByTestId('queue-state').textContent()).toBe('Paused');
  });

  it('an annotator is told the project is paused, and gets a task once the lead resumes', async () => {
    await signIn(annotator, 'anno-zhao', 'anno-zhao-password');
    await annotator.getByTestId('project-start').first().click();
    await annotator.locator('[data-testid=work-status][data-code=PROJECT_PAUSED]').waitFor();
    await leadPage.getByTestId('queue-resume').click();
    await expect.poll(() => leadPage.getByTestId('queue-state').textContent()).toBe('Running');
    // The panel's button has focus: Enter asks again without the mouse.
    await annotator.keyboard.press('Enter');
    await annotator.getByTestId('editor-stage').waitFor();
    await expect.poll(() => leadPage.getByTestId('queue-count-leased').textContent()).toBe('1');
    await expect.poll(() => annotator.getByTestId('task-timer').textContent()).toMatch(/0:0\d/);
    await annotator.locator('.annotation-editor__veil').waitFor({ state: 'detached' });
  });

  it('draws a box, a polygon and a skeleton with the mouse, labels with hotkeys, undoes, redoes and resizes', async () => {
    const p = annotator;
    await fitView(p);
    // Box: the hotkey picks the label and its tool.
    await p.keyboard.press('c');
    await drawBox(p, IMAGE, { x: 125, y: 380 }, { x: 310, y: 490 });
    // A second box around the person, drawn as "car" and relabelled with the pedestrian hotkey.
    await drawBox(p, IMAGE, { x: 790, y: 300 }, { x: 852, y: 436 });
    await p.keyboard.press('v');
    await clickImage(p, IMAGE, { x: 821, y: 400 });
    await p.keyboard.press('e');
    await expect.poll(() => p.locator('[data-testid=region-row][data-label=pedestrian]').count()).toBe(1);
    await p.keyboard.press('Escape');
    // Polygon: the road, closed by clicking its first point.
    await p.keyboard.press('3');
    await drawPolygon(p, IMAGE, [
      { x: 10, y: 520 },
      { x: 950, y: 520 },
      { x: 950, y: 630 },
      { x: 10, y: 630 },
    ]);
    // Skeleton: head, left hand, right hand.
    await p.keyboard.press('4');
    await placeKeypoints(p, IMAGE, [
      { x: 820, y: 318 },
      { x: 796, y: 372 },
      { x: 846, y: 372 },
    ]);
    await expect.poll(() => p.getByTestId('region-row').count()).toBe(4);
    // Undo takes the skeleton away, redo brings it back.
    await p.keyboard.press('Control+z');
    await expect.poll(() => p.getByTestId('region-row').count()).toBe(3);
    await p.keyboard.press('Control+Shift+z');
    await expect.poll(() => p.getByTestId('region-row').count()).toBe(4);
    // Resize: select the car and drag its bottom-right handle out to the car's corner.
    await p.keyboard.press('v');
    await clickImage(p, IMAGE, { x: 200, y: 430 });
    await expect.poll(async () => closeTo(await shownBox(p), [125, 380, 185, 110])).toBe(true);
    await dragImage(p, IMAGE, { x: 310, y: 490 }, { x: 325, y: 502 });
    await expect.poll(async () => closeTo(await shownBox(p), [125, 380, 200, 122])).toBe(true);
    await saved(p);
    await screenshot(p, 'workspace-image-en');
  });

  it('autosaves the draft and restores it after a reload to the exact pixel', async () => {
    const p = annotator;
    const task = (await annotator.evaluate(() => document.querySelector('[data-testid=workspace]')?.getAttribute('data-phase'))) ?? '';
    expect(task).toBe('working');
    const items = (await lead.get(`/api/projects/${projectId}/queue/leases`)).body.leases as { itemId: string }[];
    firstItem = items[0]!.itemId;
    const before = await draftOf(firstItem);
    expect(before).toHaveLength(4);
    const car = before!.find((r) => r.label === 'car') as Box;
    expect([car.x, car.y, car.w, car.h].every((v, i) => near(v, [125, 380, 200, 122][i]!))).toBe(true);
    const person = before!.find((r) => r.label === 'pedestrian') as Box;
    expect(near(person.x, 790) && near(person.y, 300) && near(person.x + person.w, 852) && near(person.y + person.h, 436)).toBe(true);
    const pose = before!.find((r) => r.type === 'keypoints')!;
    expect((pose.points as { name: string; v: number }[]).map((q) => [q.name, q.v])).toEqual([
      ['head', 2],
      ['left-hand', 2],
      ['right-hand', 2],
    ]);

    await p.reload();
    await p.getByTestId('editor-stage').waitFor();
    await expect.poll(() => p.getByTestId('region-row').count()).toBe(4);
    await p.keyboard.press('v');
    await fitView(p);
    const shownBefore = await (async () => {
      await clickImage(p, IMAGE, { x: 200, y: 430 });
      await p.getByTestId('selection-geometry').waitFor();
      return shownBox(p);
    })();
    expect(closeTo(shownBefore, [125, 380, 200, 122])).toBe(true);
    // Nothing changed by reloading: the server's draft is the same, coordinate for coordinate.
    await saved(p);
    expect(await draftOf(firstItem)).toEqual(before);
  });

  it('keeps working while the server is down, submits offline, and everything arrives exactly once', async () => {
    const p = annotator;
    const before = (await draftOf(firstItem))!;
    await app.killServer();
    await p.keyboard.press('Escape');
    await p.keyboard.press('c');
    await drawBox(p, IMAGE, { x: 555, y: 403 }, { x: 725, y: 508 });
    await expect.poll(() => p.getByTestId('region-row').count()).toBe(5);
    await p.locator('[data-testid=save-indicator][data-state=offline]').waitFor({ timeout: 15_000 });
    await expect.poll(() => p.getByTestId('save-indicator').getAttribute('data-edits')).not.toBe('0');
    await screenshot(p, 'workspace-image-offline-en');
    // Submit with the keyboard while offline: it waits on the device.
    await p.keyboard.press('Control+Enter');
    await p.locator('[data-testid=work-status][data-phase=waiting]').waitFor();
    await expect.poll(() => p.getByTestId('save-indicator').getAttribute('data-submits')).toBe('1');

    await app.startServer();
    // The queued submit goes out by itself (retry with backoff), then the next task comes.
    await p.locator('[data-testid=workspace][data-phase=working]').waitFor({ timeout: 45_000 });
    await p.getByTestId('work-notice').waitFor();
    const anns = await annotationsOf(firstItem);
    expect(anns).toHaveLength(1);
    const regions = anns[0]!.regions;
    expect(regions).toHaveLength(5);
    // The four regions from before the outage arrive unchanged; the new box is where it was drawn.
    expect(regions.slice(0, 4)).toEqual(before);
    const blue = regions[4] as Box;
    expect(blue.label).toBe('car');
    expect(near(blue.x, 555) && near(blue.y, 403) && near(blue.x + blue.w, 725) && near(blue.y + blue.h, 508)).toBe(true);
    expect(new Set(regions.map((r) => r.id)).size).toBe(5);
    expect(anns[0]!.durationMs).toBeGreaterThan(0);
    // The lease's draft is gone with the submit; the second image is in hand.
    expect(await draftOf(firstItem)).toBeNull();
    await expect.poll(() => p.getByTestId('region-row').count()).toBe(0);
  });

  it('skips with a reason from the keyboard, and says when nothing is left', async () => {
    const p = annotator;
    await p.keyboard.press('Alt+s');
    await p.getByTestId('skip-dialog').waitFor();
    await expect.poll(() => p.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('skip-preset');
    // Focus starts on the first reason; arrows choose, Enter confirms.
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('Enter');
    await p.locator('[data-testid=work-status][data-code=NOTHING_TO_DO]').waitFor();
    const counts = (await lead.get(`/api/projects/${projectId}/queue`)).body.counts;
    expect(counts).toMatchObject({ done: 1, skips: 1, leased: 0 });
  });
});
