/**
 * People: the first administrator's setup link, invitations, enrolment (password, then TOTP),
 * and administration. No account exists with a default password: every person sets their own
 * through a one-time link and must enrol TOTP before the account becomes active.
 */
import { sql } from 'kysely';
import { recordAudit, type RequestContext } from '../audit/audit.ts';
import type { AppContext } from '../context.ts';
import type { Executor, Role, UserRow } from '../db/schema.ts';
import { badRequest, conflict, HttpError, notFound } from './errors.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { newToken, looksLikeToken, tokenHash } from './tokens.ts';
import { newTotpSecret, totpQrSvg, totpStep, totpUri } from './totp.ts';

const FIRST_ADMIN_TTL_MS = 24 * 3600_000;
const INVITE_TTL_MS = 72 * 3600_000;

export const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  status?: string;
}

export function publicUser(u: Pick<UserRow, 'id' | 'username' | 'display_name' | 'roles'>): PublicUser {
  return { id: u.id, username: u.username, displayName: u.display_name, roles: u.roles };
}

/**
 * When no administrator is active yet, a fresh first-administrator link (earlier unused ones
 * are expired, so only the last printed link works). Returns null once an administrator exists.
 */
export async function firstAdminSetupToken(ctx: AppContext): Promise<string | null> {
  return ctx.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(7310245003)`.execute(trx);
    const admin = await trx
      .selectFrom('users')
      .select('id')
      .where('status', '=', 'active')
      .where(sql<boolean>`'admin' = ANY(roles)`)
      .executeTakeFirst();
    if (admin) return null;
    const now = ctx.now();
    await trx
      .updateTable('setup_tokens')
      .set({ expires_at: now })
      .where('kind', '=', 'first_admin')
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    const token = newToken();
    await trx
      .insertInto('setup_tokens')
      .values({ token_hash: tokenHash(token), kind: 'first_admin', expires_at: new Date(now.getTime() + FIRST_ADMIN_TTL_MS) })
      .execute();
    await recordAudit(trx, ctx.vault, { actor: { type: 'service', id: 'setup' }, requestId: null, sourceIp: null }, {
      action: 'setup.first_admin_link',
      objectType: 'setup',
      objectId: 'first_admin',
    });
    return token;
  });
}

async function liveToken(ctx: AppContext, token: string) {
  if (!looksLikeToken(token)) return null;
  const row = await ctx.db.selectFrom('setup_tokens').selectAll().where('token_hash', '=', tokenHash(token)).executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= ctx.now()) return null;
  if (row.kind === 'first_admin') {
    // Once any administrator is active, a first-administrator link is dead, whoever made it.
    const admin = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('status', '=', 'active')
      .where(sql<boolean>`'admin' = ANY(roles)`)
      .where((eb) => (row.user_id ? eb('id', '<>', row.user_id) : eb.val(true)))
      .executeTakeFirst();
    if (admin) return null;
  }
  return row;
}

/**
 * Whether a link is usable, and whether its first step (password, authenticator secret) was
 * already done with it: continuing then issues a new secret, and the person must be told that
 * an earlier entry in their authenticator app no longer works.
 */
export async function describeSetupToken(ctx: AppContext, token: string): Promise<{ valid: boolean; kind: 'first_admin' | 'invite' | null; started: boolean }> {
  const row = await liveToken(ctx, token);
  if (!row) return { valid: false, kind: null, started: false };
  return { valid: true, kind: row.kind, started: await enrolmentStarted(ctx, row.user_id) };
}

async function enrolmentStarted(ctx: AppContext, userId: string | null): Promise<boolean> {
  if (!userId) return false;
  const user = await ctx.db.selectFrom('users').select(['status', 'totp_secret']).where('id', '=', userId).executeTakeFirst();
  return user?.status === 'enrolling' && user.totp_secret !== null;
}

export interface TotpEnrolment {
  secret: string;
  uri: string;
  qrSvg: string;
  /** The link was used for this step before: the earlier secret no longer works. */
  replacesEarlierSecret: boolean;
}

/** Step 1 of a setup link: set the password, get a TOTP secret to enrol. */
export async function setPasswordWithToken(
  ctx: AppContext,
  rc: RequestContext,
  token: string,
  input: { username?: string; displayName?: string; password: string },
): Promise<TotpEnrolment> {
  const row = await liveToken(ctx, token);
  if (!row) throw new HttpError(404, 'invalid_link', 'this link is not valid (used or expired)');
  const replacesEarlierSecret = await enrolmentStarted(ctx, row.user_id);
  const secret = newTotpSecret();
  let username: string;
  let userId: string;
  if (row.kind === 'first_admin') {
    username = (input.username ?? '').trim().toLowerCase();
    if (!USERNAME.test(username)) throw badRequest('bad_username', 'user name: 2-64 of a-z 0-9 . _ -, starting with a letter or digit');
    const problem = passwordProblem(input.password, username);
    if (problem) throw badRequest('weak_password', `password: ${problem}`);
    const passwordHash = await hashPassword(input.password);
    const sealed = await ctx.vault.sealJson(ctx.db, ctx.systemKeyId, secret, 'totp');
    userId = await ctx.db.transaction().execute(async (trx) => {
      let id = row.user_id;
      if (id) {
        await trx
          .updateTable('users')
          .set({ username, password_hash: passwordHash, totp_secret: sealed, display_name: input.displayName?.trim() || username })
          .where('id', '=', id)
          .where('status', '=', 'enrolling')
          .execute();
      } else {
        const taken = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
        if (taken) throw conflict('username_taken', 'that user name is taken');
        id = (
          await trx
            .insertInto('users')
            .values({
              username,
              display_name: input.displayName?.trim() || username,
              roles: ['admin'],
              status: 'enrolling',
              password_hash: passwordHash,
              totp_secret: sealed,
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
        await trx.updateTable('setup_tokens').set({ user_id: id }).where('id', '=', row.id).execute();
      }
      await recordAudit(trx, ctx.vault, rc, { action: 'user.password_set', objectType: 'user', objectId: id, details: { via: 'first_admin_link', newTotpSecret: true, replacesEarlierSecret } });
      return id;
    });
  } else {
    const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', row.user_id!).executeTakeFirstOrThrow();
    if (user.status !== 'invited' && user.status !== 'enrolling') throw new HttpError(404, 'invalid_link', 'this link is not valid (used or expired)');
    username = user.username;
    userId = user.id;
    const problem = passwordProblem(input.password, username);
    if (problem) throw badRequest('weak_password', `password: ${problem}`);
    const passwordHash = await hashPassword(input.password);
    const sealed = await ctx.vault.sealJson(ctx.db, ctx.systemKeyId, secret, 'totp');
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash, totp_secret: sealed, status: 'enrolling' }).where('id', '=', userId).execute();
      await recordAudit(trx, ctx.vault, rc, { action: 'user.password_set', objectType: 'user', objectId: userId, details: { via: 'invite_link', newTotpSecret: true, replacesEarlierSecret } });
    });
  }
  const uri = totpUri(secret, username);
  return { secret, uri, qrSvg: await totpQrSvg(uri), replacesEarlierSecret };
}

/** Step 2: prove the authenticator works; the account becomes active and the link is spent. */
export async function confirmTotpWithToken(ctx: AppContext, rc: RequestContext, token: string, code: string): Promise<void> {
  const row = await liveToken(ctx, token);
  if (!row || !row.user_id) throw new HttpError(404, 'invalid_link', 'this link is not valid (used or expired), or the password step was not done');
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirstOrThrow();
  if (user.status !== 'enrolling' || !user.totp_secret) throw badRequest('password_first', 'set the password first');
  const secret = await ctx.vault.openJson<string>(ctx.db, user.totp_secret, 'totp');
  const step = totpStep(secret, code.trim(), ctx.now().getTime());
  if (step === null) throw badRequest('bad_code', 'that code is not right; check the authenticator app and the clock');
  await ctx.db.transaction().execute(async (trx) => {
    const spent = await trx
      .updateTable('setup_tokens')
      .set({ used_at: ctx.now() })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!spent) throw new HttpError(404, 'invalid_link', 'this link was just used');
    await trx.updateTable('users').set({ status: 'active', totp_last_step: step, failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    await recordAudit(trx, ctx.vault, rc, { action: 'user.activated', objectType: 'user', objectId: user.id, details: { mfa: 'totp' } });
  });
}

/** Serialises every change to who may administer (disable, invite) with one lock. */
const ADMIN_CHANGE_LOCK = 7310245004;

/**
 * Under the lock: the acting person is still an active administrator. Their request was
 * authorised before it waited for the lock; an administrator disabled meanwhile (another
 * administrator got the lock first) must not go on to disable or invite anyone.
 */
async function actorStillAdmin(trx: Executor, rc: RequestContext): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${sql.lit(ADMIN_CHANGE_LOCK)})`.execute(trx);
  if (rc.actor.type !== 'user') return;
  const me = await trx.selectFrom('users').select('id').where('id', '=', rc.actor.id).where('status', '=', 'active').where(sql<boolean>`'admin' = ANY(roles)`).executeTakeFirst();
  if (!me) throw new HttpError(403, 'forbidden', 'your account is no longer an active administrator');
}

export async function createUser(
  ctx: AppContext,
  rc: RequestContext,
  input: { username: string; displayName: string; roles: Role[] },
): Promise<{ user: PublicUser; inviteToken: string }> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME.test(username)) throw badRequest('bad_username', 'user name: 2-64 of a-z 0-9 . _ -, starting with a letter or digit');
  if (input.roles.length === 0) throw badRequest('no_roles', 'give the person at least one role');
  return ctx.db.transaction().execute(async (trx) => {
    await actorStillAdmin(trx, rc);
    const taken = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
    if (taken) throw conflict('username_taken', 'that user name is taken');
    const creator = rc.actor.type === 'user' ? rc.actor.id : null;
    const user = await trx
      .insertInto('users')
      .values({ username, display_name: input.displayName.trim() || username, roles: [...new Set(input.roles)], status: 'invited', created_by: creator })
      .returningAll()
      .executeTakeFirstOrThrow();
    const token = newToken();
    await trx
      .insertInto('setup_tokens')
      .values({ token_hash: tokenHash(token), kind: 'invite', user_id: user.id, expires_at: new Date(ctx.now().getTime() + INVITE_TTL_MS) })
      .execute();
    await recordAudit(trx, ctx.vault, rc, { action: 'user.invite', objectType: 'user', objectId: user.id, details: { roles: user.roles } });
    return { user: publicUser(user), inviteToken: token };
  });
}

export async function listUsers(ctx: AppContext): Promise<(PublicUser & { lastLoginAt: string | null })[]> {
  const rows = await ctx.db
    .selectFrom('users as u')
    .select([
      'u.id',
      'u.username',
      'u.display_name',
      'u.roles',
      'u.status',
      // The last completed sign-in (password and authenticator code).
      (eb) => eb.selectFrom('sessions as s').select((e) => e.fn.max('s.mfa_verified_at').as('at')).whereRef('s.user_id', '=', 'u.id').as('last_login_at'),
    ])
    .orderBy('u.username')
    .execute();
  return rows.map((r) => ({ ...publicUser(r), status: r.status, lastLoginAt: r.last_login_at ? new Date(r.last_login_at as Date | string).toISOString() : null }));
}

export async function disableUser(ctx: AppContext, rc: RequestContext, userId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select(['id', 'status']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw notFound('no such user');
    if (rc.actor.type === 'user' && rc.actor.id === userId) throw conflict('self_disable', 'you cannot disable your own account');
    // Never the last active administrator: nobody could then manage accounts, the LIS or forms.
    // The lock serialises two administrators disabling each other at the same moment, and the
    // actor must still be one when their turn comes.
    await actorStillAdmin(trx, rc);
    const admins = await trx.selectFrom('users').select('id').where('status', '=', 'active').where(sql<boolean>`'admin' = ANY(roles)`).execute();
    if (admins.length > 0 && admins.every((a) => a.id === userId)) {
      throw conflict('last_admin', 'this is the last active administrator: make another administrator first');
    }
    await trx.updateTable('users').set({ status: 'disabled' }).where('id', '=', userId).execute();
    await trx.updateTable('sessions').set({ ended_at: ctx.now(), end_reason: 'user_disabled' }).where('user_id', '=', userId).where('ended_at', 'is', null).execute();
    await trx.updateTable('setup_tokens').set({ expires_at: ctx.now() }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
    await recordAudit(trx, ctx.vault, rc, { action: 'user.disable', objectType: 'user', objectId: userId });
  });
}

/**
 * The demo makes administrators with a known password and prints their TOTP secrets: it runs only
 * on a data folder where no real person has an account (found by the security review: `demo` on a
 * production folder left a known-password administrator behind, its secret in the console log).
 */
export async function assertDemoAllowed(ctx: AppContext): Promise<void> {
  const real = await ctx.db.selectFrom('users').select('id').where('is_demo', '=', false).executeTakeFirst();
  if (real) {
    throw new Error('this data folder has real accounts; the demo (known passwords, printed secrets) runs only on a folder of its own (./var-demo unless NEXESSION_VAR_DIR names another)');
  }
}

/**
 * An active account with a known password and TOTP secret, for the demo command and tests only.
 * Marked `is_demo`; never used by the product's own setup path, and never over a real account.
 */
export async function createActiveUserForDemo(
  ctx: AppContext,
  input: { username: string; displayName: string; roles: Role[]; password: string; totpSecret: string },
): Promise<PublicUser> {
  const sealed = await ctx.vault.sealJson(ctx.db, ctx.systemKeyId, input.totpSecret, 'totp');
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('users').selectAll().where('username', '=', input.username).executeTakeFirst();
    if (existing && !existing.is_demo) throw conflict('username_taken', 'a real account has that user name');
    const row = existing
      ? await trx
          .updateTable('users')
          .set({ password_hash: passwordHash, totp_secret: sealed, totp_last_step: null, roles: input.roles, status: 'active', is_demo: true, failed_logins: 0, locked_until: null })
          .where('id', '=', existing.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await trx
          .insertInto('users')
          .values({
            username: input.username,
            display_name: input.displayName,
            roles: input.roles,
            status: 'active',
            password_hash: passwordHash,
            totp_secret: sealed,
            is_demo: true,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
    await recordAudit(trx, ctx.vault, { actor: { type: 'service', id: 'demo' }, requestId: null, sourceIp: null }, {
      action: 'user.demo_created',
      objectType: 'user',
      objectId: row.id,
      details: { roles: row.roles },
    });
    return publicUser(row);
  });
}
