import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ROOT } from './harness.js';

export const SHOTS = path.join(ROOT, 'docs/console');

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations and uncaught page errors seen so far. */
  problems: string[];
}

/** A fresh browser profile (no cookies) with a page that records CSP violations and script errors. */
export async function person(browser: Browser, base: string): Promise<Person> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  // Shorter than a test's own timeout, so a missing element fails naming its locator.
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

/** Logs in through the form, as a person would. */
export async function logIn(who: Person, token: string): Promise<void> {
  const { page } = who;
  await page.goto('/console/');
  await page.getByLabel('API key').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** axe-core's violations of impact serious or critical on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')})`,
    );
}

/** The page as docs/console/<name>.png, for the README; `mask` paints over what must not be published (a token). */
export async function screenshot(page: Page, name: string, mask: Locator[] = []): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, mask });
}
