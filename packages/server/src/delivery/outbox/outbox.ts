/**
 * The HL7 outbox: a released order becomes a `deliveries` row holding the exact bytes to send
 * (sealed with the document's data key) plus a durable job, both in the release transaction,
 * so an order is never released without its delivery nor delivered without its release.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { fromKysely } from 'pg-boss';
import type { Logger } from 'pino';
import type { Vault } from '../../crypto/vault.ts';
import { buildOrderMessage } from '../hl7/order-message.ts';
import type { ConfirmedOrder, LisConnection } from '../order.ts';
import type { DeliveryDb, DeliveryState, StoredConnection } from '../tables.ts';

export const DELIVERY_QUEUE = 'delivery-send';

/**
 * The queue's pg-boss options, for `installJobQueue(ownerUrl, DELIVERY_QUEUE_OPTIONS)`. pg-boss
 * retries only a handler that crashed; delivery retries are decided by the worker itself.
 */
export const DELIVERY_QUEUE_OPTIONS = {
  [DELIVERY_QUEUE]: { retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 900 },
} as const;

export interface JobQueue {
  send(name: string, data: object, options: object): Promise<unknown>;
}

export interface DeliveryDeps {
  /** The application role's pool. */
  db: DeliveryDb;
  vault: Vault;
  /** pg-boss (or anything with its `send`): jobs are sent inside our transactions. */
  boss: JobQueue;
  /** Identifiers only: never a field value. */
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  now(): Date;
  requisitions: RequisitionDeliveryHooks;
}

/**
 * What the requisitions area does when a delivery settles; called inside the transaction that
 * records the outcome, so the requisition's state and the delivery's never disagree.
 */
export interface RequisitionDeliveryHooks {
  /** The LIS accepted the order (AA/CA), or a person marked it received. → `delivered`. */
  delivered(trx: DeliveryDb, requisitionId: string, info: DeliverySettled): Promise<void>;
  /** Rejected, error, ambiguous or given up: a person must look. → `delivery_failed`. */
  deliveryFailed(trx: DeliveryDb, requisitionId: string, info: DeliverySettled): Promise<void>;
}

export interface DeliverySettled {
  deliveryId: string;
  state: DeliveryState;
  ackCode: string | null;
  lisOrderNumber: string | null;
}

export const payloadContext = (deliveryId: string) => `delivery:${deliveryId}:payload`;
export const ackContext = (deliveryId: string) => `delivery:${deliveryId}:ack`;
export const ackTextContext = (deliveryId: string) => `delivery:${deliveryId}:ack_text`;

/** A control id from the database sequence: `NX` + 12 digits, unique for the life of the database. */
export async function allocateControlId(db: DeliveryDb): Promise<string> {
  const row = await sql<{ n: string }>`SELECT nextval('delivery_control_id_seq')::text AS n`.execute(db);
  return `NX${row.rows[0]!.n.padStart(12, '0')}`;
}

export function storedConnection(c: LisConnection): StoredConnection {
  return {
    host: c.host,
    port: c.port,
    tls: c.tls,
    profile: c.profile,
    ackTimeoutSeconds: c.ackTimeoutSeconds,
    tlsCaPem: c.tlsCaPem ?? null,
    tlsServerName: c.tlsServerName ?? null,
  };
}

export interface EnqueuedDelivery {
  id: string;
  state: 'pending';
  controlId: string;
  payloadSha256: string;
}

/**
 * Call inside the release transaction, after the requisition is `released`. Builds the message
 * (an `OrderMessageError` here aborts the release: nothing half-done), stores the bytes sealed,
 * and queues the send. The worker picks it up after commit.
 */
export async function enqueueDelivery(
  deps: Pick<DeliveryDeps, 'vault' | 'boss'>,
  trx: DeliveryDb,
  order: ConfirmedOrder,
  connection: LisConnection,
): Promise<EnqueuedDelivery> {
  const text = buildOrderMessage(order, connection);
  const bytes = Buffer.from(text, 'utf8');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const doc = await trx.selectFrom('documents').select('data_key_id').where('id', '=', order.document.id).executeTakeFirstOrThrow();
  const id = randomUUID();
  const sealed = await deps.vault.seal(trx, doc.data_key_id, bytes, payloadContext(id));
  await trx
    .insertInto('deliveries')
    .values({
      id,
      requisition_id: order.requisitionId,
      document_id: order.document.id,
      control_id: order.controlId,
      placer_order_number: order.placerOrderNumber,
      profile: connection.profile,
      connection: JSON.stringify(storedConnection(connection)),
      payload: sealed,
      payload_sha256: sha256,
      payload_bytes: bytes.length,
      state: 'pending',
      next_attempt_at: order.messageTime,
    })
    .execute();
  await trx
    .insertInto('delivery_events')
    .values({ delivery_id: id, kind: 'enqueued', actor: 'release', details: JSON.stringify({ profile: connection.profile, bytes: bytes.length, sha256 }) })
    .execute();
  await deps.boss.send(DELIVERY_QUEUE, { deliveryId: id }, { db: fromKysely(trx) });
  return { id, state: 'pending', controlId: order.controlId, payloadSha256: sha256 };
}
