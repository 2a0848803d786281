/** The delivery area behind the requisitions area's `DeliveryPort`. */
import type { PgBoss } from 'pg-boss';
import type { Vault } from '../crypto/vault.ts';
import type { Executor } from '../db/schema.ts';
import { allocateControlId, enqueueDelivery } from '../delivery/outbox/outbox.ts';
import { asDeliveryDb } from '../delivery/tables.ts';
import type { DeliveryPort, DeliveryStatus } from '../requisitions/delivery-port.ts';

export function deliveryPort(deps: { vault: Vault; boss: Pick<PgBoss, 'send'> }): DeliveryPort {
  return {
    allocateControlId: (trx) => allocateControlId(asDeliveryDb(trx)),
    async enqueue(trx, order, connection) {
      const d = await enqueueDelivery({ vault: deps.vault, boss: deps.boss }, asDeliveryDb(trx), order, connection);
      return { id: d.id, state: d.state };
    },
    async status(db: Executor, requisitionIds: string[]) {
      const out = new Map<string, DeliveryStatus>();
      if (requisitionIds.length === 0) return out;
      const rows = await db
        .selectFrom('deliveries')
        .select(['id', 'requisition_id', 'state', 'ack_code', 'lis_order_number', 'control_id'])
        .where('requisition_id', 'in', requisitionIds)
        .execute();
      for (const r of rows) out.set(r.requisition_id, { id: r.id, state: r.state, ackCode: r.ack_code, lisOrderNumber: r.lis_order_number, controlId: r.control_id });
      return out;
    },
  };
}
