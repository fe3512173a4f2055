import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { setUpProject } from '../support/project-setup.ts';
import { page, reviewSchema, user, type Actor } from '../support/review-setup.ts';

/**
 * Comparing annotations and commenting on the spot: the reviewer sees two annotators' boxes in
 * their own colours, overlaid or side by side; the reject comment is a numbered pin on the box in
 * the annotator's rework canvas; both see who else is on the item; the lead's item view (where the
 * dashboard links) shows every annotation and verdict; text spans of two annotators are aligned.
 */
const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
let browser: Browser;
let lead: Actor;
let annos: Actor[];
let rev: Actor;

const sid = () => randomUUID().replace(/-/g, '');

/** Pixels of the comment pin's amber (#fab005) in a screenshot. */
async function pinPixels(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if (Math.abs(data[i]! - 250) < 14 && Math.abs(data[i + 1]! - 176) < 14 && data[i + 2]! < 40) n++;
  }
  return n;
}

async function submit(a: Actor, projectId: string, regions: unknown[]): Promise<{ itemId: string; annotationId: string }> {
  const n = await a.api.post(`/api/projects/${projectId}/tasks/next`);
  if (n.status !== 200) throw new Error(`next: ${JSON.stringify(n.body)}`);
  const s = await a.api.post(`/api/tasks/${n.body.task.leaseId}/submit`, { submissionId: sid(), regions });
  if (s.status !== 201) throw new Error(`submit: ${JSON.stringify(s.body)}`);
  return { itemId: n.body.task.item.id, annotationId: s.body.annotation.id };
}

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  lead = await user(admin, url, `clead-${run}`, 'lead', 'L2', false, 'en');
  annos = [await user(admin, url, `canno0-${run}`, 'annotator', 'L4'), await user(admin, url, `canno1-${run}`, 'annotator', 'L4')];
  rev = await user(admin, url, `crev-${run}`, 'annotator', 'L2', true);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('comparing annotations and pinned comments', () => {
  let projectId = '';
  let itemId = '';
  const annotationOf = new Map<string, Actor>();
  let revPage: Page;
  let annoPage: Page;
  let primary = '';

  it('the reviewer sees both annotators in their colours, overlaid and side by side, and who else is on the item', async () => {
    projectId = await setUpProject(lead.api, {
      name: `对比 ${run}`,
      kind: 'image',
      labelSchema: reviewSchema,
      overlap: 2,
      members: [...annos.map((a) => a.id), rev.id],
      reviewPolicy: { sampleRate: 1 },
      images: [{ name: 'lot.png', data: await pngBuffer(400, 260, '#5b6b80'), type: 'image/png' }],
      queue: true,
    });
    const a = await submit(annos[0]!, projectId, [{ id: 'b1', type: 'bbox', label: 'car', x: 40, y: 40, w: 120, h: 80 }]);
    const b = await submit(annos[1]!, projectId, [{ id: 'b1', type: 'bbox', label: 'truck', x: 50, y: 46, w: 110, h: 78 }]);
    expect(b.itemId).toBe(a.itemId);
    itemId = a.itemId;
    annotationOf.set(a.annotationId, annos[0]!);
    annotationOf.set(b.annotationId, annos[1]!);

    revPage = await page(browser, url, rev.name, 'zh-CN');
    await revPage.goto(`${url}/projects/${projectId}/review`);
    await revPage.getByTestId('review-task').waitFor();
    const toggles = revPage.getByTestId('compare-layer-toggle');
    // Two annotators (and the consensus once the worker has completed the item).
    await expect.poll(() => toggles.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    primary = (await revPage.locator('[data-testid=compare-layer-toggle][data-primary=true]').getAttribute('data-layer')) ?? '';
    expect(annotationOf.has(primary)).toBe(true);
    const other = [...annotationOf.keys()].find((id) => id !== primary)!;
    // Overlay: turn the other annotator on; both boxes are listed (the other's id prefixed).
    await revPage.locator(`[data-testid=compare-layer-toggle][data-layer="${other}"]`).check();
    await expect.poll(() => revPage.getByTestId('region-row').count()).toBe(2);
    await screenshot(revPage, 'review-overlay-zh');
    // Side by side: a canvas per shown annotator, one box each.
    await revPage.getByTestId('compare-layout-side').click();
    await expect.poll(() => revPage.getByTestId('compare-cell').count()).toBe(2);
    expect(
      await revPage.locator('[data-testid=compare-cell]').evaluateAll((els) => els.map((e) => e.getAttribute('data-regions'))),
    ).toEqual(['1', '1']);
    await screenshot(revPage, 'review-side-by-side-zh');
    await revPage.getByTestId('compare-layout-overlay').click();

    // The annotator under review opens the item too: both see each other.
    annoPage = await page(browser, url, annotationOf.get(primary)!.name, 'zh-CN');
    expect(await revPage.getByTestId('presence-chip').count()).toBe(1);
  });

  it("a reject comment on the box is a numbered pin on it in the annotator's canvas, with its text beside it", async () => {
    // The reviewer comments on the box under review (region list) and rejects.
    await revPage.locator('[data-testid=region-row][data-region-id=b1]').click();
    await expect.poll(() => revPage.getByTestId('review-comment-anchor').inputValue()).toBe('region');
    await revPage.getByTestId('review-comment-text').fill('框太大了，左边留白');
    await revPage.getByTestId('review-reject').click();
    // The other annotation of the same item is next for the reviewer (sampled too).
    await revPage.locator(`[data-testid=review-task][data-item-id="${itemId}"]`).waitFor({ timeout: 5000 });

    await annoPage.goto(`${url}/projects/${projectId}/rework`);
    await annoPage.getByTestId('rework-open').click();
    const stage = annoPage.getByTestId('editor-stage');
    await stage.waitFor();
    // The comment list numbers the comment like its pin and names the box by number and label.
    const comment = annoPage.getByTestId('comment').first();
    expect(await comment.getAttribute('data-region-id')).toBe('b1');
    expect(await comment.textContent()).toContain('区域 1（car）');
    // The pin is drawn on the canvas (amber pixels) and the box is selected, so its text shows beside it.
    await expect.poll(async () => pinPixels(await stage.screenshot()), { timeout: 3000 }).toBeGreaterThan(60);
    // Presence: the reviewer (on the same item's next annotation) and the annotator see each other.
    await expect.poll(() => annoPage.getByTestId('presence-chip').count(), { timeout: 3000 }).toBe(2);
    await expect.poll(() => revPage.getByTestId('presence-chip').count(), { timeout: 3000 }).toBe(2);
    await screenshot(annoPage, 'rework-pin-zh');
    // Selecting nothing hides the callout but keeps the pin.
    await stage.click({ position: { x: 5, y: 5 } });
    expect(await pinPixels(await stage.screenshot())).toBeGreaterThan(60);
  });

  it("the lead's item view shows every annotation, the verdict and the comment", async () => {
    const leadPage = await page(browser, url, lead.name, 'en-US');
    await leadPage.goto(`${url}/projects/${projectId}/items/${itemId}`);
    await leadPage.getByTestId('item-view').waitFor();
    await expect.poll(() => leadPage.locator('[data-testid=compare-layer-toggle]:checked').count()).toBe(2);
    await expect.poll(() => leadPage.getByTestId('item-review').count()).toBe(1);
    expect(await leadPage.getByTestId('item-review').getAttribute('data-verdict')).toBe('reject');
    expect(await leadPage.getByTestId('comment-text').textContent()).toBe('框太大了，左边留白');
    expect(await leadPage.getByTestId('region-row').count()).toBe(2);
    await leadPage.getByTestId('compare-layout-side').click();
    await expect.poll(() => leadPage.getByTestId('compare-cell').count()).toBe(2);
    await screenshot(leadPage, 'item-view-en');
    await leadPage.context().close();
  });
});

describe('aligned spans of a Chinese text item', () => {
  it("lines up two annotators' spans by position and marks the disagreements", async () => {
    const text = '张伟在北京大学工作。';
    const projectId = await setUpProject(lead.api, {
      name: `文本对比 ${run}`,
      kind: 'text',
      labelSchema: {
        labels: [
          { name: 'PER', color: '#1c7ed6', hotkey: 'p', tool: 'span' },
          { name: 'ORG', color: '#2f9e44', hotkey: 'o', tool: 'span' },
          { name: 'LOC', color: '#ae3ec9', hotkey: 'l', tool: 'span' },
        ],
      },
      overlap: 2,
      members: annos.map((a) => a.id),
      text: { name: 'ner.jsonl', data: Buffer.from(`${JSON.stringify({ text })}\n`), type: 'application/x-ndjson' },
      queue: true,
    });
    // Both mark 张伟 PER; one marks 北京大学 ORG, the other 北京 LOC + 大学 ORG.
    const a = await submit(annos[0]!, projectId, [
      { id: 's1', type: 'span', label: 'PER', start: 0, end: 2 },
      { id: 's2', type: 'span', label: 'ORG', start: 3, end: 7 },
    ]);
    await submit(annos[1]!, projectId, [
      { id: 's1', type: 'span', label: 'PER', start: 0, end: 2 },
      { id: 's2', type: 'span', label: 'LOC', start: 3, end: 5 },
      { id: 's3', type: 'span', label: 'ORG', start: 5, end: 7 },
    ]);

    const leadPage = await page(browser, url, lead.name, 'en-US');
    await leadPage.goto(`${url}/projects/${projectId}/items/${a.itemId}`);
    await leadPage.getByTestId('item-view').waitFor();
    await leadPage.getByTestId('compare-layout-side').click();
    const rows = leadPage.getByTestId('compare-span-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(
      await rows.evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-start'), e.getAttribute('data-end'), e.getAttribute('data-agree')]),
      ),
    ).toEqual([
      ['0', '2', 'true'],
      ['3', '7', 'false'],
    ]);
    expect(await rows.nth(1).locator('th').textContent()).toContain('北京大学');
    expect(await leadPage.getByTestId('compare-span-summary').textContent()).toBe('2 stretches with spans, 1 with disagreement');
    // The lead reads English (their profile); in Chinese the same view:
    await leadPage.getByTestId('lang-zh-CN').click();
    await expect.poll(() => leadPage.getByTestId('compare-span-summary').textContent()).toBe('共 2 处有片段，其中 1 处不一致');
    await leadPage.getByTestId('compare-only-diff').check();
    await expect.poll(() => rows.count()).toBe(1);
    await screenshot(leadPage, 'item-spans-aligned-zh');
    await leadPage.context().close();
  });
});
