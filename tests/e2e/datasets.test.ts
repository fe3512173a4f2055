import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import yauzl from 'yauzl';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { setUpProject } from '../support/project-setup.ts';
import { page as signedInPage, user, type Actor } from '../support/review-setup.ts';

/**
 * Issue #13: the lead freezes a snapshot of the project in the Datasets tab (release note, version
 * 1.0.0, hash) and downloads a YOLO export of that snapshot, watching it finish.
 */

const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const labelSchema = {
  labels: [
    { name: 'car', color: '#e6194b', tool: 'bbox' },
    { name: 'person', color: '#3cb44b', tool: 'bbox' },
  ],
};
let browser: Browser;
let lead: Actor;
let leadPage: Page;
let projectId = '';

function unzip(buf: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, string>();
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, s) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          (s as Readable).on('data', (c: Buffer) => chunks.push(c));
          (s as Readable).on('end', () => {
            out.set(e.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  lead = await user(admin, url, `xlead-${run}`, 'lead', 'L2', false, 'en');
  const anno = await user(admin, url, `xanno-${run}`, 'annotator', 'L4', false, 'en');
  projectId = await setUpProject(lead.api, {
    name: `Datasets ${run}`,
    kind: 'image',
    labelSchema,
    members: [anno.id],
    images: [{ name: 'street 1.png', data: await pngBuffer(200, 100), type: 'image/png' }],
    queue: 1,
  });
  // The annotator labels the image.
  const task = await anno.api.post(`/api/projects/${projectId}/tasks/next`);
  expect(task.status).toBe(200);
  const submit = await anno.api.post(`/api/tasks/${task.body.task.leaseId}/submit`, {
    submissionId: randomUUID().replace(/-/g, ''),
    regions: [{ id: 'b1', type: 'bbox', label: 'car', x: 20, y: 10, w: 100, h: 50 }],
  });
  expect(submit.status, JSON.stringify(submit.body)).toBe(201);
  browser = await launchBrowser();
  leadPage = await signedInPage(browser, url, lead.name, 'en-US');
});
afterAll(async () => {
  await browser?.close();
});

describe('datasets tab', () => {
  it('the lead freezes a snapshot and downloads a YOLO export of it', async () => {
    try {
      await leadPage.goto(`${url}/projects/${projectId}/datasets`);
      // Before anything exists, each list says what it will hold and how to start it (it said only "Nothing yet.").
      expect(await leadPage.getByTestId('exports-empty').textContent()).toContain('Start export');
      expect(await leadPage.getByTestId('snapshots-empty').textContent()).toContain('numbered release');
      await leadPage.getByTestId('snapshot-note').fill('first release');
      await leadPage.getByTestId('snapshot-freeze').click();
      const snap = leadPage.getByTestId('snapshot-row').first();
      await expect.poll(() => snap.getAttribute('data-status'), { timeout: 30_000 }).toBe('complete');
      expect(await snap.getAttribute('data-version')).toBe('1.0.0');
      expect(await snap.textContent()).toContain('first release');
      // One submitted box is one region, whether or not the consensus made of it was frozen beside it (it said "2 regions").
      expect(await snap.getByTestId('snapshot-counts').textContent()).toMatch(/^1 item, 1 region( · |$)/);
      await screenshot(leadPage, 'datasets-snapshot-row-en');

      await leadPage.getByTestId('export-format').selectOption('yolo');
      await leadPage.getByTestId('export-selection').selectOption('all');
      const from = leadPage.getByTestId('export-from');
      await from.selectOption({ index: 1 });
      await leadPage.getByTestId('export-start').click();
      const row = leadPage.getByTestId('export-row').first();
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('complete');
      expect(await row.getAttribute('data-format')).toBe('yolo');
      const [download] = await Promise.all([leadPage.waitForEvent('download'), row.getByTestId('export-download').click()]);
      expect(download.suggestedFilename()).toMatch(/v1\.0\.0-yolo\.zip$/);
      const files = await unzip(readFileSync((await download.path())!));
      expect(files.get('data.yaml')).toContain('car');
      const labels = [...files.entries()].filter(([name]) => name.endsWith('.txt'));
      expect(labels).toHaveLength(1);
      expect(labels[0]![0]).toMatch(/street 1\.txt$/);
      // car = class 0; the box 20,10 100×50 on a 200×100 image: normalised centre and size.
      expect(labels[0]![1].trim()).toBe('0 0.35 0.35 0.5 0.5');
      expect(JSON.parse(files.get('manifest.json')!)).toMatchObject({
        format: 'yolo',
        snapshot: { version: '1.0.0' },
        counts: { items: 1, regions: 1 },
      });
    } catch (e) {
      await screenshot(leadPage, 'datasets-tab');
      throw e;
    }
  });
});
