/**
 * The delivery area as one object for the application to hold: build it once at start-up with
 * the shared context, hand `enqueueDelivery` to the release code, start the worker, and route
 * a person's decisions to it.
 */
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { RequestContext } from '../../audit/audit.ts';
import type { Database } from '../../db/schema.ts';
import type { ConfirmedOrder, LisConnection } from '../order.ts';
import { asDeliveryDb } from '../tables.ts';
import { markReceivedByLis, resendAnyway, type DecisionResult } from './decisions.ts';
import { allocateControlId, type DeliveryDeps, enqueueDelivery, type EnqueuedDelivery } from './outbox.ts';
import { deliveriesNeedingAttention, deliveryById, deliveryEvents, deliveryForRequisition, type DeliveryEventView, type DeliverySummary, openAckText } from './view.ts';
import { DeliveryWorker, type WorkerOptions } from './worker.ts';

export interface DeliveryService {
  /** Inside the release transaction, after the requisition is `released`. */
  enqueueDelivery(trx: Kysely<Database>, order: ConfirmedOrder, connection: LisConnection): Promise<EnqueuedDelivery>;
  allocateControlId(db: Kysely<Database>): Promise<string>;
  startWorker(boss: PgBoss): Promise<void>;
  stopWorker(): Promise<void>;
  resendAnyway(rc: RequestContext, deliveryId: string, note?: string | null): Promise<DecisionResult>;
  markReceivedByLis(rc: RequestContext, deliveryId: string, found: { lisOrderNumber: string | null; note?: string | null }): Promise<DecisionResult>;
  forRequisition(requisitionId: string): Promise<DeliverySummary | null>;
  byId(deliveryId: string): Promise<DeliverySummary | null>;
  needingAttention(limit?: number): Promise<DeliverySummary[]>;
  events(deliveryId: string): Promise<DeliveryEventView[]>;
  /** PHI possible: audit the view. */
  ackText(deliveryId: string): Promise<string | null>;
}

export function createDeliveryService(deps: DeliveryDeps, workerOptions: WorkerOptions = {}): DeliveryService {
  const worker = new DeliveryWorker(deps, workerOptions);
  return {
    enqueueDelivery: (trx, order, connection) => enqueueDelivery(deps, asDeliveryDb(trx), order, connection),
    allocateControlId: (db) => allocateControlId(asDeliveryDb(db)),
    startWorker: (boss) => worker.start(boss),
    stopWorker: () => worker.stop(),
    resendAnyway: (rc, id, note) => resendAnyway(deps, rc, id, note ?? null),
    markReceivedByLis: (rc, id, found) => markReceivedByLis(deps, rc, id, found),
    forRequisition: (id) => deliveryForRequisition(deps.db, id),
    byId: (id) => deliveryById(deps.db, id),
    needingAttention: (limit) => deliveriesNeedingAttention(deps.db, limit),
    events: (id) => deliveryEvents(deps.db, id),
    ackText: (id) => openAckText(deps.db, deps.vault, id),
  };
}
