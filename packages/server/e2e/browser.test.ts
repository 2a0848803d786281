/**
 * The main job in a real browser: real server (HTTPS, PostgreSQL, workers), the real reader on
 * a synthetic demo-form fax (G4, fine mode) dropped into the watched folder, Debian's Chromium
 * driven by playwright-core along the keyboard path of docs/TESTING (packages/web), and the LIS
 * simulator over MLLP. A reviewer signs in with password and TOTP, corrects one field, confirms
 * the rest and the identity, and releases; the LIS receives one OML^O21 with the confirmed values
 * and the document's SHA-256; the audit log holds the correction with before and after.
 *
 * Needs Debian's chromium (CHROMIUM_PATH). Without it the test is skipped loudly, except with
 * CI=true, where it fails.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { makeFaxedRequisition, type FaxedRequisition } from '@nexession/testkit';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from '../src/app/start.ts';
import { listAudit, recordAudit, serviceContext } from '../src/audit/audit.ts';
import { totpCode } from '../src/auth/totp.ts';
import { createActiveUserForDemo } from '../src/auth/users.ts';
import { ensureWebBuilt } from '../src/cli.ts';
import { loadConfig } from '../src/config.ts';
import { startLisSimulator, type LisSimulator } from '../src/delivery/index.ts';
import { DEFAULT_LIS, setLisConnection } from '../src/requisitions/delivery-port.ts';
import { extractOf, loadRequisition } from '../src/requisitions/model.ts';
import { realReaderFactory } from '../src/requisitions/reading.ts';
import { tempDir } from '../src/test/context.ts';
import { freshDatabase, type TestDatabase } from '../src/test/db.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env['CI'] === 'true') throw new Error(`CI=true and no Chromium at ${CHROMIUM}: browser tests are mandatory in CI`);
  console.warn(`\n*** server browser end-to-end test SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium) ***\n`);
}

const PASSWORD = 'browser reviewer passphrase';

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!haveChromium)('the main job in Chromium: fax to HL7 order', () => {
  let tdb: TestDatabase;
  let running: Running;
  let sim: LisSimulator;
  let browser: Browser;
  let page: Page;
  let fax: FaxedRequisition;
  let secret: string;
  const logs: string[] = [];

  beforeAll(async () => {
    const webDist = ensureWebBuilt(() => undefined);
    if (!webDist) throw new Error('the web app is not built and could not be built');
    tdb = await freshDatabase({ migrate: false });
    const dir = await tempDir('nx-browser-');
    const config = loadConfig({ NEXESSION_VAR_DIR: dir, DATABASE_URL: tdb.appUrl, DATABASE_OWNER_URL: tdb.ownerUrl, PORT: '0', INBOX_POLL_MS: '200' }, dir);
    const sink = new Writable({ write: (c, _e, cb) => (logs.push(c.toString()), cb()) });
    running = await startServer(config, { log: pino({ level: 'info' }, sink), readerFactory: realReaderFactory, webDist });
    sim = await startLisSimulator({ port: 0, outDir: path.join(dir, 'lis') });
    await running.ctx.db.transaction().execute(async (trx) => {
      await setLisConnection(trx, { ...DEFAULT_LIS, host: sim.host, port: sim.port });
      await recordAudit(trx, running.ctx.vault, serviceContext('test'), { action: 'lis.configure', objectType: 'settings', objectId: 'lis_connection' });
    });
    secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await createActiveUserForDemo(running.ctx, { username: 'bea', displayName: 'Bea Reviewer', roles: ['reviewer'], password: PASSWORD, totpSecret: secret });
    fax = await makeFaxedRequisition({ form: 'demo-outreach', seed: 'server-browser-e2e', mode: 'fine', format: 'tiff-g4', severity: 'clean', style: 'typed', tests: ['test_tsh', 'test_lipid', 'test_hba1c'] });
    await fs.writeFile(path.join(config.inboxDir, `${fax.fileName}.part`), fax.bytes);
    await fs.rename(path.join(config.inboxDir, `${fax.fileName}.part`), path.join(config.inboxDir, fax.fileName));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    // The certificate is the server's own self-signed one.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1500, height: 950 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await sim?.close();
    await running?.close();
    await tdb?.drop();
  });

  const focused = () =>
    page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document;
      return doc.activeElement?.getAttribute('data-testid') ?? null;
    });

  it('a reviewer corrects one field, confirms the rest and the identity, releases; the LIS gets the confirmed order', async ({ onTestFailed }) => {
    // On failure: where the browser was and what it showed (test ids and their first words).
    onTestFailed(async () => {
      const shown = await page
        .evaluate(() => {
          const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null; textContent: string | null }> } }).document;
          return Array.from(doc.querySelectorAll('[data-testid]')).map((e) => `${e.getAttribute('data-testid')}: ${(e.textContent ?? '').slice(0, 60)}`);
        })
        .catch(() => []);
      console.error(`browser at ${page.url()}, focus ${await focused().catch(() => '?')}\n${shown.slice(0, 80).join('\n')}`);
    });
    const id = await until('the requisition', async () => (await running.ctx.db.selectFrom('requisitions').select('id').executeTakeFirst())?.id, 1200);
    const detail = await running.review.detail(serviceContext('test'), id);
    const fields = new Map(detail.fields.map((f) => [f.key, f]));

    // Sign in: password, then TOTP.
    await page.goto(running.url);
    await page.getByTestId('signin-username').fill('bea');
    await page.getByTestId('signin-password').fill(PASSWORD);
    await page.getByTestId('signin-password').press('Enter');
    await page.getByTestId('totp-code').fill(totpCode(secret));
    await page.getByTestId('totp-code').press('Enter');

    // The queue: the requisition's row; open it.
    await page.getByTestId(`queue-row-${id}`).waitFor();
    expect(await page.title()).not.toContain(String(fields.get('patient_last_name')?.machineValue ?? '#'));
    await page.getByTestId(`queue-row-${id}`).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('review').waitFor();
    await until('the first field focused', async () => ((await focused()) ?? '').startsWith('field-input-'));

    // The field to correct: one the machine read differently from the page, else the phone.
    const truthText = (k: string) => {
      const t = fax.truth.fields[k];
      return t?.kind === 'text' ? t.value : null;
    };
    const misread = detail.fields.find((f) => f.kind === 'text' && truthText(f.key) !== null && f.machineValue !== truthText(f.key));
    const toCorrect = misread?.key ?? 'patient_phone';
    const corrected = misread ? truthText(misread.key)! : '(555) 010-9999';
    const before = fields.get(toCorrect)!.machineValue;

    for (let guard = 0; guard < 200; guard++) {
      const at = (await focused()) ?? '';
      if (at === 'identity-confirm') break;
      expect(at).toMatch(/^field-input-/);
      const key = at.slice('field-input-'.length);
      const f = fields.get(key)!;
      if (key === toCorrect) {
        await page.keyboard.type(corrected);
        await page.keyboard.press('Enter');
      } else if (f.flags.some((x) => x.code === 'icd10_shape') && truthText(key) !== null) {
        // A diagnosis code the reader saw as not ICD-10-shaped ("200.00" for Z00.00) blocks
        // release (42 CFR 493.1241(e)): the person types it as the page has it.
        await page.keyboard.press('Control+A');
        await page.keyboard.type(truthText(key)!);
        await page.keyboard.press('Enter');
      } else if (f.kind === 'checkbox' && f.machineValue === null) {
        const t = fax.truth.fields[key];
        const want = t?.kind === 'checkbox' && t.state === 'marked';
        for (let i = 0; i < 2 && (await page.getByTestId(at).isChecked()) !== want; i++) await page.keyboard.press('Space');
        await page.keyboard.press('Enter');
      } else {
        await page.keyboard.press(f.flags.length > 0 ? 'Shift+Enter' : 'Enter');
      }
      await until(`focus to leave ${key}`, async () => (await focused()) !== at);
    }
    expect(await focused()).toBe('identity-confirm');
    await page.keyboard.press('Enter');
    await until('identity confirmed', async () => (await page.getByTestId('identity-status').getAttribute('data-current')) === 'true');
    await until('release enabled', async () => (await page.getByTestId('release').getAttribute('aria-disabled')) !== 'true');
    await page.getByTestId('release').focus();
    await page.keyboard.press('Enter');

    // The LIS receives exactly the confirmed values.
    const [msg] = await sim.waitForMessages(1, 60_000);
    const loaded = (await loadRequisition(running.ctx, running.ctx.db, id))!;
    expect(loaded.req.state === 'released' || loaded.req.state === 'delivered').toBe(true);
    const x = extractOf(loaded);
    expect(msg!.messageType).toMatch(/^OML\^O21/);
    expect(msg!.patient).toMatchObject({
      lastName: x.text('patient.last_name').value ?? '',
      firstName: x.text('patient.first_name').value ?? '',
      dob: (x.dob().value ?? '').replace(/-/g, ''),
      sex: x.sex().value ?? '',
    });
    expect(msg!.orders.map((o) => o.test.code).sort()).toEqual(x.tests().map((t) => t.test.code).sort());
    expect(msg!.orders[0]!.diagnoses.map((d) => d.code)).toEqual(x.icd10());
    const image = msg!.orders.flatMap((o) => o.observations).find((o) => o.imageReference);
    expect(image?.imageReference).toEqual({ documentId: detail.documentId, sha256: detail.documentSha256 });
    expect(sim.received).toHaveLength(1);

    // The audit log holds the correction with before and after.
    const trail = await listAudit(running.ctx.db, running.ctx.vault, { objectId: id, limit: 1000 });
    const correction = trail.find((e) => e.action === 'field.correct' && e.field === toCorrect);
    expect(correction).toMatchObject({ actor: 'bea', before, after: corrected });

    // No PHI in the URL or the title; no PHI in the logs.
    expect(page.url()).not.toMatch(new RegExp(String(x.text('patient.last_name').value), 'i'));
    const all = logs.join('');
    expect(all).toContain(id);
    expect(all).not.toContain(String(x.text('patient.last_name').value));
  });
});
