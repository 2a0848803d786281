/**
 * A real database (fresh, migrated), real pg-boss, a vault, and released requisitions made the
 * way the requisitions area makes them: fields reviewed by a person in a live MFA session,
 * identity confirmed, validation passed, then the guarded release UPDATE. Test-only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Vault } from '../../crypto/vault.ts';
import type { Database } from '../../db/schema.ts';
import { installJobQueue, startJobBoss } from '../../jobs/boss.ts';
import { appDb, tempDir, testVault } from '../../test/context.ts';
import { freshDatabase, type TestDatabase } from '../../test/db.ts';
import type { ConfirmedOrder, LisConnection } from '../order.ts';
import { DELIVERY_QUEUE_OPTIONS, type DeliveryDeps, enqueueDelivery, type RequisitionDeliveryHooks } from '../outbox/outbox.ts';
import { asDeliveryDb, type DeliveryDb } from '../tables.ts';
import { syntheticOrder } from './fixtures.ts';

export interface Person {
  userId: string;
  sessionId: string;
}

export interface Harness {
  tdb: TestDatabase;
  db: DeliveryDb;
  vault: Vault;
  boss: PgBoss;
  deps: DeliveryDeps;
  /** Moves the deps' clock. */
  advance(ms: number): void;
  reviewer: Person;
  lead: Person;
  /** Creates a requisition and releases it; with `enqueue`, enqueues in the same transaction. */
  release(order?: Partial<ConfirmedOrder>, connection?: LisConnection, enqueue?: boolean): Promise<{ order: ConfirmedOrder; deliveryId: string | null }>;
  /** Creates a requisition that is ready for review (not released). */
  unreleased(): Promise<{ requisitionId: string; documentId: string }>;
  requisitionState(id: string): Promise<string>;
  close(): Promise<void>;
}

/** The requisitions area's part, done here with plain SQL for the delivery tests. */
export const sqlRequisitionHooks: RequisitionDeliveryHooks = {
  async delivered(trx, requisitionId) {
    await trx.updateTable('requisitions').set({ state: 'delivered' }).where('id', '=', requisitionId).execute();
  },
  async deliveryFailed(trx, requisitionId) {
    await trx.updateTable('requisitions').set({ state: 'delivery_failed' }).where('id', '=', requisitionId).execute();
  },
};

let serial = 0;

/** A read requisition, ready for review, with one patient field; its document has a data key. */
export async function makeUnreleasedRequisition(core: Kysely<Database>, vault: Vault): Promise<{ requisitionId: string; documentId: string }> {
  const keyId = await vault.createDataKey(core, 'document');
  const doc = await core
    .insertInto('documents')
    .values({ source: 'upload', sha256: randomBytes(32).toString('hex'), size_bytes: 1234, format: 'tiff', page_count: 1, status: 'read', data_key_id: keyId, blob_key: `test/${randomUUID()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const req = await core
    .insertInto('requisitions')
    .values({ document_id: doc.id, pages: [0], state: 'ready_for_review', priority: 'stat', received_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await core
    .insertInto('requisition_fields')
    .values({
      requisition_id: req.id, key: 'patient.last_name', label: 'Last name', section: 'Patient', ord: 1, kind: 'text', role: 'patient.last_name',
      meaning: JSON.stringify({ role: 'patient.last_name' }), page: 0, region: JSON.stringify({ x: 0, y: 0, w: 10, h: 10 }), method: 'ocr',
    })
    .execute();
  return { requisitionId: req.id, documentId: doc.id };
}

/**
 * A requisition released through the guarded UPDATE (field reviewed, identity confirmed,
 * validation passed, by `reviewer` in a live MFA session), with `enqueue` run in the same
 * transaction as the release, as the requisitions area does.
 */
export async function makeReleasedRequisition(opts: {
  db: Kysely<Database>;
  vault: Vault;
  reviewer: Person;
  now: Date;
  overrides?: Partial<ConfirmedOrder>;
  connection?: LisConnection;
  enqueue?: (trx: Kysely<Database>, order: ConfirmedOrder, connection: LisConnection) => Promise<{ id: string }>;
}): Promise<{ order: ConfirmedOrder; deliveryId: string | null }> {
  const { db: core, reviewer } = opts;
  const { requisitionId, documentId } = await makeUnreleasedRequisition(core, opts.vault);
  await core
    .updateTable('requisition_fields')
    .set({ review_state: 'confirmed', reviewed_by: reviewer.userId, reviewed_session_id: reviewer.sessionId, reviewed_at: new Date() })
    .where('requisition_id', '=', requisitionId)
    .execute();
  const rev = await core.selectFrom('requisitions').select(['field_revision', 'identity_fields_revision']).where('id', '=', requisitionId).executeTakeFirstOrThrow();
  await core
    .updateTable('requisitions')
    .set({
      identity_confirmed_by: reviewer.userId, identity_confirmed_at: new Date(), identity_session_id: reviewer.sessionId,
      identity_identifiers: ['name', 'dob'], identity_revision: rev.identity_fields_revision,
      validation_passed: true, validation_revision: rev.field_revision, validation: JSON.stringify({ passed: true }),
    })
    .where('id', '=', requisitionId)
    .execute();
  serial += 1;
  const base = syntheticOrder();
  const order: ConfirmedOrder = {
    ...base,
    requisitionId,
    placerOrderNumber: `REQ${serial}${randomBytes(2).toString('hex')}`,
    controlId: `NXT${String(serial).padStart(8, '0')}${randomBytes(2).toString('hex')}`,
    messageTime: opts.now,
    document: { ...base.document, id: documentId },
    ...opts.overrides,
  };
  let deliveryId: string | null = null;
  await core.transaction().execute(async (trx) => {
    await trx
      .updateTable('requisitions')
      .set({ state: 'released', released_by: reviewer.userId, released_at: new Date(), released_session_id: reviewer.sessionId, placer_order_number: order.placerOrderNumber, control_id: order.controlId })
      .where('id', '=', requisitionId)
      .execute();
    if (opts.enqueue && opts.connection) deliveryId = (await opts.enqueue(trx, order, opts.connection)).id;
  });
  return { order, deliveryId };
}

export async function makePerson(db: Kysely<Database>, roles: string[]): Promise<Person> {
  serial += 1;
  const user = await db
    .insertInto('users')
    .values({ username: `person${serial}${randomBytes(3).toString('hex')}`, display_name: 'Test Person', roles: roles as never, status: 'active', password_hash: 'not-a-real-hash', totp_secret: Buffer.from([1]) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const session = await db
    .insertInto('sessions')
    .values({ token_hash: randomBytes(32), user_id: user.id, stage: 'full', csrf: 'x', mfa_verified_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { userId: user.id, sessionId: session.id };
}

export async function startHarness(): Promise<Harness> {
  const tdb = await freshDatabase();
  await installJobQueue(tdb.ownerUrl, DELIVERY_QUEUE_OPTIONS);
  const core = appDb(tdb.appUrl);
  const db = asDeliveryDb(core);
  const vault = await testVault(await tempDir('nx-deliv-'));
  const boss = await startJobBoss(tdb.appUrl, () => undefined);
  let offset = 0;
  const deps: DeliveryDeps = {
    db,
    vault,
    boss,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as DeliveryDeps['log'],
    now: () => new Date(Date.now() + offset),
    requisitions: sqlRequisitionHooks,
  };
  const reviewer = await makePerson(core, ['reviewer']);
  const lead = await makePerson(core, ['reviewer', 'lead_reviewer']);

  const unreleased = () => makeUnreleasedRequisition(core, vault);
  async function release(overrides: Partial<ConfirmedOrder> = {}, connection?: LisConnection, enqueue = true) {
    return makeReleasedRequisition({
      db: core,
      vault,
      reviewer,
      now: deps.now(),
      overrides,
      ...(enqueue && connection ? { connection, enqueue: (trx, order, c) => enqueueDelivery(deps, asDeliveryDb(trx), order, c) } : {}),
    });
  }

  return {
    tdb,
    db,
    vault,
    boss,
    deps,
    advance(ms) {
      offset += ms;
    },
    reviewer,
    lead,
    release,
    unreleased,
    async requisitionState(id) {
      return (await core.selectFrom('requisitions').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;
    },
    async close() {
      await boss.stop({ graceful: false });
      await core.destroy();
      await tdb.drop();
    },
  };
}
