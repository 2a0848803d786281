/**
 * Confirming the patient's identity: a person states which two (or more) identifiers they
 * checked against the page. Warnings about a possible wrong-patient form are computed here and
 * recorded with the confirmation; they never contain the values themselves.
 */
import type { Extract } from './extract.ts';
import type { Loaded } from './model.ts';

export const IDENTIFIER_KINDS = ['name', 'dob', 'mrn', 'health_number', 'sex', 'address', 'phone'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** Which identifiers the requisition actually carries (a person cannot confirm what is not there). */
export function availableIdentifiers(x: Extract): Set<IdentifierKind> {
  const out = new Set<IdentifierKind>();
  if (x.text('patient.last_name').value || x.text('patient.full_name').value) out.add('name');
  if (x.dob().value) out.add('dob');
  if (x.text('patient.mrn').value) out.add('mrn');
  if (x.text('patient.health_number').value) out.add('health_number');
  if (x.sex().value) out.add('sex');
  if (x.text('patient.address_line').value) out.add('address');
  if (x.text('patient.phone').value) out.add('phone');
  return out;
}

/**
 * `danger`: a real wrong-patient risk (the identifiers cannot tell this patient from another, or
 * contradict themselves): shown in red. `caution`: worth a second look at the page (values typed
 * by hand, reading flags), not a sign of another patient: shown plainly, never in red.
 */
export type WarningSeverity = 'danger' | 'caution';

export interface Warning {
  code: string;
  message: string;
  severity: WarningSeverity;
}

const STRONG: readonly IdentifierKind[] = ['dob', 'mrn', 'health_number'];

function labels(fields: Loaded['fields']): string {
  const names = fields.map((f) => f.row.label);
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * Warnings about the patient's identity, the same before and at confirmation: `chosen` is what
 * the person confirmed, or null before they do (then what the requisition carries counts, since
 * the identity step offers every identifier it carries). Messages hold field labels, never values.
 */
export function identityWarnings(l: Loaded, x: Extract, now: Date, chosen: readonly IdentifierKind[] | null): Warning[] {
  const w: Warning[] = [];
  const danger = (code: string, message: string) => w.push({ code, message, severity: 'danger' });
  const caution = (code: string, message: string) => w.push({ code, message, severity: 'caution' });
  const dob = x.dob();
  if (dob.problem) danger('dob_unreadable', `the date of birth cannot be read as a date (${dob.problem})`);
  if (dob.value) {
    const d = new Date(`${dob.value}T00:00:00Z`);
    if (d.getTime() > now.getTime()) danger('dob_future', 'the date of birth is in the future');
    else if (now.getUTCFullYear() - d.getUTCFullYear() > 120) danger('dob_implausible', 'the date of birth makes the patient older than 120');
  }
  if (x.sex().problem) danger('sex_conflict', `sex: ${x.sex().problem}`);
  const identifiers = chosen ?? [...availableIdentifiers(x)];
  if (!identifiers.some((c) => STRONG.includes(c))) {
    danger(
      'weak_identifiers',
      chosen ? 'no date of birth, MRN or health number among the identifiers confirmed' : 'no date of birth, MRN or health number on this requisition: the name alone may match another patient',
    );
  }
  const patient = l.fields.filter((f) => f.row.role.startsWith('patient.'));
  const corrected = patient.filter((f) => f.row.review_state === 'corrected');
  if (corrected.length > 0) {
    caution('patient_corrected', `corrected by hand: ${labels(corrected)}. Compare ${corrected.length === 1 ? 'it' : 'them'} with the page once more`);
  }
  // Flags of fields not yet reviewed are the field step's business; once confirmed as read, a reminder.
  const flagged = patient.filter((f) => f.flags.length > 0 && f.row.review_state === 'confirmed');
  if (flagged.length > 0) caution('patient_flagged', `confirmed despite a reading flag: ${labels(flagged)}`);
  return w;
}
