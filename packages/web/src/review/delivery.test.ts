import { describe, expect, it } from 'vitest';
import type { RequisitionSummary } from '../api/types.ts';
import { deliveryWords, followDelivery, releasedWords } from './delivery.ts';

const ID = '3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const summary = (delivery: RequisitionSummary['delivery']): RequisitionSummary => ({
  id: ID, state: delivery?.state === 'acked' ? 'delivered' : 'released', priority: 'routine', receivedAt: '2026-01-01T00:00:00Z', form: null, assignee: null,
  release: { by: 'rosa', at: '2026-01-01T00:05:00Z', placerOrderNumber: 'NX00000012' }, delivery,
});

describe('a released requisition, in words', () => {
  it('says the LIS order number once the acknowledgement brings it', () => {
    expect(releasedWords(ID, 'NX00000012', { state: 'pending', ackCode: null, lisOrderNumber: null, controlId: 'NX000000000001' })).toBe(
      'Released requisition 3f2c1a9e (our order NX00000012): sending to the LIS….',
    );
    expect(releasedWords(ID, 'NX00000012', { state: 'acked', ackCode: 'AA', lisOrderNumber: 'ACC100001', controlId: 'NX000000000001' })).toBe(
      'Released requisition 3f2c1a9e (our order NX00000012): delivered: LIS order number ACC100001.',
    );
    expect(deliveryWords({ state: 'ambiguous', ackCode: null, lisOrderNumber: null, controlId: 'x' })).toMatch(/did not answer/);
  });

  it('follows the delivery until it settles, telling each change once', async () => {
    const answers = [
      summary({ state: 'pending', ackCode: null, lisOrderNumber: null, controlId: 'c' }),
      summary({ state: 'pending', ackCode: null, lisOrderNumber: null, controlId: 'c' }),
      summary({ state: 'acked', ackCode: 'AA', lisOrderNumber: 'ACC100001', controlId: 'c' }),
      summary({ state: 'acked', ackCode: 'AA', lisOrderNumber: 'ACC100001', controlId: 'c' }),
    ];
    let calls = 0;
    const seen: string[] = [];
    await followDelivery(ID, async () => answers[calls++]!, (s) => seen.push(s.delivery!.state), { sleep: async () => undefined });
    expect(seen).toEqual(['pending', 'acked']);
    expect(calls).toBe(3);
  });
});
