/**
 * The outbox end to end on a real PostgreSQL, real pg-boss, the real LIS simulator over TCP.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrderMessageError } from '../hl7/order-message.ts';
import { type Behaviour, type LisSimulator, startLisSimulator } from '../lis-sim/simulator.ts';
import { syntheticConnection } from '../testing/fixtures.ts';
import { type Harness, startHarness } from '../testing/outbox-harness.ts';
import { enqueueDelivery, payloadContext } from './outbox.ts';
import { deliveryEvents, deliveryForRequisition } from './view.ts';
import { DeliveryWorker } from './worker.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function simulator(behaviour?: Behaviour | ((ctx: { index: number }) => Behaviour)): Promise<LisSimulator> {
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-outbox-sim-'));
  const sim = await startLisSimulator({ port: 0, outDir, ...(behaviour ? { behaviour } : {}) });
  cleanups.push(() => fs.rm(outDir, { recursive: true, force: true }), () => sim.close());
  return sim;
}

function worker(options: ConstructorParameters<typeof DeliveryWorker>[1] = {}): DeliveryWorker {
  const w = new DeliveryWorker(h.deps, { sweepIntervalMs: 0, connectTimeoutMs: 2000, ...options });
  cleanups.push(() => w.stop());
  return w;
}

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const events = async (id: string) => (await deliveryEvents(h.db, id)).map((e) => e.kind);

describe('outbox: release → pg-boss → worker → LIS', () => {
  it('delivers a released order once, records the ACK and LIS order number, and marks the requisition delivered', async () => {
    const sim = await simulator();
    const { order, deliveryId } = await h.release({}, syntheticConnection({ port: sim.port }));
    const w = worker();
    await w.start(h.boss);
    const d = await until(() => deliveryForRequisition(h.db, order.requisitionId), (d) => d?.state === 'acked');
    expect(d).toMatchObject({ id: deliveryId, state: 'acked', ackCode: 'AA', lisOrderNumber: 'ACC100001', controlId: order.controlId, attempts: 1, needsPerson: false });
    expect(await h.requisitionState(order.requisitionId)).toBe('delivered');
    expect(await events(deliveryId!)).toEqual(['enqueued', 'attempt_started', 'writing', 'acked']);
    // The simulator got exactly the stored bytes; at rest they are sealed, not plaintext.
    expect(sim.received).toHaveLength(1);
    const row = await h.db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId!).executeTakeFirstOrThrow();
    expect(row.payload_sha256).toBe(sim.received[0]!.sha256);
    expect(row.payload.includes(Buffer.from(order.patient.lastName!))).toBe(false);
    const opened = await h.vault.open(h.db, row.payload, payloadContext(deliveryId!));
    expect(opened.toString('utf8')).toContain(`PID|1||${order.patient.mrn}^^^^MR||${order.patient.lastName}^`);
    const audit = await h.db.selectFrom('audit_events').select(['action', 'details']).where('object_id', '=', order.requisitionId).execute();
    expect(audit.map((a) => a.action)).toEqual(['delivery.acked']);
    expect(JSON.parse(audit[0]!.details!)).toMatchObject({ deliveryId, ackCode: 'AA', lisOrderNumber: 'ACC100001' });
  });

  it('sends nothing when the release transaction rolls back', async () => {
    const sim = await simulator();
    const before = await h.db.selectFrom('deliveries').select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const { requisitionId, documentId } = await h.unreleased();
    await expect(h.db.transaction().execute(async (trx) => {
      await enqueueDelivery(h.deps, trx, { ...(await import('../testing/fixtures.ts')).syntheticOrder(), requisitionId, document: { ...(await import('../testing/fixtures.ts')).syntheticOrder().document, id: documentId } }, syntheticConnection({ port: sim.port }));
    })).rejects.toThrow(/only a released requisition is delivered/);
    const after = await h.db.selectFrom('deliveries').select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('refuses to release an order the builder cannot write faithfully', async () => {
    await expect(h.release({ patient: { ...(await import('../testing/fixtures.ts')).syntheticOrder().patient, dob: '1985-02-29' } }, syntheticConnection())).rejects.toBeInstanceOf(OrderMessageError);
  });

  it.each([
    [{ kind: 'reject' } as Behaviour, 'rejected', 'AR'],
    [{ kind: 'error' } as Behaviour, 'error', 'AE'],
  ])('records %j as %s for a person, requisition delivery_failed', async (behaviour, state, code) => {
    const sim = await simulator(behaviour);
    const { order, deliveryId } = await h.release({}, syntheticConnection({ port: sim.port }));
    const w = worker();
    expect(await w.process(deliveryId!)).toEqual({ kind: 'done', state, outcome: 'acked' });
    const d = await deliveryForRequisition(h.db, order.requisitionId);
    expect(d).toMatchObject({ state, ackCode: code, lisOrderNumber: null, needsPerson: true });
    expect(await h.requisitionState(order.requisitionId)).toBe('delivery_failed');
    // A duplicate job finds nothing to do: nothing is sent twice.
    expect(await w.process(deliveryId!)).toEqual({ kind: 'skipped', state });
    expect(sim.received).toHaveLength(1);
  });

  it('makes a message without ACK ambiguous and never sends it again by itself', async () => {
    const sim = await simulator({ kind: 'no_reply' });
    const { order, deliveryId } = await h.release({}, syntheticConnection({ port: sim.port, ackTimeoutSeconds: 0.3 }));
    const w = worker();
    expect(await w.process(deliveryId!)).toEqual({ kind: 'done', state: 'ambiguous', outcome: 'ambiguous' });
    expect(await w.process(deliveryId!)).toEqual({ kind: 'skipped', state: 'ambiguous' });
    h.advance(3_600_000);
    await w.sweep();
    expect(await w.process(deliveryId!)).toEqual({ kind: 'skipped', state: 'ambiguous' });
    h.advance(-3_600_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.received).toHaveLength(1);
    expect(await deliveryForRequisition(h.db, order.requisitionId)).toMatchObject({ state: 'ambiguous', needsPerson: true, attempts: 1 });
    expect(await h.requisitionState(order.requisitionId)).toBe('delivery_failed');
    expect(await events(deliveryId!)).toEqual(['enqueued', 'attempt_started', 'writing', 'ambiguous']);
  });

  it('retries a refused connection with backoff, the same bytes, then delivers', async () => {
    const { freeClosedPort } = await import('../testing/raw-peer.ts');
    const port = await freeClosedPort();
    const { order, deliveryId } = await h.release({}, syntheticConnection({ port }));
    const w = worker({ backoffSeconds: [10, 20] });
    expect(await w.process(deliveryId!)).toEqual({ kind: 'done', state: 'pending', outcome: 'not_sent' });
    const row = await h.db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'pending', attempts: 1, not_sent_streak: 1, current_attempt_written: false });
    expect(row.next_attempt_at.getTime() - h.deps.now().getTime()).toBeGreaterThan(8_000);
    // Not due yet: nothing happens.
    expect(await w.process(deliveryId!)).toEqual({ kind: 'not_due' });
    // The LIS comes up on that port; after the backoff the same bytes go out once.
    const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-outbox-sim-'));
    const sim = await startLisSimulator({ port, outDir });
    cleanups.push(() => fs.rm(outDir, { recursive: true, force: true }), () => sim.close());
    h.advance(11_000);
    try {
      expect(await w.process(deliveryId!)).toEqual({ kind: 'done', state: 'acked', outcome: 'acked' });
    } finally {
      h.advance(-11_000);
    }
    expect(sim.received.map((r) => [r.controlId, r.sha256])).toEqual([[order.controlId, row.payload_sha256]]);
    expect(await events(deliveryId!)).toEqual(['enqueued', 'attempt_started', 'not_sent', 'attempt_started', 'writing', 'acked']);
  });

  it('gives up after the limit of attempts that never left, as error for a person', async () => {
    const { freeClosedPort } = await import('../testing/raw-peer.ts');
    const { order, deliveryId } = await h.release({}, syntheticConnection({ port: await freeClosedPort() }));
    const w = worker({ maxNotSentAttempts: 3, backoffSeconds: [0] });
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push((await w.process(deliveryId!)) as { state?: string });
    expect(results.map((r) => r.state)).toEqual(['pending', 'pending', 'error']);
    expect(await deliveryForRequisition(h.db, order.requisitionId)).toMatchObject({ state: 'error', attempts: 3, needsPerson: true });
    expect((await events(deliveryId!)).slice(-2)).toEqual(['not_sent', 'gave_up']);
    expect(await h.requisitionState(order.requisitionId)).toBe('delivery_failed');
  });
});

describe('outbox: housekeeping', () => {
  it('logs identifiers only, never a value from the order', async () => {
    const sim = await simulator();
    const { order, deliveryId } = await h.release({}, syntheticConnection({ port: sim.port }));
    const lines: string[] = [];
    const capture = (obj: unknown, msg?: string) => {
      lines.push(JSON.stringify(obj) + (msg ?? ''));
    };
    const w = new DeliveryWorker({ ...h.deps, log: { info: capture, warn: capture, error: capture } as unknown as typeof h.deps.log }, { sweepIntervalMs: 0 });
    cleanups.push(() => w.stop());
    expect(await w.process(deliveryId!)).toMatchObject({ state: 'acked' });
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join('\n');
    for (const phi of [order.patient.lastName!, order.patient.firstName!, order.patient.mrn!, '19840229', '1984-02-29', order.provider.lastName!, order.icd10[0]!]) {
      expect(all).not.toContain(phi);
    }
    expect(all).toContain(deliveryId!);
  });

  it('re-queues a pending delivery whose job is overdue, and the duplicate job is harmless', async () => {
    const { freeClosedPort } = await import('../testing/raw-peer.ts');
    const { deliveryId } = await h.release({}, syntheticConnection({ port: await freeClosedPort() }));
    const w = worker({ backoffSeconds: [5] });
    expect(await w.process(deliveryId!)).toMatchObject({ state: 'pending' });
    h.advance(120_000);
    try {
      const swept = await w.sweep();
      expect(swept.requeued).toBeGreaterThanOrEqual(1);
      // Twice in a row: throttled by the singleton key, and anyway idempotent.
      await w.sweep();
    } finally {
      h.advance(-120_000);
    }
  });
});

describe('outbox: a worker that dies mid-delivery', () => {
  it('after writing: the row becomes ambiguous for a person, and is not resent', async () => {
    const sim = await simulator({ kind: 'no_reply' });
    const { order, deliveryId } = await h.release({}, syntheticConnection({ port: sim.port, ackTimeoutSeconds: 30 }));
    const dying = worker();
    const inFlight = dying.process(deliveryId!);
    await until(() => h.db.selectFrom('deliveries').select('current_attempt_written').where('id', '=', deliveryId!).executeTakeFirstOrThrow(), (r) => r.current_attempt_written);
    await sim.waitForMessages(1);
    // Another process sweeps once the dead worker's lease has run out.
    h.advance(120_000);
    try {
      expect(await worker().sweep()).toMatchObject({ recovered: 1 });
    } finally {
      h.advance(-120_000);
    }
    expect(await deliveryForRequisition(h.db, order.requisitionId)).toMatchObject({ state: 'ambiguous', stateReason: 'worker stopped after sending, before an ACK was recorded' });
    expect(await h.requisitionState(order.requisitionId)).toBe('delivery_failed');
    // The "dead" worker wakes up (its connection drops): it finds the attempt settled and changes nothing.
    await dying.stop();
    expect(await inFlight).toEqual({ kind: 'lost_claim' });
    expect(await deliveryForRequisition(h.db, order.requisitionId)).toMatchObject({ state: 'ambiguous' });
    expect(sim.received).toHaveLength(1);
    expect(await events(deliveryId!)).toEqual(['enqueued', 'attempt_started', 'writing', 'interrupted']);
  });

  it('before writing: the row goes back to pending, to be retried', async () => {
    // A TLS endpoint that accepts TCP and never answers the handshake: the worker hangs before writing.
    const { startRawPeer } = await import('../testing/raw-peer.ts');
    const silent = await startRawPeer(() => undefined);
    cleanups.push(() => silent.close());
    const { order, deliveryId } = await h.release({}, syntheticConnection({ port: silent.port, tls: true }));
    const hanging = worker({ connectTimeoutMs: 60_000 });
    const inFlight = hanging.process(deliveryId!);
    await until(() => h.db.selectFrom('deliveries').select('state').where('id', '=', deliveryId!).executeTakeFirstOrThrow(), (r) => r.state === 'sending');
    h.advance(600_000);
    try {
      expect(await worker().sweep()).toMatchObject({ recovered: 1 });
    } finally {
      h.advance(-600_000);
    }
    const row = await h.db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'pending', current_attempt_written: false, attempts: 1 });
    await hanging.stop();
    expect(await inFlight).toMatchObject({ kind: 'lost_claim' });
    expect(await events(deliveryId!)).toEqual(['enqueued', 'attempt_started', 'interrupted']);
    expect(order.controlId).toBe(row.control_id);
  });
});

describe('outbox: the database guards the rules, whatever the application does', () => {
  async function appSql(text: string, values: unknown[] = []): Promise<unknown> {
    const { connect } = await import('../../test/db.ts');
    const c = await connect(h.tdb.appUrl);
    try {
      return await c.query(text, values);
    } finally {
      await c.end();
    }
  }

  it('refuses to put a written attempt back to pending (no blind resend), to change the bytes, or to delete evidence', async () => {
    const sim = await simulator({ kind: 'no_reply' });
    const { deliveryId } = await h.release({}, syntheticConnection({ port: sim.port, ackTimeoutSeconds: 0.2 }));
    await worker().process(deliveryId!);
    await expect(appSql("UPDATE deliveries SET state = 'pending' WHERE id = $1", [deliveryId])).rejects.toThrow(/cannot go from ambiguous to pending|decides/);
    await expect(appSql("UPDATE deliveries SET state = 'sending', attempts = attempts + 1, lease_until = now() WHERE id = $1", [deliveryId])).rejects.toThrow(/cannot go from ambiguous to sending/);
    await expect(appSql("UPDATE deliveries SET payload = '\\x00' WHERE id = $1", [deliveryId])).rejects.toThrow(/fixed once enqueued/);
    await expect(appSql('DELETE FROM deliveries WHERE id = $1', [deliveryId])).rejects.toThrow(/kept as evidence|permission denied/);
    await expect(appSql("UPDATE delivery_events SET reason = 'x' WHERE delivery_id = $1", [deliveryId])).rejects.toThrow(/permission denied|kept as evidence/);
    await expect(appSql('DELETE FROM delivery_events WHERE delivery_id = $1', [deliveryId])).rejects.toThrow(/permission denied|kept as evidence/);
    await expect(appSql('TRUNCATE delivery_events')).rejects.toThrow(/permission denied|kept as evidence/);
  });

  it('refuses sending → pending once the attempt is marked written', async () => {
    const { freeClosedPort } = await import('../testing/raw-peer.ts');
    const { deliveryId } = await h.release({}, syntheticConnection({ port: await freeClosedPort() }));
    await appSql("UPDATE deliveries SET state = 'sending', attempts = 1, lease_until = now() WHERE id = $1", [deliveryId]);
    await appSql('UPDATE deliveries SET current_attempt_written = true WHERE id = $1', [deliveryId]);
    await expect(appSql("UPDATE deliveries SET state = 'pending' WHERE id = $1", [deliveryId])).rejects.toThrow(/never resent automatically/);
    await expect(appSql('UPDATE deliveries SET current_attempt_written = false WHERE id = $1', [deliveryId])).rejects.toThrow(/marked written once/);
  });

  it('refuses a delivery for a requisition that is not released', async () => {
    const { requisitionId, documentId } = await h.unreleased();
    await expect(appSql(
      "INSERT INTO deliveries (id, requisition_id, document_id, control_id, placer_order_number, profile, connection, payload, payload_sha256, payload_bytes, state) VALUES (gen_random_uuid(), $1, $2, 'NXX1', 'P1', 'OML_O21', '{}', '\\x01', repeat('a', 64), 1, 'pending')",
      [requisitionId, documentId],
    )).rejects.toThrow(/only a released requisition is delivered/);
  });
});

describe('outbox: a person decides about an ambiguous delivery', () => {
  async function ambiguous(sim: LisSimulator) {
    const r = await h.release({}, syntheticConnection({ port: sim.port, ackTimeoutSeconds: 0.3 }));
    expect(await worker().process(r.deliveryId!)).toMatchObject({ state: 'ambiguous' });
    return r;
  }
  const ctx = (p: { userId: string; sessionId: string }) => ({ actor: { type: 'user' as const, id: p.userId, sessionId: p.sessionId }, requestId: 'req-1', sourceIp: '127.0.0.1' });

  it('"resend anyway" by a lead sends the same bytes with the same MSH-10, audited', async () => {
    const { resendAnyway } = await import('./decisions.ts');
    const sim = await simulator(({ index }) => (index === 1 ? { kind: 'no_reply' } : { kind: 'accept' }));
    const { order, deliveryId } = await ambiguous(sim);
    // A reviewer without the lead role is refused by the database.
    await expect(resendAnyway(h.deps, ctx(h.reviewer), deliveryId!)).rejects.toThrow(/lead reviewer or admin/);
    expect(await resendAnyway(h.deps, ctx(h.lead), deliveryId!, 'checked the LIS: not there')).toEqual({ deliveryId, state: 'pending' });
    expect(await worker().process(deliveryId!)).toEqual({ kind: 'done', state: 'acked', outcome: 'acked' });
    expect(sim.received).toHaveLength(2);
    expect(sim.received[1]!.controlId).toBe(order.controlId);
    expect(sim.received[1]!.sha256).toBe(sim.received[0]!.sha256);
    expect(await deliveryForRequisition(h.db, order.requisitionId)).toMatchObject({ state: 'acked', resendCount: 1, resolution: 'resent', attempts: 2 });
    expect(await h.requisitionState(order.requisitionId)).toBe('delivered');
    const audit = await h.db.selectFrom('audit_events').select(['action', 'actor_id', 'after', 'details']).where('object_id', '=', order.requisitionId).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['delivery.ambiguous', 'delivery.resend', 'delivery.acked']);
    expect(audit[1]!.actor_id).toBe(h.lead.userId);
    expect(audit[1]!.after).not.toBeNull();
    expect(audit[1]!.after!.includes(Buffer.from('checked the LIS'))).toBe(false);
    expect(await events(deliveryId!)).toEqual(['enqueued', 'attempt_started', 'writing', 'ambiguous', 'resend_requested', 'attempt_started', 'writing', 'acked']);
  });

  it('"received by the LIS" settles it as acked without sending, audited; a session that ended cannot decide', async () => {
    const { markReceivedByLis } = await import('./decisions.ts');
    const sim = await simulator({ kind: 'no_reply' });
    const { order, deliveryId } = await ambiguous(sim);
    const { connect } = await import('../../test/db.ts');
    const c = await connect(h.tdb.appUrl);
    const ended = (await c.query("INSERT INTO sessions (token_hash, user_id, stage, csrf, mfa_verified_at, ended_at) VALUES (sha256(gen_random_uuid()::text::bytea), $1, 'full', 'x', now(), now()) RETURNING id", [h.lead.userId])).rows[0].id as string;
    await c.end();
    await expect(markReceivedByLis(h.deps, ctx({ userId: h.lead.userId, sessionId: ended }), deliveryId!, { lisOrderNumber: 'LIS-777' })).rejects.toThrow(/live MFA session/);
    expect(await markReceivedByLis(h.deps, ctx(h.lead), deliveryId!, { lisOrderNumber: 'LIS-777' })).toEqual({ deliveryId, state: 'acked' });
    expect(await deliveryForRequisition(h.db, order.requisitionId)).toMatchObject({ state: 'acked', lisOrderNumber: 'LIS-777', resolution: 'marked_received' });
    expect(await h.requisitionState(order.requisitionId)).toBe('delivered');
    expect(sim.received).toHaveLength(1);
    const audit = await h.db.selectFrom('audit_events').select(['action', 'actor_id']).where('object_id', '=', order.requisitionId).orderBy('seq').execute();
    expect(audit.map((a) => [a.action, a.actor_id])).toEqual([['delivery.ambiguous', 'delivery-worker'], ['delivery.mark_received', h.lead.userId]]);
    // Final: neither a resend nor another decision changes it.
    const { resendAnyway } = await import('./decisions.ts');
    await expect(resendAnyway(h.deps, ctx(h.lead), deliveryId!)).rejects.toThrow(/cannot be resent/);
  });

  it('keeps a late ACK as evidence on the delivery it answers, never on the next one', async () => {
    const sim = await simulator(({ index }) => (index === 1 ? { kind: 'slow', delayMs: 600 } : { kind: 'no_reply' }));
    const first = await h.release({}, syntheticConnection({ port: sim.port, ackTimeoutSeconds: 0.3 }));
    const second = await h.release({}, syntheticConnection({ port: sim.port, ackTimeoutSeconds: 1 }));
    const w = worker();
    expect(await w.process(first.deliveryId!)).toMatchObject({ state: 'ambiguous' });
    expect(await w.process(second.deliveryId!)).toMatchObject({ state: 'ambiguous' });
    expect(await events(first.deliveryId!)).toContain('late_ack');
    const secondEvents = await deliveryEvents(h.db, second.deliveryId!);
    expect(secondEvents.find((e) => e.kind === 'unmatched_frame')).toMatchObject({ reason: 'other_control_id', ackCode: 'AA', details: { answersControlId: first.order.controlId } });
    expect(await deliveryForRequisition(h.db, second.order.requisitionId)).toMatchObject({ state: 'ambiguous', ackCode: null });
  });
});
