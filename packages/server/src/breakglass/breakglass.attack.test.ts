/**
 * Attack tests on break-glass beyond `breakglass.test.ts`: every changing route of a requisition
 * tried by an administrator holding it, HEAD as a way around the audit, and what stays open after
 * its time runs out (the history export, the audit values).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoValues } from '../test/fake-reader.ts';
import { greyPng } from '../test/files.ts';
import { signedIn, startTestApp, type Agent, type TestApp } from '../test/app.ts';

const NAME = 'VORTIGANSKY';
const REASON = 'the LIS is down and a STAT fax must be read now';

describe('attacks on break-glass', () => {
  let t: TestApp;
  let rev: Agent;
  let admin: Agent;
  let id: string;

  beforeAll(async () => {
    t = await startTestApp();
    rev = await signedIn(t, 'bga-rev', ['reviewer']);
    admin = await signedIn(t, 'bga-admin', ['admin']);
    expect((await admin.request('PUT', '/api/lis', { host: '127.0.0.1', port: 2575, profile: 'OML_O21', tls: false })).statusCode).toBe(200);
    const png = greyPng(1700, 2200, (x, y) => (y < 9 && x < 40 ? 0 : 255));
    t.reader.script(png, [{ template: { id: 'demo-outreach', version: 2 }, values: demoValues(NAME) }]);
    const up = await rev.request('POST', '/api/documents', png, { 'content-type': 'image/png' });
    id = (await t.read(up.json().documentId)).requisitions[0]!;
  });
  afterAll(async () => t.close());

  it('opens no change of a requisition to an administrator holding it, whatever the route', async () => {
    expect((await admin.request('POST', '/api/break-glass', { reason: REASON, minutes: 5 })).statusCode).toBe(200);
    const before = await t.ctx.db.selectFrom('requisitions').select(['state', 'assignee', 'field_revision', 'escalated_by']).where('id', '=', id).executeTakeFirstOrThrow();
    const tries: [string, string, unknown][] = [
      ['POST', `/api/requisitions/${id}/claim`, undefined],
      ['POST', `/api/requisitions/${id}/viewed`, undefined],
      ['POST', `/api/requisitions/${id}/fields/patient_last_name/review`, { action: 'correct', value: 'X' }],
      ['POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'dob'] }],
      ['POST', `/api/requisitions/${id}/release`, undefined],
      ['POST', `/api/requisitions/${id}/escalate`, { reason: 'moving it away' }],
      ['POST', `/api/requisitions/${id}/reject`, { reason: 'dropping it' }],
      ['POST', `/api/requisitions/${id}/classify`, { templateId: 'demo-outreach', version: 2 }],
      ['GET', `/api/requisitions/${id}/next`, undefined],
    ];
    for (const [method, url, body] of tries) expect((await admin.request(method, url, body)).statusCode, `${method} ${url}`).toBe(403);
    const after = await t.ctx.db.selectFrom('requisitions').select(['state', 'assignee', 'field_revision', 'escalated_by']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    // HEAD runs the GET handler: it is a read like any other, audited under the break-glass.
    const seq = Number((await t.ctx.db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m);
    const head = await admin.request('HEAD', `/api/requisitions/${id}`);
    expect(head.statusCode).toBe(200);
    const ev = await t.ctx.db.selectFrom('audit_events').select(['action', 'break_glass_id']).where('object_id', '=', id).where('actor_id', '=', admin.userId).where('seq', '>', String(seq)).execute();
    expect(ev.map((e) => e.action)).toEqual(['requisition.view']);
    expect(ev[0]!.break_glass_id).not.toBeNull();
    // The prefetch header does not turn the administrator's read into a "prefetch".
    await admin.request('GET', `/api/requisitions/${id}`, undefined, { 'x-nexession-prefetch': '1' });
    const last = await t.ctx.db.selectFrom('audit_events').select('action').where('actor_id', '=', admin.userId).where('object_id', '=', id).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(last.action).toBe('requisition.view');
  });

  it('after its time: no export, no audit values, no page, for the same session', async () => {
    t.advance(5 * 60_000 + 1000);
    expect((await admin.request('GET', `/api/audit/requisitions/${id}/export.pdf`)).statusCode).toBe(403);
    expect((await admin.request('GET', `/api/requisitions/${id}/pages/0/image`)).statusCode).toBe(403);
    expect((await admin.request('HEAD', `/api/requisitions/${id}`)).statusCode).toBe(403);
    const trail = await admin.request('GET', `/api/audit?requisitionId=${id.slice(0, 8)}&limit=1000`);
    expect(trail.statusCode).toBe(200);
    expect(trail.body).not.toContain(NAME);
    expect(trail.json().items.every((e: Record<string, unknown>) => !('before' in e) && !('after' in e))).toBe(true);
    // The reason never reached a log line.
    expect(t.logs.join('')).not.toContain('STAT fax must');
  });
});
