/**
 * The delivery routes in the real application (Fastify inject, real sessions with TOTP, real
 * database), against the LIS simulator: who may look, who may decide, and what is audited.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, signedIn, startTestApp, type TestApp } from '../../test/app.ts';
import { startLisSimulator, type LisSimulator } from '../lis-sim/simulator.ts';
import { createDeliveryService, type DeliveryService } from '../outbox/service.ts';
import { DeliveryWorker } from '../outbox/worker.ts';
import { asDeliveryDb } from '../tables.ts';
import { syntheticConnection } from '../testing/fixtures.ts';
import { makePerson, makeReleasedRequisition } from '../testing/outbox-harness.ts';
import { deliveryRoutes } from './routes.ts';

let t: TestApp;
let service: DeliveryService;
let worker: DeliveryWorker;
let sim: LisSimulator;
let outDir: string;
let lead: Agent;
let reviewer: Agent;
let auditor: Agent;

beforeAll(async () => {
  t = await startTestApp({ plugins: [{ plugin: deliveryRoutes(() => service), name: 'delivery' }] });
  const deps = { db: asDeliveryDb(t.ctx.db), vault: t.ctx.vault, boss: t.boss, log: t.ctx.log, now: t.ctx.now, requisitions: t.review.deliveryHooks };
  service = createDeliveryService(deps);
  worker = new DeliveryWorker(deps, { sweepIntervalMs: 0 });
  outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-routes-sim-'));
  // Every first copy of a message goes unanswered; a resent copy is accepted.
  const seen = new Set<string>();
  sim = await startLisSimulator({ port: 0, outDir, behaviour: ({ controlId }) => {
    if (seen.has(controlId)) return { kind: 'accept' };
    seen.add(controlId);
    return { kind: 'no_reply' };
  } });
  lead = await signedIn(t, 'lead1', ['lead_reviewer']);
  reviewer = await signedIn(t, 'rev1', ['reviewer']);
  auditor = await signedIn(t, 'aud1', ['auditor']);
});

afterAll(async () => {
  await worker.stop();
  await sim.close();
  await t.close();
  await fs.rm(outDir, { recursive: true, force: true });
});

async function ambiguousDelivery(): Promise<{ deliveryId: string; requisitionId: string; controlId: string }> {
  const person = await makePerson(t.ctx.db, ['reviewer']);
  const { order, deliveryId } = await makeReleasedRequisition({
    db: t.ctx.db, vault: t.ctx.vault, reviewer: person, now: t.ctx.now(),
    connection: syntheticConnection({ port: sim.port, ackTimeoutSeconds: 0.3 }),
    enqueue: (trx, o, c) => service.enqueueDelivery(trx, o, c),
  });
  expect(await worker.process(deliveryId!)).toMatchObject({ state: 'ambiguous' });
  return { deliveryId: deliveryId!, requisitionId: order.requisitionId, controlId: order.controlId };
}

describe('delivery routes', () => {
  it('lists deliveries needing a person to lead reviewers and auditors, not to reviewers', async () => {
    const { deliveryId } = await ambiguousDelivery();
    const list = await lead.request('GET', '/api/deliveries?attention=1');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((d: { id: string }) => d.id)).toContain(deliveryId);
    expect((await auditor.request('GET', `/api/deliveries/${deliveryId}`)).statusCode).toBe(200);
    expect((await reviewer.request('GET', '/api/deliveries?attention=1')).statusCode).toBe(403);
    const detail = (await lead.request('GET', `/api/deliveries/${deliveryId}`)).json();
    expect(detail.delivery).toMatchObject({ id: deliveryId, state: 'ambiguous', needsPerson: true });
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['enqueued', 'attempt_started', 'writing', 'ambiguous']);
  });

  it('lets a lead resend (same bytes, same MSH-10), audited; not an auditor or a reviewer', async () => {
    const { deliveryId, requisitionId, controlId } = await ambiguousDelivery();
    expect((await auditor.request('POST', `/api/deliveries/${deliveryId}/resend`, {})).statusCode).toBe(403);
    expect((await reviewer.request('POST', `/api/deliveries/${deliveryId}/resend`, {})).statusCode).toBe(403);
    const res = await lead.request('POST', `/api/deliveries/${deliveryId}/resend`, { note: 'LIS shows nothing for this patient' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ deliveryId, state: 'pending' });
    // A second resend while it is pending is refused.
    expect((await lead.request('POST', `/api/deliveries/${deliveryId}/resend`, {})).json().error.code).toBe('wrong_state');
    expect(await worker.process(deliveryId)).toMatchObject({ state: 'acked' });
    const copies = sim.received.filter((r) => r.controlId === controlId);
    expect(copies).toHaveLength(2);
    expect(copies[1]!.sha256).toBe(copies[0]!.sha256);
    expect((await t.ctx.db.selectFrom('requisitions').select('state').where('id', '=', requisitionId).executeTakeFirstOrThrow()).state).toBe('delivered');
    const audit = await t.ctx.db.selectFrom('audit_events').select(['action', 'actor_id']).where('object_id', '=', requisitionId).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['delivery.ambiguous', 'delivery.resend', 'delivery.acked', 'requisition.delivered']));
    expect(audit.find((a) => a.action === 'delivery.resend')!.actor_id).toBe(lead.userId);
  });

  it('lets a lead mark a delivery as received by the LIS, and shows the ACK text only with an audit record', async () => {
    const { deliveryId, requisitionId } = await ambiguousDelivery();
    const bad = await lead.request('POST', `/api/deliveries/${deliveryId}/mark-received`, { lisOrderNumber: '' });
    expect(bad.statusCode).toBe(400);
    const res = await lead.request('POST', `/api/deliveries/${deliveryId}/mark-received`, { lisOrderNumber: 'LIS-123' });
    expect(res.json()).toEqual({ deliveryId, state: 'acked' });
    const detail = (await lead.request('GET', `/api/deliveries/${deliveryId}`)).json();
    expect(detail.delivery).toMatchObject({ state: 'acked', lisOrderNumber: 'LIS-123', resolution: 'marked_received' });
    const ack = await lead.request('GET', `/api/deliveries/${deliveryId}/ack`);
    expect(ack.json()).toEqual({ text: null });
    // Found by the security review: administrators could read the ACK text, which may name the patient.
    const asAdmin = await signedIn(t, 'adrian-ack', ['admin']);
    expect((await asAdmin.request('GET', `/api/deliveries/${deliveryId}/ack`)).statusCode).toBe(403);
    expect(ack.headers['cache-control']).toBe('no-store');
    const actions = (await t.ctx.db.selectFrom('audit_events').select('action').where('object_id', '=', requisitionId).orderBy('seq').execute()).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['delivery.mark_received', 'delivery.ack_view']));
    expect((await lead.request('GET', '/api/deliveries/not-a-uuid')).statusCode).toBe(404);
  });
});
