import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../../scripts/services.ts';

export const SCREENSHOT_DIR = path.join(repoRoot, 'tests', 'artifacts', 'screens');

/** Debian's Chromium, headless, with the flags that work on a machine without network (Playwright gives each launch a fresh profile). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function newContext(browser: Browser, baseURL: string, locale = 'en-US'): Promise<BrowserContext> {
  return browser.newContext({ baseURL, locale, viewport: { width: 1400, height: 900 } });
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  try {
    await page.getByTestId('nav-projects').waitFor();
  } catch (e) {
    // Say what the page showed instead (a sign-in that did not land failed once in CI with only a timeout).
    const alerts = await page
      .locator('[role=alert]')
      .allTextContents()
      .catch(() => []);
    const typed = await page
      .getByTestId('login-username')
      .inputValue()
      .catch(() => null);
    const shot = await screenshot(page, `sign-in-failed-${username}`).catch(() => '');
    throw new Error(
      `signing in as ${username} did not reach the app: at ${page.url()}, alerts ${JSON.stringify(alerts)}, username field ${JSON.stringify(typed)}, screenshot ${shot}`,
      { cause: e },
    );
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Draws with the mouse like a person: press, move in steps, release. */
export async function drag(page: Page, x1: number, y1: number, x2: number, y2: number, steps = 8): Promise<void> {
  await page.mouse.move(x1, y1);
  await page.mouse.down();
  await page.mouse.move(x2, y2, { steps });
  await page.mouse.up();
}
