/**
 * The main job, end to end, as a lab runs it: the real `nexession start` process on embedded
 * PostgreSQL over HTTPS, Debian's Chromium driven by keyboard, a real MLLP LIS peer over TCP, and a
 * faxed synthetic requisition dropped into the watched inbox. The reviewer corrects one field,
 * confirms the rest and the identity, and releases; the LIS must receive exactly the confirmed
 * values, with the image reference carrying the document's SHA-256, and the audit log must hold
 * the correction with its before and after values.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ONTARIO_2010_MEANINGS } from '@nexession/forms';
import { makeFaxedRequisition, type FaxedRequisition } from '@nexession/testkit';
import { startLisSimulator, type LisSimulator } from '../packages/server/src/delivery/lis-sim/simulator.ts';
import { chromiumPath, launchChromium } from './harness/chromium.ts';
import { component, field, segments, unescape, type Segment } from './harness/hl7.ts';
import { dropIntoInbox, until } from './harness/inbox.ts';
import { enrol, invite, newContext, signIn, type Person } from './harness/people.ts';
import { reviewByKeyboard } from './harness/review.ts';
import { startProduct, type RunningProduct } from './harness/server.ts';

const REALDATA = path.resolve(process.env.NEXESSION_REALDATA ?? path.join(import.meta.dirname, '../../shared/realdata'));
const ONTARIO = path.join(REALDATA, 'ontario-labreq-2010');

interface ApiField {
  key: string;
  role: string;
  kind: string;
  value: string | boolean | null;
  test?: { code: string; name: string };
  review: { state: string };
}
interface ApiRequisition {
  id: string;
  state: string;
  documentSha256: string;
  fields: ApiField[];
  delivery: { state: string; ackCode: string | null; lisOrderNumber: string | null; controlId: string } | null;
}

async function api<T>(page: Page, url: string): Promise<T> {
  const res = await page.request.get(url);
  if (!res.ok()) throw new Error(`GET ${url}: ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

const value = (r: ApiRequisition, role: string): string | null => {
  const f = r.fields.find((x) => x.role === role && x.kind === 'text');
  return f && typeof f.value === 'string' && f.value.trim() !== '' ? f.value : null;
};

/** The HL7 date a confirmed date must become, given the order the form prints (MM/DD/YYYY or YYYY/MM/DD). */
function hl7Date(written: string): string {
  const parts = written.match(/\d+/g) ?? [];
  if (parts[0] && parts[0].length === 4) return `${parts[0]}${parts[1]!.padStart(2, '0')}${parts[2]!.padStart(2, '0')}`;
  return `${parts[2]}${parts[0]!.padStart(2, '0')}${parts[1]!.padStart(2, '0')}`;
}

const run = chromiumPath ? describe : describe.skip;

run('the main job, end to end', () => {
  let product: RunningProduct;
  let lis: LisSimulator;
  let lisDir: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let admin: Person;
  let reviewer: Person;
  let adminPage: Page;
  let auditorPage: Page;

  beforeAll(async () => {
    lisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-e2e-lis-'));
    lis = await startLisSimulator({ port: 0, host: '127.0.0.1', outDir: lisDir });
    product = await startProduct();
    ({ browser, close: closeBrowser } = await launchChromium());

    adminPage = await (await newContext(browser)).newPage();
    admin = await enrol(adminPage, product.setupUrl, 'e2e-admin', 'correct horse battery staple 1');
    await signIn(adminPage, product.url, admin);

    // The LIS connection, set the way an administrator sets it.
    await adminPage.goto(`${product.url}/admin/lis`);
    await adminPage.getByTestId('lis-host').fill('127.0.0.1');
    await adminPage.getByTestId('lis-port').fill(String(lis.port));
    await adminPage.getByTestId('lis-profile').selectOption('OML_O21');
    await adminPage.getByTestId('lis-save').click();

    const link = await invite(adminPage, product.url, 'e2e-reviewer', ['reviewer']);
    const invitePage = await (await newContext(browser)).newPage();
    reviewer = await enrol(invitePage, link, 'e2e-reviewer', 'a long reviewer passphrase 2');
    await invitePage.context().close();

    // Values in the audit trail are for auditors; administrators see the trail without them.
    const auditorLink = await invite(adminPage, product.url, 'e2e-auditor', ['auditor']);
    auditorPage = await (await newContext(browser)).newPage();
    const auditor = await enrol(auditorPage, auditorLink, 'e2e-auditor', 'an auditor passphrase 3');
    await signIn(auditorPage, product.url, auditor);
  });

  afterAll(async () => {
    await closeBrowser?.();
    await lis?.close();
    await product?.stop();
    if (lisDir) fs.rmSync(lisDir, { recursive: true, force: true });
  });

  async function reviewAndRelease(fax: FaxedRequisition, correction: { key: string; value: string }) {
    const sha256 = createHash('sha256').update(fax.bytes).digest('hex');
    const dropped = dropIntoInbox(product, fax);
    const page = await (await newContext(browser)).newPage();
    await signIn(page, product.url, reviewer);

    // The queue shows it once read; the file leaves the inbox only after it is stored.
    await page.goto(`${product.url}/queue`);
    const row = await until('the requisition in the queue', async () => {
      await page.reload();
      const rows = page.locator('[data-testid^="queue-row-"]');
      return (await rows.count()) > 0 ? rows.first() : null;
    });
    expect(fs.existsSync(dropped)).toBe(false);
    const id = (await row.getAttribute('data-testid'))!.slice('queue-row-'.length);
    await row.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('review').waitFor();
    expect(page.url()).toBe(`${product.url}/review/${id}`);

    const log = await reviewByKeyboard(page, { truth: fax.truth, correction });
    expect(log.corrected).toContain(correction.key);

    // Identity is its own step, then one obvious button.
    await page.keyboard.press('Enter');
    await until('release to be enabled', async () => ((await page.getByTestId('release').getAttribute('aria-disabled')) === 'false' ? true : null), 30_000).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${await page.getByTestId('release-reasons').textContent()} | validation: ${await page.getByTestId('validation').textContent()}`);
    });
    await page.getByTestId('release').focus();
    await page.keyboard.press('Enter');

    const released = await until('delivery to be acknowledged', async () => {
      const r = await api<ApiRequisition>(page, `${product.url}/api/requisitions/${id}`);
      return r.delivery?.ackCode ? r : null;
    });
    // Opened again, it is read-only and says what the LIS answered, its order number included.
    if (released.delivery?.lisOrderNumber) {
      await page.goto(`${product.url}/review/${id}`);
      await until('the LIS order number on the requisition', async () => ((await page.getByTestId('summary-delivery').textContent())?.includes(released.delivery!.lisOrderNumber!) ? true : null));
      expect(await page.getByTestId('summary-delivery').getAttribute('data-state')).toBe('acked');
    }
    await page.context().close();
    return { id, sha256, released, log };
  }

  function receivedFor(controlId: string): { raw: string; segs: Segment[] } {
    const files = fs.readdirSync(lisDir).filter((f) => f.endsWith('.hl7'));
    const matches = files
      .map((f) => fs.readFileSync(path.join(lisDir, f), 'utf8'))
      .filter((raw) => field(segments(raw).find((s) => s.name === 'MSH')!, 10) === controlId);
    expect(matches).toHaveLength(1);
    return { raw: matches[0]!, segs: segments(matches[0]!) };
  }

  function expectMessageMatches(r: ApiRequisition, sha256: string, segs: Segment[]) {
    const msh = segs.find((s) => s.name === 'MSH')!;
    expect(field(msh, 9)).toBe('OML^O21^OML_O21');
    expect(field(msh, 12)).toBe('2.5.1');

    const pid = segs.find((s) => s.name === 'PID')!;
    expect(unescape(component(pid, 5, 1))).toBe(value(r, 'patient.last_name'));
    expect(unescape(component(pid, 5, 2))).toBe(value(r, 'patient.first_name'));
    const dob = value(r, 'patient.dob');
    if (dob) expect(field(pid, 7)).toBe(hl7Date(dob));
    const sexBox = r.fields.find((f) => f.role === 'patient.sex' && f.value === true);
    if (sexBox) expect(field(pid, 8)).toBe(sexBox.key.endsWith('_f') || sexBox.key === 'female' ? 'F' : 'M');

    const orderedCodes = r.fields.filter((f) => f.role === 'order.test' && f.value === true).map((f) => f.test!.code).sort();
    expect(orderedCodes.length).toBeGreaterThan(0);
    const obrCodes = segs.filter((s) => s.name === 'OBR').map((s) => unescape(component(s, 4, 1))).sort();
    expect(obrCodes).toEqual(orderedCodes);
    for (const obr of segs.filter((s) => s.name === 'OBR')) {
      const f = r.fields.find((x) => x.test?.code === unescape(component(obr, 4, 1)))!;
      expect(unescape(component(obr, 4, 2))).toBe(f.test!.name);
    }

    const icd = value(r, 'order.icd10');
    const written = icd ? icd.split(/[,;\s]+/).filter(Boolean) : [];
    const dg1 = segs.filter((s) => s.name === 'DG1').map((s) => unescape(component(s, 3, 1)));
    // DG1 repeats per order group in OML^O21; each group carries exactly the confirmed codes.
    expect([...new Set(dg1)]).toEqual(written);

    const image = segs.filter((s) => s.name === 'OBX' && field(s, 2) === 'RP');
    expect(image.length).toBeGreaterThan(0);
    for (const obx of image) {
      expect(field(obx, 5)).toContain(r.id.length ? `sha256=${sha256}` : sha256);
      expect(field(obx, 11)).toBe('O');
    }
  }

  async function auditHoldsCorrection(requisitionId: string, key: string, after: string) {
    const audit = await api<{ items: { action: string; field?: string; before?: unknown; after?: unknown }[] }>(
      auditorPage,
      `${product.url}/api/audit?requisitionId=${requisitionId}&limit=1000`,
    );
    const edits = audit.items.filter((e) => e.field === key && /correct/.test(e.action));
    expect(edits.length).toBeGreaterThan(0);
    const last = edits.at(-1)!;
    expect(JSON.stringify(last.after)).toContain(after);
    expect(last.before).not.toEqual(last.after);
    const verify = await api<{ ok: boolean; checked: number }>(auditorPage, `${product.url}/api/audit/verify`);
    expect(verify.ok).toBe(true);
    expect(verify.checked).toBeGreaterThan(10);
  }

  it('a faxed demo requisition (G4 TIFF, fine mode) becomes the confirmed OML^O21 in the LIS', async () => {
    const fax = await makeFaxedRequisition({ form: 'demo-outreach', seed: 'e2e-demo-1', mode: 'fine', format: 'tiff-g4', severity: 'typical', style: 'typed', upsideDown: false });
    expect(fax.truth.output.compression).toMatch(/g4|group ?4|ccittfax4/i);
    const correction = { key: 'patient_phone', value: '(555) 010-7788' };
    const { id, sha256, released } = await reviewAndRelease(fax, correction);

    expect(released.documentSha256).toBe(sha256);
    expect(released.delivery!.ackCode).toBe('AA');
    expect(released.delivery!.lisOrderNumber).toMatch(/\S/);
    expect(value(released, 'patient.phone')).toBe(correction.value);
    const { segs } = receivedFor(released.delivery!.controlId);
    expectMessageMatches(released, sha256, segs);
    expect(unescape(component(segs.find((s) => s.name === 'PID')!, 13, 1))).toBe(correction.value);
    await auditHoldsCorrection(id, correction.key, correction.value);
  });

  it('a filled and faxed Ontario 2010 requisition, set up from its blank PDF and coordinate map, goes the same way', async () => {
    // The administrator sets the form up the way a lab would: blank PDF + coordinate map + meanings.
    await adminPage.goto(`${product.url}/admin/templates`);
    await adminPage.getByTestId('template-blank').setInputFiles(path.join(ONTARIO, 'labReqForm2010.pdf'));
    await adminPage.getByTestId('template-fieldmap').setInputFiles(path.join(ONTARIO, 'labReqPrintEncounterForm2010.txt'));
    // The lab's own mapping of the form's fields: roles, and its test codes for the printed tests.
    const meaningsFile = path.join(lisDir, 'ontario-2010.meanings.json');
    fs.writeFileSync(meaningsFile, JSON.stringify(ONTARIO_2010_MEANINGS));
    await adminPage.getByTestId('template-meanings').setInputFiles(meaningsFile);
    await adminPage.getByTestId('template-upload').click();
    await adminPage.getByTestId('template-proposal').waitFor();
    await adminPage.getByTestId('template-publish').click();
    await adminPage.getByTestId('template-published').waitFor();

    const fax = await makeFaxedRequisition({ form: 'ontario-2010', seed: 'e2e-ontario-1', mode: 'fine', format: 'tiff-g4', severity: 'typical', style: 'typed', upsideDown: false });
    const correction = { key: 'phoneNumber', value: '(416) 555-0199' };
    const { id, sha256, released } = await reviewAndRelease(fax, correction);

    expect(released.documentSha256).toBe(sha256);
    expect(released.delivery!.ackCode).toBe('AA');
    const { segs } = receivedFor(released.delivery!.controlId);
    expectMessageMatches(released, sha256, segs);
    await auditHoldsCorrection(id, correction.key, correction.value);
  });

  it('a PDF carrying JavaScript dropped into the inbox is quarantined with its reason and never read', async () => {
    const js = Buffer.from(
      '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
        '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n4 0 obj<</S/JavaScript/JS(app.alert\\(1\\))>>endobj\n' +
        'trailer<</Root 1 0 R>>\n%%EOF\n',
    );
    const file = path.join(product.inboxDir, 'hostile.pdf');
    fs.writeFileSync(file, js);
    await until('the file to leave the inbox', async () => (fs.existsSync(file) ? null : true), 60_000);
    const q = await until('the quarantine entry', async () => {
      const list = await api<{ items: { id: string; sha256: string; reason: string }[] }>(adminPage, `${product.url}/api/documents/quarantine`);
      const sha = createHash('sha256').update(js).digest('hex');
      return list.items.find((i) => i.sha256 === sha) ?? null;
    }, 60_000);
    expect(q.reason).toMatch(/javascript/i);
    const queue = await api<{ items: { id: string }[] }>(adminPage, `${product.url}/api/queue`).catch(() => ({ items: [] }));
    expect(queue.items.length).toBe(0);
  });
});
