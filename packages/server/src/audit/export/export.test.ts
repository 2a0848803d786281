/**
 * The auditor's export of a released and delivered requisition, read back with pdf.js: the
 * document's SHA-256, the corrected field's before and after, the ACK code, the exact HL7 bytes
 * (attached) and the last audit hash are in it; only auditors (or break-glass) get it, and it is
 * itself audited.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLisSimulator, type LisSimulator } from '../../delivery/lis-sim/simulator.ts';
import { DeliveryWorker } from '../../delivery/outbox/worker.ts';
import { asDeliveryDb } from '../../delivery/tables.ts';
import { demoValues } from '../../test/fake-reader.ts';
import { greyPng } from '../../test/files.ts';
import { signedIn, startTestApp, type Agent, type TestApp } from '../../test/app.ts';
import { listAudit } from '../audit.ts';

const NAME = 'WINTERBOURNE';
const MISREAD = 'W1NTERB0URNE';

async function pdfText(bytes: Uint8Array): Promise<{ text: string; attachments: Record<string, { filename: string; content: Uint8Array }> }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const fonts = path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + path.sep;
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, standardFontDataUrl: fonts });
  const doc = await task.promise;
  const lines: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    // Items are runs of text; hasEOL marks the end of a drawn line.
    let line = '';
    for (const item of content.items) {
      if (!('str' in item)) continue;
      line += item.str;
      if (item.hasEOL) {
        lines.push(line);
        line = '';
      }
    }
    if (line) lines.push(line);
  }
  const attachments: Record<string, { filename: string; content: Uint8Array }> = {};
  for (const [key, a] of (await doc.getAttachments()) ?? new Map()) {
    const content = await doc.getAttachmentContent(key);
    if (content) attachments[key] = { filename: a.filename, content };
  }
  await task.destroy();
  return { text: lines.join('\n'), attachments };
}

describe('auditor export of a requisition history', () => {
  let t: TestApp;
  let sim: LisSimulator;
  let worker: DeliveryWorker;
  let outDir: string;
  let rev: Agent;
  let auditor: Agent;
  let admin: Agent;
  let lead: Agent;
  let id: string;
  let documentSha256: string;

  beforeAll(async () => {
    t = await startTestApp();
    outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-export-sim-'));
    sim = await startLisSimulator({ port: 0, outDir });
    worker = new DeliveryWorker(
      { db: asDeliveryDb(t.ctx.db), vault: t.ctx.vault, boss: t.boss, log: t.ctx.log, now: t.ctx.now, requisitions: t.review.deliveryHooks },
      { sweepIntervalMs: 0 },
    );
    rev = await signedIn(t, 'ex-rev', ['reviewer']);
    auditor = await signedIn(t, 'ex-auditor', ['auditor']);
    admin = await signedIn(t, 'ex-admin', ['admin']);
    lead = await signedIn(t, 'ex-lead', ['lead_reviewer']);
    expect((await admin.request('PUT', '/api/lis', { host: '127.0.0.1', port: sim.port, profile: 'OML_O21', tls: false })).statusCode).toBe(200);

    // A fax read with a misread surname; the reviewer corrects it, confirms the rest, releases.
    const png = greyPng(1700, 2200, (x, y) => ((x * 5 + y * 11) % 89 === 0 ? 0 : 255));
    t.reader.script(png, [{ template: { id: 'demo-outreach', version: 2 }, values: demoValues(MISREAD) }]);
    const up = await rev.request('POST', '/api/documents', png, { 'content-type': 'image/png', 'x-filename': 'fax-0007.png' });
    documentSha256 = up.json().sha256;
    id = (await t.read(up.json().documentId)).requisitions[0]!;
    expect((await rev.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(200);
    const detail = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect((await rev.request('POST', `/api/requisitions/${id}/fields/patient_last_name/review`, { action: 'correct', value: NAME })).statusCode).toBe(200);
    for (const f of detail.fields as { key: string; kind: string; flags: unknown[]; machineValue: unknown }[]) {
      if (f.key === 'patient_last_name') continue;
      const body = f.kind === 'checkbox' && typeof f.machineValue !== 'boolean' ? { action: 'correct', value: false } : { action: 'confirm', acknowledgeFlags: f.flags.length > 0 };
      expect((await rev.request('POST', `/api/requisitions/${id}/fields/${f.key}/review`, body)).statusCode).toBe(200);
    }
    expect((await rev.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'dob'] })).statusCode).toBe(200);
    const rel = await rev.request('POST', `/api/requisitions/${id}/release`);
    expect(rel.statusCode, rel.body).toBe(200);
    expect(await worker.process(rel.json().delivery.id)).toMatchObject({ state: 'acked' });
    expect((await t.ctx.db.selectFrom('requisitions').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('delivered');
  });

  afterAll(async () => {
    await worker.stop();
    await sim.close();
    await t.close();
    await fs.rm(outDir, { recursive: true, force: true });
  });

  it('holds the document hash, the correction, the HL7 bytes, the ACK and the last audit hash', async () => {
    const delivery = await t.ctx.db.selectFrom('deliveries').select(['id', 'payload_sha256', 'ack_code', 'lis_order_number']).where('requisition_id', '=', id).executeTakeFirstOrThrow();
    expect(delivery.ack_code).toBe('AA');
    const doc = await t.ctx.db.selectFrom('requisitions').select('document_id').where('id', '=', id).executeTakeFirstOrThrow();
    const trail = await listAudit(t.ctx.db, t.ctx.vault, { objectIds: [id, doc.document_id, delivery.id], limit: 1 });
    const lastHash = trail[0]!.hash;

    const res = await auditor.request('GET', `/api/audit/requisitions/${id}/export.pdf`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['cache-control']).toBe('no-store');
    const bytes = res.rawPayload;
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, attachments } = await pdfText(bytes);

    expect(text).toContain(documentSha256);
    expect(text).toContain(id);
    // The correction: machine value before, the person's value after.
    expect(text).toMatch(new RegExp(`field\\.correct: before ${MISREAD} -> after ${NAME}`));
    expect(text).toMatch(/^ACK code AA$/m);
    if (delivery.lis_order_number) expect(text).toContain(delivery.lis_order_number);
    expect(text).toContain(delivery.payload_sha256);
    expect(text).toContain(`hash ${lastHash}`);
    expect(text).toMatch(/INTACT/);
    // CFR citations of the validation rules.
    expect(text).toContain('42 CFR 493.1241(c)(2)');
    // The readable HL7 (one segment per line) and the exact bytes attached.
    expect(text).toMatch(/^MSH\|/m);
    const hl7 = Object.values(attachments).find((a) => a.filename.endsWith('.hl7'));
    expect(hl7).toBeDefined();
    expect(createHash('sha256').update(hl7!.content).digest('hex')).toBe(delivery.payload_sha256);

    // The export itself is audited with the hash of exactly what left.
    const event = await t.ctx.db.selectFrom('audit_events').select(['actor_id', 'details']).where('action', '=', 'audit.export').where('object_id', '=', id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(event.actor_id).toBe(auditor.userId);
    expect(JSON.parse(event.details!)).toMatchObject({ sha256: createHash('sha256').update(bytes).digest('hex'), chainOk: true });
    // No PHI in the logs for it.
    expect(t.logs.join('')).not.toContain(NAME);
  });

  it('refuses reviewers, lead reviewers and administrators', async () => {
    for (const who of [rev, lead, admin]) {
      const r = await who.request('GET', `/api/audit/requisitions/${id}/export.pdf`);
      expect(r.statusCode).toBe(403);
      expect(r.body).not.toContain(NAME);
    }
    const anon = await t.app.inject({ method: 'GET', url: `/api/audit/requisitions/${id}/export.pdf` });
    expect(anon.statusCode).toBe(401);
    expect((await auditor.request('GET', '/api/audit/requisitions/not-a-uuid/export.pdf')).statusCode).toBe(404);
    expect((await auditor.request('GET', '/api/audit/requisitions/3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60/export.pdf')).statusCode).toBe(404);
  });
});
