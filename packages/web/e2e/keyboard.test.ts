/**
 * The review workstation in a real Chromium, against the development mock API (dev/mockApi.ts):
 * the keyboard path a reviewer takes, where the focus goes, what a bare Enter on a flag does,
 * and that nothing identifying reaches the URL, the title or the history.
 * The full product path (real server, PostgreSQL, MLLP) is the repository's end-to-end test.
 *
 * Needs Debian's chromium. Without it the test is skipped with a warning, except with CI=true,
 * where it fails.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockApi } from '../dev/mockApi.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env['CI'] === 'true') throw new Error(`CI=true and no Chromium at ${CHROMIUM}: browser tests are mandatory in CI`);
  console.warn(`\n*** web browser tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium) ***\n`);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe.skipIf(!haveChromium)('review workstation in Chromium (mock API)', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    server = await createServer({
      root,
      configFile: false,
      logLevel: 'error',
      plugins: [react(), mockApi({ delayMs: 5 })],
      server: { port: 0, host: '127.0.0.1', strictPort: false },
    });
    await server.listen();
    const address = server.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error('no dev server address');
    base = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
  const state = (key: string) => page.getByTestId(`field-${key}`).getAttribute('data-state');
  const waitFocus = (testId: string) =>
    page.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === id, testId, { timeout: 15_000 });

  it('signs in with password and code, and the queue puts STAT first with the focus on the first row', async () => {
    await page.goto(`${base}/`);
    await page.getByTestId('signin-username').fill('reviewer1');
    await page.getByTestId('signin-password').fill('demo-password-1');
    await page.keyboard.press('Enter');
    await page.getByTestId('totp-code').fill('123456');
    await page.keyboard.press('Enter');
    await page.getByTestId('queue').waitFor();
    const priorities = await page.locator('[data-testid^="queue-row-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-priority')));
    expect(priorities).toEqual(['stat', 'stat', 'routine', 'routine', 'routine', 'routine']);
    expect(await focused()).toMatch(/^queue-row-/);
    expect(await page.title()).toBe('Queue · Nexession');
  });

  it('opens with Enter, focus on the first field, its text selected so typing replaces it', async () => {
    await page.keyboard.press('Enter');
    await page.getByTestId('review').waitFor();
    await waitFocus('field-input-patient_last_name');
    const selected = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement;
      return el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0) === el.value && el.value !== '';
    });
    expect(selected).toBe(true);
  });

  it('a bare Enter on a flagged field confirms nothing, says why, and keeps the focus', async () => {
    expect(await page.getByTestId('field-patient_last_name').getAttribute('data-flagged')).toBe('true');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    expect(await state('patient_last_name')).toBe('unreviewed');
    expect(await focused()).toBe('field-input-patient_last_name');
    const notice = page.getByTestId('notice-patient_last_name');
    expect(await notice.getAttribute('data-kind')).toBe('flag_needs_shift');
    expect(await notice.textContent()).toContain('Shift+Enter');
    expect(await page.getByTestId('live-notice').textContent()).toContain('OCR confidence 41 %');
  });

  it('typing replaces the value and Enter saves it as a correction, keeping the machine value as before', async () => {
    await page.keyboard.type('OKAFOR');
    await page.keyboard.press('Enter');
    await waitFocus('field-input-patient_first_name');
    expect(await state('patient_last_name')).toBe('corrected');
    expect(await page.getByTestId('field-input-patient_last_name').inputValue()).toBe('OKAFOR');
  });

  it('Tab skips without confirming, Shift+Tab comes back, Alt+B records blank on the form', async () => {
    await page.keyboard.press('Enter'); // first name
    await waitFocus('field-input-patient_dob');
    await page.keyboard.press('Tab');
    await waitFocus('field-input-patient_sex');
    expect(await state('patient_dob')).toBe('unreviewed');
    await page.keyboard.press('Shift+Tab');
    await waitFocus('field-input-patient_dob');
    await page.keyboard.press('Enter'); // dob
    await page.keyboard.press('Enter'); // sex
    await waitFocus('field-input-patient_mrn');
    await page.keyboard.press('Alt+B');
    await waitFocus('field-input-patient_hn');
    expect(await state('patient_mrn')).toBe('absent_on_source');
    expect(await page.getByTestId('field-input-patient_mrn').inputValue()).toBe('');
  });

  it('Alt+E opens escalation; Esc closes it and the focus goes back to the field', async () => {
    await page.keyboard.press('Alt+E');
    await waitFocus('escalate-reason');
    await page.keyboard.press('Escape');
    await waitFocus('field-input-patient_hn');
  });

  it('checkboxes: Space sets an undecided box, Shift+Enter confirms a flagged one', async () => {
    await page.keyboard.press('Enter'); // health number
    await page.keyboard.press('Enter'); // provider
    await waitFocus('field-input-provider_npi');
    await page.keyboard.press('Enter'); // flagged: refused
    expect(await state('provider_npi')).toBe('unreviewed');
    await page.keyboard.press('Shift+Enter');
    await waitFocus('field-input-b_tsh');
    expect(await state('provider_npi')).toBe('confirmed');
    await page.keyboard.press('Enter'); // TSH marked
    await page.keyboard.press('Enter'); // HbA1C empty
    await waitFocus('field-input-b_cbc');
    // This requisition's CBC box is in the review band: undecided until a person sets it.
    expect(await page.getByTestId('field-input-b_cbc').evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true);
    await page.keyboard.press('Shift+Enter');
    expect(await state('b_cbc')).toBe('unreviewed');
    expect(await page.getByTestId('notice-b_cbc').getAttribute('data-kind')).toBe('undecided_box');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await waitFocus('field-input-b_lipid');
    expect(await state('b_cbc')).toBe('corrected');
  });

  it('release is disabled with its reasons written beside it until identity is confirmed', async () => {
    for (const key of ['b_lipid', 'b_pap', 'icd10', 'specimen_source', 'collection_date', 'collection_time']) {
      await waitFocus(`field-input-${key}`);
      await page.keyboard.press('Enter');
    }
    await waitFocus('identity-confirm');
    const release = page.getByTestId('release');
    expect(await release.getAttribute('aria-disabled')).toBe('true');
    expect(await page.getByTestId('release-reasons').textContent()).toContain('identity not confirmed');
    expect(await page.getByTestId('identity-confirm').textContent()).toContain('Name OKAFOR, Daniel');
    await page.keyboard.press('Enter');
    await waitFocus('release');
    await page.waitForFunction(() => document.querySelector('[data-testid="release"]')?.getAttribute('aria-disabled') === 'false');
    expect(await page.getByTestId('release-reasons').textContent()).toBe('Ready to release.');
  });

  it('after release the next requisition opens at once with the focus on its first field', async () => {
    const before = page.url();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.toString() !== before);
    await waitFocus('field-input-patient_last_name');
    expect(await page.getByTestId('flash').textContent()).toContain('Released requisition');
    expect(await state('patient_last_name')).toBe('unreviewed');
  });

  it('keeps patient data out of URLs, titles and history', async () => {
    // Walk back through the tab's history (pushState entries are same-document navigations).
    const urls: string[] = [page.url()];
    for (let i = 0; i < 6; i++) {
      const was = page.url();
      await page.evaluate(() => history.back());
      await page.waitForFunction((u) => location.href !== u, was, { timeout: 2_000 }).catch(() => undefined);
      if (page.url() === was) break;
      urls.push(page.url());
    }
    const ours = urls.filter((u) => u.startsWith(base));
    expect(ours.length).toBeGreaterThan(1);
    for (const u of ours) expect(new URL(u).pathname).toMatch(/^\/(queue|review\/[0-9a-f-]{36})?$/);
    expect(await page.title()).not.toMatch(/OKAFOR|MORIN|Alice|Daniel|19\d\d-/);
  });
});
