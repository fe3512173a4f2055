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
 * Issue #13: a lead imports a Label Studio file as finished annotations, mapping each annotator of
 * the file to a project member; the result says what was stored and what was skipped, and why.
 */

const url = inject('appUrl');
const run = randomUUID().slice(0, 6);
const files = mkdtempSync(path.join(tmpdir(), 'lw-e2e-import-anns-'));
const labelSchema = { labels: [{ name: 'car', color: '#e6194b', tool: 'bbox' }] };
let browser: Browser;
let lead: Actor;
let anna: Actor;
let ben: Actor;
let leadPage: Page;
let projectId = '';
/** A file annotator nobody here is (an e-mail address, with dots): kept as a placeholder annotator. */
const placeholderSource = `b.${run}@old.example`;
let admin: ApiClient;

beforeAll(async () => {
  admin = new ApiClient(url);
  await admin.login('admin', inject('adminPassword'));
  lead = await user(admin, url, `ilead-${run}`, 'lead', 'L2', false, 'en');
  anna = await user(admin, url, `ianna-${run}`, 'annotator', 'L4', false, 'en');
  ben = await user(admin, url, `iben-${run}`, 'annotator', 'L4', false, 'en');
  projectId = await setUpProject(lead.api, {
    name: `Annotations in ${run}`,
    kind: 'image',
    labelSchema,
    overlap: 1,
    members: [anna.id, ben.id],
    images: [{ name: 'street 1.png', data: await pngBuffer(200, 100), type: 'image/png' }],
  });
  const rect = (x: number) => ({
    id: `r${x}`,
    from_name: 'label',
    to_name: 'image',
    type: 'rectanglelabels',
    original_width: 200,
    original_height: 100,
    value: { x, y: 10, width: 20, height: 30, rotation: 0, rectanglelabels: ['car'] },
  });
  // Two annotators of the file on the one image; the overlap is 1, so the second is skipped.
  writeFileSync(
    path.join(files, 'ls.json'),
    JSON.stringify([
      {
        id: 1,
        data: { image: '/data/upload/1/street 1.png' },
        annotations: [
          { completed_by: { email: 'a@old' }, result: [rect(10)] },
          { completed_by: { email: placeholderSource }, result: [rect(50)] },
        ],
      },
    ]),
  );
  browser = await launchBrowser();
  leadPage = await signedInPage(browser, url, lead.name, 'en-US');
});
afterAll(async () => {
  await browser?.close();
});

describe('import as finished annotations in the browser', () => {
  it('maps each file annotator to a member or a placeholder annotator, confirms, and sees what was stored and skipped', async () => {
    try {
      await leadPage.goto(`${url}/projects/${projectId}/import`);
      await leadPage.getByTestId('dataset-import-input').setInputFiles(path.join(files, 'ls.json'));
      await leadPage.getByTestId('dataset-import-format').selectOption('labelstudio');
      await leadPage.getByTestId('dataset-import-as').selectOption('annotations');
      await leadPage.getByTestId('dataset-import-preview').click();
      const a = leadPage.getByTestId('dataset-import-annotator-a@old');
      const b = leadPage.getByTestId(`dataset-import-annotator-${placeholderSource}`);
      await a.waitFor();
      // Confirm waits until every annotator of the file has a member.
      expect(await leadPage.getByTestId('dataset-import-confirm').isDisabled()).toBe(true);
      await a.getByTestId('dataset-import-annotator-member').selectOption(anna.id);
      // The second is nobody here: a placeholder annotator named after it.
      await b
        .getByTestId('dataset-import-annotator-member')
        .selectOption({ label: `A placeholder annotator “imported:${placeholderSource}” (cannot sign in)` });
      await expect.poll(() => leadPage.getByTestId('dataset-import-confirm').isDisabled()).toBe(false);
      await leadPage.getByTestId('dataset-import-confirm').click();
      const result = leadPage.getByTestId('dataset-import-result');
      await result.waitFor({ timeout: 30_000 });
      expect(await result.textContent()).toContain('Stored 1 annotation; skipped 1.');
      // The preview's count of regions (2, one of them skipped) is not repeated as if all were imported.
      expect(await leadPage.getByTestId('dataset-import-done').textContent()).not.toContain('Imported 2 regions');
      expect(await leadPage.getByTestId('dataset-import-skip').textContent()).toBe(
        `/data/upload/1/street 1.png (${placeholderSource}): the item has as many annotations as the project asks for (its overlap) already`,
      );
      const users = (await admin.get('/api/users')).body.users as { username: string; disabled: boolean; imported?: boolean }[];
      expect(users.find((u) => u.username === `imported:${placeholderSource}`)).toMatchObject({ disabled: true, imported: true });
      const anns = (await lead.api.get(`/api/projects/${projectId}/annotations`)).body.annotations as { userId: string; status: string }[];
      expect(anns.map((x) => [x.userId, x.status])).toEqual([[anna.id, 'submitted']]);
      expect(await leadPage.getByTestId('dataset-import-done').getAttribute('class')).toContain('alert--success');
      // The same file again stores nothing: the outcome is a warning, not a green success.
      await leadPage.reload();
      await leadPage.getByTestId('dataset-import-input').setInputFiles(path.join(files, 'ls.json'));
      await leadPage.getByTestId('dataset-import-format').selectOption('labelstudio');
      await leadPage.getByTestId('dataset-import-as').selectOption('annotations');
      await leadPage.getByTestId('dataset-import-preview').click();
      await a.waitFor();
      await a.getByTestId('dataset-import-annotator-member').selectOption(anna.id);
      await b.getByTestId('dataset-import-annotator-member').selectOption(ben.id);
      await expect.poll(() => leadPage.getByTestId('dataset-import-confirm').isDisabled()).toBe(false);
      await leadPage.getByTestId('dataset-import-confirm').click();
      await result.waitFor({ timeout: 30_000 });
      expect(await result.textContent()).toContain('Stored 0 annotations; skipped 2.');
      expect(await leadPage.getByTestId('dataset-import-done').getAttribute('class')).toContain('alert--warning');
    } catch (e) {
      await screenshot(leadPage, 'dataset-import-annotations');
      throw e;
    }
  });
});
