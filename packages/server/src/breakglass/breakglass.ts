/**
 * Break-glass emergency access (HIPAA 45 CFR 164.312(a)(2)(ii)). A person in a live MFA session
 * states a reason in words and, for a bounded time, may call the read routes marked
 * `breakGlass` (requisitions, page images, crops, the ACK text, the audit values, the history
 * export) whatever their role. It never opens a change: the access hook opens only GET routes to
 * it and the database refuses a release from a session holding one. Opening, every event made
 * under it (the database stamps its id on each), and its end are audited; a second person
 * acknowledges it afterwards.
 */
import { randomUUID } from 'node:crypto';
import { recordAudit, type RequestContext } from '../audit/audit.ts';
import { conflict, forbidden, HttpError, notFound } from '../auth/errors.ts';
import type { Session } from '../auth/sessions.ts';
import type { AppContext } from '../context.ts';
import type { BreakGlassEndReason, Executor } from '../db/schema.ts';

/** The database refuses more (migration 061). */
export const BREAK_GLASS_HARD_MAX_MINUTES = 240;

const reasonContext = (id: string) => `break_glass:${id}:reason`;
const noteContext = (id: string) => `break_glass:${id}:review_note`;

export type BreakGlassStatus = 'active' | 'ended' | 'expired' | 'session_ended';

export interface ActiveBreakGlass {
  id: string;
  openedAt: string;
  expiresAt: string;
  remainingSeconds: number;
}

/**
 * A reason an auditor can read later: words, not a code or a key-mash. At least 15 characters and
 * three words of two or more letters (any alphabet).
 */
export function reasonProblem(reason: string): string | null {
  const text = reason.trim();
  if (text.length < 15) return 'state the reason in words (at least 15 characters)';
  const words = text.match(/\p{L}{2,}/gu) ?? [];
  if (words.length < 3) return 'state the reason in words (at least three words)';
  if (new Set(words.map((w) => w.toLowerCase())).size < 2) return 'state the reason in words, not one word repeated';
  return null;
}

/** Minutes asked for, within the configured default and maximum (never over 4 hours). */
export function boxedMinutes(asked: number | undefined, defaults: { minutes: number; maxMinutes: number }): number {
  const max = Math.min(defaults.maxMinutes, BREAK_GLASS_HARD_MAX_MINUTES);
  const m = asked ?? defaults.minutes;
  if (!Number.isInteger(m) || m < 1) throw new HttpError(400, 'bad_request', 'minutes is a whole number of at least 1');
  if (m > max) throw new HttpError(400, 'too_long', `break-glass lasts at most ${max} minutes`);
  return m;
}

export async function openBreakGlass(ctx: AppContext, rc: RequestContext, session: Session, body: { reason: string; minutes?: number }): Promise<ActiveBreakGlass> {
  const problem = reasonProblem(body.reason);
  if (problem) throw new HttpError(400, 'reason_required', problem);
  const minutes = boxedMinutes(body.minutes, { minutes: ctx.config.breakGlassMinutes, maxMinutes: ctx.config.breakGlassMaxMinutes });
  if (session.breakGlass && session.breakGlass.expiresAt > ctx.now()) throw conflict('break_glass_active', 'break-glass is already open in this session');
  const openedAt = ctx.now();
  const expiresAt = new Date(openedAt.getTime() + minutes * 60_000);
  const reason = body.reason.trim().normalize('NFC');
  const id = randomUUID();
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('break_glass')
        .values({
          id,
          user_id: session.user.id,
          session_id: session.id,
          reason: await ctx.vault.sealJson(trx, ctx.systemKeyId, reason, reasonContext(id)),
          opened_at: openedAt,
          expires_at: expiresAt,
        })
        .execute();
      await recordAudit(trx, ctx.vault, { ...rc, breakGlassId: id }, {
        action: 'break_glass.open',
        objectType: 'break_glass',
        objectId: id,
        after: reason,
        sealWith: ctx.systemKeyId,
        details: { minutes, expiresAt: expiresAt.toISOString(), roles: session.user.roles },
      });
    });
  } catch (err) {
    // The partial unique index: another request of this session opened one first.
    if ((err as { code?: string }).code === '23505') throw conflict('break_glass_active', 'break-glass is already open in this session');
    throw err;
  }
  ctx.log.warn({ breakGlassId: id, userId: session.user.id, minutes }, 'break-glass opened');
  session.breakGlass = { id, openedAt, expiresAt };
  return view(session.breakGlass, openedAt);
}

function view(bg: { id: string; openedAt: Date; expiresAt: Date }, now: Date): ActiveBreakGlass {
  return {
    id: bg.id,
    openedAt: bg.openedAt.toISOString(),
    expiresAt: bg.expiresAt.toISOString(),
    remainingSeconds: Math.max(0, Math.floor((bg.expiresAt.getTime() - now.getTime()) / 1000)),
  };
}

/** The session's break-glass while it lasts; one found past its time is closed (and audited) here. */
export async function activeBreakGlass(ctx: AppContext, rc: RequestContext, session: Session): Promise<ActiveBreakGlass | null> {
  const bg = session.breakGlass;
  if (!bg) return null;
  if (bg.expiresAt > ctx.now()) return view(bg, ctx.now());
  await closeBreakGlass(ctx.db, ctx, { ...rc, breakGlassId: bg.id }, bg.id, 'expired', bg.expiresAt);
  session.breakGlass = null;
  return null;
}

/**
 * Ends one open break-glass, once (the first writer wins), with its audit event. `at` is when it
 * ended: the expiry time for one found expired, now otherwise.
 */
export async function closeBreakGlass(db: Executor, ctx: Pick<AppContext, 'vault' | 'now' | 'log'>, rc: RequestContext, id: string, reason: BreakGlassEndReason, at?: Date): Promise<boolean> {
  const ended = await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('break_glass')
      .set({ ended_at: at ?? ctx.now(), end_reason: reason })
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .returning(['id', 'user_id', 'session_id'])
      .executeTakeFirst();
    if (!row) return false;
    // Name the break-glass only when the actor is its own session (the database checks that).
    const own = rc.actor.type === 'user' && rc.actor.id === row.user_id && rc.actor.sessionId === row.session_id;
    await recordAudit(trx, ctx.vault, { ...rc, breakGlassId: own ? id : null }, {
      action: reason === 'ended' ? 'break_glass.end' : reason === 'expired' ? 'break_glass.expired' : 'break_glass.session_ended',
      objectType: 'break_glass',
      objectId: id,
      details: { reason },
    });
    return true;
  });
  if (ended) ctx.log.info({ breakGlassId: id, reason }, 'break-glass ended');
  return ended;
}

export async function endBreakGlass(ctx: AppContext, rc: RequestContext, session: Session): Promise<void> {
  const bg = session.breakGlass;
  if (!bg) throw conflict('no_break_glass', 'no break-glass is open in this session');
  await closeBreakGlass(ctx.db, ctx, { ...rc, breakGlassId: bg.id }, bg.id, bg.expiresAt > ctx.now() ? 'ended' : 'expired', bg.expiresAt > ctx.now() ? undefined : bg.expiresAt);
  session.breakGlass = null;
}

/** A session ended (sign-out, idle logoff, age): its break-glass ends with it. */
export async function endBreakGlassOfSession(ctx: Pick<AppContext, 'db' | 'vault' | 'now' | 'log'>, rc: RequestContext, sessionId: string): Promise<void> {
  const open = await ctx.db.selectFrom('break_glass').select(['id', 'expires_at']).where('session_id', '=', sessionId).where('ended_at', 'is', null).execute();
  for (const b of open) {
    const expired = b.expires_at <= ctx.now();
    await closeBreakGlass(ctx.db, ctx, rc, b.id, expired ? 'expired' : 'session_ended', expired ? b.expires_at : undefined);
  }
}

/** Closes every break-glass past its time or whose session is over (the periodic sweep and the report). */
export async function closeLapsedBreakGlass(ctx: Pick<AppContext, 'db' | 'vault' | 'now' | 'log'>): Promise<number> {
  const now = ctx.now();
  const rows = await ctx.db
    .selectFrom('break_glass as b')
    .innerJoin('sessions as s', 's.id', 'b.session_id')
    .select(['b.id', 'b.expires_at', 's.ended_at as session_ended_at'])
    .where('b.ended_at', 'is', null)
    .where((eb) => eb.or([eb('b.expires_at', '<=', now), eb('s.ended_at', 'is not', null)]))
    .execute();
  let n = 0;
  const rc: RequestContext = { actor: { type: 'service', id: 'break-glass' }, requestId: null, sourceIp: null };
  for (const r of rows) {
    const expired = r.expires_at <= now;
    const at = expired ? r.expires_at : (r.session_ended_at ?? now);
    if (await closeBreakGlass(ctx.db, ctx, rc, r.id, expired ? 'expired' : 'session_ended', at)) n++;
  }
  return n;
}

export interface BreakGlassAccess {
  seq: number;
  at: string;
  action: string;
  objectType: string;
  objectId: string;
  field?: string;
}

export interface BreakGlassReport {
  id: string;
  user: { id: string; username: string; displayName: string; roles: string[] };
  reason: string;
  openedAt: string;
  expiresAt: string;
  endedAt: string | null;
  status: BreakGlassStatus;
  /** Every audit event made under it, oldest first (its opening included). */
  accesses: BreakGlassAccess[];
  /** Requisitions whose PHI was read under it. */
  requisitions: string[];
  review: { by: string; at: string; note: string | null } | null;
}

/** The report for auditors, administrators and lead reviewers; its reading is audited. */
export async function listBreakGlass(ctx: AppContext, rc: RequestContext, opts: { unreviewedOnly?: boolean; limit?: number } = {}): Promise<BreakGlassReport[]> {
  await closeLapsedBreakGlass(ctx);
  let q = ctx.db
    .selectFrom('break_glass as b')
    .innerJoin('users as u', 'u.id', 'b.user_id')
    .leftJoin('users as r', 'r.id', 'b.reviewed_by')
    .select([
      'b.id', 'b.user_id', 'b.reason', 'b.opened_at', 'b.expires_at', 'b.ended_at', 'b.end_reason', 'b.reviewed_at', 'b.review_note',
      'u.username', 'u.display_name', 'u.roles', 'r.username as reviewer',
    ])
    .orderBy('b.opened_at', 'desc')
    .limit(Math.max(1, Math.min(500, opts.limit ?? 200)));
  if (opts.unreviewedOnly) q = q.where('b.reviewed_by', 'is', null);
  const rows = await q.execute();
  const ids = rows.map((r) => r.id);
  const events = ids.length
    ? await ctx.db
        .selectFrom('audit_events')
        .select(['seq', 'at', 'action', 'object_type', 'object_id', 'field', 'break_glass_id'])
        .where('break_glass_id', 'in', ids)
        .orderBy('seq')
        .execute()
    : [];
  const byId = new Map<string, BreakGlassAccess[]>();
  for (const e of events) {
    const list = byId.get(e.break_glass_id!) ?? [];
    list.push({ seq: Number(e.seq), at: e.at.toISOString(), action: e.action, objectType: e.object_type, objectId: e.object_id, ...(e.field ? { field: e.field } : {}) });
    byId.set(e.break_glass_id!, list);
  }
  const out: BreakGlassReport[] = [];
  for (const r of rows) {
    const accesses = byId.get(r.id) ?? [];
    out.push({
      id: r.id,
      user: { id: r.user_id, username: r.username, displayName: r.display_name, roles: r.roles },
      reason: await ctx.vault.openJson<string>(ctx.db, r.reason, reasonContext(r.id)),
      openedAt: r.opened_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      endedAt: r.ended_at?.toISOString() ?? null,
      status: r.end_reason ?? 'active',
      accesses,
      requisitions: [...new Set(accesses.filter((a) => a.objectType === 'requisition').map((a) => a.objectId))],
      review: r.reviewed_at
        ? { by: r.reviewer ?? '?', at: r.reviewed_at.toISOString(), note: r.review_note ? await ctx.vault.openJson<string>(ctx.db, r.review_note, noteContext(r.id)) : null }
        : null,
    });
  }
  await recordAudit(ctx.db, ctx.vault, rc, { action: 'break_glass.list', objectType: 'break_glass', objectId: 'all', details: { count: out.length } });
  return out;
}

/** A second person acknowledges a break-glass after it ended; the acknowledgement is audited. */
export async function reviewBreakGlass(ctx: AppContext, rc: RequestContext, session: Session, id: string, note: string | null): Promise<{ id: string; reviewedAt: string }> {
  await closeLapsedBreakGlass(ctx);
  const at = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    const b = await trx.selectFrom('break_glass').select(['user_id', 'ended_at', 'reviewed_by']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!b) throw notFound('no such break-glass');
    if (b.user_id === session.user.id) throw forbidden('a break-glass is acknowledged by a second person, not the one who opened it');
    if (!b.ended_at) throw conflict('break_glass_active', 'acknowledge it after it has ended');
    if (b.reviewed_by) throw conflict('already_reviewed', 'this break-glass was already acknowledged');
    const text = note?.trim() ? note.trim().normalize('NFC') : null;
    await trx
      .updateTable('break_glass')
      .set({
        reviewed_by: session.user.id,
        reviewed_at: at,
        reviewed_session_id: session.id,
        review_note: text ? await ctx.vault.sealJson(trx, ctx.systemKeyId, text, noteContext(id)) : null,
      })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, ctx.vault, rc, {
      action: 'break_glass.review',
      objectType: 'break_glass',
      objectId: id,
      ...(text ? { after: text, sealWith: ctx.systemKeyId } : {}),
      details: { openedBy: b.user_id },
    });
  });
  return { id, reviewedAt: at.toISOString() };
}
