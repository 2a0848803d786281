/**
 * Writing and reading the audit log (rule 4). Every PHI list, view, image or crop fetch and
 * every edit goes through `recordAudit`. Before and after values are sealed with the data key of
 * the object they belong to, so crypto-shredding a document also shreds its audit values while
 * the chain stays verifiable.
 *
 * Write audit events LAST in a transaction: the chain trigger serialises writers until commit,
 * and taking that lock before row locks would invite deadlocks.
 */
import { sql } from 'kysely';
import type { Vault } from '../crypto/vault.ts';
import type { Executor } from '../db/schema.ts';
import { chainHash, GENESIS, type ChainRow } from './chain.ts';

export type Actor =
  | { type: 'user'; id: string; sessionId: string | null }
  | { type: 'service'; id: string }
  | { type: 'anonymous'; id: string };

export interface RequestContext {
  actor: Actor;
  requestId: string | null;
  sourceIp: string | null;
  /** The open break-glass of the actor's session: every event of the request carries it. */
  breakGlassId?: string | null;
}

export const serviceContext = (name: string): RequestContext => ({
  actor: { type: 'service', id: name },
  requestId: null,
  sourceIp: null,
});

export interface AuditInput {
  action: string;
  objectType: string;
  objectId: string;
  field?: string | null;
  /** Values (PHI allowed): sealed before storage. Pass `sealWith` to name the data key. */
  before?: unknown;
  after?: unknown;
  /** The data key that seals before/after; required when either is given. */
  sealWith?: string;
  /** No PHI: ids, counts, codes, reasons in words. */
  details?: Record<string, unknown>;
}

function valueContext(objectType: string, objectId: string, field: string | null, which: 'before' | 'after'): string {
  return `audit:${objectType}:${objectId}:${field ?? ''}:${which}`;
}

export async function recordAudit(db: Executor, vault: Vault, ctx: RequestContext, input: AuditInput): Promise<void> {
  const field = input.field ?? null;
  const hasValues = input.before !== undefined || input.after !== undefined;
  if (hasValues && !input.sealWith) throw new Error('audit values need a data key');
  const seal = async (v: unknown, which: 'before' | 'after') =>
    v === undefined ? null : vault.sealJson(db, input.sealWith!, v, valueContext(input.objectType, input.objectId, field, which));
  await db
    .insertInto('audit_events')
    .values({
      actor_type: ctx.actor.type,
      actor_id: ctx.actor.id,
      session_id: ctx.actor.type === 'user' ? ctx.actor.sessionId : null,
      action: input.action,
      object_type: input.objectType,
      object_id: input.objectId,
      field,
      before: await seal(input.before, 'before'),
      after: await seal(input.after, 'after'),
      request_id: ctx.requestId,
      source_ip: ctx.sourceIp,
      details: input.details ? JSON.stringify(input.details) : null,
      break_glass_id: ctx.actor.type === 'user' ? (ctx.breakGlassId ?? null) : null,
    })
    .execute();
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
}

/** Walks the whole chain in order, recomputing every hash and link. */
export async function verifyAuditChain(db: Executor, batch = 2000): Promise<VerifyResult> {
  let prevHash = GENESIS;
  let prevSeq = 0;
  let checked = 0;
  for (;;) {
    const rows = (await db
      .selectFrom('audit_events')
      .selectAll()
      .where(sql<boolean>`seq > ${prevSeq}`)
      .orderBy('seq')
      .limit(batch)
      .execute()) as unknown as ChainRow[];
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== prevSeq + 1 || row.prev_hash !== prevHash || chainHash(row) !== row.hash) {
        return { ok: false, checked, firstBadSeq: seq === prevSeq + 1 ? seq : prevSeq + 1 };
      }
      prevHash = row.hash;
      prevSeq = seq;
      checked++;
    }
  }
  return { ok: true, checked };
}

export interface AuditEventView {
  seq: number;
  at: string;
  actor: string;
  actorType: string;
  action: string;
  objectType: string;
  objectId: string;
  field?: string;
  before?: unknown;
  after?: unknown;
  details?: unknown;
  requestId: string | null;
  sourceIp: string | null;
  /** Made under break-glass: its id. */
  breakGlassId?: string;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  objectId?: string;
  objectIds?: string[];
  breakGlassId?: string;
  /** Oldest first (the default is newest first). */
  ascending?: boolean;
  actor?: string;
  from?: Date;
  to?: Date;
  limit?: number;
}

/** Reads events, newest first, opening sealed values the vault can still open. */
export async function listAudit(db: Executor, vault: Vault, q: AuditQuery): Promise<AuditEventView[]> {
  let query = db
    .selectFrom('audit_events')
    .leftJoin('users', (j) => j.on(sql`users.id::text`, '=', sql.ref('audit_events.actor_id')).on('audit_events.actor_type', '=', 'user'))
    .selectAll('audit_events')
    .select('users.username')
    .orderBy('audit_events.seq', q.ascending ? 'asc' : 'desc')
    .limit(Math.min(q.limit ?? 200, 10_000));
  if (q.objectIds && q.objectIds.length) query = query.where('audit_events.object_id', 'in', q.objectIds);
  else if (q.objectId) query = query.where('audit_events.object_id', '=', q.objectId);
  if (q.breakGlassId) query = query.where('audit_events.break_glass_id', '=', q.breakGlassId);
  if (q.actor) query = query.where((eb) => eb.or([eb('audit_events.actor_id', '=', q.actor!), eb('users.username', '=', q.actor!)]));
  if (q.from) query = query.where('audit_events.at', '>=', q.from);
  if (q.to) query = query.where('audit_events.at', '<=', q.to);
  const rows = await query.execute();
  const out: AuditEventView[] = [];
  for (const r of rows) {
    const open = async (v: Buffer | null, which: 'before' | 'after') => {
      if (v === null) return undefined;
      try {
        return await vault.openJson(db, v, valueContext(r.object_type, r.object_id, r.field, which));
      } catch {
        return { unreadable: true };
      }
    };
    const view: AuditEventView = {
      seq: Number(r.seq),
      at: r.at.toISOString(),
      actor: r.actor_type === 'user' ? (r.username ?? r.actor_id) : r.actor_id,
      actorType: r.actor_type,
      action: r.action,
      objectType: r.object_type,
      objectId: r.object_id,
      requestId: r.request_id,
      sourceIp: r.source_ip,
      prevHash: r.prev_hash,
      hash: r.hash,
    };
    if (r.break_glass_id) view.breakGlassId = r.break_glass_id;
    if (r.field !== null) view.field = r.field;
    const before = await open(r.before, 'before');
    const after = await open(r.after, 'after');
    if (before !== undefined) view.before = before;
    if (after !== undefined) view.after = after;
    if (r.details) view.details = JSON.parse(r.details);
    out.push(view);
  }
  return out;
}
