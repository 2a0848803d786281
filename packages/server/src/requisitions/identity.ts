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

export interface Warning {
  code: string;
  message: string;
}

export function identityWarnings(l: Loaded, x: Extract, now: Date, chosen: IdentifierKind[]): Warning[] {
  const w: Warning[] = [];
  const dob = x.dob();
  if (dob.problem) w.push({ code: 'dob_unreadable', message: `date of birth: ${dob.problem}` });
  if (dob.value) {
    const d = new Date(`${dob.value}T00:00:00Z`);
    if (d.getTime() > now.getTime()) w.push({ code: 'dob_future', message: 'the date of birth is in the future' });
    else if (now.getUTCFullYear() - d.getUTCFullYear() > 120) w.push({ code: 'dob_implausible', message: 'the date of birth makes the patient older than 120' });
  }
  const patient = l.fields.filter((f) => f.row.role.startsWith('patient.'));
  const corrected = patient.filter((f) => f.row.review_state === 'corrected').length;
  if (corrected > 0) w.push({ code: 'patient_corrected', message: `${corrected} patient field(s) were corrected by hand: check them against the page` });
  const flagged = patient.filter((f) => f.flags.length > 0).length;
  if (flagged > 0) w.push({ code: 'patient_flagged', message: `${flagged} patient field(s) carried reading flags` });
  if (x.sex().problem) w.push({ code: 'sex_conflict', message: `sex: ${x.sex().problem}` });
  if (!chosen.some((c) => c === 'dob' || c === 'mrn' || c === 'health_number')) {
    w.push({ code: 'weak_identifiers', message: 'no date of birth, MRN or health number among the identifiers confirmed' });
  }
  return w;
}
