/**
 * How the requisitions area hands a released order to the delivery area: inside the release
 * transaction (an outbox row), so a released requisition always has its delivery and a failed
 * release leaves none. The delivery area implements it (`src/delivery/`); `LisSettings` is where
 * the LIS connection is kept.
 */
import type { ConfirmedOrder, LisConnection } from '../delivery/order.ts';
import type { Executor } from '../db/schema.ts';

export interface DeliveryStatus {
  id: string;
  state: string;
  ackCode: string | null;
  lisOrderNumber: string | null;
  controlId: string | null;
}

export interface DeliveryPort {
  /** MSH-10 for a new order: unique, at most 20 characters. */
  allocateControlId(trx: Executor): Promise<string>;
  enqueue(trx: Executor, order: ConfirmedOrder, connection: LisConnection): Promise<{ id: string; state: string }>;
  /** The latest delivery of each requisition. */
  status(db: Executor, requisitionIds: string[]): Promise<Map<string, DeliveryStatus>>;
}

export const DEFAULT_LIS: Omit<LisConnection, 'host' | 'port'> = {
  tls: false,
  profile: 'OML_O21',
  sendingApplication: 'NEXESSION',
  sendingFacility: 'NEXESSION',
  receivingApplication: 'LIS',
  receivingFacility: 'LAB',
  ackTimeoutSeconds: 30,
};

export async function getLisConnection(db: Executor): Promise<LisConnection | null> {
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', 'lis_connection').executeTakeFirst();
  return row ? (row.value as LisConnection) : null;
}

export async function setLisConnection(db: Executor, connection: LisConnection): Promise<void> {
  await db
    .insertInto('app_settings')
    .values({ key: 'lis_connection', value: JSON.stringify(connection) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(connection), updated_at: new Date() }))
    .execute();
}
