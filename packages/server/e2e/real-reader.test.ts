/**
 * The server with the real reading engine on synthetic faxes from the testkit: the requisition
 * it makes, the checkbox numbers it stores, and the recomputation of a decision from the stored
 * page image (rule 3).
 */
import { makeFaxedRequisition, type FaxedRequisition } from '@nexession/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realReaderFactory } from '../src/requisitions/reading.ts';
import { signedIn, startTestApp, type Agent, type TestApp } from '../src/test/app.ts';

describe('the real reader behind the server', () => {
  let t: TestApp;
  let rev: Agent;
  let fax: FaxedRequisition;
  let id: string;

  beforeAll(async () => {
    t = await startTestApp({ readerFactory: realReaderFactory });
    rev = await signedIn(t, 'rhea', ['reviewer']);
    fax = await makeFaxedRequisition({ form: 'demo-outreach', seed: 'server-real-reader-1', mode: 'fine', format: 'tiff-g4', severity: 'clean', style: 'typed', tests: ['test_tsh', 'test_cmp', 'test_lipid'] });
    const up = await rev.request('POST', '/api/documents', Buffer.from(fax.bytes), { 'content-type': 'image/tiff', 'x-filename': fax.fileName });
    expect(up.json()).toMatchObject({ status: 'accepted' });
    const read = await t.read(up.json().documentId);
    expect(read.requisitions).toHaveLength(1);
    id = read.requisitions[0]!;
  });
  afterAll(async () => {
    await t.readers.close();
    await t.close();
  });

  it('recognises the form and reads every test box as marked or empty, as the fax shows', async () => {
    const d = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect(d.form).toMatchObject({ id: 'demo-outreach', version: 2 });
    const boxes = d.fields.filter((f: { kind: string }) => f.kind === 'checkbox');
    expect(boxes.length).toBeGreaterThan(30);
    const wrong: string[] = [];
    for (const f of boxes) {
      const truth = fax.truth.fields[f.key];
      if (truth?.kind !== 'checkbox' || truth.ambiguous) continue;
      // A box the reader is unsure of is flagged (null): a person decides; never a wrong guess.
      if (f.machineValue !== null && f.machineValue !== (truth.state === 'marked')) wrong.push(f.key);
      if (f.machineValue === null) expect(f.flags.length, f.key).toBeGreaterThan(0);
    }
    expect(wrong).toEqual([]);
    expect(d.fields.find((f: { key: string }) => f.key === 'test_tsh').checkbox).toMatchObject({ low: expect.any(Number), high: expect.any(Number), dark: expect.any(Number), total: expect.any(Number) });
    expect(d.priority).toBe(fax.truth.stat ? 'stat' : 'routine');
  });

  it('recomputes a stored checkbox decision exactly from the stored page image', async () => {
    const r = await rev.request('GET', `/api/requisitions/${id}/fields/test_tsh/recompute`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().recomputed).toMatchObject({ matchesStored: true, state: 'marked' });
    expect((await rev.request('GET', `/api/requisitions/${id}/fields/patient_last_name/recompute`)).statusCode).toBe(409);
  });
});
