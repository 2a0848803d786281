/**
 * What happened to a released requisition, in words: our order number, the delivery to the LIS,
 * and the LIS's own order number once its acknowledgement brings it (README: "the order number
 * it returns is shown on the requisition").
 */
import type { Delivery, RequisitionSummary } from '../api/types.ts';

/** The delivery is still on its way: worth asking again in a moment. */
export function deliveryInFlight(d: Delivery | null): boolean {
  return d === null || d.state === 'pending' || d.state === 'sending';
}

export function deliveryWords(d: Delivery | null): string {
  if (d === null) return 'not sent to the LIS yet';
  switch (d.state) {
    case 'pending':
    case 'sending':
      return 'sending to the LIS…';
    case 'acked':
      return d.lisOrderNumber
        ? `delivered: LIS order number ${d.lisOrderNumber}`
        : `delivered (ACK ${d.ackCode ?? 'AA'}; the LIS sent no order number)`;
    case 'rejected':
      return `refused by the LIS (ACK ${d.ackCode ?? 'AR'}): a lead reviewer decides what happens next`;
    case 'ambiguous':
      return 'sent, but the LIS did not answer: a lead reviewer checks the LIS and decides';
    case 'error':
      return 'could not be sent to the LIS: a lead reviewer decides what happens next';
    default:
      return `delivery ${d.state}`;
  }
}

const short = (id: string) => id.slice(0, 8);

/** The flash after a release, as the delivery goes on. */
export function releasedWords(id: string, placerOrderNumber: string | null | undefined, d: Delivery | null): string {
  const order = placerOrderNumber ? ` (our order ${placerOrderNumber})` : '';
  return `Released requisition ${short(id)}${order}: ${deliveryWords(d)}.`;
}

/** Polls a released requisition's summary until its delivery settles (or `tries` run out). */
export async function followDelivery(
  id: string,
  load: (id: string) => Promise<RequisitionSummary>,
  onChange: (s: RequisitionSummary) => void,
  opts: { tries?: number; waitMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<void> {
  const tries = opts.tries ?? 40;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => window.setTimeout(r, ms)));
  let last = '';
  for (let i = 0; i < tries; i++) {
    await sleep(opts.waitMs ?? 1500);
    let s: RequisitionSummary;
    try {
      s = await load(id);
    } catch {
      continue;
    }
    const key = JSON.stringify(s.delivery);
    if (key !== last) {
      last = key;
      onChange(s);
    }
    if (!deliveryInFlight(s.delivery)) return;
  }
}
