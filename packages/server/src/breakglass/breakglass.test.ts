/**
 * Break-glass, tried the way someone would try to abuse it: without a reason, past its time,
 * to release, to hide what was read, to acknowledge one's own, and through SQL as the
 * application role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/audit.ts';
import { demoValues } from '../test/fake-reader.ts';
import { greyPng } from '../test/files.ts';
import { signedIn, startTestApp, type Agent, type TestApp } from '../test/app.ts';
import { connect } from '../test/db.ts';
import { closeLapsedBreakGlass, reasonProblem } from './breakglass.ts';

const NAME = 'QUILLFEATHERSON';
const REASON = 'LIS is down and the STAT order on the fax must be read now';
let counter = 0;

async function makeRequisition(t: TestApp, who: Agent): Promise<string> {
  const n = ++counter;
  const png = greyPng(1700, 2200, (x, y) => (y < 12 && x < 12 * n ? 0 : 255));
  t.reader.script(png, [{ template: { id: 'demo-outreach', version: 2 }, values: demoValues(NAME) }]);
  const up = await who.request('POST', '/api/documents', png, { 'content-type': 'image/png' });
  expect(up.statusCode).toBe(201);
  const read = await t.read(up.json().documentId);
  return read.requisitions[0]!;
}

/** Claims, confirms every field and the identity: ready to release. */
async function readyToRelease(who: Agent, id: string): Promise<void> {
  expect((await who.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(200);
  const detail = (await who.request('GET', `/api/requisitions/${id}`)).json();
  for (const f of detail.fields as { key: string; kind: string; flags: unknown[]; machineValue: unknown }[]) {
    const body = f.kind === 'checkbox' && typeof f.machineValue !== 'boolean' ? { action: 'correct', value: false } : { action: 'confirm', acknowledgeFlags: f.flags.length > 0 };
    expect((await who.request('POST', `/api/requisitions/${id}/fields/${f.key}/review`, body)).statusCode).toBe(200);
  }
  expect((await who.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'dob'] })).statusCode).toBe(200);
}

async function sessionIdOf(t: TestApp, userId: string): Promise<string> {
  const s = await t.ctx.db.selectFrom('sessions').select('id').where('user_id', '=', userId).where('stage', '=', 'full').where('ended_at', 'is', null).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  return s.id;
}

describe('break-glass emergency access', () => {
  let t: TestApp;
  let rev: Agent;
  let admin: Agent;
  let auditor: Agent;
  let lead: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    rev = await signedIn(t, 'bg-rev', ['reviewer']);
    admin = await signedIn(t, 'bg-admin', ['admin']);
    auditor = await signedIn(t, 'bg-auditor', ['auditor']);
    lead = await signedIn(t, 'bg-lead', ['lead_reviewer']);
    expect((await admin.request('PUT', '/api/lis', { host: '127.0.0.1', port: 2575, profile: 'OML_O21', tls: false })).statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  it('refuses to open without a reason in words, or for longer than the maximum', async () => {
    for (const reason of [undefined, '', '   ', 'x', 'emergency', 'urgent urgent urgent urgent', '12345 67890 !!!! ????', 'stat']) {
      const r = await admin.request('POST', '/api/break-glass', reason === undefined ? {} : { reason });
      expect(r.statusCode, String(reason)).toBe(400);
    }
    expect((await admin.request('POST', '/api/break-glass', { reason: REASON, minutes: 241 })).json().error.code).toBe('too_long');
    expect((await admin.request('POST', '/api/break-glass', { reason: REASON, minutes: 0 })).statusCode).toBe(400);
    expect(reasonProblem('Diagnose a stuck requisition for the lab manager')).toBeNull();
    expect(reasonProblem('Lecture urgente: le SIL est en panne')).toBeNull();
    // Nothing was opened by any of those.
    expect(await t.ctx.db.selectFrom('break_glass').select('id').where('user_id', '=', admin.userId).execute()).toEqual([]);
    expect((await admin.request('GET', '/api/auth/me')).json().breakGlass).toBeNull();
  });

  it('opens read access for an administrator, stamps every event made under it, and never opens a change', async () => {
    const id = await makeRequisition(t, rev);
    // Without it: no PHI for an administrator.
    expect((await admin.request('GET', `/api/requisitions/${id}`)).statusCode).toBe(403);
    expect((await admin.request('GET', `/api/audit/requisitions/${id}/export.pdf`)).statusCode).toBe(403);

    const open = await admin.request('POST', '/api/break-glass', { reason: REASON, minutes: 10 });
    expect(open.statusCode, open.body).toBe(200);
    const bg = open.json().breakGlass;
    expect(bg).toMatchObject({ id: expect.any(String), remainingSeconds: 600 });
    // One at a time.
    expect((await admin.request('POST', '/api/break-glass', { reason: REASON })).json().error.code).toBe('break_glass_active');
    // Every screen shows it (the workstation reads it from /me).
    expect((await admin.request('GET', '/api/auth/me')).json().breakGlass).toMatchObject({ id: bg.id });

    const openSeq = await t.ctx.db.selectFrom('audit_events').select('seq').where('action', '=', 'break_glass.open').where('object_id', '=', bg.id).executeTakeFirstOrThrow();
    // Reads: the requisition, its page, a crop, the queue, the audit values, the export.
    const detail = await admin.request('GET', `/api/requisitions/${id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain(NAME);
    expect((await admin.request('GET', `/api/requisitions/${id}/pages/0/image`)).statusCode).toBe(200);
    expect((await admin.request('GET', `/api/requisitions/${id}/fields/patient_last_name/crop`)).statusCode).toBe(200);
    expect((await admin.request('GET', '/api/queue')).statusCode).toBe(200);
    const trail = await admin.request('GET', `/api/audit?requisitionId=${id}`);
    expect(trail.statusCode).toBe(200);
    expect(trail.json().items.some((e: { breakGlassId?: string }) => e.breakGlassId === bg.id)).toBe(true);
    const pdf = await admin.request('GET', `/api/audit/requisitions/${id}/export.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['cache-control']).toBe('no-store');

    // Never a change: claim, review, release stay closed to an administrator under break-glass.
    expect((await admin.request('POST', `/api/requisitions/${id}/claim`)).statusCode).toBe(403);
    expect((await admin.request('POST', `/api/requisitions/${id}/fields/patient_last_name/review`, { action: 'confirm' })).statusCode).toBe(403);
    expect((await admin.request('POST', `/api/requisitions/${id}/release`)).statusCode).toBe(403);
    // ...and no route that changes anything can even be declared open to it.
    expect(t.app.routeTable.filter((r) => r.access?.kind === 'roles' && r.access.breakGlass && r.method !== 'GET')).toEqual([]);

    // Every audit event of this session since the opening carries the break-glass id, in the hash.
    const session = await sessionIdOf(t, admin.userId);
    const mine = await t.ctx.db
      .selectFrom('audit_events')
      .select(['seq', 'action', 'break_glass_id'])
      .where('session_id', '=', session)
      .where('seq', '>=', openSeq.seq)
      .orderBy('seq')
      .execute();
    const actions = mine.map((e) => e.action);
    for (const a of ['break_glass.open', 'requisition.view', 'page.image', 'field.crop', 'queue.list', 'audit.list', 'audit.export', 'access.denied']) expect(actions, a).toContain(a);
    expect(mine.filter((e) => e.break_glass_id !== bg.id)).toEqual([]);
    expect(await verifyAuditChain(t.ctx.db)).toMatchObject({ ok: true });

    // The database stamps it even when the application forgets, and refuses someone else's.
    const app = await connect(t.tdb.appUrl);
    try {
      await app.query(`INSERT INTO audit_events (actor_type, actor_id, session_id, action, object_type, object_id) VALUES ('user', $1, $2, 'requisition.view', 'requisition', $3)`, [admin.userId, session, id]);
      const stamped = await app.query(`SELECT break_glass_id FROM audit_events WHERE session_id = $1 ORDER BY seq DESC LIMIT 1`, [session]);
      expect(stamped.rows[0].break_glass_id).toBe(bg.id);
      const other = await sessionIdOf(t, rev.userId);
      await expect(
        app.query(`INSERT INTO audit_events (actor_type, actor_id, session_id, action, object_type, object_id, break_glass_id) VALUES ('user', $1, $2, 'requisition.view', 'requisition', $3, $4)`, [rev.userId, other, id, bg.id]),
      ).rejects.toThrow(/its own session's break-glass/);
      // The record itself: fixed once opened, never deleted, never longer than 4 hours.
      await expect(app.query(`UPDATE break_glass SET expires_at = expires_at + interval '1 hour' WHERE id = $1`, [bg.id])).rejects.toThrow(/fixed once opened/);
      await expect(app.query(`DELETE FROM break_glass WHERE id = $1`, [bg.id])).rejects.toThrow(/permission denied|kept as evidence/);
      await expect(
        app.query(`INSERT INTO break_glass (user_id, session_id, reason, opened_at, expires_at) VALUES ($1, $2, '\\x01', now(), now() + interval '5 hours')`, [rev.userId, other]),
      ).rejects.toThrow(/check constraint/);
      // Not without a live MFA session.
      await expect(
        app.query(`INSERT INTO break_glass (user_id, session_id, reason, opened_at, expires_at) VALUES ($1, $2, '\\x01', now(), now() + interval '5 minutes')`, [rev.userId, session]),
      ).rejects.toThrow(/live MFA session/);
    } finally {
      await app.end();
    }

    // The end is audited; afterwards the door is shut again.
    expect((await admin.request('POST', '/api/break-glass/end')).statusCode).toBe(200);
    expect((await admin.request('GET', `/api/requisitions/${id}`)).statusCode).toBe(403);
    expect((await admin.request('GET', '/api/auth/me')).json().breakGlass).toBeNull();
    const end = await t.ctx.db.selectFrom('audit_events').select(['break_glass_id', 'details']).where('action', '=', 'break_glass.end').where('object_id', '=', bg.id).executeTakeFirstOrThrow();
    expect(end.break_glass_id).toBe(bg.id);
    const after = await t.ctx.db.selectFrom('audit_events').select('break_glass_id').where('session_id', '=', session).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(after.break_glass_id).toBeNull();
  });

  it('refuses an expired break-glass, and says it expired', async () => {
    const id = await makeRequisition(t, rev);
    const ops = await signedIn(t, 'bg-ops', ['admin']);
    const bg = (await ops.request('POST', '/api/break-glass', { reason: 'check why this requisition never reached the queue', minutes: 5 })).json().breakGlass;
    expect((await ops.request('GET', `/api/requisitions/${id}`)).statusCode).toBe(200);
    t.advance(5 * 60_000 + 1000);
    const late = await ops.request('GET', `/api/requisitions/${id}`);
    expect(late.statusCode).toBe(403);
    expect(late.body).not.toContain(NAME);
    expect((await ops.request('GET', '/api/auth/me')).json().breakGlass).toBeNull();
    const row = await t.ctx.db.selectFrom('break_glass').select(['ended_at', 'end_reason', 'expires_at']).where('id', '=', bg.id).executeTakeFirstOrThrow();
    expect(row.end_reason).toBe('expired');
    expect(row.ended_at!.getTime()).toBe(row.expires_at.getTime());
    expect(await t.ctx.db.selectFrom('audit_events').select('seq').where('action', '=', 'break_glass.expired').where('object_id', '=', bg.id).execute()).toHaveLength(1);
    expect((await ops.request('POST', '/api/break-glass/end')).json().error.code).toBe('no_break_glass');
    await ops.request('POST', '/api/auth/logout');
  });

  it('is closed by the sweep when its time runs out and nobody calls again', async () => {
    const quiet = await signedIn(t, 'bg-quiet', ['auditor']);
    const bg = (await quiet.request('POST', '/api/break-glass', { reason: 'verify an ACK text the LIS vendor asked about', minutes: 2 })).json().breakGlass;
    expect(await closeLapsedBreakGlass(t.ctx)).toBe(0);
    t.advance(2 * 60_000 + 500);
    expect(await closeLapsedBreakGlass(t.ctx)).toBeGreaterThanOrEqual(1);
    const row = await t.ctx.db.selectFrom('break_glass').select('end_reason').where('id', '=', bg.id).executeTakeFirstOrThrow();
    expect(row.end_reason).toBe('expired');
    const ev = await t.ctx.db.selectFrom('audit_events').select(['actor_type', 'actor_id']).where('action', '=', 'break_glass.expired').where('object_id', '=', bg.id).execute();
    expect(ev).toEqual([{ actor_type: 'service', actor_id: 'break-glass' }]);
    await quiet.request('POST', '/api/auth/logout');
  });

  it('never releases: not through the API, not through SQL as the application role', async () => {
    const id = await makeRequisition(t, rev);
    await readyToRelease(rev, id);
    expect((await rev.request('POST', '/api/break-glass', { reason: 'read the ACK text of a rejected order for the LIS team' })).statusCode).toBe(200);
    const refused = await rev.request('POST', `/api/requisitions/${id}/release`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('break_glass_active');

    // The database refuses it too: a release naming a session that holds break-glass, every other
    // guard column set right (a clean release would pass).
    const session = await sessionIdOf(t, rev.userId);
    const app = await connect(t.tdb.appUrl);
    try {
      await expect(
        app.query(`UPDATE requisitions SET state = 'released', released_by = $2, released_at = now(), released_session_id = $3 WHERE id = $1`, [id, rev.userId, session]),
      ).rejects.toThrow(/holds break-glass/);
    } finally {
      await app.end();
    }
    expect((await t.ctx.db.selectFrom('requisitions').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('in_review');

    // Once it ends, the same person releases as usual: the refusal was the break-glass.
    expect((await rev.request('POST', '/api/break-glass/end')).statusCode).toBe(200);
    const rel = await rev.request('POST', `/api/requisitions/${id}/release`);
    expect(rel.statusCode, rel.body).toBe(200);
  });

  it('is reported with reasons and accesses, and acknowledged by a second person only', async () => {
    const list = await auditor.request('GET', '/api/break-glass');
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; user: { username: string }; reason: string; status: string; accesses: { action: string }[]; requisitions: string[]; review: unknown }[];
    const adminBg = items.find((i) => i.user.username === 'bg-admin')!;
    expect(adminBg).toMatchObject({ reason: REASON, status: 'ended', review: null });
    expect(adminBg.accesses.map((a) => a.action)).toEqual(expect.arrayContaining(['break_glass.open', 'requisition.view', 'page.image', 'field.crop', 'audit.export', 'break_glass.end']));
    expect(adminBg.requisitions).toHaveLength(1);
    expect(items.find((i) => i.user.username === 'bg-ops')).toMatchObject({ status: 'expired' });
    expect((await rev.request('GET', '/api/break-glass')).statusCode).toBe(403);
    // The report itself is audited.
    expect(await t.ctx.db.selectFrom('audit_events').select('seq').where('action', '=', 'break_glass.list').execute()).not.toHaveLength(0);

    // Not by the person who opened it; not by a reviewer; not while it is open.
    expect((await admin.request('POST', `/api/break-glass/${adminBg.id}/review`, { note: 'fine' })).statusCode).toBe(403);
    expect((await rev.request('POST', `/api/break-glass/${adminBg.id}/review`, {})).statusCode).toBe(403);
    const live = (await lead.request('POST', '/api/break-glass', { reason: 'look at an escalated order with the night shift' })).json().breakGlass;
    expect((await auditor.request('POST', `/api/break-glass/${live.id}/review`, {})).json().error.code).toBe('break_glass_active');
    await lead.request('POST', '/api/break-glass/end');

    // Nor by SQL naming the opener as reviewer.
    const app = await connect(t.tdb.appUrl);
    try {
      const s = await sessionIdOf(t, admin.userId);
      await expect(app.query(`UPDATE break_glass SET reviewed_by = user_id, reviewed_at = now(), reviewed_session_id = $2 WHERE id = $1`, [adminBg.id, s])).rejects.toThrow(/check constraint|acknowledged by/);
    } finally {
      await app.end();
    }

    const ack = await auditor.request('POST', `/api/break-glass/${adminBg.id}/review`, { note: 'Reason matches the LIS outage ticket.' });
    expect(ack.statusCode, ack.body).toBe(200);
    expect((await lead.request('POST', `/api/break-glass/${adminBg.id}/review`, {})).json().error.code).toBe('already_reviewed');
    const reviewed = (await admin.request('GET', '/api/break-glass')).json().items.find((i: { id: string }) => i.id === adminBg.id);
    expect(reviewed.review).toMatchObject({ by: 'bg-auditor', note: 'Reason matches the LIS outage ticket.' });
    const event = await t.ctx.db.selectFrom('audit_events').select(['actor_id']).where('action', '=', 'break_glass.review').where('object_id', '=', adminBg.id).executeTakeFirstOrThrow();
    expect(event.actor_id).toBe(auditor.userId);
  });

  it('ends with the session, and keeps the reason out of the logs', async () => {
    const temp = await signedIn(t, 'bg-temp', ['auditor']);
    const bg = (await temp.request('POST', '/api/break-glass', { reason: `patient ${NAME} called about a lost order` })).json().breakGlass;
    await temp.request('POST', '/api/auth/logout');
    const row = await t.ctx.db.selectFrom('break_glass').select('end_reason').where('id', '=', bg.id).executeTakeFirstOrThrow();
    expect(row.end_reason).toBe('session_ended');
    expect(t.logs.join('')).not.toContain(NAME);
    expect(t.logs.join('')).toContain(bg.id);
  });
});
