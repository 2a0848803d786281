/**
 * A lab form: a reader template plus what each field *means* to the lab (its role in the order,
 * its test code as printed, the CLIA element it answers). The reader knows only the template;
 * the server uses the meaning to validate and to build HL7. Pure data, JSON-serialisable.
 */
import type { TemplateDefinition } from '@nexession/reader';

/** What a field means in an order. One role per field; test boxes carry their test. */
export type FieldRole =
  // requester, 42 CFR 493.1241(c)(1)
  | 'provider.name'
  | 'provider.npi'
  | 'provider.practitioner_number' // e.g. Ontario billing number
  | 'provider.address'
  | 'provider.phone'
  | 'provider.critical_contact_phone'
  | 'provider.clinic_name'
  // patient, (c)(2) and (c)(3)
  | 'patient.last_name'
  | 'patient.first_name'
  | 'patient.middle_name'
  | 'patient.full_name'
  | 'patient.dob'
  | 'patient.dob_year'
  | 'patient.dob_month'
  | 'patient.dob_day'
  | 'patient.sex' // a text field, or a checkbox whose `value` is the sex it stands for
  | 'patient.mrn'
  | 'patient.health_number'
  | 'patient.health_number_version'
  | 'patient.address_line'
  | 'patient.city'
  | 'patient.state'
  | 'patient.postal_code'
  | 'patient.phone'
  // insurance
  | 'insurance.payer'
  | 'insurance.member_id'
  | 'insurance.group_number'
  | 'insurance.kind' // checkbox whose `value` is the kind (e.g. "OHIP", "WSIB", "third_party")
  // order, (c)(4)-(c)(8)
  | 'order.test' // checkbox: ordered test, with `test`
  | 'order.test_other' // free text naming a test; a person must code it
  | 'order.stat'
  | 'order.icd10'
  | 'order.comment'
  | 'specimen.source'
  | 'specimen.collection_date'
  | 'specimen.collection_time'
  | 'pap.lmp'
  | 'pap.previous_abnormal' // checkbox whose `value` is "Y" or "N"
  | 'pap.previous_treatment'
  | 'pap.previous_biopsy'
  | 'signature.date'
  | 'barcode.requisition_number'
  | 'other';

export interface LabTest {
  /** The lab's own test code, exactly as printed on the form (or as the lab mapped the printed label). */
  code: string;
  /** The test name as printed on the form. */
  name: string;
  /** (c)(5): the specimen source must be stated. */
  requiresSource?: boolean;
  /** (c)(6): the collection time must be stated, not only the date. */
  requiresCollectionTime?: boolean;
  /** (c)(7): gynecologic cytology; LMP and previous abnormal/treatment/biopsy must be stated. */
  gynCytology?: boolean;
}

export interface LabFieldMeaning {
  role: FieldRole;
  /** For checkboxes that stand for a value of their role (sex "M", insurance kind "OHIP", "Y"/"N"). */
  value?: string;
  /** For `order.test` checkboxes. */
  test?: LabTest;
}

export interface LabForm {
  template: TemplateDefinition;
  /** Keyed by template field key. Every field of the template has a meaning. */
  meanings: Record<string, LabFieldMeaning>;
  /** Reading order of field keys for the review screen (the form's own order). */
  reviewOrder: string[];
}
