/**
 * Finds Debian's Chromium for the browser tests. With CI=true a missing browser fails the run;
 * elsewhere the browser tests skip, and say so loudly.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not on PATH
    }
  }
  return null;
}

export const chromiumPath = findChromium();
export const browserTestsRequired = process.env.CI === 'true';

if (!chromiumPath) {
  const msg = 'No Chromium found (Debian package `chromium`; or set CHROMIUM_PATH).';
  if (browserTestsRequired) throw new Error(`${msg} CI=true makes the browser tests mandatory.`);
  console.warn(`\n*** BROWSER TESTS SKIPPED: ${msg} Install it with: apt-get install chromium ***\n`);
}

export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  if (!chromiumPath) throw new Error('no chromium');
  // Playwright gives every launch a fresh, throwaway profile of its own.
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
