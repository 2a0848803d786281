import fs from 'node:fs/promises';
import { ONTARIO_2010_MEANINGS } from '@nexession/forms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONTARIO_BLANK_PDF, ONTARIO_MAP } from '../test/files.ts';
import { signedIn, startTestApp, type Agent, type TestApp } from '../test/app.ts';
import { connect } from '../test/db.ts';

function multipart(parts: Record<string, { filename?: string; type?: string; data: Buffer | string }>): { body: Buffer; type: string } {
  const boundary = `----nx${Date.now().toString(16)}`;
  const chunks: Buffer[] = [];
  for (const [name, p] of Object.entries(parts)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

describe('templates', () => {
  let t: TestApp;
  let admin: Agent;
  let reviewer: Agent;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await signedIn(t, 'tina', ['admin']);
    reviewer = await signedIn(t, 'ravi', ['reviewer']);
  });
  afterAll(async () => t.close());

  it('seeds the built-in forms, published, with their blanks stored sealed', async () => {
    const list = (await admin.request('GET', '/api/templates')).json().items;
    expect(list.find((x: { id: string }) => x.id === 'demo-outreach')).toMatchObject({ version: 2, active: true, usedBy: 0 });
    const row = await t.ctx.db.selectFrom('templates').selectAll().where('id', '=', 'demo-outreach').executeTakeFirstOrThrow();
    expect((await t.ctx.blobs.get(row.blank_blob_key!)).subarray(0, 5).toString()).not.toBe('%PDF-');
    const img = await admin.request('GET', '/api/templates/demo-outreach/2/pages/0/image');
    expect(img.headers['content-type']).toBe('image/png');
  });

  it('makes the real Ontario 2010 requisition a template from its blank PDF and OSCAR map', async () => {
    const mp = multipart({
      blank: { filename: 'labReqForm2010.pdf', type: 'application/pdf', data: await fs.readFile(ONTARIO_BLANK_PDF) },
      fieldMap: { filename: 'map.txt', type: 'text/plain', data: await fs.readFile(ONTARIO_MAP) },
      meanings: { data: JSON.stringify(ONTARIO_2010_MEANINGS) },
      id: { data: 'ontario-2010' },
      name: { data: 'Ontario Laboratory Requisition 4422-84 (2010/09)' },
    });
    expect((await reviewer.request('POST', '/api/templates', mp.body, { 'content-type': mp.type })).statusCode).toBe(403);
    const r = await admin.request('POST', '/api/templates', mp.body, { 'content-type': mp.type });
    expect(r.statusCode, r.body).toBe(200);
    const { id, version, proposal } = r.json();
    expect({ id, version }).toEqual({ id: 'ontario-2010', version: 1 });
    const fields = proposal.template.pages[0].fields;
    expect(fields.length).toBeGreaterThan(100);
    expect(proposal.meanings.healthNumber.role).toBe('patient.health_number');
    expect(proposal.meanings.male).toMatchObject({ role: 'patient.sex', value: 'M' });
    // A draft is not what the reader uses until published.
    expect((await admin.request('GET', '/api/templates')).json().items.find((x: { id: string }) => x.id === 'ontario-2010').active).toBe(false);
    expect((await admin.request('POST', '/api/templates/ontario-2010/1/publish')).json()).toEqual({ active: true });
    expect((await admin.request('GET', '/api/templates')).json().items.find((x: { id: string }) => x.id === 'ontario-2010').active).toBe(true);

    // Published: immutable, even for the application role's own SQL.
    const app = await connect(t.tdb.appUrl);
    try {
      await expect(app.query(`UPDATE templates SET form = '{}' WHERE id = 'ontario-2010' AND version = 1`)).rejects.toThrow(/publish a new version/);
    } finally {
      await app.end();
    }
    // A second upload is a new version.
    const again = await admin.request('POST', '/api/templates', mp.body, { 'content-type': mp.type });
    expect(again.json().version).toBe(2);
  });

  it('refuses a blank that is not a document, and an upload with no definition', async () => {
    const bad = multipart({ blank: { filename: 'x.pdf', data: 'not a pdf' }, fieldMap: { data: 'a : left, 1, 2, 0, X, 8' } });
    expect((await admin.request('POST', '/api/templates', bad.body, { 'content-type': bad.type })).json().error.code).toBe('bad_blank');
    const none = multipart({ blank: { filename: 'x.pdf', data: await fs.readFile(ONTARIO_BLANK_PDF) } });
    expect((await admin.request('POST', '/api/templates', none.body, { 'content-type': none.type })).json().error.code).toBe('no_definition');
  });
});
