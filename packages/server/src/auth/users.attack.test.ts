/**
 * Attack tests on account administration: racing administrators, a disabled administrator's
 * request still in flight, and setup links reopened after a new secret was issued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../audit/audit.ts';
import { signedIn, startTestApp, TEST_PASSWORD, type TestApp } from '../test/app.ts';
import { totpCode } from './totp.ts';
import { createUser, disableUser } from './users.ts';

describe('attacks on account administration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const activeAdmins = async () =>
    (await t.ctx.db.selectFrom('users').select('username').where('status', '=', 'active').execute()).map((u) => u.username).filter((u) => u.startsWith('ring-'));

  it('three administrators disabling each other in a ring leave at least one, and nobody acts after being disabled', async () => {
    const [a, b, c] = [await signedIn(t, 'ring-a', ['admin']), await signedIn(t, 'ring-b', ['admin']), await signedIn(t, 'ring-c', ['admin'])];
    const answers = await Promise.all([a.request('POST', `/api/users/${b.userId}/disable`), b.request('POST', `/api/users/${c.userId}/disable`), c.request('POST', `/api/users/${a.userId}/disable`)]);
    expect(answers.filter((r) => r.statusCode === 200).length).toBeGreaterThanOrEqual(1);
    expect((await activeAdmins()).length).toBeGreaterThanOrEqual(1);
    // In the order the database committed them, no disable was made by someone already disabled.
    const events = await t.ctx.db.selectFrom('audit_events').select(['actor_id', 'object_id']).where('action', '=', 'user.disable').orderBy('seq').execute();
    const disabled = new Set<string>();
    for (const e of events) {
      expect(disabled.has(e.actor_id), `disable of ${e.object_id} by an already disabled administrator`).toBe(false);
      disabled.add(e.object_id);
    }
  });

  it("a disabled administrator's request that was authorised before cannot disable or invite anyone", async () => {
    const x = await signedIn(t, 'late-x', ['admin']);
    const y = await signedIn(t, 'late-y', ['admin']);
    const z = await signedIn(t, 'late-z', ['admin']);
    // y's request has passed the access hook (its context is built) when x disables y.
    const ySession = await t.ctx.db.selectFrom('sessions').select('id').where('user_id', '=', y.userId).where('stage', '=', 'full').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const yRc: RequestContext = { actor: { type: 'user', id: y.userId, sessionId: ySession.id }, requestId: null, sourceIp: null };
    expect((await x.request('POST', `/api/users/${y.userId}/disable`)).statusCode).toBe(200);
    await expect(disableUser(t.ctx, yRc, z.userId)).rejects.toMatchObject({ status: 403 });
    await expect(createUser(t.ctx, yRc, { username: 'late-backdoor', displayName: '', roles: ['admin'] })).rejects.toMatchObject({ status: 403 });
    const z1 = await t.ctx.db.selectFrom('users').select('status').where('id', '=', z.userId).executeTakeFirstOrThrow();
    expect(z1.status).toBe('active');
    expect(await t.ctx.db.selectFrom('users').select('id').where('username', '=', 'late-backdoor').executeTakeFirst()).toBeUndefined();
  });

  it('a reopened setup link: the earlier secret stops working, and a spent link cannot reset the account', async () => {
    const admin = await signedIn(t, 'link-admin', ['admin']);
    const invite = await admin.request('POST', '/api/users', { username: 'link-new', displayName: 'New', roles: ['reviewer'] });
    expect(invite.statusCode).toBe(200);
    const token = (invite.json().inviteUrl as string).split('/').at(-1)!;
    const first = await t.app.inject({ method: 'POST', url: `/api/setup/${token}/password`, payload: { password: TEST_PASSWORD } });
    expect(first.json().replacesEarlierSecret).toBe(false);
    // Someone else holding the link reopens it: a new secret, and the screen says it replaces the old.
    const second = await t.app.inject({ method: 'POST', url: `/api/setup/${token}/password`, payload: { password: 'a different long passphrase' } });
    expect(second.json().replacesEarlierSecret).toBe(true);
    const oldSecret = first.json().totp.secret as string;
    const newSecret = second.json().totp.secret as string;
    expect(newSecret).not.toBe(oldSecret);
    // The first secret's code no longer activates the account.
    const stale = await t.app.inject({ method: 'POST', url: `/api/setup/${token}/totp`, payload: { code: totpCode(oldSecret, t.ctx.now().getTime()) } });
    if (totpCode(oldSecret, t.ctx.now().getTime()) !== totpCode(newSecret, t.ctx.now().getTime())) expect(stale.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: `/api/setup/${token}/totp`, payload: { code: totpCode(newSecret, t.ctx.now().getTime()) } })).statusCode).toBe(200);
    // Spent: neither step works again (no password or secret reset through an old link).
    expect((await t.app.inject({ method: 'POST', url: `/api/setup/${token}/password`, payload: { password: 'attacker chosen passphrase' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/setup/${token}` })).json()).toMatchObject({ valid: false });
    // Both step-1 events are in the trail, the second saying it replaced the first.
    const user = await t.ctx.db.selectFrom('users').select('id').where('username', '=', 'link-new').executeTakeFirstOrThrow();
    const ev = await t.ctx.db.selectFrom('audit_events').select(['details']).where('action', '=', 'user.password_set').where('object_id', '=', user.id).orderBy('seq').execute();
    expect(ev.map((e) => JSON.parse(e.details ?? '{}').replacesEarlierSecret)).toEqual([false, true]);
  });

  it('a disabled invitee\'s link is dead', async () => {
    const admin = await signedIn(t, 'link-admin2', ['admin']);
    const invite = await admin.request('POST', '/api/users', { username: 'link-gone', displayName: '', roles: ['admin'] });
    const token = (invite.json().inviteUrl as string).split('/').at(-1)!;
    expect((await admin.request('POST', `/api/users/${invite.json().user.id}/disable`)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/api/setup/${token}/password`, payload: { password: TEST_PASSWORD } })).statusCode).toBe(404);
  });
});
