import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { setUpProject } from '../support/project-setup.ts';
import { page as signedInPage, user, type Actor } from '../support/review-setup.ts';

/**
 * Issue #13: a lead imports a COCO file as predictions (preview, label mapping, confirm) and an
 * annotator starts from the pre-filled boxes in the workspace, accepts them and submits.
 */

const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const files = mkdtempSync(path.join(tmpdir(), 'lw-e2e-dataset-'));
const labelSchema = {
  labels: [
    { name: 'car', color: '#e6194b', tool: 'bbox' },
    { name: 'person', color: '#3cb44b', tool: 'bbox' },
  ],
};
let browser: Browser;
let lead: Actor;
let anno: Actor;
let leadPage: Page;
let annoPage: Page;
let projectId = '';

beforeAll(async () => {
  const admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  lead = await user(admin, url, `dlead-${run}`, 'lead', 'L2', false, 'en');
  anno = await user(admin, url, `danno-${run}`, 'annotator', 'L4', false, 'en');
  projectId = await setUpProject(lead.api, {
    name: `COCO in ${run}`,
    kind: 'image',
    labelSchema,
    members: [anno.id],
    images: [{ name: 'street 1.png', data: await pngBuffer(200, 100), type: 'image/png' }],
    queue: 1,
  });
  writeFileSync(
    path.join(files, 'detections.json'),
    JSON.stringify({
      images: [{ id: 7, file_name: 'street 1.png', width: 200, height: 100 }],
      categories: [
        { id: 1, name: 'Car' },
        { id: 2, name: 'pedestrian' },
      ],
      annotations: [
        { id: 1, image_id: 7, category_id: 1, bbox: [10, 10, 50, 30], area: 1500, iscrowd: 0, score: 0.9 },
        { id: 2, image_id: 7, category_id: 2, bbox: [120, 20, 20, 60], area: 1200, iscrowd: 0, score: 0.8 },
      ],
    }),
  );
  browser = await launchBrowser();
  leadPage = await signedInPage(browser, url, lead.name, 'en-US');
  annoPage = await signedInPage(browser, url, anno.name, 'en-US');
});
afterAll(async () => {
  await browser?.close();
});

describe('dataset import in the browser', () => {
  it('a lead previews a COCO file as predictions, maps a new label onto an existing one and confirms', async () => {
    await leadPage.goto(`${url}/projects/${projectId}/import`);
    await leadPage.getByTestId('dataset-import-input').setInputFiles(path.join(files, 'detections.json'));
    await leadPage.getByTestId('dataset-import-format').selectOption('coco');
    await leadPage.getByTestId('dataset-import-as').selectOption('predictions');
    await leadPage.getByTestId('dataset-import-preview').click();
    const car = leadPage.getByTestId('dataset-import-label-Car');
    const pedestrian = leadPage.getByTestId('dataset-import-label-pedestrian');
    await expect.poll(() => car.getByTestId('dataset-import-label-status').textContent()).toBe('Matches the schema');
    expect(await pedestrian.getByTestId('dataset-import-label-status').textContent()).toBe('New label');
    expect(await leadPage.getByTestId('dataset-import-counts').textContent()).toContain(
      '1 found in the project, 0 new from the zip, 0 missing',
    );
    await pedestrian.getByTestId('dataset-import-label-decision').selectOption('map:person');
    await expect.poll(() => pedestrian.getByTestId('dataset-import-label-decision').inputValue(), { timeout: 30_000 }).toBe('map:person');
    await screenshot(leadPage, 'dataset-import-preview');
    await leadPage.getByTestId('dataset-import-confirm').click();
    await expect
      .poll(() => leadPage.getByTestId('dataset-import-done').textContent(), { timeout: 30_000 })
      .toBe('Imported 2 regions on 1 item.');
    const project = (await lead.api.get(`/api/projects/${projectId}`)).body.project;
    expect(project.labelSchema.labels.map((l: { name: string }) => l.name)).toEqual(['car', 'person']);
  });

  it('an annotator sees the imported boxes pre-filled, accepts them and submits', async () => {
    await annoPage.goto(`${url}/projects/${projectId}/work`);
    await annoPage.getByTestId('editor-stage').waitFor();
    const rows = annoPage.getByTestId('region-row');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2);
    expect((await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-label')))).sort()).toEqual(['car', 'person']);
    await annoPage.getByTestId('accept-all').click();
    await annoPage.getByTestId('submit-task').click();
    await expect
      .poll(
        async () => {
          const a = await lead.api.get(`/api/projects/${projectId}/annotations`);
          const regions = (a.body.annotations as { regions: { label: string; x: number }[] }[] | undefined)?.[0]?.regions ?? [];
          return regions.map((r) => `${r.label}@${r.x}`).sort();
        },
        { timeout: 20_000 },
      )
      .toEqual(['car@10', 'person@120']);
  });
});
