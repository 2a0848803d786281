/**
 * Attack tests (red-team pass on the newest server features): an insider trying to read PHI
 * they may not, to leave no trace, or to pollute the trail. Each test fails on a vulnerable product.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoValues } from '../test/fake-reader.ts';
import { greyPng } from '../test/files.ts';
import { signedIn, startTestApp, type Agent, type TestApp } from '../test/app.ts';

// Distinctive synthetic values: they must never reach an answer a role may not see, nor a log.
const NAME = 'QXAVRELBONTH';
const REASON = 'patient ZORBLEFINCH named twice with two birth dates';

let counter = 0;
function page(): Buffer {
  const n = ++counter;
  return greyPng(1700, 2200, (x, y) => (y > 2180 && x < 13 * n ? 0 : 255));
}

async function makeRequisition(t: TestApp, who: Agent): Promise<string> {
  const png = page();
  t.reader.script(png, [{ template: { id: 'demo-outreach', version: 2 }, values: demoValues(NAME) }]);
  const up = await who.request('POST', '/api/documents', png, { 'content-type': 'image/png' });
  expect(up.statusCode).toBe(201);
  const read = await t.read(up.json().documentId);
  return read.requisitions[0]!;
}

type Field = { key: string; kind: string; flags: unknown[]; machineValue: unknown; review: { state: string } };

async function release(who: Agent, id: string): Promise<string> {
  expect((await who.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(200);
  const detail = (await who.request('GET', `/api/requisitions/${id}`)).json();
  for (const f of detail.fields as Field[]) {
    const body = f.kind === 'checkbox' && typeof f.machineValue !== 'boolean' ? { action: 'correct', value: false } : { action: 'confirm', acknowledgeFlags: f.flags.length > 0 };
    expect((await who.request('POST', `/api/requisitions/${id}/fields/${f.key}/review`, body)).statusCode).toBe(200);
  }
  expect((await who.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'dob'] })).statusCode).toBe(200);
  const rel = await who.request('POST', `/api/requisitions/${id}/release`);
  expect(rel.statusCode, rel.body).toBe(200);
  return rel.json().placerOrderNumber;
}

describe('attacks on review, summary, prefetch/viewed and the audit id filter', () => {
  let t: TestApp;
  let rev: Agent;
  let rev2: Agent;
  let lead: Agent;
  let admin: Agent;
  let auditor: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    rev = await signedIn(t, 'ines', ['reviewer']);
    rev2 = await signedIn(t, 'ivo', ['reviewer']);
    lead = await signedIn(t, 'lena', ['lead_reviewer']);
    admin = await signedIn(t, 'abel', ['admin']);
    auditor = await signedIn(t, 'audra', ['auditor']);
    expect((await admin.request('PUT', '/api/lis', { host: '127.0.0.1', port: 2575, profile: 'OML_O21', tls: false })).statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  const eventsOf = async (id: string, userId: string) =>
    (await t.ctx.db.selectFrom('audit_events').select(['action', 'details']).where('object_id', '=', id).where('actor_id', '=', userId).orderBy('seq').execute()).map((e) => e.action);

  it('a plain reviewer never reads the escalation reason (only lead reviewers and auditors do)', async () => {
    const id = await makeRequisition(t, rev);
    expect((await rev.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(200);
    expect((await rev.request('POST', `/api/requisitions/${id}/escalate`, { reason: REASON })).statusCode).toBe(200);
    // Another plain reviewer opens the escalated requisition by its id (it is not in their queue).
    const other = await rev2.request('GET', `/api/requisitions/${id}`);
    expect(other.statusCode).toBe(200);
    expect(other.body).not.toContain('ZORBLEFINCH');
    expect(other.json().escalation?.reason ?? null).toBeNull();
    // Nor under the prefetch header, nor in the summary.
    expect((await rev2.request('GET', `/api/requisitions/${id}`, undefined, { 'x-nexession-prefetch': '1' })).body).not.toContain('ZORBLEFINCH');
    for (const who of [rev2, admin]) expect((await who.request('GET', `/api/requisitions/${id}/summary`)).body).not.toContain('ZORBLEFINCH');
    // The lead reviewer and the auditor do see it.
    expect((await lead.request('GET', `/api/requisitions/${id}`)).json().escalation).toMatchObject({ reason: REASON });
    expect((await auditor.request('GET', `/api/requisitions/${id}`)).json().escalation).toMatchObject({ reason: REASON });
    // The reason (it may name the patient) is never logged.
    expect(t.logs.join('')).not.toContain('ZORBLEFINCH');
  });

  it('an escalated requisition stays with lead reviewers once a lead has claimed it and gone idle', async () => {
    const id = await makeRequisition(t, rev);
    expect((await rev.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(200);
    expect((await rev.request('POST', `/api/requisitions/${id}/escalate`, { reason: 'two patients on one page' })).statusCode).toBe(200);
    const lead2 = await signedIn(t, 'lola', ['lead_reviewer']);
    expect((await lead2.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(200);
    // The lead signs out (or goes idle): the claim is no longer held by a live session.
    expect((await lead2.request('POST', '/api/auth/logout')).statusCode).toBe(200);
    const grab = await rev2.request('POST', `/api/requisitions/${id}/claim`);
    expect(grab.statusCode, grab.body).toBe(403);
    const r = await t.ctx.db.selectFrom('requisitions').select(['assignee']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(r.assignee).toBe(lead2.userId);
    // The escalating reviewer cannot take it back either; a lead reviewer can.
    expect((await rev.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(403);
    expect((await lead.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(200);
  });

  it('the summary answers every role without PHI, ACK text or values, and with exactly its documented keys', async () => {
    const id = await makeRequisition(t, rev);
    const placer = await release(rev, id);
    for (const who of [rev2, lead, admin, auditor]) {
      const s = await who.request('GET', `/api/requisitions/${id}/summary`);
      expect(s.statusCode).toBe(200);
      expect(Object.keys(s.json()).sort()).toEqual(['assignee', 'delivery', 'form', 'id', 'priority', 'receivedAt', 'release', 'state']);
      expect(Object.keys(s.json().delivery).sort()).toEqual(['ackCode', 'controlId', 'id', 'lisOrderNumber', 'state']);
      expect(s.json().release).toMatchObject({ by: 'ines', placerOrderNumber: placer });
      for (const phi of [NAME, 'Wren', '1984', 'MRN-550021', 'Larkspur', 'ZX9988776', 'Fennimore', 'E11.9']) expect(s.body, phi).not.toContain(phi);
    }
    // Anonymous callers get nothing; a malformed id is refused before the database.
    expect((await t.app.inject({ method: 'GET', url: `/api/requisitions/${id}/summary` })).statusCode).toBe(401);
    const bad = await admin.request('GET', `/api/requisitions/${id.slice(0, 8)}'--/summary`);
    expect(bad.statusCode).toBe(404);
    expect(bad.json().error.code).toBe('not_found');
  });

  it('`viewed` cannot plant a view of a requisition this session never loaded', async () => {
    const id = await makeRequisition(t, rev);
    const before = await eventsOf(id, rev2.userId);
    const r = await rev2.request('POST', `/api/requisitions/${id}/viewed`);
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('not_prefetched');
    expect(await eventsOf(id, rev2.userId)).toEqual(before);
    // Another session's prefetch does not count either: rev prefetches, rev2 claims the view.
    expect((await rev.request('GET', `/api/requisitions/${id}`, undefined, { 'x-nexession-prefetch': '1' })).statusCode).toBe(200);
    expect((await rev2.request('POST', `/api/requisitions/${id}/viewed`)).statusCode).toBe(409);
    // The real flow still works.
    expect((await rev.request('POST', `/api/requisitions/${id}/viewed`)).statusCode).toBe(200);
    expect((await eventsOf(id, rev.userId)).slice(-2)).toEqual(['requisition.prefetch', 'requisition.view']);
  });

  it('the prefetch header does not turn a read of a requisition one could not be handed next into a mere prefetch', async () => {
    const pre = { 'x-nexession-prefetch': '1' };
    // Released: never the next one to review; reading it is looking at it.
    const released = await makeRequisition(t, rev);
    await release(rev, released);
    expect((await rev2.request('GET', `/api/requisitions/${released}`, undefined, pre)).statusCode).toBe(200);
    expect((await rev2.request('GET', `/api/requisitions/${released}/pages/0/image`, undefined, pre)).statusCode).toBe(200);
    expect((await rev2.request('GET', `/api/requisitions/${released}/fields/patient_last_name/crop`, undefined, pre)).statusCode).toBe(200);
    expect(await eventsOf(released, rev2.userId)).toEqual(['requisition.view', 'page.image', 'field.crop']);
    // Claimed by someone else: not rev2's next one either.
    const held = await makeRequisition(t, rev);
    expect((await rev.request('POST', `/api/requisitions/${held}/claim`)).statusCode).toBe(200);
    expect((await rev2.request('GET', `/api/requisitions/${held}`, undefined, pre)).statusCode).toBe(200);
    expect(await eventsOf(held, rev2.userId)).toEqual(['requisition.view']);
    // An auditor never prefetches from a queue: their reads are views.
    expect((await auditor.request('GET', `/api/requisitions/${held}`, undefined, pre)).statusCode).toBe(200);
    expect(await eventsOf(held, auditor.userId)).toEqual(['requisition.view']);
    // An open, unclaimed requisition may still be prefetched (the workstation's next one).
    const open = await makeRequisition(t, rev);
    expect((await rev2.request('GET', `/api/requisitions/${open}`, undefined, pre)).statusCode).toBe(200);
    expect(await eventsOf(open, rev2.userId)).toEqual(['requisition.prefetch']);
  });

  it('the audit id filter is no wildcard and no oracle for roles without the trail', async () => {
    const id = await makeRequisition(t, rev);
    // LIKE wildcards and SQL are refused before the database.
    for (const bad of ['%', '________', `${id.slice(0, 7)}%`, `${id.slice(0, 7)}_`, "aaaaaaaa' OR 1=1--", 'abcdefg']) {
      const r = await auditor.request('GET', `/api/audit?requisitionId=${encodeURIComponent(bad)}`);
      expect(r.statusCode, bad).toBe(400);
    }
    // Hyphens do not widen the match: only that one id (or none) answers.
    const r = await auditor.request('GET', `/api/audit?requisitionId=${id.slice(0, 8)}-&limit=5`);
    expect(r.statusCode).toBe(200);
    expect(r.json().requisitionId).toBe(id);
    // Reviewers and lead reviewers get the same 403 whether the prefix exists or not.
    for (const who of [rev, lead]) {
      const hit = await who.request('GET', `/api/audit?requisitionId=${id.slice(0, 8)}`);
      const miss = await who.request('GET', `/api/audit?requisitionId=ffffffff0000`);
      expect(hit.statusCode).toBe(403);
      expect(miss.statusCode).toBe(403);
      expect(hit.body).toBe(miss.body);
    }
    // An administrator reading the trail by prefix still gets no values.
    const a = await admin.request('GET', `/api/audit?requisitionId=${id.slice(0, 8)}&limit=1000`);
    expect(a.statusCode).toBe(200);
    expect(a.body).not.toContain(NAME);
    expect(a.json().items.every((e: Record<string, unknown>) => !('before' in e) && !('after' in e))).toBe(true);
  });
});

describe('attacks on identity warnings', () => {
  let t: TestApp;
  let rev: Agent;
  beforeAll(async () => {
    t = await startTestApp();
    rev = await signedIn(t, 'wanda', ['reviewer']);
  });
  afterAll(async () => t.close());

  it('never carry a value, whatever the value makes them say', async () => {
    const id = await makeRequisition(t, rev);
    expect((await rev.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(200);
    const answers: string[] = [];
    for (const value of ['07/04/2191', 'QX/ZZ/1984', '02/30/1881', '12/25/1066']) {
      const r = await rev.request('POST', `/api/requisitions/${id}/fields/patient_dob/review`, { action: 'correct', value });
      expect(r.statusCode).toBe(200);
      expect(r.json().identityWarnings.some((w: { severity: string }) => w.severity === 'danger'), value).toBe(true);
      answers.push(JSON.stringify(r.json().identityWarnings));
      for (const piece of [value, value.slice(-4)]) expect(JSON.stringify(r.json().identityWarnings), piece).not.toContain(piece);
    }
    const name = await rev.request('POST', `/api/requisitions/${id}/fields/patient_last_name/review`, { action: 'correct', value: 'HANDTYPEDSURNAME' });
    expect(JSON.stringify(name.json().identityWarnings)).not.toContain('HANDTYPEDSURNAME');
    expect(JSON.stringify(name.json().identityWarnings)).not.toContain(NAME);
    const logs = t.logs.join('');
    for (const v of ['2191', 'QX/ZZ', 'HANDTYPEDSURNAME', NAME]) expect(logs, v).not.toContain(v);
  });
});
