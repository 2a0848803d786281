/**
 * Acknowledgements: reading the LIS's answer to our order, and writing one (for the simulator).
 *
 * A reply counts for a message only when its MSA-2 equals that message's MSH-10 exactly. The
 * LIS order number is read from the ORC segments of an application response (ORL^O22 for
 * OML^O21, ORR^O02 for ORM^O01): ORC-3 (filler order number) against ORC-2 (our placer number).
 */
import { components, type Encoded, mshSegment, segment, subcomponents, text } from './encode.ts';
import { firstSegment, type Hl7Message, header, segmentsNamed, value } from './parse.ts';

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';
export type AckVerdict = 'accepted' | 'error' | 'rejected';

export function verdictOf(code: AckCode): AckVerdict {
  if (code === 'AA' || code === 'CA') return 'accepted';
  if (code === 'AE' || code === 'CE') return 'error';
  return 'rejected';
}

export interface LisOrder {
  /** Our ORC-2 placer number as echoed by the LIS. */
  placer: string;
  /** The LIS's ORC-3 filler order number (EI.1). */
  filler: string;
}

export interface Ack {
  code: AckCode;
  verdict: AckVerdict;
  /** MSA-2: the control id this ACK answers. */
  controlId: string;
  /** The ACK's own MSH-10. */
  ackControlId: string;
  /** MSA-3 text and ERR texts, joined; may be empty. From the LIS, not PHI by intent, but stored encrypted with the ACK bytes anyway. */
  text: string;
  lisOrders: LisOrder[];
}

export type ReadAckResult = { ok: true; ack: Ack } | { ok: false; reason: string };

const CODES = new Set<string>(['AA', 'AE', 'AR', 'CA', 'CE', 'CR']);

/** Reads an ACK-carrying message; `ok: false` with a reason when it is not a usable ACK. */
export function readAck(message: Hl7Message): ReadAckResult {
  const msa = firstSegment(message, 'MSA');
  if (!msa) return { ok: false, reason: 'no MSA segment' };
  const code = value(message, msa, 1);
  if (!CODES.has(code)) return { ok: false, reason: 'MSA-1 is not an acknowledgement code' };
  const controlId = value(message, msa, 2);
  if (controlId === '') return { ok: false, reason: 'MSA-2 is empty' };
  const texts: string[] = [];
  const msa3 = value(message, msa, 3);
  if (msa3) texts.push(msa3);
  for (const err of segmentsNamed(message, 'ERR')) {
    // v2.5+: ERR-3 error code (CWE text in .2), ERR-8 user message; v2.3: ERR-1 ELD, code text in .4.2.
    for (const t of [value(message, err, 3, { comp: 2 }), value(message, err, 8), value(message, err, 1, { comp: 4, sub: 2 })]) {
      if (t && !texts.includes(t)) texts.push(t);
    }
  }
  const lisOrders: LisOrder[] = [];
  for (const orc of segmentsNamed(message, 'ORC')) {
    const filler = value(message, orc, 3);
    if (filler) lisOrders.push({ placer: value(message, orc, 2), filler });
  }
  return {
    ok: true,
    ack: {
      code: code as AckCode,
      verdict: verdictOf(code as AckCode),
      controlId,
      ackControlId: header(message).controlId,
      text: texts.join(' | '),
      lisOrders,
    },
  };
}

/** The LIS order number to show a person: the distinct filler numbers, in order. */
export function lisOrderNumber(orders: readonly LisOrder[]): string | null {
  const distinct = [...new Set(orders.map((o) => o.filler))];
  return distinct.length === 0 ? null : distinct.join(', ');
}

export interface AckSpec {
  code: AckCode;
  /** The received message's MSH-10, echoed in MSA-2. */
  answersControlId: string;
  /** This ACK's own MSH-10. */
  controlId: string;
  time: string;
  text?: string;
  /** Placer → filler numbers to return in ORC segments (application response). */
  orders?: LisOrder[];
}

/**
 * Writes an acknowledgement for a received message: ORL^O22 (v2.5.1) or ORR^O02 (v2.3) when
 * orders are returned, a plain ACK otherwise. Sender and receiver are swapped from the received
 * MSH. For the simulator and tests; Nexession itself only reads ACKs.
 */
export function buildAck(received: Hl7Message, spec: AckSpec): string {
  const h = header(received);
  const v251 = h.version !== '2.3' && h.version !== '2.3.1';
  const withOrders = spec.orders !== undefined && spec.orders.length > 0 && spec.code === 'AA';
  const type: Encoded = withOrders
    ? v251 ? components(text('ORL'), text('O22'), text('ORL_O22')) : components(text('ORR'), text('O02'))
    : v251 ? components(text('ACK'), text(h.triggerEvent), text('ACK')) : components(text('ACK'), text(h.triggerEvent));
  const segs: Encoded[] = [
    mshSegment({
      3: text(h.receivingApplication),
      4: text(h.receivingFacility),
      5: text(h.sendingApplication),
      6: text(h.sendingFacility),
      7: text(spec.time),
      9: type,
      10: text(spec.controlId),
      11: text(h.processingId || 'P'),
      12: text(h.version || '2.5.1'),
      18: text('UNICODE UTF-8'),
    }),
    segment('MSA', { 1: text(spec.code), 2: text(spec.answersControlId), 3: text(spec.text ?? null) }),
  ];
  if (spec.code !== 'AA' && spec.code !== 'CA' && spec.text) {
    segs.push(v251
      ? segment('ERR', { 3: components(text('207'), text('Application internal error'), text('HL70357')), 4: text('E'), 8: text(spec.text) })
      : segment('ERR', { 1: components(text(''), text(''), text(''), subcomponents(text('207'), text(spec.text))) }));
  }
  if (withOrders) {
    for (const o of spec.orders!) {
      segs.push(segment('ORC', { 1: text('OK'), 2: components(text(o.placer)), 3: components(text(o.filler), text(h.receivingApplication)) }));
    }
  }
  return segs.map((s) => `${s}\r`).join('');
}
