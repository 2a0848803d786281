/**
 * The identity step: which patient identifiers the reviewed fields give, in words, so the
 * reviewer compares them with the page. At least two are needed (two-identifier rule).
 */
import type { IdentifierKind, ReviewField } from '../api/types.ts';

export interface IdentifierPart {
  kind: IdentifierKind;
  label: string;
  text: string;
  /** Field keys the identifier is made of (to show their crops side by side). */
  keys: string[];
}

function text(f: ReviewField | undefined): string | null {
  if (!f || typeof f.value !== 'string') return null;
  const t = f.value.trim();
  return t === '' ? null : t;
}

export function identityParts(fields: readonly ReviewField[]): IdentifierPart[] {
  const byRole = new Map<string, ReviewField>();
  for (const f of fields) if (f.kind !== 'checkbox' && !byRole.has(f.role)) byRole.set(f.role, f);
  const parts: IdentifierPart[] = [];
  const pick = (...roles: string[]) => roles.map((r) => byRole.get(r)).filter((f): f is ReviewField => text(f) !== null);

  const nameFields = pick('patient.last_name', 'patient.first_name', 'patient.middle_name');
  const full = pick('patient.full_name');
  if (nameFields.length > 0) {
    const [last, ...rest] = nameFields.map((f) => text(f) as string);
    parts.push({ kind: 'name', label: 'Name', text: rest.length ? `${last}, ${rest.join(' ')}` : (last as string), keys: nameFields.map((f) => f.key) });
  } else if (full.length > 0) {
    parts.push({ kind: 'name', label: 'Name', text: text(full[0]) as string, keys: full.map((f) => f.key) });
  }

  const dob = pick('patient.dob');
  const dobParts = pick('patient.dob_year', 'patient.dob_month', 'patient.dob_day');
  if (dob.length > 0) parts.push({ kind: 'dob', label: 'DOB', text: text(dob[0]) as string, keys: [dob[0]!.key] });
  else if (dobParts.length === 3) parts.push({ kind: 'dob', label: 'DOB', text: dobParts.map((f) => text(f)).join('-'), keys: dobParts.map((f) => f.key) });

  const hn = pick('patient.health_number');
  if (hn.length > 0) {
    const version = pick('patient.health_number_version');
    const v = version.length > 0 ? ` ${text(version[0])}` : '';
    parts.push({ kind: 'health_number', label: 'HN', text: `${text(hn[0])}${v}`, keys: [...hn, ...version].map((f) => f.key) });
  }
  const mrn = pick('patient.mrn');
  if (mrn.length > 0) parts.push({ kind: 'mrn', label: 'MRN', text: text(mrn[0]) as string, keys: [mrn[0]!.key] });
  return parts;
}
