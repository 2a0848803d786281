import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/audit.ts';
import { demoValues } from '../test/fake-reader.ts';
import { greyPng } from '../test/files.ts';
import { signedIn, startTestApp, type Agent, type TestApp } from '../test/app.ts';
import { connect } from '../test/db.ts';

// A distinctive synthetic surname: it must never reach a log line.
const NAME = 'ZYXWVQUORTLE';
const MISREAD = 'ZYXWVQUORTIE';

let counter = 0;
/** A letter page at 200 dpi with a little unique ink, so each document has its own SHA-256. */
function page(): Buffer {
  const n = ++counter;
  return greyPng(1700, 2200, (x, y) => (y < 10 && x < 10 * n ? 0 : 255));
}

async function makeRequisition(t: TestApp, who: Agent, values = demoValues(NAME)): Promise<string> {
  const png = page();
  t.reader.script(png, [{ template: { id: 'demo-outreach', version: 2 }, values }]);
  const up = await who.request('POST', '/api/documents', png, { 'content-type': 'image/png' });
  expect(up.statusCode).toBe(201);
  const read = await t.read(up.json().documentId);
  expect(read.requisitions).toHaveLength(1);
  return read.requisitions[0]!;
}

type Field = { key: string; kind: string; flags: unknown[]; machineValue: unknown; review: { state: string } };

async function confirmAll(who: Agent, id: string, skip: string[] = []): Promise<void> {
  const detail = (await who.request('GET', `/api/requisitions/${id}`)).json();
  for (const f of detail.fields as Field[]) {
    if (skip.includes(f.key) || f.review.state !== 'unreviewed') continue;
    const body = f.kind === 'checkbox' && typeof f.machineValue !== 'boolean' ? { action: 'correct', value: false } : { action: 'confirm', acknowledgeFlags: f.flags.length > 0 };
    const r = await who.request('POST', `/api/requisitions/${id}/fields/${f.key}/review`, body);
    expect(r.statusCode, `${f.key}: ${r.body}`).toBe(200);
  }
}

describe('review, identity and release', () => {
  let t: TestApp;
  let rev: Agent;
  let rev2: Agent;
  let admin: Agent;
  let auditor: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    rev = await signedIn(t, 'rosa', ['reviewer']);
    rev2 = await signedIn(t, 'remy', ['reviewer']);
    admin = await signedIn(t, 'alba', ['admin']);
    auditor = await signedIn(t, 'aude', ['auditor']);
    const lis = await admin.request('PUT', '/api/lis', { host: '127.0.0.1', port: 2575, profile: 'OML_O21', tls: false });
    expect(lis.statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  it('takes a requisition from reading to release, with every step audited', async () => {
    const values = demoValues(MISREAD);
    values.patient_dob = { value: '03/22/1984', flags: [{ code: 'ocr_low_confidence', message: 'OCR confidence 41 %' }], confidence: 0.41 };
    values.stat = { value: null, state: 'review' };
    const id = await makeRequisition(t, rev, values);

    // Queue: STAT first while the STAT box is unclear; no names anywhere in the list.
    const q = await rev.request('GET', '/api/queue');
    expect(q.statusCode).toBe(200);
    expect(q.headers['cache-control']).toBe('no-store');
    expect(q.body).not.toContain(MISREAD);
    const item = q.json().items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({ priority: 'stat', state: 'ready_for_review', pageCount: 1, form: expect.stringMatching(/./), flaggedFields: 2 });

    // Changing anything needs the claim; a second person cannot take a live claim.
    expect((await rev.request('POST', `/api/requisitions/${id}/fields/patient_mrn/review`, { action: 'confirm' })).json().error.code).toBe('not_claimed');
    expect((await rev.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(200);
    expect((await rev2.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(409);

    const detail = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect(detail.form).toMatchObject({ id: 'demo-outreach', version: 2 });
    expect(detail.documentSha256).toMatch(/^[0-9a-f]{64}$/);
    const last = detail.fields.find((f: { key: string }) => f.key === 'patient_last_name');
    expect(last).toMatchObject({ section: 'Patient', role: 'patient.last_name', machineValue: MISREAD, review: { state: 'unreviewed' } });
    const tsh = detail.fields.find((f: { key: string }) => f.key === 'test_tsh');
    expect(tsh).toMatchObject({ kind: 'checkbox', test: { code: '30100', name: 'TSH' }, machineValue: true, checkbox: { state: 'marked', low: 0.08, high: 0.2 } });
    expect(detail.releaseBlockers).toContain('identity not confirmed');

    // Page image and crop: PNG, no-store, audited.
    const img = await rev.request('GET', `/api/requisitions/${id}/pages/0/image`);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.headers['cache-control']).toBe('no-store');
    const crop = await rev.request('GET', `/api/requisitions/${id}/fields/patient_last_name/crop`);
    expect(crop.statusCode).toBe(200);
    expect(crop.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    expect(crop.rawPayload.readUInt32BE(16)).toBeLessThan(1700);

    // A flagged field cannot be confirmed by accident.
    const bare = await rev.request('POST', `/api/requisitions/${id}/fields/patient_dob/review`, { action: 'confirm' });
    expect(bare.statusCode).toBe(409);
    expect(bare.json().error.code).toBe('flag_not_acknowledged');
    const acked = await rev.request('POST', `/api/requisitions/${id}/fields/patient_dob/review`, { action: 'confirm', acknowledgeFlags: true });
    expect(acked.json().field.review).toMatchObject({ state: 'confirmed', by: 'rosa' });
    // An unclear box needs a decision, not a confirmation.
    expect((await rev.request('POST', `/api/requisitions/${id}/fields/stat/review`, { action: 'confirm', acknowledgeFlags: true })).json().error.code).toBe('needs_value');
    expect((await rev.request('POST', `/api/requisitions/${id}/fields/stat/review`, { action: 'correct', value: false })).statusCode).toBe(200);

    // Identity warnings are accurate before anyone confirms: the requisition carries a DOB and an
    // MRN, so no "weak identifiers" (it named them missing while they were listed right below).
    expect(detail.identityWarnings).toEqual([]);

    // Correct the misread name: the warning that a patient field was typed by hand comes with the
    // answer, before the identity step, as a caution (not a red wrong-patient warning).
    const fixed = await rev.request('POST', `/api/requisitions/${id}/fields/patient_last_name/review`, { action: 'correct', value: NAME });
    expect(fixed.json().field).toMatchObject({ value: NAME, review: { state: 'corrected', before: MISREAD, after: NAME } });
    expect(fixed.json().identityWarnings).toEqual([
      { code: 'patient_corrected', severity: 'caution', message: expect.stringMatching(/^corrected by hand: Patient last name\./i) },
      { code: 'patient_flagged', severity: 'caution', message: expect.stringMatching(/^confirmed despite a reading flag: date of birth/i) },
    ]);
    expect(JSON.stringify(fixed.json().identityWarnings)).not.toContain(NAME);

    // Release is refused while fields are unreviewed.
    const early = await rev.request('POST', `/api/requisitions/${id}/release`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.releaseBlockers.join(' ')).toMatch(/not reviewed/);

    await confirmAll(rev, id);
    // Identity: two identifiers, present on the requisition.
    expect((await rev.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name'] })).statusCode).toBe(400);
    expect((await rev.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'health_number'] })).json().error.code).toBe('identifier_absent');
    const ident = await rev.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'dob'] });
    expect(ident.statusCode).toBe(200);
    expect(ident.json().identity.warnings.map((w: { code: string; severity: string }) => [w.code, w.severity])).toEqual([
      ['patient_corrected', 'caution'],
      ['patient_flagged', 'caution'],
    ]);
    expect(ident.json().releaseBlockers).toEqual([]);
    expect(ident.json().validation.passed).toBe(true);

    // Changing a patient field afterwards makes identity stale.
    await rev.request('POST', `/api/requisitions/${id}/fields/patient_phone/review`, { action: 'correct', value: '(555) 010-4478' });
    const stale = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect(stale.releaseBlockers).toContain('identity must be confirmed again (patient fields changed)');
    expect((await rev.request('POST', `/api/requisitions/${id}/release`)).statusCode).toBe(409);
    await rev.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'dob', 'mrn'] });

    const rel = await rev.request('POST', `/api/requisitions/${id}/release`);
    expect(rel.statusCode, rel.body).toBe(200);
    expect(rel.json()).toMatchObject({ state: 'released', placerOrderNumber: expect.stringMatching(/^NX\d{8}$/), delivery: { state: 'pending' } });

    // Opened again, a released requisition says where it stands, without PHI, to any role: who
    // released it and when, our order number, the delivery (and the LIS's order number once acknowledged).
    expect((await rev.request('POST', `/api/requisitions/${id}/claim`)).json().error.code).toBe('not_reviewable');
    for (const who of [rev, admin, auditor]) {
      const sum = await who.request('GET', `/api/requisitions/${id}/summary`);
      expect(sum.statusCode).toBe(200);
      expect(sum.json()).toMatchObject({ id, state: 'released', release: { by: 'rosa', at: expect.any(String), placerOrderNumber: rel.json().placerOrderNumber }, delivery: { state: 'pending', controlId: expect.stringMatching(/^NX/) } });
      expect(sum.body).not.toContain(NAME);
    }
    expect((await admin.request('GET', `/api/requisitions/${id}`)).statusCode).toBe(403);

    const after = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect(after.state).toBe('released');
    expect(after.delivery).toMatchObject({ state: 'pending', controlId: expect.stringMatching(/^NX\d{12}$/) });
    // Final: no more changes through the API...
    expect((await rev.request('POST', `/api/requisitions/${id}/fields/patient_mrn/review`, { action: 'correct', value: 'X' })).statusCode).toBe(409);

    // ...the auditor sees the correction with before and after; the chain verifies.
    const trail = await auditor.request('GET', `/api/audit?requisitionId=${id}&limit=1000`);
    expect(trail.statusCode).toBe(200);
    const correction = trail.json().items.find((e: { action: string; field?: string }) => e.action === 'field.correct' && e.field === 'patient_last_name');
    expect(correction).toMatchObject({ actor: 'rosa', before: MISREAD, after: NAME });
    const actions = new Set(trail.json().items.map((e: { action: string }) => e.action));
    for (const a of ['document.receive', 'document.accept', 'document.read', 'requisition.create', 'requisition.claim', 'requisition.view', 'page.image', 'field.crop', 'field.confirm', 'identity.confirm', 'requisition.release']) {
      expect(actions, a).toContain(a);
    }
    // An administrator reads the trail without values.
    const adminTrail = await admin.request('GET', `/api/audit?requisitionId=${id}`);
    expect(adminTrail.body).not.toContain(NAME);
    expect((await auditor.request('GET', '/api/audit/verify')).json()).toMatchObject({ ok: true });

    // Logs carry ids only: the synthetic name (read, typed, corrected) never appears.
    const logs = t.logs.join('');
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).toContain(id);
    expect(logs).not.toContain(NAME);
    expect(logs).not.toContain(MISREAD);
    expect(logs).not.toContain('Fennimore');
  });

  it('the database refuses a release the server would refuse, even from the application role', async () => {
    const id = await makeRequisition(t, rev);
    await rev.request('POST', `/api/requisitions/${id}/claim`);
    const r = await rev.request('POST', `/api/requisitions/${id}/fields/patient_mrn/review`, { action: 'confirm' });
    expect(r.statusCode).toBe(200);
    const session = await t.ctx.db.selectFrom('sessions').select('id').where('user_id', '=', rev.userId).where('stage', '=', 'full').where('ended_at', 'is', null).executeTakeFirstOrThrow();
    const app = await connect(t.tdb.appUrl);
    try {
      const params = [id, rev.userId, session.id];
      // Everything the guard checks, set by hand, but fields are unreviewed.
      await expect(
        app.query(
          `UPDATE requisitions SET state = 'released', released_by = $2, released_at = now(), released_session_id = $3,
             identity_confirmed_by = $2, identity_confirmed_at = now(), identity_session_id = $3, identity_identifiers = '{name,dob}',
             identity_revision = identity_fields_revision, validation_passed = true, validation_revision = field_revision
           WHERE id = $1`,
          params,
        ),
      ).rejects.toThrow(/not reviewed/);
      await expect(app.query(`UPDATE requisitions SET field_revision = 0 WHERE id = $1`, [id])).rejects.toThrow(/kept by the database/);
      await expect(app.query(`UPDATE requisitions SET state = 'delivered' WHERE id = $1`, [id])).rejects.toThrow(/only a released/);
      await expect(
        app.query(`INSERT INTO requisitions (document_id, pages, state, priority, received_at) SELECT document_id, pages, 'released', 'routine', now() FROM requisitions WHERE id = $1`, [id]),
      ).rejects.toThrow(/starts as/);
      // A review "by" someone without a live MFA session is refused.
      await expect(
        app.query(`UPDATE requisition_fields SET review_state = 'confirmed', reviewed_by = $2, reviewed_session_id = gen_random_uuid() WHERE requisition_id = $1 AND key = 'patient_city'`, [id, rev.userId]),
      ).rejects.toThrow();
      // And the audit log stays append-only for this role.
      await expect(app.query(`UPDATE audit_events SET action = 'nothing' WHERE object_id = $1`, [id])).rejects.toThrow(/permission denied/);
      await expect(app.query(`DELETE FROM audit_events WHERE object_id = $1`, [id])).rejects.toThrow(/permission denied/);
      await expect(app.query(`TRUNCATE audit_events`)).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
    const state = await t.ctx.db.selectFrom('requisitions').select('state').where('id', '=', id).executeTakeFirstOrThrow();
    expect(state.state).toBe('in_review');
  });

  // Found by the security review: the guard functions ran with the caller's search_path, where
  // PostgreSQL looks in pg_temp first. A role with TEMP on the database (PostgreSQL's default for
  // PUBLIC; our set-up revokes it, a DBA's may not) shadowed requisition_fields with an empty
  // temporary table holding one "confirmed" row and released a requisition with unreviewed fields.
  it('the release guard cannot be fooled by a temporary table, even where the role may make one', async () => {
    const id = await makeRequisition(t, rev);
    await rev.request('POST', `/api/requisitions/${id}/claim`);
    const session = await t.ctx.db.selectFrom('sessions').select('id').where('user_id', '=', rev.userId).where('stage', '=', 'full').where('ended_at', 'is', null).executeTakeFirstOrThrow();
    const su = await connect(t.tdb.superuserUrl.replace(/\/postgres$/, `/${t.tdb.name}`));
    await su.query(`GRANT TEMP ON DATABASE ${t.tdb.name} TO nexession_app`);
    await su.end();
    const app = await connect(t.tdb.appUrl);
    try {
      await app.query('CREATE TEMP TABLE requisition_fields (requisition_id uuid, review_state text)');
      await app.query(`INSERT INTO requisition_fields VALUES ($1, 'confirmed')`, [id]);
      await expect(
        app.query(
          `UPDATE requisitions SET state = 'released', released_by = $2, released_at = now(), released_session_id = $3,
             identity_confirmed_by = $2, identity_confirmed_at = now(), identity_session_id = $3, identity_identifiers = '{name,dob}',
             identity_revision = identity_fields_revision, validation_passed = true, validation_revision = field_revision
           WHERE id = $1`,
          [id, rev.userId, session.id],
        ),
      ).rejects.toThrow(/not reviewed/);
    } finally {
      await app.end();
      const again = await connect(t.tdb.superuserUrl.replace(/\/postgres$/, `/${t.tdb.name}`));
      await again.query(`REVOKE TEMP ON DATABASE ${t.tdb.name} FROM nexession_app`);
      await again.end();
    }
    expect((await t.ctx.db.selectFrom('requisitions').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('in_review');
  });

  it('two people claiming at once: one holds it; a correction racing the release never both win', async () => {
    const id = await makeRequisition(t, rev);
    const claims = await Promise.all([rev.request('POST', `/api/requisitions/${id}/claim`), rev2.request('POST', `/api/requisitions/${id}/claim`)]);
    expect(claims.map((c) => c.statusCode).sort()).toEqual([200, 409]);
    const holder = claims[0]!.statusCode === 200 ? rev : rev2;
    const other = holder === rev ? rev2 : rev;
    expect((await other.request('POST', `/api/requisitions/${id}/fields/patient_mrn/review`, { action: 'confirm' })).json().error.code).toBe('not_claimed');
    await confirmAll(holder, id);
    expect((await holder.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'dob'] })).statusCode).toBe(200);
    const [correction, release] = await Promise.all([
      holder.request('POST', `/api/requisitions/${id}/fields/patient_last_name/review`, { action: 'correct', value: 'ZYXWVRACER' }),
      holder.request('POST', `/api/requisitions/${id}/release`),
    ]);
    // Either the release came first (the correction is refused: fields are final) or the
    // correction did (the identity confirmation is stale: release refused). Never both.
    expect([correction.statusCode, release.statusCode].filter((c) => c === 200)).toHaveLength(1);
    const d = (await holder.request('GET', `/api/requisitions/${id}`)).json();
    const last = d.fields.find((f: { key: string }) => f.key === 'patient_last_name');
    if (release.statusCode === 200) {
      expect(d.state).toBe('released');
      expect(last.value).toBe(NAME);
    } else {
      expect(d.state).toBe('in_review');
      expect(last.value).toBe('ZYXWVRACER');
      expect(d.identity.current).toBe(false);
      expect(release.json().error.releaseBlockers.join(' ')).toMatch(/identity/);
    }
  });

  it('refuses release when validation fails, with the citation', async () => {
    const values = demoValues();
    values.collection_date = null;
    values.test_pap = true; // gynecologic cytology: LMP and history required
    const id = await makeRequisition(t, rev, values);
    await rev.request('POST', `/api/requisitions/${id}/claim`);
    await confirmAll(rev, id);
    await rev.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'dob'] });
    const d = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    const failed = d.validation.rules.filter((r: { passed: boolean }) => !r.passed).map((r: { citation: string }) => r.citation);
    expect(failed).toEqual(['42 CFR 493.1241(c)(6)', '42 CFR 493.1241(c)(7)']);
    const rel = await rev.request('POST', `/api/requisitions/${id}/release`);
    expect(rel.statusCode).toBe(409);
    expect(rel.json().error.releaseBlockers.join(' ')).toMatch(/validation failed: \(c\)\(6\), \(c\)\(7\)/);
  });

  it('escalates, and only a lead reviewer picks an escalated requisition up, seeing why', async () => {
    const id = await makeRequisition(t, rev);
    await rev.request('POST', `/api/requisitions/${id}/claim`);
    expect((await rev.request('POST', `/api/requisitions/${id}/escalate`, { reason: 'two patients on one page?' })).json()).toEqual({ state: 'escalated' });
    expect((await rev2.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(403);
    const lead = await signedIn(t, 'leah', ['lead_reviewer']);
    const item = (await lead.request('GET', '/api/queue')).json().items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({ state: 'escalated', escalation: { by: 'rosa', reason: 'two patients on one page?', at: expect.any(String) } });
    // A reviewer's queue never holds the reason.
    expect((await rev2.request('GET', '/api/queue')).body).not.toContain('two patients');
    expect((await lead.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(200);
    expect((await lead.request('GET', `/api/requisitions/${id}`)).json().escalation).toMatchObject({ by: 'rosa', reason: 'two patients on one page?' });
    expect((await lead.request('POST', `/api/requisitions/${id}/reject`, { reason: 'duplicate' })).json()).toEqual({ state: 'rejected' });
    expect((await verifyAuditChain(t.ctx.db)).ok).toBe(true);
  });

  it('turns unrecognised pages into a requisition a person classifies and types', async () => {
    const png = page();
    t.reader.script(png, [{}]);
    const up = await rev.request('POST', '/api/documents', png, { 'content-type': 'image/png' });
    const [id] = (await t.read(up.json().documentId)).requisitions;
    const d = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect(d).toMatchObject({ needsClassification: true, fields: [], form: null });
    expect(d.releaseBlockers).toContain('pages not recognised as a form');
    await rev.request('POST', `/api/requisitions/${id}/claim`);
    const c = await rev.request('POST', `/api/requisitions/${id}/classify`, { templateId: 'demo-outreach', version: 2 });
    expect(c.statusCode, c.body).toBe(200);
    const typed = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect(typed.fields.length).toBe(c.json().fields);
    expect(typed.fields[0].flags[0].code).toBe('manual_entry');
  });

  it('warns in red, before confirmation, only when the identifiers cannot tell patients apart', async () => {
    const values = demoValues();
    values.patient_dob = null;
    values.patient_mrn = null;
    const id = await makeRequisition(t, rev, values);
    const d = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect(d.identityWarnings).toEqual([{ code: 'weak_identifiers', severity: 'danger', message: expect.stringMatching(/no date of birth, MRN or health number on this requisition/) }]);
  });

  it('audits a prefetch as a prefetch, and the display as the view', async () => {
    const id = await makeRequisition(t, rev);
    const since = Number((await t.ctx.db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m);
    const pre = { 'x-nexession-prefetch': '1' };
    expect((await rev2.request('GET', `/api/requisitions/${id}`, undefined, pre)).statusCode).toBe(200);
    expect((await rev2.request('GET', `/api/requisitions/${id}/pages/0/image`, undefined, pre)).statusCode).toBe(200);
    expect((await rev2.request('GET', `/api/requisitions/${id}/fields/patient_last_name/crop`, undefined, pre)).statusCode).toBe(200);
    const events = async () =>
      (await t.ctx.db.selectFrom('audit_events').select(['action', 'field', 'details']).where('object_id', '=', id).where('actor_id', '=', rev2.userId).where('seq', '>', String(since)).orderBy('seq').execute()).map((e) => [e.action, JSON.parse(e.details ?? '{}').part ?? null, e.field]);
    // Still an access (the data reached the browser), but nobody looked at it yet.
    expect(await events()).toEqual([
      ['requisition.prefetch', 'detail', null],
      ['requisition.prefetch', 'page_image', null],
      ['requisition.prefetch', 'crop', 'patient_last_name'],
    ]);
    expect((await rev2.request('POST', `/api/requisitions/${id}/viewed`)).json()).toEqual({ ok: true });
    expect((await events()).at(-1)).toEqual(['requisition.view', null, null]);
  });

  it('lets an auditor filter the trail by the short id the screens show', async () => {
    const id = await makeRequisition(t, rev);
    const short = id.slice(0, 8);
    const r = await auditor.request('GET', `/api/audit?requisitionId=${short}&limit=50`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().requisitionId).toBe(id);
    expect(r.json().items.some((e: { action: string; objectId: string }) => e.action === 'requisition.create' && e.objectId === id)).toBe(true);
    expect((await auditor.request('GET', `/api/audit?requisitionId=${id.toUpperCase()}`)).statusCode).toBe(200);
    const none = short.startsWith('0') ? `f${short.slice(1)}` : `0${short.slice(1)}`;
    const miss = await auditor.request('GET', `/api/audit?requisitionId=${none}ffffffff`);
    expect([404, 200]).toContain(miss.statusCode); // 404 unless that prefix happens to exist
    expect((await auditor.request('GET', '/api/audit?requisitionId=abc')).json().error.code).toBe('bad_request');
  });

  it('reads a document once even when the job runs twice', async () => {
    const png = page();
    t.reader.script(png, [{ template: { id: 'demo-outreach', version: 2 }, values: demoValues() }]);
    const up = await rev.request('POST', '/api/documents', png, { 'content-type': 'image/png' });
    const first = await t.read(up.json().documentId);
    const again = await t.read(up.json().documentId);
    expect(first.skipped).toBe(false);
    expect(again.skipped).toBe(true);
    const n = await t.ctx.db.selectFrom('requisitions').select((eb) => eb.fn.countAll<string>().as('n')).where('document_id', '=', up.json().documentId).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });
});
