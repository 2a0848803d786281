/**
 * The real Ontario Laboratory Requisition (2010) end to end on the server: an administrator's
 * template from the blank PDF and OSCAR map, a filled synthetic fax read by the real reader, a
 * person confirming or correcting every field against what was written, identity, release, and
 * the order as the LIS simulator receives it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ONTARIO_2010_MEANINGS } from '@nexession/forms';
import { makeFaxedRequisition, type FaxedRequisition } from '@nexession/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceContext } from '../src/audit/audit.ts';
import { createDeliveryService, startLisSimulator, type DeliveryService, type LisSimulator } from '../src/delivery/index.ts';
import { asDeliveryDb } from '../src/delivery/tables.ts';
import { realReaderFactory } from '../src/requisitions/reading.ts';
import { publishTemplate, uploadTemplate } from '../src/templates/store.ts';
import { signedIn, startTestApp, type Agent, type TestApp } from '../src/test/app.ts';
import { ONTARIO_BLANK_PDF, ONTARIO_MAP } from '../src/test/files.ts';

describe('the Ontario 2010 requisition, from fax to LIS', () => {
  let t: TestApp;
  let rev: Agent;
  let admin: Agent;
  let fax: FaxedRequisition;
  let sim: LisSimulator;
  let delivery: DeliveryService;

  beforeAll(async () => {
    t = await startTestApp({ readerFactory: realReaderFactory });
    const up = await uploadTemplate(t.ctx, serviceContext('test'), {
      id: 'ontario-2010',
      name: 'Ontario Laboratory Requisition 4422-84 (2010/09)',
      blank: await fs.readFile(ONTARIO_BLANK_PDF),
      fieldMap: await fs.readFile(ONTARIO_MAP, 'utf8'),
      meanings: { ...ONTARIO_2010_MEANINGS },
    });
    await publishTemplate(t.ctx, serviceContext('test'), up.id, up.version);
    rev = await signedIn(t, 'olga', ['reviewer']);
    admin = await signedIn(t, 'omar', ['admin']);
    sim = await startLisSimulator({ port: 0, outDir: path.join(t.dir, 'lis') });
    await admin.request('PUT', '/api/lis', { host: sim.host, port: sim.port, profile: 'OML_O21', tls: false });
    delivery = createDeliveryService({ db: asDeliveryDb(t.ctx.db), vault: t.ctx.vault, boss: t.boss, log: t.ctx.log, now: t.ctx.now, requisitions: t.review.deliveryHooks });
    await delivery.startWorker(t.boss);
    fax = await makeFaxedRequisition({ form: 'ontario-2010', seed: 'server-ontario-1', mode: 'fine', format: 'tiff-g4', severity: 'clean', style: 'typed' });
  });
  afterAll(async () => {
    await delivery?.stopWorker();
    await sim?.close();
    await t.readers.close();
    await t.close();
  });

  it('is read, confirmed field by field, released, and arrives as confirmed', async () => {
    const up = await rev.request('POST', '/api/documents', Buffer.from(fax.bytes), { 'content-type': 'image/tiff' });
    const read = await t.read(up.json().documentId);
    expect(read.requisitions).toHaveLength(1);
    const id = read.requisitions[0]!;
    await rev.request('POST', `/api/requisitions/${id}/claim`);
    const d = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect(d.form).toMatchObject({ id: 'ontario-2010' });
    expect(d.fields.length).toBeGreaterThan(100);

    // The person checks each field against the page (here: against what was written).
    let corrected = 0;
    for (const f of d.fields) {
      const truth = fax.truth.fields[f.key];
      const want = truth === undefined ? f.machineValue : truth.kind === 'checkbox' ? truth.state === 'marked' : truth.value;
      const same = f.kind === 'checkbox' ? f.machineValue === want : (f.machineValue ?? null) === (want ?? null) || (typeof want === 'string' && typeof f.machineValue === 'string' && f.machineValue.replace(/\s+/g, ' ').trim() === want.replace(/\s+/g, ' ').trim());
      const body = same && !(f.kind === 'checkbox' && f.machineValue === null) ? { action: 'confirm', acknowledgeFlags: f.flags.length > 0 } : { action: 'correct', value: want ?? (f.kind === 'checkbox' ? false : null) };
      if (body.action === 'correct') corrected++;
      const r = await rev.request('POST', `/api/requisitions/${id}/fields/${f.key}/review`, body);
      expect(r.statusCode, `${f.key}: ${r.body}`).toBe(200);
    }
    const ident = await rev.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'dob', 'health_number'] });
    expect(ident.statusCode, ident.body).toBe(200);
    const now = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect(now.validation.rules.filter((r: { passed: boolean }) => !r.passed)).toEqual([]);
    expect(now.releaseBlockers).toEqual([]);
    const rel = await rev.request('POST', `/api/requisitions/${id}/release`);
    expect(rel.statusCode, rel.body).toBe(200);

    const [msg] = await sim.waitForMessages(1, 30_000);
    const text = (k: string) => {
      const tr = fax.truth.fields[k];
      return tr?.kind === 'text' ? tr.value : null;
    };
    expect(msg!.patient?.lastName).toBe(text('patientLastName'));
    const dob = `${text('patientBirthYear')}${String(text('patientBirthMth')).padStart(2, '0')}${String(text('patientBirthDay')).padStart(2, '0')}`;
    expect(msg!.patient?.dob).toBe(dob);
    const marked = Object.entries(fax.truth.fields).filter(([k, v]) => v.kind === 'checkbox' && v.state === 'marked' && ONTARIO_2010_MEANINGS[k]?.role === 'order.test').map(([k]) => ONTARIO_2010_MEANINGS[k]!.test!.code);
    expect(msg!.orders.map((o) => o.test.code).sort()).toEqual(expect.arrayContaining(marked.sort()));
    const image = msg!.orders.flatMap((o) => o.observations).find((o) => o.imageReference);
    expect(image?.imageReference?.sha256).toBe(d.documentSha256);
    // Typed and clean: most fields are read as written; the rest a person corrected.
    expect(corrected).toBeLessThan(d.fields.length / 2);
  });
});
