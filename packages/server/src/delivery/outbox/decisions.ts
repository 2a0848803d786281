/**
 * What a person decides about a delivery the machine could not settle: "resend anyway" (the
 * same bytes, the same MSH-10, so the LIS can recognise a duplicate) or "received by the LIS"
 * (the person checked the LIS and found the order). Both are audited, and the database accepts
 * them only from a lead reviewer or admin in a live MFA session.
 */
import { fromKysely } from 'pg-boss';
import { type RequestContext, recordAudit } from '../../audit/audit.ts';
import type { DeliveryDb, DeliveryState } from '../tables.ts';
import { DELIVERY_QUEUE, type DeliveryDeps } from './outbox.ts';

export class DeliveryDecisionError extends Error {
  readonly code: 'not_found' | 'wrong_state' | 'not_a_person';
  constructor(code: DeliveryDecisionError['code'], message: string) {
    super(message);
    this.name = 'DeliveryDecisionError';
    this.code = code;
  }
}

function person(rc: RequestContext): { userId: string; sessionId: string } {
  if (rc.actor.type !== 'user' || !rc.actor.sessionId) throw new DeliveryDecisionError('not_a_person', 'only a signed-in person decides about a delivery');
  return { userId: rc.actor.id, sessionId: rc.actor.sessionId };
}

export interface DecisionResult {
  deliveryId: string;
  state: DeliveryState;
}

/**
 * "Resend anyway": an ambiguous, error or rejected delivery goes back to pending. `note` (why,
 * in the person's words; may name the patient) is audited sealed with the document's key.
 */
export async function resendAnyway(
  deps: Pick<DeliveryDeps, 'db' | 'vault' | 'boss' | 'now'>,
  rc: RequestContext,
  deliveryId: string,
  note: string | null = null,
): Promise<DecisionResult> {
  const who = person(rc);
  return deps.db.transaction().execute(async (trx: DeliveryDb) => {
    const row = await trx.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).forUpdate().executeTakeFirst();
    if (!row) throw new DeliveryDecisionError('not_found', 'no such delivery');
    if (row.state !== 'ambiguous' && row.state !== 'error' && row.state !== 'rejected') {
      throw new DeliveryDecisionError('wrong_state', `a ${row.state} delivery cannot be resent`);
    }
    const now = deps.now();
    await trx
      .updateTable('deliveries')
      .set({
        state: 'pending',
        state_reason: `resend requested by a person after ${row.state}`,
        resolution: 'resent',
        resolved_by: who.userId,
        resolved_session_id: who.sessionId,
        resolved_at: now,
        resend_count: row.resend_count + 1,
        not_sent_streak: 0,
        current_attempt_written: false,
        next_attempt_at: now,
      })
      .where('id', '=', deliveryId)
      .execute();
    await trx.insertInto('delivery_events').values({
      delivery_id: deliveryId, kind: 'resend_requested', reason: `after ${row.state}`, actor: who.userId,
      details: JSON.stringify({ sessionId: who.sessionId, resend: row.resend_count + 1 }),
    }).execute();
    await deps.boss.send(DELIVERY_QUEUE, { deliveryId }, { db: fromKysely(trx) });
    const doc = await trx.selectFrom('documents').select('data_key_id').where('id', '=', row.document_id).executeTakeFirstOrThrow();
    await recordAudit(trx, deps.vault, rc, {
      action: 'delivery.resend',
      objectType: 'requisition',
      objectId: row.requisition_id,
      ...(note !== null ? { after: { note }, sealWith: doc.data_key_id } : {}),
      details: { deliveryId, controlId: row.control_id, fromState: row.state, toState: 'pending', resend: row.resend_count + 1 },
    });
    return { deliveryId, state: 'pending' as const };
  });
}

/**
 * "Received by the LIS": the person found the order in the LIS; the delivery is settled as
 * acked without sending anything. The LIS order number they read there may be recorded.
 */
export async function markReceivedByLis(
  deps: Pick<DeliveryDeps, 'db' | 'vault' | 'now' | 'requisitions'>,
  rc: RequestContext,
  deliveryId: string,
  found: { lisOrderNumber: string | null; note?: string | null },
): Promise<DecisionResult> {
  const who = person(rc);
  return deps.db.transaction().execute(async (trx: DeliveryDb) => {
    const row = await trx.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).forUpdate().executeTakeFirst();
    if (!row) throw new DeliveryDecisionError('not_found', 'no such delivery');
    if (row.state !== 'ambiguous' && row.state !== 'error') {
      throw new DeliveryDecisionError('wrong_state', `a ${row.state} delivery cannot be marked as received`);
    }
    const now = deps.now();
    await trx
      .updateTable('deliveries')
      .set({
        state: 'acked',
        state_reason: `marked as received by the LIS by a person after ${row.state}`,
        resolution: 'marked_received',
        resolved_by: who.userId,
        resolved_session_id: who.sessionId,
        resolved_at: now,
        lis_order_number: found.lisOrderNumber ?? row.lis_order_number,
        lease_until: null,
      })
      .where('id', '=', deliveryId)
      .execute();
    await trx.insertInto('delivery_events').values({
      delivery_id: deliveryId, kind: 'marked_received', reason: `after ${row.state}`, actor: who.userId,
      details: JSON.stringify({ sessionId: who.sessionId, lisOrderNumber: found.lisOrderNumber }),
    }).execute();
    await deps.requisitions.delivered(trx, row.requisition_id, { deliveryId, state: 'acked', ackCode: row.ack_code, lisOrderNumber: found.lisOrderNumber ?? row.lis_order_number });
    const doc = await trx.selectFrom('documents').select('data_key_id').where('id', '=', row.document_id).executeTakeFirstOrThrow();
    await recordAudit(trx, deps.vault, rc, {
      action: 'delivery.mark_received',
      objectType: 'requisition',
      objectId: row.requisition_id,
      ...(found.note ? { after: { note: found.note }, sealWith: doc.data_key_id } : {}),
      details: { deliveryId, controlId: row.control_id, fromState: row.state, toState: 'acked', lisOrderNumber: found.lisOrderNumber },
    });
    return { deliveryId, state: 'acked' as const };
  });
}
