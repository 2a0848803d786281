/**
 * What the delivery area is given on release: the order exactly as a person confirmed it.
 * Every string is the confirmed value, untouched: the HL7 builder escapes, never rewrites.
 * Built by the requisitions area from reviewed fields; never from machine values directly.
 */

export interface ConfirmedPerson {
  /** As confirmed; `null` when a person attested the form left it blank. */
  lastName: string | null;
  firstName: string | null;
  middleName: string | null;
}

export interface ConfirmedAddress {
  line: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface ConfirmedOrder {
  requisitionId: string;
  /**
   * Our order number for the requisition: ORC-4 (placer group number). Each test is one order
   * (one ORC/OBR pair, as OML^O21 and ORM^O01 require), numbered `<placerOrderNumber>-<n>` in
   * ORC-2/OBR-2, n = 1-based position in `tests`.
   */
  placerOrderNumber: string;
  /**
   * MSH-10. Stable across retries of the same order, so the LIS can spot duplicates. At most 20
   * characters of `A-Z a-z 0-9 . _ -` (MSH-10 is ST(20) in v2.3 and v2.5.1, and receivers compare
   * it as plain text); unique across all deliveries (the outbox has a UNIQUE index on it).
   * `allocateControlId(trx)` in `delivery/outbox` hands out one from a sequence.
   */
  controlId: string;
  /** When the message is created (MSH-7); passed in so the builder has no clock. */
  messageTime: Date;
  priority: 'stat' | 'routine';
  patient: ConfirmedPerson & {
    /** ISO date `YYYY-MM-DD` as confirmed, or null. */
    dob: string | null;
    /** HL7 table 0001 code as confirmed: "M", "F", "U", "O", "A", "N" or null. */
    sex: string | null;
    mrn: string | null;
    healthNumber: string | null;
    healthNumberVersion: string | null;
    address: ConfirmedAddress | null;
    phone: string | null;
  };
  provider: {
    /** Name as written on the form (one string); split only when the form has separate fields. */
    name: string | null;
    lastName: string | null;
    firstName: string | null;
    npi: string | null;
    practitionerNumber: string | null;
    phone: string | null;
    address: string | null;
  };
  insurance: { payer: string | null; memberId: string | null; groupNumber: string | null; kind: string | null } | null;
  /**
   * Tests as printed on the form: the lab's code and name. Typed-in "other" tests carry the code
   * the person entered. `gynCytology` comes from the form definition (`LabTest.gynCytology`): the
   * Pap ask-at-order-entry OBX segments go under these tests' OBR.
   */
  tests: { code: string; name: string; gynCytology?: boolean }[];
  /** ICD-10 codes exactly as written and confirmed, in order. */
  icd10: string[];
  specimen: {
    source: string | null;
    /** ISO date `YYYY-MM-DD`. */
    collectionDate: string | null;
    /** `HH:mm` 24-hour. */
    collectionTime: string | null;
  };
  /** Ask-at-order-entry answers for gynecologic cytology; null when no Pap test is ordered. */
  pap: {
    /**
     * ISO date as confirmed (`YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when only that was written) goes
     * as an HL7 date; any other confirmed text ("unknown", "post-menopausal") goes as text, unchanged.
     */
    lmp: string | null;
    previousAbnormal: 'Y' | 'N' | null;
    previousTreatment: 'Y' | 'N' | null;
    previousBiopsy: 'Y' | 'N' | null;
  } | null;
  comments: string[];
  /** The requisition image this order was transcribed from. */
  document: { id: string; sha256: string; pageCount: number; referenceUrl: string | null };
}

export interface LisConnection {
  host: string;
  port: number;
  tls: boolean;
  /** `OML_O21` (HL7 v2.5.1, the default) or `ORM_O01` (v2.3) for older LIS. */
  profile: 'OML_O21' | 'ORM_O01';
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  /** Seconds to wait for an ACK before the delivery becomes ambiguous. */
  ackTimeoutSeconds: number;
  /** MSH-11: `P` production (default), `T` training, `D` debugging. */
  processingId?: 'P' | 'T' | 'D';
  /** PEM of the CA (or self-signed certificate) the LIS's TLS certificate must chain to; system CAs when absent. Verification is never turned off. */
  tlsCaPem?: string | null;
  /** Name to verify the LIS certificate against when it differs from `host` (e.g. connecting by IP). */
  tlsServerName?: string | null;
}
