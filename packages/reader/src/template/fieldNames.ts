/**
 * Guesses from a field's key (as EMR maps and administrators name them) what kind of text it
 * holds. Only a starting point for an administrator; never used to change a value.
 */
import type { TextType } from '../types.ts';

const RULES: { re: RegExp; type: TextType; format?: string }[] = [
  { re: /(birth|dob).*(year|yyyy)|year.*birth/i, type: 'digits', format: 'YYYY' },
  { re: /(birth|dob).*(mth|month|mm)/i, type: 'digits', format: 'MM' },
  { re: /(birth|dob).*(day|dd)/i, type: 'digits', format: 'DD' },
  { re: /(tel|phone|fax|contact(urgent)?$)/i, type: 'phone' },
  { re: /icd|diagnosis.?code|dx.?code/i, type: 'icd10_list' },
  { re: /npi/i, type: 'npi' },
  { re: /(postal|zip|pc$|PC$)/, type: 'postal_code' },
  { re: /time/i, type: 'time', format: 'HH:mm' },
  { re: /specimenCollectionDate|collection.?date/i, type: 'date', format: 'YYYY/MM/DD' },
  { re: /date|dob/i, type: 'date' },
  { re: /(age|days|hours)$/i, type: 'digits' },
  { re: /(health.?number|hin|mrn|chart|member|policy|practitioner.?no|cpso|ref.?no|oprn|^version$|account)/i, type: 'identifier' },
  { re: /(last.?name|first.?name|lname|fname|prov.?name|clinician.?name|^name$|patient.?name)/i, type: 'name' },
  { re: /(address|city|street)/i, type: 'address' },
  { re: /^sex$|gender/i, type: 'sex' },
];

export function guessTextType(key: string): { textType: TextType; format?: string } {
  for (const r of RULES) if (r.re.test(key)) return r.format ? { textType: r.type, format: r.format } : { textType: r.type };
  return { textType: 'free' };
}

/** "patientLastName" → "Patient last name"; "b_tsh" → "Tsh". */
export function humaniseKey(key: string): string {
  const words = key
    .replace(/^[a-z]{1,4}_/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
