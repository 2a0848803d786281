/**
 * The review workstation's keyboard contract (UX.md, packages/web/TESTING.md) on the real product:
 * `nexession start` on embedded PostgreSQL, the real reader on two faxed synthetic requisitions,
 * Debian's Chromium, an MLLP peer. main-job.test.ts proves the released order is what the person
 * confirmed; this file pins down how a reviewer gets there: the queue opens on the STAT
 * requisition, Tab moves without confirming, a bare Enter on a flagged field confirms nothing and
 * says why, typing replaces the selected value, Alt+B records blank on the form, Space toggles a
 * box and the server keeps the person's decision, identity gates release, the next requisition
 * opens at once, Alt+E escalates with a reason, and no patient data reaches URLs, titles, history
 * or the server's log. The LIS receives the one released order with the person's decisions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { makeFaxedRequisition, type FaxedRequisition } from '@nexession/testkit';
import { startLisSimulator, type LisSimulator } from '../packages/server/src/delivery/lis-sim/simulator.ts';
import { chromiumPath, launchChromium } from './harness/chromium.ts';
import { dropIntoInbox, until } from './harness/inbox.ts';
import { enrol, invite, newContext, signIn, type Person } from './harness/people.ts';
import { startProduct, type RunningProduct } from './harness/server.ts';

const REVIEWER = 'e2e-kbd-reviewer';
/** The field corrected by typing over the selected machine value. */
const TYPED = { key: 'patient_phone', value: '(555) 010-4321' };
/** A test box ordered on the page that the reviewer un-ticks with Space (a person's decision). */
const TOGGLED = 'test_lipid';
const ESCALATION_REASON = 'Second page missing; clinic asked to resend';

interface ApiRequisition {
  id: string;
  state: string;
  priority: string;
  documentId: string;
  documentSha256: string;
  fields: { key: string; role: string; value: string | boolean | null; test?: { code: string }; review: { state: string } }[];
}

async function api<T>(page: Page, url: string): Promise<T> {
  const res = await page.request.get(url);
  if (!res.ok()) throw new Error(`GET ${url}: ${res.status()}`);
  return (await res.json()) as T;
}

const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

/** Waits for the focus to reach `testId` (or, with `leave`, to move off it). */
async function focusOn(page: Page, testId: string, leave = false): Promise<void> {
  await page
    .waitForFunction(([id, away]) => (document.activeElement?.getAttribute('data-testid') === id) !== away, [testId, leave] as const, { timeout: 15_000 })
    .catch(async () => {
      const key = testId.slice('field-input-'.length);
      const notice = page.getByTestId(`notice-${key}`);
      const said = (await notice.count()) ? `${await notice.getAttribute('data-kind')}: ${await notice.textContent()}` : 'no notice';
      throw new Error(`focus ${leave ? 'stayed on' : 'never reached'} ${testId} (now ${await focused(page)}; ${said})`);
    });
}

const textTruth = (fax: FaxedRequisition, key: string): string => {
  const t = fax.truth.fields[key];
  return t?.kind === 'text' ? (t.value ?? '').replace(/\s+/g, ' ').trim() : '';
};
const patientNames = (fax: FaxedRequisition) => [textTruth(fax, 'patient_last_name'), textTruth(fax, 'patient_first_name')].filter((n) => n.length >= 3);

const run = chromiumPath ? describe : describe.skip;

run('the review workstation by keyboard, on the real product', () => {
  let product: RunningProduct;
  let lis: LisSimulator;
  let lisDir: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let adminPage: Page;
  let page: Page;
  let stat: FaxedRequisition;
  let routine: FaxedRequisition;
  let statId: string;
  let routineId: string;
  const titles: string[] = [];
  const noteTitle = async () => titles.push(await page.title());

  beforeAll(async () => {
    lisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-e2e-kbd-lis-'));
    lis = await startLisSimulator({ port: 0, host: '127.0.0.1', outDir: lisDir });
    product = await startProduct();
    ({ browser, close: closeBrowser } = await launchChromium());

    // The routine requisition arrives first, so only its priority can put the STAT one ahead.
    routine = await makeFaxedRequisition({ form: 'demo-outreach', seed: 'e2e-kbd-routine', mode: 'fine', format: 'tiff-g4', severity: 'clean', style: 'typed', upsideDown: false, stat: false, complete: true });
    stat = await makeFaxedRequisition({
      form: 'demo-outreach',
      seed: 'e2e-kbd-stat',
      mode: 'fine',
      format: 'tiff-g4',
      severity: 'clean',
      style: 'typed',
      upsideDown: false,
      stat: true,
      complete: true,
      tests: ['test_tsh', 'test_lipid', 'test_hba1c'],
      // A filled box on a tick form is a mark a careful person queries: the reader must flag it.
      marks: { test_hba1c: 'fill' },
    });
    dropIntoInbox(product, routine);

    adminPage = await (await newContext(browser)).newPage();
    const admin = await enrol(adminPage, product.setupUrl, 'e2e-kbd-admin', 'correct horse battery staple 4');
    await signIn(adminPage, product.url, admin);
    await adminPage.goto(`${product.url}/admin/lis`);
    await adminPage.getByTestId('lis-host').fill('127.0.0.1');
    await adminPage.getByTestId('lis-port').fill(String(lis.port));
    await adminPage.getByTestId('lis-profile').selectOption('OML_O21');
    await adminPage.getByTestId('lis-save').click();
    dropIntoInbox(product, stat);

    const link = await invite(adminPage, product.url, REVIEWER, ['reviewer']);
    page = await (await newContext(browser)).newPage();
    const reviewer: Person = await enrol(page, link, REVIEWER, 'a long reviewer passphrase 5');
    await signIn(page, product.url, reviewer);

    const items = await until('both requisitions read', async () => {
      const q = await api<{ items: { id: string; priority: string; receivedAt: string }[] }>(page, `${product.url}/api/queue`);
      return q.items.length >= 2 ? q.items : null;
    });
    const byAge = [...items].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    routineId = byAge[0]!.id;
    statId = byAge[1]!.id;
  });

  afterAll(async () => {
    await closeBrowser?.();
    await lis?.close();
    await product?.stop();
    if (lisDir) fs.rmSync(lisDir, { recursive: true, force: true });
  });

  it('opens the queue on the STAT requisition, though it arrived last', async () => {
    await page.goto(`${product.url}/queue`);
    await page.getByTestId('queue').waitFor();
    const rows = await page.locator('[data-testid^="queue-row-"]').evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-testid'), r.getAttribute('data-priority')]));
    expect(rows).toEqual([
      [`queue-row-${statId}`, 'stat'],
      [`queue-row-${routineId}`, 'routine'],
    ]);
    await focusOn(page, `queue-row-${statId}`);
    await noteTitle();
    await page.keyboard.press('Enter');
    await page.getByTestId('review').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/review/${statId}`);
  });

  it('lands on the first field with its value selected; Tab and Shift+Tab move without confirming', async () => {
    await focusOn(page, 'field-input-patient_last_name');
    await noteTitle();
    const selection = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement;
      return { value: el.value, selected: el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0) };
    });
    expect(selection.value).not.toBe('');
    expect(selection.selected).toBe(selection.value);

    await page.keyboard.press('Tab');
    await focusOn(page, 'field-input-patient_first_name');
    await page.keyboard.press('Shift+Tab');
    await focusOn(page, 'field-input-patient_last_name');
    expect(await page.getByTestId('field-patient_last_name').getAttribute('data-state')).toBe('unreviewed');
    expect(await page.getByTestId('field-patient_first_name').getAttribute('data-state')).toBe('unreviewed');
  });

  it('works every field by keyboard: bare Enter on a flag refused, typing replaces, Alt+B blank, Space toggles', async () => {
    const seen = { flagRefused: null as string | null, typed: false, blank: null as string | null, toggled: false };
    for (let guard = 0; guard < 200; guard++) {
      const id = await focused(page);
      if (id === 'identity-confirm') break;
      expect(id).toMatch(/^field-input-/);
      const key = id!.slice('field-input-'.length);
      const row = page.getByTestId(`field-${key}`);
      const input = page.getByTestId(id!);
      const flagged = (await row.getAttribute('data-flagged')) === 'true';
      const isBox = (await input.getAttribute('type')) === 'checkbox';
      const box = () => input.evaluate((el) => ({ checked: (el as HTMLInputElement).checked, undecided: (el as HTMLInputElement).indeterminate }));

      if (flagged && !seen.flagRefused && !(isBox && (await box()).undecided)) {
        // A bare Enter on a flagged value saves nothing, keeps the focus and says what to press.
        await page.keyboard.press('Enter');
        const notice = page.getByTestId(`notice-${key}`);
        await notice.waitFor();
        expect(await notice.getAttribute('data-kind')).toBe('flag_needs_shift');
        expect(await notice.textContent()).toContain('Shift+Enter');
        expect(await page.getByTestId('live-notice').textContent()).toContain('Shift+Enter');
        expect(await focused(page)).toBe(id);
        expect(await row.getAttribute('data-state')).toBe('unreviewed');
        seen.flagRefused = key;
      }

      if (isBox) {
        if (key === TOGGLED) {
          const before = await box();
          expect(before, `${TOGGLED} read as a decided, ticked box`).toEqual({ checked: true, undecided: false });
          await page.keyboard.press('Space');
          expect(await box()).toEqual({ checked: false, undecided: false });
          seen.toggled = true;
        } else {
          const t = stat.truth.fields[key];
          const want = t?.kind === 'checkbox' && t.state === 'marked';
          for (let i = 0; i < 3; i++) {
            const st = await box();
            if (!st.undecided && st.checked === want) break;
            await page.keyboard.press('Space');
          }
        }
      } else if (key === TYPED.key) {
        // No select-all: the value arrived selected, so typing replaces it.
        await page.keyboard.type(TYPED.value);
        expect(await input.inputValue()).toBe(TYPED.value);
        seen.typed = true;
      } else {
        const written = textTruth(stat, key);
        const shown = (await input.inputValue()).replace(/\s+/g, ' ').trim();
        if (written === '') {
          if (shown !== '') {
            await page.keyboard.press('Control+A');
            await page.keyboard.press('Backspace');
          }
          await page.keyboard.press('Alt+B');
          await focusOn(page, id!, true);
          if (!seen.blank) {
            expect(await row.getAttribute('data-state')).toBe('absent_on_source');
            expect(await input.inputValue()).toBe('');
            seen.blank = key;
          }
          continue;
        } else if (shown !== written) {
          await page.keyboard.press('Control+A');
          await page.keyboard.type(written);
        }
      }
      await page.keyboard.press(flagged ? 'Shift+Enter' : 'Enter');
      await focusOn(page, id!, true);
      if (key === seen.flagRefused) expect(await row.getAttribute('data-state')).not.toBe('unreviewed');
      if (key === TYPED.key || key === TOGGLED) expect(await row.getAttribute('data-state')).toBe('corrected');
    }
    expect(await focused(page)).toBe('identity-confirm');
    expect(seen.flagRefused, 'a flagged field was met').not.toBeNull();
    expect(seen.blank, 'a field blank on the form was met').not.toBeNull();
    expect(seen.typed).toBe(true);
    expect(seen.toggled).toBe(true);
    await noteTitle();
  });

  it('keeps Release disabled, saying why, until identity is confirmed', async () => {
    const release = page.getByTestId('release');
    expect(await release.getAttribute('aria-disabled')).toBe('true');
    expect(await page.getByTestId('release-reasons').textContent()).toContain('identity not confirmed');
    expect(await page.getByTestId('identity-confirm').textContent()).toContain(textTruth(stat, 'patient_last_name'));
    await page.keyboard.press('Enter');
    await focusOn(page, 'release');
    await until('release to be enabled', async () => ((await release.getAttribute('aria-disabled')) === 'false' ? true : null), 30_000);
    expect(await page.getByTestId('identity-status').getAttribute('data-current')).toBe('true');
    expect(await page.getByTestId('release-reasons').textContent()).toBe('Ready to release.');
  });

  it('releases with Enter and opens the next requisition at once; the server and the LIS keep what the person typed and un-ticked', async () => {
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/review/${routineId}`);
    await focusOn(page, 'field-input-patient_last_name');
    expect(await page.getByTestId('flash').textContent()).toContain('Released requisition');
    expect(await page.getByTestId('field-patient_last_name').getAttribute('data-state')).toBe('unreviewed');
    await noteTitle();

    const released = await api<ApiRequisition>(page, `${product.url}/api/requisitions/${statId}`);
    expect(['released', 'delivered']).toContain(released.state);
    const field = (k: string) => released.fields.find((f) => f.key === k)!;
    expect(field(TYPED.key)).toMatchObject({ value: TYPED.value, review: { state: 'corrected' } });
    expect(field(TOGGLED)).toMatchObject({ value: false, review: { state: 'corrected' } });

    // The LIS gets one order, with the person's decisions and the page it came from.
    const [msg] = await lis.waitForMessages(1, 120_000);
    expect(lis.received).toHaveLength(1);
    const ordered = released.fields.filter((f) => f.role === 'order.test' && f.value === true).map((f) => f.test!.code).sort();
    expect(msg!.orders.map((o) => o.test.code).sort()).toEqual(ordered);
    expect(ordered).not.toContain(field(TOGGLED).test!.code);
    expect(msg!.patient?.phone).toBe(TYPED.value);
    const image = msg!.orders.flatMap((o) => o.observations).find((o) => o.imageReference);
    expect(image?.imageReference).toEqual({ documentId: released.documentId, sha256: released.documentSha256 });

    // Who made the correction is on the record (administrators see the trail without values).
    const trail = await api<{ items: { action: string; actor: string; field?: string }[] }>(adminPage, `${product.url}/api/audit?requisitionId=${statId}&limit=1000`);
    expect(trail.items.find((e) => e.action === 'field.correct' && e.field === TYPED.key)?.actor).toBe(REVIEWER);
  });

  it('Alt+E opens escalation, Esc returns to the field, and a reason sent escalates the requisition', async () => {
    await page.keyboard.press('Alt+E');
    await focusOn(page, 'escalate-reason');
    await page.keyboard.press('Escape');
    await focusOn(page, 'field-input-patient_last_name');
    expect(await page.getByTestId('escalate-dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);

    await page.keyboard.press('Alt+E');
    await focusOn(page, 'escalate-reason');
    await page.keyboard.type(ESCALATION_REASON);
    await page.keyboard.press('Enter');
    // Nothing else is waiting: the queue.
    await page.waitForURL((u) => u.pathname === '/queue' || u.pathname === '/');
    expect(await page.getByTestId('flash').textContent()).toContain('Escalated requisition');
    await noteTitle();

    const trail = await api<{ items: { action: string; actor: string }[] }>(adminPage, `${product.url}/api/audit?requisitionId=${routineId}&limit=1000`);
    expect(trail.items.find((e) => e.action === 'requisition.escalate')?.actor).toBe(REVIEWER);
    const summary = await api<{ state: string }>(page, `${product.url}/api/requisitions/${routineId}/summary`);
    expect(summary.state).toBe('escalated');
  });

  it('keeps patient data out of URLs, titles, history and the server log', async () => {
    const names = [...patientNames(stat), ...patientNames(routine)];
    expect(names.length).toBeGreaterThanOrEqual(4);
    // Back through the tab's history: in-app entries (pushState) and whole documents alike.
    const urls: string[] = [page.url()];
    for (let i = 0; i < 12; i++) {
      const was = page.url();
      await page.goBack({ waitUntil: 'commit', timeout: 5_000 }).catch(() => null);
      await page.waitForFunction((u) => location.href !== u, was, { timeout: 2_000 }).catch(() => undefined);
      if (page.url() === was) break;
      urls.push(page.url());
      await noteTitle();
    }
    const ours = urls.filter((u) => u.startsWith(product.url));
    expect(ours.some((u) => u.endsWith(`/review/${statId}`))).toBe(true);
    for (const u of ours) {
      const { pathname, search, hash } = new URL(u);
      expect(pathname).toMatch(/^\/(queue|signin|setup\/[A-Za-z0-9_-]+|review\/[0-9a-f-]{36})?$/);
      expect(search + hash).toBe('');
    }
    for (const t of titles) for (const n of names) expect(t).not.toContain(n);

    const log = product.output();
    expect(log).toContain(statId);
    for (const n of names) expect(log).not.toMatch(new RegExp(`\\b${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`));
  });
});
