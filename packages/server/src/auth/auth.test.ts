import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/audit.ts';
import { totpCode } from './totp.ts';
import { assertDemoAllowed, createActiveUserForDemo, firstAdminSetupToken } from './users.ts';
import { signedIn, startTestApp, TEST_PASSWORD, testSecret, type TestApp } from '../test/app.ts';
import { connect } from '../test/db.ts';

describe('first administrator, invitations and sign-in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('has no account and no default password before setup', async () => {
    const c = await connect(t.tdb.appUrl);
    const n = (await c.query('SELECT count(*)::int AS n FROM users')).rows[0].n;
    await c.end();
    expect(n).toBe(0);
    const r = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'admin' } });
    expect(r.statusCode).toBe(401);
  });

  it('sets up the first administrator through a one-time link with mandatory TOTP', async () => {
    const stale = (await firstAdminSetupToken(t.ctx))!;
    const token = (await firstAdminSetupToken(t.ctx))!;
    // Only the newest printed link works.
    expect((await t.app.inject({ method: 'GET', url: `/api/setup/${stale}` })).json()).toEqual({ valid: false, kind: null, started: false });
    expect((await t.app.inject({ method: 'GET', url: `/api/setup/${token}` })).json()).toEqual({ valid: true, kind: 'first_admin', started: false });

    const weak = await t.app.inject({ method: 'POST', url: `/api/setup/${token}/password`, payload: { username: 'ada', password: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.code).toBe('weak_password');

    const first = await t.app.inject({ method: 'POST', url: `/api/setup/${token}/password`, payload: { username: 'ada', password: TEST_PASSWORD } });
    expect(first.json()).toMatchObject({ replacesEarlierSecret: false });
    // The link opened again after step 1 says so, and going on issues a new secret, which the
    // screen must say (an earlier entry in the authenticator app stops working).
    expect((await t.app.inject({ method: 'GET', url: `/api/setup/${token}` })).json()).toEqual({ valid: true, kind: 'first_admin', started: true });
    const pw = await t.app.inject({ method: 'POST', url: `/api/setup/${token}/password`, payload: { username: 'ada', password: TEST_PASSWORD } });
    expect(pw.statusCode).toBe(200);
    expect(pw.json().replacesEarlierSecret).toBe(true);
    const { secret, uri, qrSvg } = pw.json().totp;
    expect(secret).not.toBe(first.json().totp.secret);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Nexession:ada\?/);
    expect(qrSvg).toMatch(/^<svg/);
    // Setup events name the link, not "anonymous".
    const setupEvents = await t.ctx.db.selectFrom('audit_events').select(['actor_type', 'actor_id']).where('action', '=', 'user.password_set').execute();
    expect(setupEvents.map((e) => `${e.actor_id} (${e.actor_type})`)).toEqual(['setup link (anonymous)', 'setup link (anonymous)']);

    // Not active until TOTP is proven: sign-in refused.
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ada', password: TEST_PASSWORD } })).statusCode).toBe(401);

    const bad = await t.app.inject({ method: 'POST', url: `/api/setup/${token}/totp`, payload: { code: '000000' } });
    expect(bad.statusCode).toBe(400);
    const ok = await t.app.inject({ method: 'POST', url: `/api/setup/${token}/totp`, payload: { code: totpCode(secret, t.ctx.now().getTime()) } });
    expect(ok.json()).toEqual({ ok: true });
    // The link is spent; and no new first-admin link is made once an admin exists.
    expect((await t.app.inject({ method: 'GET', url: `/api/setup/${token}` })).json().valid).toBe(false);
    expect(await firstAdminSetupToken(t.ctx)).toBeNull();

    // Sign in: password, then TOTP (the enrolment code cannot be replayed).
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ada', password: TEST_PASSWORD } });
    expect(login.json()).toEqual({ next: 'totp' });
    const partial = login.cookies.find((c) => c.name === 'nx_session')!;
    expect(partial).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    // A half session reaches nothing but the TOTP step.
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { nx_session: partial.value } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/users', cookies: { nx_session: partial.value } })).statusCode).toBe(401);
    const replay = await t.app.inject({ method: 'POST', url: '/api/auth/totp', payload: { code: totpCode(secret, t.ctx.now().getTime()) }, cookies: { nx_session: partial.value } });
    expect(replay.statusCode).toBe(401);
    t.advance(30_000);
    const full = await t.app.inject({ method: 'POST', url: '/api/auth/totp', payload: { code: totpCode(secret, t.ctx.now().getTime()) }, cookies: { nx_session: partial.value } });
    expect(full.statusCode).toBe(200);
    const cookie = full.cookies.find((c) => c.name === 'nx_session')!.value;
    expect(cookie).not.toBe(partial.value);
    // The half session token is dead after the upgrade.
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/totp', payload: { code: '123456' }, cookies: { nx_session: partial.value } })).statusCode).toBe(401);
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { nx_session: cookie } });
    expect(me.json()).toMatchObject({ user: { username: 'ada', roles: ['admin'] }, idleTimeoutSeconds: 900 });

    // The admin invites a reviewer; CSRF header required.
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/users', cookies: { nx_session: cookie }, payload: { username: 'rex', displayName: 'Rex', roles: ['reviewer'] } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('csrf');
    const invite = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      cookies: { nx_session: cookie },
      headers: { 'x-nexession-csrf': me.json().csrf },
      payload: { username: 'rex', displayName: 'Rex', roles: ['reviewer'] },
    });
    expect(invite.statusCode).toBe(200);
    const inviteUrl: string = invite.json().inviteUrl;
    expect(inviteUrl).toMatch(/^https:\/\/localhost:8443\/setup\/[A-Za-z0-9_-]{43}$/);
    const inviteToken = inviteUrl.split('/').at(-1)!;
    expect((await t.app.inject({ method: 'GET', url: `/api/setup/${inviteToken}` })).json()).toEqual({ valid: true, kind: 'invite', started: false });
    const rpw = await t.app.inject({ method: 'POST', url: `/api/setup/${inviteToken}/password`, payload: { password: 'another long passphrase' } });
    const rsecret = rpw.json().totp.secret;
    expect((await t.app.inject({ method: 'POST', url: `/api/setup/${inviteToken}/totp`, payload: { code: totpCode(rsecret, t.ctx.now().getTime()) } })).statusCode).toBe(200);
    const rlogin = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'rex', password: 'another long passphrase' } });
    expect(rlogin.statusCode).toBe(200);

    // The user list says when each person last signed in (the administrator just did; rex has
    // not finished signing in).
    const users = await t.app.inject({ method: 'GET', url: '/api/users', cookies: { nx_session: cookie } });
    const byName = Object.fromEntries(users.json().items.map((u: { username: string; lastLoginAt: string | null }) => [u.username, u.lastLoginAt]));
    expect(Math.abs(Date.parse(byName.ada) - t.ctx.now().getTime())).toBeLessThan(60_000);
    expect(byName.rex).toBeNull();

    // Sign out ends the session server-side.
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { nx_session: cookie }, headers: { 'x-nexession-csrf': me.json().csrf } });
    expect(out.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { nx_session: cookie } })).statusCode).toBe(401);
    expect((await verifyAuditChain(t.ctx.db)).ok).toBe(true);
  });

  it('refuses the demo (known passwords) on a folder where real people have accounts', async () => {
    // "ada" was set up through the first-administrator link above: a real account.
    await expect(assertDemoAllowed(t.ctx)).rejects.toThrow(/real accounts/);
    await expect(createActiveUserForDemo(t.ctx, { username: 'ada', displayName: 'x', roles: ['admin'], password: 'demo-password-2026', totpSecret: testSecret('x') })).rejects.toThrow(/real account/);
    const fresh = await startTestApp();
    try {
      await expect(assertDemoAllowed(fresh.ctx)).resolves.toBeUndefined();
    } finally {
      await fresh.close();
    }
  });

  it('locks an account after repeated wrong passwords', async () => {
    await signedIn(t, 'lou', ['reviewer']);
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'lou', password: 'wrong password here' } });
      expect(r.statusCode).toBe(401);
    }
    const locked = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'lou', password: TEST_PASSWORD } });
    expect(locked.statusCode).toBe(423);
    // Found by the security review: while locked, a wrong guess answered 401 and the right one
    // 423, so guessing went on through the lockout and the answer named the right password.
    const lockedWrong = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'lou', password: 'another wrong guess' } });
    expect(lockedWrong.statusCode).toBe(locked.statusCode);
    expect(lockedWrong.json()).toEqual(locked.json());
    t.advance(16 * 60_000);
    const again = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'lou', password: TEST_PASSWORD } });
    expect(again.statusCode).toBe(200);
  });

  it('locks an account after repeated wrong authenticator codes, so 10^6 codes cannot be walked', async () => {
    const a = await signedIn(t, 'tess', ['reviewer']);
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'tess', password: TEST_PASSWORD } });
    const partial = login.cookies.find((c) => c.name === 'nx_session')!.value;
    const right = totpCode(a.totpSecret, t.ctx.now().getTime() + 30_000);
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      expect((await t.app.inject({ method: 'POST', url: '/api/auth/totp', payload: { code: wrong }, cookies: { nx_session: partial } })).statusCode).toBe(401);
    }
    t.advance(30_000);
    const locked = await t.app.inject({ method: 'POST', url: '/api/auth/totp', payload: { code: right }, cookies: { nx_session: partial } });
    expect(locked.statusCode).toBe(423);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'tess', password: TEST_PASSWORD } })).statusCode).toBe(423);
  });

  it('logs off an idle session and keeps an active one', async () => {
    const a = await signedIn(t, 'ida', ['reviewer']);
    t.advance(14 * 60_000);
    expect((await a.request('POST', '/api/auth/keepalive')).statusCode).toBe(200);
    t.advance(14 * 60_000);
    expect((await a.request('GET', '/api/auth/me')).statusCode).toBe(200);
    // /me is passive: it does not count as activity.
    t.advance(2 * 60_000);
    expect((await a.request('GET', '/api/auth/me')).statusCode).toBe(401);
    const c = await connect(t.tdb.appUrl);
    const row = (await c.query("SELECT end_reason FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'ida' AND s.stage = 'full'")).rows[0];
    await c.end();
    expect(row.end_reason).toBe('idle');
  });

  // Found by the security review: activity (or keep-alive) kept a session alive forever.
  it('ends a session twelve hours after sign-in, however active', async () => {
    const a = await signedIn(t, 'max', ['reviewer']);
    let minutes = 0;
    for (;;) {
      t.advance(14 * 60_000);
      minutes += 14;
      if ((await a.request('POST', '/api/auth/keepalive')).statusCode !== 200) break;
      expect(minutes).toBeLessThanOrEqual(12 * 60);
    }
    expect(minutes).toBeGreaterThan(12 * 60);
    const c = await connect(t.tdb.appUrl);
    const row = (await c.query("SELECT end_reason FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'max' AND s.stage = 'full'")).rows[0];
    await c.end();
    expect(row.end_reason).toBe('max_age');
  });

  it('a disabled person loses their sessions at once', async () => {
    const admin = await signedIn(t, 'adm2', ['admin']);
    const victim = await signedIn(t, 'vic', ['reviewer']);
    expect((await victim.request('GET', '/api/auth/me')).statusCode).toBe(200);
    expect((await admin.request('POST', `/api/users/${victim.userId}/disable`)).statusCode).toBe(200);
    expect((await victim.request('GET', '/api/auth/me')).statusCode).toBe(401);
    void testSecret;
  });

  it('never disables the last active administrator, even when two disable each other at once', async () => {
    const other = await startTestApp();
    try {
      const a = await signedIn(other, 'alma', ['admin']);
      const b = await signedIn(other, 'bert', ['admin']);
      expect((await a.request('POST', `/api/users/${a.userId}/disable`)).json().error.code).toBe('self_disable');
      const [ab, ba] = await Promise.all([a.request('POST', `/api/users/${b.userId}/disable`), b.request('POST', `/api/users/${a.userId}/disable`)]);
      const codes = [ab, ba].map((r) => (r.statusCode === 200 ? 'ok' : r.json().error.code)).sort();
      // One wins; the other is refused because it is no longer an active administrator (checked under
      // the lock), or finds itself already signed out.
      expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
      expect(['forbidden', 'unauthenticated']).toContain(codes.find((c) => c !== 'ok'));
      const active = await other.ctx.db.selectFrom('users').select('username').where('status', '=', 'active').execute();
      expect(active).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('a first-administrator link dies once any administrator is active (the demo makes one directly)', async () => {
    const other = await startTestApp();
    try {
      const leftover = (await firstAdminSetupToken(other.ctx))!;
      expect((await other.app.inject({ method: 'GET', url: `/api/setup/${leftover}` })).json().valid).toBe(true);
      await signedIn(other, 'demo-admin', ['admin']);
      expect((await other.app.inject({ method: 'GET', url: `/api/setup/${leftover}` })).json().valid).toBe(false);
      const r = await other.app.inject({ method: 'POST', url: `/api/setup/${leftover}/password`, payload: { username: 'mallory', password: TEST_PASSWORD } });
      expect(r.statusCode).toBe(404);
    } finally {
      await other.close();
    }
  });
});
