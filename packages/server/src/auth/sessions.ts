/**
 * Sign-in and server-side sessions. The cookie carries a random token; the database keeps its
 * hash, the stage (`password` = half signed in, `full` = TOTP verified), the CSRF value and the
 * last activity. A session idle longer than the configured timeout is ended on its next use.
 */
import { randomBytes } from 'node:crypto';
import { recordAudit, type RequestContext } from '../audit/audit.ts';
import { endBreakGlassOfSession } from '../breakglass/breakglass.ts';
import type { AppContext } from '../context.ts';
import type { Role } from '../db/schema.ts';
import { HttpError, unauthorized } from './errors.ts';
import { verifyPassword } from './passwords.ts';
import { newToken, looksLikeToken, tokenHash } from './tokens.ts';
import { totpStep } from './totp.ts';
import { publicUser, type PublicUser } from './users.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** A half-signed-in session must finish TOTP within this time. */
export const PARTIAL_SESSION_MS = 5 * 60_000;
const TOUCH_EVERY_MS = 10_000;

export interface Session {
  id: string;
  stage: 'password' | 'full';
  csrf: string;
  user: PublicUser;
  lastSeenAt: Date;
  createdAt: Date;
  /** The session's open break-glass (emergency access), as stored; the access hook checks its time. */
  breakGlass: { id: string; openedAt: Date; expiresAt: Date } | null;
}

/** Per-address sliding window of failed sign-ins, in memory (one process; lockout is in the DB). */
export class AddressLimiter {
  readonly #hits = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;

  constructor(max = 20, windowMs = 15 * 60_000) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  blocked(address: string, now: number): boolean {
    const recent = (this.#hits.get(address) ?? []).filter((t) => now - t < this.#windowMs);
    this.#hits.set(address, recent);
    return recent.length >= this.#max;
  }

  fail(address: string, now: number): void {
    const list = this.#hits.get(address) ?? [];
    list.push(now);
    this.#hits.set(address, list);
    if (this.#hits.size > 10_000) this.#hits.delete(this.#hits.keys().next().value!);
  }
}

const invalid = () => new HttpError(401, 'invalid_credentials', 'user name or password is not right');

async function countFailure(ctx: AppContext, userId: string): Promise<void> {
  const row = await ctx.db
    .updateTable('users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('id', '=', userId)
    .returning('failed_logins')
    .executeTakeFirstOrThrow();
  if (row.failed_logins >= MAX_FAILED_LOGINS) {
    await ctx.db.updateTable('users').set({ locked_until: new Date(ctx.now().getTime() + LOCKOUT_MS), failed_logins: 0 }).where('id', '=', userId).execute();
  }
}

/** Password step. Returns the token of a half-signed-in session; TOTP comes next. */
export async function loginWithPassword(
  ctx: AppContext,
  rc: RequestContext,
  limiter: AddressLimiter,
  username: string,
  password: string,
): Promise<string> {
  const now = ctx.now();
  const address = rc.sourceIp ?? 'unknown';
  if (limiter.blocked(address, now.getTime())) throw new HttpError(429, 'too_many_attempts', 'too many failed sign-ins from this address; wait 15 minutes');
  const name = username.trim().toLowerCase();
  const user = await ctx.db.selectFrom('users').selectAll().where('username', '=', name).executeTakeFirst();
  // A locked account answers the same whatever the password: were the password checked first,
  // "locked" for the right one and "not right" for a wrong one would let guessing go on
  // through the lockout, one answer telling which guess was right.
  if (user && user.status === 'active' && user.locked_until && user.locked_until > now) {
    limiter.fail(address, now.getTime());
    await recordAudit(ctx.db, ctx.vault, rc, { action: 'auth.login_locked', objectType: 'user', objectId: user.id });
    throw new HttpError(423, 'locked', 'this account is locked after repeated failed sign-ins; try again later or ask an administrator');
  }
  const ok = await verifyPassword(user?.password_hash ?? null, password);
  if (!user || !ok || user.status !== 'active') {
    limiter.fail(address, now.getTime());
    if (user && user.status === 'active' && !ok) await countFailure(ctx, user.id);
    await recordAudit(ctx.db, ctx.vault, rc, {
      action: 'auth.login_failed',
      objectType: 'user',
      objectId: user?.id ?? 'unknown',
      details: { reason: !user ? 'unknown_user' : user.status !== 'active' ? `status_${user.status}` : 'password' },
    });
    throw invalid();
  }
  const token = newToken();
  await ctx.db.transaction().execute(async (trx) => {
    const s = await trx
      .insertInto('sessions')
      .values({
        token_hash: tokenHash(token),
        user_id: user.id,
        stage: 'password',
        csrf: randomBytes(24).toString('base64url'),
        source_ip: rc.sourceIp,
        created_at: now,
        last_seen_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, ctx.vault, { ...rc, actor: { type: 'user', id: user.id, sessionId: s.id } }, {
      action: 'auth.password_ok',
      objectType: 'session',
      objectId: s.id,
    });
  });
  return token;
}

/** TOTP step: the half session is ended and a new, full one issued (new token: no fixation). */
export async function completeTotp(ctx: AppContext, rc: RequestContext, session: Session, code: string): Promise<{ token: string; session: Session }> {
  if (session.stage !== 'password') throw new HttpError(409, 'already_signed_in', 'already signed in');
  const now = ctx.now();
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', session.user.id).executeTakeFirstOrThrow();
  if (user.status !== 'active' || !user.totp_secret) throw unauthorized();
  if (user.locked_until && user.locked_until > now) throw new HttpError(423, 'locked', 'this account is locked after repeated failed sign-ins');
  const secret = await ctx.vault.openJson<string>(ctx.db, user.totp_secret, 'totp');
  const step = totpStep(secret, code.trim(), now.getTime());
  const replay = step !== null && user.totp_last_step !== null && step <= Number(user.totp_last_step);
  if (step === null || replay) {
    await countFailure(ctx, user.id);
    await recordAudit(ctx.db, ctx.vault, rc, { action: 'auth.totp_failed', objectType: 'session', objectId: session.id, details: { replay } });
    throw new HttpError(401, 'bad_code', replay ? 'that code was already used; wait for the next one' : 'that code is not right');
  }
  const token = newToken();
  const full = await ctx.db.transaction().execute(async (trx) => {
    // Claim the step atomically: two requests with the same code cannot both pass.
    const claimed = await trx
      .updateTable('users')
      .set({ totp_last_step: step, failed_logins: 0 })
      .where('id', '=', user.id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
      .returning('id')
      .executeTakeFirst();
    if (!claimed) throw new HttpError(401, 'bad_code', 'that code was already used; wait for the next one');
    await trx.updateTable('sessions').set({ ended_at: now, end_reason: 'upgraded' }).where('id', '=', session.id).execute();
    const s = await trx
      .insertInto('sessions')
      .values({
        token_hash: tokenHash(token),
        user_id: user.id,
        stage: 'full',
        csrf: randomBytes(24).toString('base64url'),
        mfa_verified_at: now,
        created_at: now,
        last_seen_at: now,
        source_ip: rc.sourceIp,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, ctx.vault, { ...rc, actor: { type: 'user', id: user.id, sessionId: s.id } }, {
      action: 'auth.login',
      objectType: 'session',
      objectId: s.id,
      details: { mfa: 'totp' },
    });
    return s;
  });
  return {
    token,
    session: { id: full.id, stage: 'full', csrf: full.csrf, user: publicUser(user), lastSeenAt: full.last_seen_at, createdAt: full.created_at, breakGlass: null },
  };
}

/** The live session for a cookie token, or null. Ends (and audits) a session found idle. */
export async function resolveSession(ctx: AppContext, token: string | undefined): Promise<Session | null> {
  if (!token || !looksLikeToken(token)) return null;
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .leftJoin('break_glass as bg', (j) => j.onRef('bg.session_id', '=', 'sessions.id').on('bg.ended_at', 'is', null))
    .select([
      'sessions.id',
      'sessions.stage',
      'sessions.csrf',
      'sessions.last_seen_at',
      'sessions.created_at',
      'sessions.ended_at',
      'users.id as user_id',
      'users.username',
      'users.display_name',
      'users.roles',
      'users.status',
      'bg.id as bg_id',
      'bg.opened_at as bg_opened_at',
      'bg.expires_at as bg_expires_at',
    ])
    .where('sessions.token_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (!row || row.ended_at || row.status !== 'active') return null;
  const now = ctx.now().getTime();
  const idleMs = ctx.config.idleTimeoutSeconds * 1000;
  // Idle logoff, and a limit on any session's whole life: activity (or a tab left polling
  // keep-alive) cannot keep one signed in for days.
  const tooOld = now - row.created_at.getTime() > ctx.config.sessionMaxHours * 3600_000;
  const expired =
    row.stage === 'password' ? now - row.created_at.getTime() > PARTIAL_SESSION_MS : tooOld || now - row.last_seen_at.getTime() > idleMs;
  if (expired) {
    const ended = await ctx.db
      .updateTable('sessions')
      .set({ ended_at: ctx.now(), end_reason: tooOld && row.stage === 'full' ? 'max_age' : 'idle' })
      .where('id', '=', row.id)
      .where('ended_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (ended) {
      const rc: RequestContext = { actor: { type: 'user', id: row.user_id, sessionId: row.id }, requestId: null, sourceIp: null };
      await recordAudit(ctx.db, ctx.vault, rc, {
        action: tooOld && row.stage === 'full' ? 'auth.session_max_age' : 'auth.idle_logoff',
        objectType: 'session',
        objectId: row.id,
      });
      if (row.bg_id) await endBreakGlassOfSession(ctx, rc, row.id);
    }
    return null;
  }
  return {
    id: row.id,
    stage: row.stage,
    csrf: row.csrf,
    user: { id: row.user_id, username: row.username, displayName: row.display_name, roles: row.roles as Role[] },
    lastSeenAt: row.last_seen_at,
    createdAt: row.created_at,
    breakGlass: row.bg_id && row.bg_opened_at && row.bg_expires_at ? { id: row.bg_id, openedAt: row.bg_opened_at, expiresAt: row.bg_expires_at } : null,
  };
}

/** Activity: pushes the idle deadline (written at most every few seconds). */
export async function touchSession(ctx: AppContext, session: Session, force = false): Promise<void> {
  const now = ctx.now();
  if (!force && now.getTime() - session.lastSeenAt.getTime() < TOUCH_EVERY_MS) return;
  await ctx.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', session.id).where('ended_at', 'is', null).execute();
  session.lastSeenAt = now;
}

export async function logout(ctx: AppContext, rc: RequestContext, session: Session): Promise<void> {
  // Break-glass first, while its session still counts as its own (its end is audited under it).
  if (session.breakGlass) await endBreakGlassOfSession(ctx, rc, session.id);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('sessions').set({ ended_at: ctx.now(), end_reason: 'logout' }).where('id', '=', session.id).execute();
    await recordAudit(trx, ctx.vault, rc, { action: 'auth.logout', objectType: 'session', objectId: session.id });
  });
}
