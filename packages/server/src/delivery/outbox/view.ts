/**
 * Reading deliveries for the API: the state a reviewer sees on a requisition, the list a lead
 * works through, and the event history. No PHI here except the ACK text, which is opened only
 * on request (the caller audits that view).
 */
import type { Vault } from '../../crypto/vault.ts';
import type { DeliveryDb, DeliveryEventKind, DeliveryState } from '../tables.ts';
import { ackTextContext } from './outbox.ts';

export interface DeliverySummary {
  id: string;
  requisitionId: string;
  state: DeliveryState;
  stateReason: string | null;
  controlId: string;
  profile: 'OML_O21' | 'ORM_O01';
  ackCode: string | null;
  lisOrderNumber: string | null;
  attempts: number;
  resendCount: number;
  resolution: 'resent' | 'marked_received' | null;
  payloadSha256: string;
  createdAt: string;
  updatedAt: string;
  ackedAt: string | null;
  /** True when a person must decide (ambiguous, error, rejected). */
  needsPerson: boolean;
}

const NEEDS_PERSON: readonly DeliveryState[] = ['ambiguous', 'error', 'rejected'];

function summary(r: {
  id: string; requisition_id: string; state: DeliveryState; state_reason: string | null; control_id: string; profile: 'OML_O21' | 'ORM_O01';
  ack_code: string | null; lis_order_number: string | null; attempts: number; resend_count: number; resolution: 'resent' | 'marked_received' | null;
  payload_sha256: string; created_at: Date; updated_at: Date; acked_at: Date | null;
}): DeliverySummary {
  return {
    id: r.id,
    requisitionId: r.requisition_id,
    state: r.state,
    stateReason: r.state_reason,
    controlId: r.control_id,
    profile: r.profile,
    ackCode: r.ack_code,
    lisOrderNumber: r.lis_order_number,
    attempts: r.attempts,
    resendCount: r.resend_count,
    resolution: r.resolution,
    payloadSha256: r.payload_sha256,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    ackedAt: r.acked_at?.toISOString() ?? null,
    needsPerson: NEEDS_PERSON.includes(r.state),
  };
}

const COLUMNS = [
  'id', 'requisition_id', 'state', 'state_reason', 'control_id', 'profile', 'ack_code', 'lis_order_number', 'attempts',
  'resend_count', 'resolution', 'payload_sha256', 'created_at', 'updated_at', 'acked_at',
] as const;

export async function deliveryForRequisition(db: DeliveryDb, requisitionId: string): Promise<DeliverySummary | null> {
  const row = await db.selectFrom('deliveries').select(COLUMNS).where('requisition_id', '=', requisitionId).executeTakeFirst();
  return row ? summary(row) : null;
}

export async function deliveryById(db: DeliveryDb, id: string): Promise<DeliverySummary | null> {
  const row = await db.selectFrom('deliveries').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? summary(row) : null;
}

/** Deliveries a person must decide about, oldest first. */
export async function deliveriesNeedingAttention(db: DeliveryDb, limit = 100): Promise<DeliverySummary[]> {
  const rows = await db.selectFrom('deliveries').select(COLUMNS).where('state', 'in', [...NEEDS_PERSON]).orderBy('updated_at').limit(limit).execute();
  return rows.map(summary);
}

export interface DeliveryEventView {
  at: string;
  attempt: number | null;
  kind: DeliveryEventKind;
  reason: string | null;
  ackCode: string | null;
  actor: string;
  details: Record<string, unknown>;
}

export async function deliveryEvents(db: DeliveryDb, deliveryId: string): Promise<DeliveryEventView[]> {
  const rows = await db.selectFrom('delivery_events').selectAll().where('delivery_id', '=', deliveryId).orderBy('id').execute();
  return rows.map((e) => ({ at: e.at.toISOString(), attempt: e.attempt, kind: e.kind, reason: e.reason, ackCode: e.ack_code, actor: e.actor, details: e.details }));
}

/** The LIS's ACK text (may name the patient): open only for a person's view, and audit it. */
export async function openAckText(db: DeliveryDb, vault: Vault, deliveryId: string): Promise<string | null> {
  const row = await db.selectFrom('deliveries').select('ack_text').where('id', '=', deliveryId).executeTakeFirst();
  if (!row?.ack_text) return null;
  return (await vault.open(db, row.ack_text, ackTextContext(deliveryId))).toString('utf8');
}
