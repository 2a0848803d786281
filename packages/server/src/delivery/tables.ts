/**
 * Kysely row types for the delivery tables (migration 050). `db/schema.ts` includes them in the
 * application's `Database` type: `type Database = CoreTables & DeliveryTables`.
 * Sealed (encrypted) columns are `Buffer`.
 */
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { LisOrder } from './hl7/ack.ts';
import type { LisConnection } from './order.ts';

type TimestampNullable = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type DeliveryState = 'pending' | 'sending' | 'acked' | 'rejected' | 'error' | 'ambiguous';
export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'sending', 'acked', 'rejected', 'error', 'ambiguous'];

/** The connection as stored with a delivery: where its bytes go, whatever the settings say later. */
export type StoredConnection = Pick<LisConnection, 'host' | 'port' | 'tls' | 'profile' | 'ackTimeoutSeconds'> & {
  tlsCaPem: string | null;
  tlsServerName: string | null;
};

export interface DeliveriesTable {
  id: string;
  requisition_id: string;
  document_id: string;
  control_id: string;
  placer_order_number: string;
  profile: LisConnection['profile'];
  connection: Json<StoredConnection>;
  payload: Buffer;
  payload_sha256: string;
  payload_bytes: number;
  state: DeliveryState;
  state_reason: string | null;
  attempts: Generated<number>;
  not_sent_streak: Generated<number>;
  current_attempt_written: Generated<boolean>;
  lease_until: TimestampNullable;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  ack_code: string | null;
  ack_control_id: string | null;
  ack_message: Buffer | null;
  ack_text: Buffer | null;
  lis_order_number: string | null;
  lis_orders: ColumnType<LisOrder[], string | undefined, string>;
  acked_at: TimestampNullable;
  resolution: 'resent' | 'marked_received' | null;
  resolved_by: string | null;
  resolved_session_id: string | null;
  resolved_at: TimestampNullable;
  resend_count: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type DeliveryEventKind =
  | 'enqueued'
  | 'attempt_started'
  | 'writing'
  | 'acked'
  | 'not_sent'
  | 'ambiguous'
  | 'interrupted'
  | 'unmatched_frame'
  | 'late_ack'
  | 'gave_up'
  | 'resend_requested'
  | 'marked_received';

export interface DeliveryEventsTable {
  id: Generated<string>;
  delivery_id: string;
  at: Generated<Date>;
  attempt: number | null;
  kind: DeliveryEventKind;
  reason: string | null;
  ack_code: string | null;
  actor: string;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface DeliveryTables {
  deliveries: DeliveriesTable;
  delivery_events: DeliveryEventsTable;
}

/**
 * The database as the delivery area sees it. Once `Database` includes `DeliveryTables`, this is
 * `Database` itself and `asDeliveryDb` is the identity.
 */
export type DeliveryDatabase = Database & DeliveryTables;
export type DeliveryDb = Kysely<DeliveryDatabase>;

export function asDeliveryDb(db: Kysely<Database>): DeliveryDb {
  return db as unknown as DeliveryDb;
}
