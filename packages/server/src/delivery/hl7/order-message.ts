/**
 * The order as a person confirmed it → one HL7 v2 order message. Pure: no clock (MSH-7 comes in
 * `order.messageTime`), no I/O, no lookup tables. Values are escaped, never rewritten: no
 * trimming, case change, code mapping or completion; dates change notation only (ISO → HL7).
 *
 * Profiles (chosen per LIS connection):
 * - `OML_O21`: OML^O21^OML_O21, v2.5.1, the shape of the US lab orders guide (LOI) / IHE LAB-1.
 * - `ORM_O01`: ORM^O01, v2.3, for older LIS: priority in ORC-7/OBR-27, specimen source in OBR-15,
 *   no TQ1, no SPM, no ORC-24.
 *
 * Layout (both profiles): MSH, PID, PV1, [IN1], then one order group per test:
 * ORC (NW), [TQ1], OBR, {NTE comment}, {DG1 per ICD-10}, {OBX Pap answers, gyn tests only},
 * OBX image reference, [SPM]. Comments, diagnoses and the image reference repeat under every
 * OBR, so each order the LIS creates carries the whole requisition's context.
 */
import type { ConfirmedOrder, LisConnection } from '../order.ts';
import { DateFormatError, instantToHl7, isoDateAndTimeToHl7, isoDateToHl7 } from './dates.ts';
import {
  components,
  EMPTY,
  type Encoded,
  mshSegment,
  repetitions,
  segment,
  subcomponents,
  text,
} from './encode.ts';

export type OrderProfile = LisConnection['profile'];

export class OrderMessageError extends Error {
  readonly code: string;
  /** Where in the ConfirmedOrder the problem is (e.g. `patient.dob`); never the value itself. */
  readonly path: string;
  constructor(code: string, path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'OrderMessageError';
    this.code = code;
    this.path = path;
  }
}

/** Observation identifiers of the OBX segments we add. Local codes (`L`): a lab maps them once in its LIS. */
export const OBSERVATION_CODES = {
  requisitionImage: { code: 'NXREQIMG', name: 'Requisition image' },
  lmp: { code: 'NXPAPLMP', name: 'Last menstrual period' },
  previousAbnormal: { code: 'NXPAPPRVABN', name: 'Previous abnormal Pap report' },
  previousTreatment: { code: 'NXPAPPRVTX', name: 'Previous treatment' },
  previousBiopsy: { code: 'NXPAPPRVBX', name: 'Previous biopsy' },
} as const;

/** The application that resolves the image pointer (RP.2 namespace id). */
export const IMAGE_APPLICATION = 'NEXESSION';

const NPI_AUTHORITY = subcomponents(text('NPI'), text('2.16.840.1.113883.4.6'), text('ISO'));
const CONTROL_ID = /^[A-Za-z0-9._-]{1,20}$/;

/** Each order's placer number: the requisition's number plus the test's 1-based position. */
export function placerNumberForTest(order: Pick<ConfirmedOrder, 'placerOrderNumber'>, index: number): string {
  return `${order.placerOrderNumber}-${index + 1}`;
}

/** The pointer in the image OBX (RP.1): the document id and its SHA-256, see `parseImagePointer`. */
export function imagePointer(document: ConfirmedOrder['document']): string {
  return `urn:nexession:document:${document.id}#sha256=${document.sha256}`;
}

/** Reads back what `imagePointer` wrote; null for anything else. */
export function parseImagePointer(pointer: string): { documentId: string; sha256: string } | null {
  const m = /^urn:nexession:document:(.+)#sha256=([0-9a-f]{64})$/.exec(pointer);
  return m ? { documentId: m[1]!, sha256: m[2]! } : null;
}

function checkStrings(value: unknown, path: string): void {
  if (typeof value === 'string') {
    // A lone surrogate cannot be written as UTF-8 without replacing it: refuse rather than rewrite.
    if (!value.isWellFormed()) throw new OrderMessageError('malformed_text', path, 'text is not well-formed Unicode (lone surrogate)');
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkStrings(v, `${path}[${i}]`));
  } else if (value && typeof value === 'object' && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) checkStrings(v, path ? `${path}.${k}` : k);
  }
}

function date(value: string | null, path: string): Encoded {
  if (value === null) return EMPTY;
  try {
    return text(isoDateToHl7(value));
  } catch (e) {
    if (e instanceof DateFormatError) throw new OrderMessageError('bad_date', path, e.message);
    throw e;
  }
}

function lmpAsDate(value: string): string | null {
  try {
    return isoDateToHl7(value);
  } catch (e) {
    if (e instanceof DateFormatError) return null;
    throw e;
  }
}

function collectionDateTime(order: ConfirmedOrder): Encoded {
  const { collectionDate, collectionTime } = order.specimen;
  if (collectionDate === null) {
    if (collectionTime !== null) throw new OrderMessageError('bad_date', 'specimen.collectionTime', 'a collection time without a collection date');
    return EMPTY;
  }
  try {
    return text(isoDateAndTimeToHl7(collectionDate, collectionTime));
  } catch (e) {
    if (e instanceof DateFormatError) throw new OrderMessageError('bad_date', 'specimen', e.message);
    throw e;
  }
}

function phone(value: string | null): Encoded {
  // XTN: the number as written (XTN.1), use "PRN" (primary residence/number), equipment "PH".
  return value === null ? EMPTY : components(text(value), text('PRN'), text('PH'));
}

/** XCN repetitions for the ordering provider: NPI first, then the practitioner number, or the name alone. */
function providerXcn(p: ConfirmedOrder['provider']): Encoded {
  const split = p.lastName !== null || p.firstName !== null;
  const family = text(split ? p.lastName : p.name);
  const given = text(split ? p.firstName : null);
  const nameType = family !== '' || given !== '' ? text('L') : EMPTY;
  const xcn = (id: string | null, authority: Encoded, idType: string | null) =>
    components(text(id), family, given, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, authority, nameType, EMPTY, EMPTY, text(idType));
  const reps: Encoded[] = [];
  if (p.npi !== null) reps.push(xcn(p.npi, NPI_AUTHORITY, 'NPI'));
  if (p.practitionerNumber !== null) reps.push(xcn(p.practitionerNumber, EMPTY, 'PRN'));
  if (reps.length === 0) reps.push(xcn(null, EMPTY, null));
  return repetitions(...reps);
}

function pid(order: ConfirmedOrder): Encoded {
  const p = order.patient;
  const ids: Encoded[] = [];
  if (p.mrn !== null) ids.push(components(text(p.mrn), EMPTY, EMPTY, EMPTY, text('MR')));
  // Health card: number in CX.1, version code in CX.2 (as Ontario's OLIS does), type JHN.
  if (p.healthNumber !== null) ids.push(components(text(p.healthNumber), text(p.healthNumberVersion), EMPTY, EMPTY, text('JHN')));
  const name = components(text(p.lastName), text(p.firstName), text(p.middleName), EMPTY, EMPTY, EMPTY,
    p.lastName !== null || p.firstName !== null || p.middleName !== null ? text('L') : EMPTY);
  const a = p.address;
  const address = a ? components(text(a.line), EMPTY, text(a.city), text(a.state), text(a.postalCode), text(a.country)) : EMPTY;
  return segment('PID', {
    1: text('1'),
    3: repetitions(...ids),
    5: name,
    7: date(p.dob, 'patient.dob'),
    8: text(p.sex),
    11: address,
    13: phone(p.phone),
  });
}

function in1(order: ConfirmedOrder): Encoded | null {
  const i = order.insurance;
  if (!i || (i.payer === null && i.memberId === null && i.groupNumber === null && i.kind === null)) return null;
  return segment('IN1', {
    1: text('1'),
    4: text(i.payer),
    8: text(i.groupNumber),
    15: text(i.kind),
    36: text(i.memberId),
  });
}

function priorityCode(order: ConfirmedOrder): 'S' | 'R' {
  return order.priority === 'stat' ? 'S' : 'R';
}

function obxSegments(order: ConfirmedOrder, gyn: boolean, app: string): Encoded[] {
  const out: Encoded[] = [];
  const obx = (type: string, code: { code: string; name: string }, subId: string | null, value: Encoded) =>
    segment('OBX', {
      1: text(String(out.length + 1)),
      2: text(type),
      3: components(text(code.code), text(code.name), text('L')),
      4: text(subId),
      5: value,
      11: text('O'),
    });
  if (gyn && order.pap) {
    const pap = order.pap;
    if (pap.lmp !== null) {
      // An LMP written as a date goes as DT; anything else the person confirmed ("unknown",
      // "post-menopausal") goes as text, unchanged, rather than blocking the order or guessing.
      const asDate = lmpAsDate(pap.lmp);
      out.push(asDate === null ? obx('ST', OBSERVATION_CODES.lmp, null, text(pap.lmp)) : obx('DT', OBSERVATION_CODES.lmp, null, text(asDate)));
    }
    if (pap.previousAbnormal !== null) out.push(obx('ID', OBSERVATION_CODES.previousAbnormal, null, text(pap.previousAbnormal)));
    if (pap.previousTreatment !== null) out.push(obx('ID', OBSERVATION_CODES.previousTreatment, null, text(pap.previousTreatment)));
    if (pap.previousBiopsy !== null) out.push(obx('ID', OBSERVATION_CODES.previousBiopsy, null, text(pap.previousBiopsy)));
  }
  const doc = order.document;
  const application = doc.referenceUrl === null
    ? text(app)
    : subcomponents(text(app), text(doc.referenceUrl), text('URI'));
  out.push(obx('RP', OBSERVATION_CODES.requisitionImage, '1', components(text(imagePointer(doc)), application, text('IM'))));
  return out;
}

/**
 * Builds the order message for `connection.profile`. Segments end with CR (the HL7 segment
 * terminator). Throws `OrderMessageError` (with the path, never the value) when the order cannot
 * be written faithfully: a malformed date, a lone surrogate, a control id receivers could not
 * match, Pap answers without a gynecologic cytology test.
 */
export function buildOrderMessage(order: ConfirmedOrder, connection: LisConnection): string {
  checkStrings(order, '');
  checkStrings(connection, 'connection');
  if (!CONTROL_ID.test(order.controlId)) {
    throw new OrderMessageError('bad_control_id', 'controlId', 'must be 1 to 20 characters of A-Z a-z 0-9 . _ -');
  }
  if (order.placerOrderNumber === '') throw new OrderMessageError('missing', 'placerOrderNumber', 'is empty');
  if (order.tests.length === 0) throw new OrderMessageError('no_tests', 'tests', 'an order needs at least one test');
  order.tests.forEach((t, i) => {
    if (t.code === '') throw new OrderMessageError('missing', `tests[${i}].code`, 'a test without a code');
  });
  if (order.pap && !order.tests.some((t) => t.gynCytology)) {
    throw new OrderMessageError('pap_without_gyn_test', 'pap', 'Pap answers are given but no test is marked gynCytology');
  }
  if (!/^[0-9a-f]{64}$/.test(order.document.sha256)) {
    throw new OrderMessageError('bad_sha256', 'document.sha256', 'must be 64 lowercase hex digits');
  }
  const v251 = connection.profile === 'OML_O21';
  const app = connection.sendingApplication;

  let messageTime: Encoded;
  try {
    messageTime = text(instantToHl7(order.messageTime));
  } catch (e) {
    if (e instanceof DateFormatError) throw new OrderMessageError('bad_date', 'messageTime', e.message);
    throw e;
  }

  const segments: Encoded[] = [];
  segments.push(mshSegment({
    3: text(connection.sendingApplication),
    4: text(connection.sendingFacility),
    5: text(connection.receivingApplication),
    6: text(connection.receivingFacility),
    7: messageTime,
    9: v251 ? components(text('OML'), text('O21'), text('OML_O21')) : components(text('ORM'), text('O01')),
    10: text(order.controlId),
    11: text(connection.processingId ?? 'P'),
    12: text(v251 ? '2.5.1' : '2.3'),
    // MSH-15/16 stay empty: original acknowledgement mode, one ACK per message on this connection.
    18: text('UNICODE UTF-8'),
  }));
  segments.push(pid(order));
  segments.push(segment('PV1', { 1: text('1'), 2: text('O') }));
  const insurance = in1(order);
  if (insurance) segments.push(insurance);

  const priority = priorityCode(order);
  const collected = collectionDateTime(order);
  const provider = providerXcn(order.provider);
  const callback = phone(order.provider.phone);
  const legacyTiming = components(EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, text(priority));
  const group = components(text(order.placerOrderNumber), text(app));

  order.tests.forEach((test, i) => {
    const placer = components(text(placerNumberForTest(order, i)), text(app));
    segments.push(segment('ORC', {
      1: text('NW'),
      2: placer,
      4: group,
      7: v251 ? EMPTY : legacyTiming,
      9: messageTime,
      12: provider,
      14: callback,
      24: v251 && order.provider.address !== null ? components(text(order.provider.address)) : EMPTY,
    }));
    if (v251) segments.push(segment('TQ1', { 1: text('1'), 9: components(text(priority)) }));
    segments.push(segment('OBR', {
      1: text(String(i + 1)),
      2: placer,
      4: components(text(test.code), text(test.name), text('L')),
      7: collected,
      15: !v251 && order.specimen.source !== null ? subcomponents(EMPTY, text(order.specimen.source)) : EMPTY,
      16: provider,
      17: callback,
      27: v251 ? EMPTY : legacyTiming,
    }));
    order.comments.forEach((comment, k) => {
      segments.push(segment('NTE', { 1: text(String(k + 1)), 2: text('P'), 3: text(comment) }));
    });
    order.icd10.forEach((code, k) => {
      segments.push(segment('DG1', {
        1: text(String(k + 1)),
        2: v251 ? EMPTY : text('I10'),
        3: components(text(code), EMPTY, text('I10')),
        6: text('W'),
      }));
    });
    segments.push(...obxSegments(order, test.gynCytology === true, app));
    if (v251 && (order.specimen.source !== null || collected !== '')) {
      segments.push(segment('SPM', {
        1: text('1'),
        4: order.specimen.source === null ? EMPTY : components(EMPTY, text(order.specimen.source)),
        17: collected,
      }));
    }
  });
  return segments.map((s) => `${s}\r`).join('');
}
