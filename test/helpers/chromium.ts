/**
 * Debian's headless Chromium driven through playwright-core, for tests that look at the report the
 * way a reader's browser does. `CHROMIUM_PATH` overrides the executable.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { skipIfMissing } from './skip-if-missing.ts';

/** The Chromium executable the tests use. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** The `skip` option for a Chromium test (loud skip outside CI, a failure under CI). */
export function skipWithoutChromium(): string | false {
  return skipIfMissing('Chromium', fs.existsSync(CHROMIUM) ? undefined : `not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

/**
 * Opens `file` in a fresh headless Chromium (no network services, a throw-away profile) and runs
 * `fn` on the page; `problems` collects console errors, page errors and any request that is not
 * file: or data:, registered before the page loads.
 */
export async function withReportPage<T>(file: string, fn: (page: Page, problems: string[]) => Promise<T>, viewport = { width: 1000, height: 900 }): Promise<T> {
  return withBrowserPage(pathToFileURL(file).href, /^(file|data):/, fn, viewport);
}

/**
 * Opens `url` in a fresh headless Chromium (as `withReportPage`) and runs `fn` on the page;
 * `problems` collects console errors, page errors and every request whose URL does not match
 * `allowed` (requests of the page's workers included), registered before the page loads.
 * `beforeLoad` runs first (e.g. `page.addInitScript`).
 */
export async function withBrowserPage<T>(
  url: string,
  allowed: RegExp,
  fn: (page: Page, problems: string[]) => Promise<T>,
  viewport = { width: 1000, height: 900 },
  beforeLoad?: (page: Page) => Promise<void>,
): Promise<T> {
  const { chromium } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport,
  });
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    context.on('request', (r) => !allowed.test(r.url()) && problems.push(`network request: ${r.url()}`));
    await beforeLoad?.(page);
    await page.goto(url);
    return await fn(page, problems);
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}
