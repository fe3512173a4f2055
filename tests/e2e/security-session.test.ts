import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../support/api-client.ts';
import { launchBrowser, newContext, signIn } from '../support/browser.ts';

/**
 * Issue #11, item 2 in the browser: when the server ends a page's session (signed out in another
 * tab, account disabled), it disconnects the page's socket, and the page, without any click,
 * goes back to sign-in instead of sitting there with a dead connection.
 */
const url = inject('appUrl');
let browser: Browser;
let admin: ApiClient;

async function account(username: string): Promise<string> {
  const r = await admin.post('/api/users', { username, password: `${username}-password`, role: 'annotator', lang: 'en' });
  if (r.status !== 201) throw new Error(`user ${username}: ${JSON.stringify(r.body)}`);
  return r.body.user.id;
}

beforeAll(async () => {
  browser = await launchBrowser();
  admin = new ApiClient(url);
  expect((await admin.login('admin', inject('adminPassword'))).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
});

describe('a page whose session ends', () => {
  let ctx: BrowserContext;
  afterAll(async () => {
    await ctx?.close();
  });

  it('goes back to sign-in when the user signs out in another tab', async () => {
    const name = `tabs-${Date.now() % 100000}`;
    await account(name);
    ctx = await newContext(browser, url);
    const first = await ctx.newPage();
    await signIn(first, name, `${name}-password`);
    const second = await ctx.newPage();
    await second.goto('/projects');
    await second.getByTestId('nav-projects').waitFor();
    // Let the first tab's socket connect before the session ends.
    await first.waitForTimeout(500);
    await second.getByTestId('user-menu').click();
    await second.getByTestId('sign-out').click();
    await second.getByTestId('login-username').waitFor();
    // The first tab is told by its socket and shows sign-in by itself.
    await first.getByTestId('login-username').waitFor({ timeout: 8000 });
  });

  it('goes back to sign-in when an admin disables the account', async () => {
    const name = `disabled-${Date.now() % 100000}`;
    const id = await account(name);
    const c = await newContext(browser, url);
    const page = await c.newPage();
    await signIn(page, name, `${name}-password`);
    await page.waitForTimeout(500);
    expect((await admin.patch(`/api/users/${id}`, { disabled: true })).status).toBe(200);
    await page.getByTestId('login-username').waitFor({ timeout: 8000 });
    await c.close();
  });
});
