/**
 * The delivery worker: takes a pending delivery, sends its stored bytes over MLLP and records
 * what happened. Every step that matters is committed before the next one:
 *
 *   claim (pending → sending, attempt n, unwritten)  → commit
 *   connect; mark "writing" (attempt n written)      → commit   ← from here a crash is ambiguous
 *   write the frame; wait for the ACK with MSA-2 = MSH-10
 *   record the outcome (+ requisition state + audit)  → commit
 *
 * Only attempts whose frame never left us are retried, with backoff, up to a limit. A delivery
 * sent without an ACK (timeout, dropped connection, worker died after writing) becomes
 * `ambiguous` for a person; the database refuses to put a written attempt back to pending.
 */
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import { fromKysely, type PgBoss } from 'pg-boss';
import { recordAudit, serviceContext } from '../../audit/audit.ts';
import { lisOrderNumber } from '../hl7/ack.ts';
import { type AttemptOutcome, MllpClient, type UnmatchedFrame } from '../mllp/client.ts';
import type { DeliveriesTable, DeliveryDb, DeliveryState, StoredConnection } from '../tables.ts';
import { ackContext, ackTextContext, DELIVERY_QUEUE, type DeliveryDeps, payloadContext } from './outbox.ts';

type DeliveryRow = Selectable<DeliveriesTable>;

export interface WorkerOptions {
  /** Name in events and audit (e.g. host:pid). */
  workerId?: string;
  /** Consecutive not-sent attempts before the delivery is given up (state `error`). */
  maxNotSentAttempts?: number;
  /** Backoff before retry n of a not-sent attempt (seconds); the last repeats. */
  backoffSeconds?: number[];
  connectTimeoutMs?: number;
  /** Added to connect + ACK timeouts for the lease on a sending row. */
  leaseMarginSeconds?: number;
  /** How often to look for dead workers' rows and overdue pending rows. 0 = never (tests call `sweep`). */
  sweepIntervalMs?: number;
}

export type ProcessResult =
  | { kind: 'skipped'; state: DeliveryState }
  | { kind: 'not_due' }
  | { kind: 'missing' }
  | { kind: 'done'; state: DeliveryState; outcome: AttemptOutcome['kind'] | 'unreadable_payload' }
  | { kind: 'lost_claim' };

const WORKER_ACTOR = 'worker';

function endpointKey(c: StoredConnection): string {
  const ca = c.tlsCaPem ? createHash('sha256').update(c.tlsCaPem).digest('hex').slice(0, 16) : '';
  return `${c.host}:${c.port}:${c.tls ? 'tls' : 'tcp'}:${ca}:${c.tlsServerName ?? ''}`;
}

function addSeconds(d: Date, s: number): Date {
  return new Date(d.getTime() + s * 1000);
}

function stateFor(outcome: Extract<AttemptOutcome, { kind: 'acked' }>): DeliveryState {
  return outcome.ack.verdict === 'accepted' ? 'acked' : outcome.ack.verdict === 'rejected' ? 'rejected' : 'error';
}

export class DeliveryWorker {
  readonly #deps: DeliveryDeps;
  readonly #opts: Required<WorkerOptions>;
  readonly #clients = new Map<string, MllpClient>();
  #timer: NodeJS.Timeout | null = null;
  #boss: PgBoss | null = null;

  constructor(deps: DeliveryDeps, options: WorkerOptions = {}) {
    this.#deps = deps;
    this.#opts = {
      workerId: options.workerId ?? `worker-${process.pid}`,
      maxNotSentAttempts: options.maxNotSentAttempts ?? 8,
      backoffSeconds: options.backoffSeconds ?? [5, 15, 60, 300, 900],
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      leaseMarginSeconds: options.leaseMarginSeconds ?? 30,
      sweepIntervalMs: options.sweepIntervalMs ?? 30_000,
    };
  }

  /** Starts consuming the delivery queue (one delivery at a time per process) and the sweeper. */
  async start(boss: PgBoss): Promise<void> {
    await this.sweep();
    await boss.work<{ deliveryId: string }>(DELIVERY_QUEUE, { batchSize: 1, localConcurrency: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
      for (const job of jobs) await this.process(job.data.deliveryId);
    });
    this.#boss = boss;
    if (this.#opts.sweepIntervalMs > 0) {
      this.#timer = setInterval(() => {
        this.sweep().catch((err: Error) => this.#deps.log.error({ err: { type: err.name, message: err.message } }, 'delivery sweep failed'));
      }, this.#opts.sweepIntervalMs);
      this.#timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#boss?.offWork(DELIVERY_QUEUE);
    this.#boss = null;
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }

  #client(c: StoredConnection): MllpClient {
    const key = endpointKey(c);
    let client = this.#clients.get(key);
    if (!client) {
      client = new MllpClient(
        {
          host: c.host,
          port: c.port,
          connectTimeoutMs: this.#opts.connectTimeoutMs,
          tls: c.tls ? { ca: c.tlsCaPem, servername: c.tlsServerName } : null,
        },
        { onUnmatched: (frame) => void this.#recordStray(frame) },
      );
      this.#clients.set(key, client);
    }
    return client;
  }

  #leaseSeconds(c: StoredConnection): number {
    return this.#opts.connectTimeoutMs / 1000 + c.ackTimeoutSeconds + this.#opts.leaseMarginSeconds;
  }

  /** Sends one delivery if it is due and pending; idempotent (a duplicate job finds nothing to do). */
  async process(deliveryId: string): Promise<ProcessResult> {
    const { db, vault, log } = this.#deps;
    const claim = await this.#claim(deliveryId);
    if (claim.kind !== 'claimed') return claim;
    const { row, attempt } = claim;
    const connection = row.connection;
    let payload: Buffer;
    try {
      payload = await vault.open(db, row.payload, payloadContext(row.id));
    } catch (err) {
      // The data key is gone (the record was shredded) or the row was tampered with: nothing was written.
      log.error({ deliveryId, err: { type: (err as Error).name } }, 'delivery payload cannot be opened');
      await this.#settle(row, attempt, { state: 'error', reason: 'the stored message cannot be opened', event: 'not_sent', outcome: null });
      return { kind: 'done', state: 'error', outcome: 'unreadable_payload' };
    }
    if (createHash('sha256').update(payload).digest('hex') !== row.payload_sha256) {
      log.error({ deliveryId }, 'delivery payload does not match its SHA-256');
      await this.#settle(row, attempt, { state: 'error', reason: 'the stored message does not match its SHA-256', event: 'not_sent', outcome: null });
      return { kind: 'done', state: 'error', outcome: 'unreadable_payload' };
    }
    let markedWritten = false;
    const outcome = await this.#client(connection).send(payload, row.control_id, {
      ackTimeoutMs: connection.ackTimeoutSeconds * 1000,
      beforeWrite: async () => {
        await this.#markWriting(row, attempt);
        markedWritten = true;
      },
    });
    log.info({ deliveryId, controlId: row.control_id, attempt, outcome: outcome.kind, reason: outcome.kind === 'acked' ? outcome.ack.code : outcome.reason }, 'delivery attempt');
    const state = await this.#record(row, attempt, outcome, markedWritten);
    return state === null ? { kind: 'lost_claim' } : { kind: 'done', state, outcome: outcome.kind };
  }

  async #claim(deliveryId: string): Promise<ProcessResult | { kind: 'claimed'; row: DeliveryRow; attempt: number }> {
    const now = this.#deps.now();
    return this.#deps.db.transaction().execute(async (trx: DeliveryDb) => {
      let row = await trx.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).forUpdate().executeTakeFirst();
      if (!row) return { kind: 'missing' as const };
      if (row.state === 'sending' && row.lease_until && row.lease_until < now) {
        await this.#recoverLocked(trx, row);
        row = await trx.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow();
      }
      if (row.state !== 'pending') return { kind: 'skipped' as const, state: row.state };
      if (row.next_attempt_at > now) return { kind: 'not_due' as const };
      const attempt = row.attempts + 1;
      const claimed = await trx
        .updateTable('deliveries')
        .set({ state: 'sending', attempts: attempt, current_attempt_written: false, lease_until: addSeconds(now, this.#leaseSeconds(row.connection)), state_reason: null })
        .where('id', '=', deliveryId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx.insertInto('delivery_events').values({ delivery_id: deliveryId, attempt, kind: 'attempt_started', actor: WORKER_ACTOR, details: JSON.stringify({ worker: this.#opts.workerId }) }).execute();
      return { kind: 'claimed' as const, row: claimed, attempt };
    });
  }

  /** Commits "attempt n is being written" before the first byte leaves; refuses if the claim was lost. */
  async #markWriting(row: DeliveryRow, attempt: number): Promise<void> {
    const now = this.#deps.now();
    await this.#deps.db.transaction().execute(async (trx: DeliveryDb) => {
      const updated = await trx
        .updateTable('deliveries')
        .set({ current_attempt_written: true, lease_until: addSeconds(now, row.connection.ackTimeoutSeconds + this.#opts.leaseMarginSeconds) })
        .where('id', '=', row.id)
        .where('state', '=', 'sending')
        .where('attempts', '=', attempt)
        .where('current_attempt_written', '=', false)
        .returning('id')
        .executeTakeFirst();
      if (!updated) throw new Error('delivery claim lost before writing');
      await trx.insertInto('delivery_events').values({ delivery_id: row.id, attempt, kind: 'writing', actor: WORKER_ACTOR }).execute();
    });
  }

  /** Records an attempt's outcome; null when the claim was lost meanwhile (then only evidence is kept). */
  async #record(row: DeliveryRow, attempt: number, outcome: AttemptOutcome, markedWritten: boolean): Promise<DeliveryState | null> {
    const { vault } = this.#deps;
    if (outcome.kind === 'acked') {
      const docKey = await this.#docKey(row.document_id);
      const ackMessage = await vault.seal(this.#deps.db, docKey, outcome.ackBytes, ackContext(row.id));
      const ackText = outcome.ack.text ? await vault.seal(this.#deps.db, docKey, Buffer.from(outcome.ack.text, 'utf8'), ackTextContext(row.id)) : null;
      const state = stateFor(outcome);
      const lisNumber = state === 'acked' ? lisOrderNumber(outcome.ack.lisOrders) : null;
      return this.#settle(row, attempt, {
        state,
        reason: state === 'acked' ? null : `LIS answered ${outcome.ack.code}`,
        event: 'acked',
        outcome,
        set: {
          ack_code: outcome.ack.code,
          ack_control_id: outcome.ack.ackControlId,
          ack_message: ackMessage,
          ack_text: ackText,
          lis_order_number: lisNumber,
          lis_orders: JSON.stringify(outcome.ack.lisOrders),
          acked_at: this.#deps.now(),
          not_sent_streak: 0,
        },
      });
    }
    if (outcome.kind === 'ambiguous') {
      return this.#settle(row, attempt, { state: 'ambiguous', reason: `sent, no ACK: ${outcome.detail}`, event: 'ambiguous', outcome, set: { not_sent_streak: 0 } });
    }
    if (markedWritten) {
      // The database already holds "being written" for this attempt; the rule is simple and
      // strict: such an attempt is never retried by the machine, even if the client believes
      // the frame's end never left.
      return this.#settle(row, attempt, { state: 'ambiguous', reason: `connection failed while the message was being written: ${outcome.detail}`, event: 'ambiguous', outcome, set: { not_sent_streak: 0 } });
    }
    const streak = row.not_sent_streak + 1;
    if (streak >= this.#opts.maxNotSentAttempts) {
      return this.#settle(row, attempt, { state: 'error', reason: `not sent after ${streak} attempts: ${outcome.detail}`, event: 'not_sent', outcome, set: { not_sent_streak: streak }, gaveUp: true });
    }
    const delays = this.#opts.backoffSeconds;
    const next = addSeconds(this.#deps.now(), delays[Math.min(streak - 1, delays.length - 1)] ?? 60);
    return this.#settle(row, attempt, { state: 'pending', reason: `not sent (${outcome.reason}), retry at ${next.toISOString()}`, event: 'not_sent', outcome, set: { not_sent_streak: streak, next_attempt_at: next, lease_until: null, current_attempt_written: false }, retryAt: next });
  }

  async #docKey(documentId: string): Promise<string> {
    const doc = await this.#deps.db.selectFrom('documents').select('data_key_id').where('id', '=', documentId).executeTakeFirstOrThrow();
    return doc.data_key_id;
  }

  async #settle(
    row: DeliveryRow,
    attempt: number,
    s: {
      state: DeliveryState;
      reason: string | null;
      event: 'acked' | 'ambiguous' | 'not_sent';
      outcome: AttemptOutcome | null;
      set?: Record<string, unknown>;
      retryAt?: Date;
      gaveUp?: boolean;
    },
  ): Promise<DeliveryState | null> {
    const { requisitions, vault, boss } = this.#deps;
    return this.#deps.db.transaction().execute(async (trx: DeliveryDb) => {
      const current = await trx.selectFrom('deliveries').select(['state', 'attempts']).where('id', '=', row.id).forUpdate().executeTakeFirstOrThrow();
      const unmatched = s.outcome?.unmatched ?? [];
      await this.#recordUnmatched(trx, row.id, attempt, unmatched);
      if (current.state !== 'sending' || current.attempts !== attempt) {
        // Someone (the sweeper, after our lease ran out) settled this attempt already. Keep the evidence.
        if (s.outcome?.kind === 'acked') {
          await trx.insertInto('delivery_events').values({ delivery_id: row.id, attempt, kind: 'late_ack', ack_code: s.outcome.ack.code, actor: WORKER_ACTOR, reason: 'ACK arrived after the attempt was settled' }).execute();
        }
        return null;
      }
      await trx
        .updateTable('deliveries')
        .set({ state: s.state, state_reason: s.reason, ...(s.state === 'pending' ? {} : { lease_until: null }), ...s.set })
        .where('id', '=', row.id)
        .execute();
      const o = s.outcome;
      await trx
        .insertInto('delivery_events')
        .values({
          delivery_id: row.id,
          attempt,
          kind: s.event,
          reason: o === null ? s.reason : o.kind === 'acked' ? o.ack.verdict : o.reason,
          ack_code: o?.kind === 'acked' ? o.ack.code : null,
          actor: WORKER_ACTOR,
          details: JSON.stringify(o?.kind === 'acked'
            ? { ackControlId: o.ack.ackControlId, lisOrders: o.ack.lisOrders.length, lisOrderNumber: lisOrderNumber(o.ack.lisOrders) }
            : o ? { detail: o.detail, written: o.written } : {}),
        })
        .execute();
      if (s.gaveUp) {
        await trx.insertInto('delivery_events').values({ delivery_id: row.id, attempt, kind: 'gave_up', reason: s.reason, actor: WORKER_ACTOR }).execute();
      }
      if (s.state === 'pending') {
        await boss.send(DELIVERY_QUEUE, { deliveryId: row.id }, { startAfter: s.retryAt ?? this.#deps.now(), db: fromKysely(trx) });
        return s.state;
      }
      const settled = await trx.selectFrom('deliveries').select(['ack_code', 'lis_order_number']).where('id', '=', row.id).executeTakeFirstOrThrow();
      const info = { deliveryId: row.id, state: s.state, ackCode: settled.ack_code, lisOrderNumber: settled.lis_order_number };
      if (s.state === 'acked') await requisitions.delivered(trx, row.requisition_id, info);
      else await requisitions.deliveryFailed(trx, row.requisition_id, info);
      // Audit last: the chain lock is held until commit.
      await recordAudit(trx, vault, serviceContext('delivery-worker'), {
        action: `delivery.${s.state}`,
        objectType: 'requisition',
        objectId: row.requisition_id,
        details: { deliveryId: row.id, controlId: row.control_id, attempt, ackCode: settled.ack_code, lisOrderNumber: settled.lis_order_number, reason: s.reason },
      });
      return s.state;
    });
  }

  async #recordUnmatched(trx: DeliveryDb, deliveryId: string | null, attempt: number | null, frames: UnmatchedFrame[]): Promise<void> {
    for (const f of frames) {
      if (deliveryId) {
        await trx.insertInto('delivery_events').values({
          delivery_id: deliveryId, attempt, kind: 'unmatched_frame', reason: f.reason, ack_code: f.ackCode, actor: WORKER_ACTOR,
          details: JSON.stringify({ answersControlId: f.answersControlId, bytes: f.bytes, at: f.at.toISOString() }),
        }).execute();
      }
      if (f.answersControlId) {
        // A late ACK for one of our earlier messages: evidence for the person deciding about it.
        const target = await trx.selectFrom('deliveries').select('id').where('control_id', '=', f.answersControlId).executeTakeFirst();
        if (target && target.id !== deliveryId) {
          await trx.insertInto('delivery_events').values({
            delivery_id: target.id, kind: 'late_ack', reason: 'ACK arrived after its attempt ended', ack_code: f.ackCode, actor: WORKER_ACTOR,
            details: JSON.stringify({ bytes: f.bytes, at: f.at.toISOString() }),
          }).execute();
        }
      }
    }
  }

  async #recordStray(frame: UnmatchedFrame): Promise<void> {
    try {
      await this.#deps.db.transaction().execute((trx) => this.#recordUnmatched(trx, null, null, [frame]));
    } catch (err) {
      this.#deps.log.warn({ err: { type: (err as Error).name, message: (err as Error).message } }, 'could not record a stray MLLP frame');
    }
  }

  /** A sending row whose worker is gone: unwritten → pending again; written → ambiguous. */
  async #recoverLocked(trx: DeliveryDb, row: DeliveryRow): Promise<void> {
    const attempt = row.attempts;
    if (!row.current_attempt_written) {
      await trx.updateTable('deliveries').set({ state: 'pending', lease_until: null, next_attempt_at: this.#deps.now(), state_reason: 'worker stopped before writing; retrying' }).where('id', '=', row.id).execute();
      await trx.insertInto('delivery_events').values({ delivery_id: row.id, attempt, kind: 'interrupted', reason: 'not written', actor: WORKER_ACTOR }).execute();
      return;
    }
    const reason = 'worker stopped after sending, before an ACK was recorded';
    await trx.updateTable('deliveries').set({ state: 'ambiguous', lease_until: null, state_reason: reason }).where('id', '=', row.id).execute();
    await trx.insertInto('delivery_events').values({ delivery_id: row.id, attempt, kind: 'interrupted', reason: 'written', actor: WORKER_ACTOR }).execute();
    await this.#deps.requisitions.deliveryFailed(trx, row.requisition_id, { deliveryId: row.id, state: 'ambiguous', ackCode: null, lisOrderNumber: null });
    await recordAudit(trx, this.#deps.vault, serviceContext('delivery-worker'), {
      action: 'delivery.ambiguous',
      objectType: 'requisition',
      objectId: row.requisition_id,
      details: { deliveryId: row.id, controlId: row.control_id, attempt, reason },
    });
  }

  /**
   * Recovers rows of workers that died (lease over) and re-queues pending rows whose job is
   * overdue (lost, or the queue was down). Safe to run anywhere, any time: rows are locked.
   */
  async sweep(): Promise<{ recovered: number; requeued: number }> {
    const now = this.#deps.now();
    let recovered = 0;
    const stale = await this.#deps.db.selectFrom('deliveries').select('id').where('state', '=', 'sending').where('lease_until', '<', now).execute();
    for (const { id } of stale) {
      await this.#deps.db.transaction().execute(async (trx: DeliveryDb) => {
        const row = await trx.selectFrom('deliveries').selectAll().where('id', '=', id).forUpdate().skipLocked().executeTakeFirst();
        if (row && row.state === 'sending' && row.lease_until && row.lease_until < now) {
          await this.#recoverLocked(trx, row);
          recovered += 1;
          if (!row.current_attempt_written) await this.#deps.boss.send(DELIVERY_QUEUE, { deliveryId: id }, { db: fromKysely(trx) });
        }
      });
    }
    const overdue = await this.#deps.db.selectFrom('deliveries').select('id').where('state', '=', 'pending').where('next_attempt_at', '<', addSeconds(now, -60)).execute();
    for (const { id } of overdue) {
      await this.#deps.boss.send(DELIVERY_QUEUE, { deliveryId: id }, { singletonKey: `delivery:${id}`, singletonSeconds: 60 });
    }
    return { recovered, requeued: overdue.length };
  }
}
