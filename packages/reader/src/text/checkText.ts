/**
 * Checks of a text value against its field's type. They never change the value: a value that
 * fails says so in a flag with the reason, and a date or time that parses unambiguously by the
 * field's format is also reported in ISO form. Messages never repeat the value itself.
 */
import type { Flag, TextType } from '../types.ts';

export interface TextCheck {
  flags: Flag[];
  /** ISO date (YYYY-MM-DD) or time (HH:mm), when the text parses unambiguously. */
  parsed?: string;
}

const flag = (code: string, message: string): Flag => ({ code, message });

export function checkText(type: TextType, text: string, format?: string): TextCheck {
  const t = text.trim();
  if (!t) return { flags: [] };
  switch (type) {
    case 'icd10_list':
      return checkIcd10List(t);
    case 'npi':
      return checkNpi(t);
    case 'date':
      return checkDate(t, format);
    case 'time':
      return checkTime(t, format);
    case 'phone':
      return checkPhone(t);
    case 'postal_code':
      return checkPostalCode(t);
    case 'identifier':
      return /^[A-Za-z0-9][A-Za-z0-9 -]*$/.test(t) ? { flags: [] } : { flags: [flag('identifier_characters', 'an identifier holds only letters, digits, spaces and dashes')] };
    case 'digits':
      return checkDigits(t, format);
    case 'name':
      return /\d/.test(t) ? { flags: [flag('name_digits', 'a name should not contain digits')] } : /^[\p{L}][\p{L}\p{M} '’.,-]*$/u.test(t) ? { flags: [] } : { flags: [flag('name_characters', 'a name holds only letters, spaces, apostrophes, dashes and dots')] };
    case 'sex':
      return /^(m|f|x|u|male|female|other|unknown)$/i.test(t) ? { flags: [] } : { flags: [flag('sex_value', 'sex is not one of M, F, X, U')] };
    case 'address':
    case 'free':
      return { flags: [] };
  }
}

/** ICD-10 (WHO and -CM) shape: a letter, two more characters, an optional dot and up to four more. */
export const ICD10_SHAPE = /^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/;

function checkIcd10List(t: string): TextCheck {
  const codes = t.split(/[\s,;]+/).filter(Boolean);
  const bad = codes.map((c, i) => (ICD10_SHAPE.test(c) ? -1 : i + 1)).filter((i) => i > 0);
  if (!bad.length) return { flags: [] };
  return { flags: [flag('icd10_shape', `${bad.length} of ${codes.length} code(s) do not have the shape of an ICD-10 code (position ${bad.join(', ')})`)] };
}

/**
 * NPI check digit: the Luhn algorithm over the 9 identifier digits prefixed with 80840 (the
 * health-industry prefix, ISO 7812), compared with the 10th digit.
 */
export function npiCheckDigitValid(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  const digits = `80840${npi.slice(0, 9)}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // From the right, every second digit (starting with the rightmost of the payload) is doubled.
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(npi[9]);
}

function checkNpi(t: string): TextCheck {
  const compact = t.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(compact)) return { flags: [flag('npi_characters', 'an NPI holds only digits')] };
  if (compact.length !== 10) return { flags: [flag('npi_length', `an NPI has 10 digits; this has ${compact.length}`)] };
  if (!npiCheckDigitValid(compact)) return { flags: [flag('npi_check_digit', 'NPI check digit fails')] };
  return { flags: [] };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function realDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

const iso = (y: number, m: number, d: number): string => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function checkDate(t: string, format?: string): TextCheck {
  // A month written as a word makes the order plain: "5 Mar 2024", "Mar 5, 2024".
  const word = /^(\d{1,2})\s*([A-Za-z]{3,9})\.?,?\s*(\d{4})$|^([A-Za-z]{3,9})\.?\s*(\d{1,2}),?\s*(\d{4})$/.exec(t);
  if (word) {
    const d = Number(word[1] ?? word[5]);
    const mon = (word[2] ?? word[4])!.slice(0, 3).toLowerCase();
    const y = Number(word[3] ?? word[6]);
    const m = MONTHS.indexOf(mon) + 1;
    if (m === 0) return { flags: [flag('date_invalid', 'the month is not a month name')] };
    return realDate(y, m, d) ? { flags: [], parsed: iso(y, m, d) } : { flags: [flag('date_invalid', 'not a real calendar date')] };
  }
  const parts = t.split(/[\s/.\-]+/).filter(Boolean);
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) return { flags: [flag('date_format', `not a date in the form ${format ?? 'of a date'}`)] };
  // A date is written with one separator throughout (2024/03/15, 03-15-2024): two different
  // ones are as likely a misread stroke as the writer's hand.
  const seps = t.match(/[\s/.\-]+/g) ?? [];
  if (seps.length === 2 && seps[0]!.trim() !== seps[1]!.trim()) return { flags: [flag('date_format', 'the date is written with two different separators')] };
  const order = format ? orderOf(format) : null;
  const nums = parts.map(Number) as [number, number, number];
  if (order) {
    const y = nums[order.indexOf('Y')]!;
    const m = nums[order.indexOf('M')]!;
    const d = nums[order.indexOf('D')]!;
    const yPart = parts[order.indexOf('Y')]!;
    if (yPart.length !== 4) return { flags: [flag('date_format', `the year is not written with four digits (${format})`)] };
    return realDate(y, m, d) ? { flags: [], parsed: iso(y, m, d) } : { flags: [flag('date_invalid', `not a real calendar date when read as ${format}`)] };
  }
  // No format: only a year-first date or a day above 12 leaves no doubt.
  if (parts[0]!.length === 4) return realDate(nums[0], nums[1], nums[2]) ? { flags: [], parsed: iso(nums[0], nums[1], nums[2]) } : { flags: [flag('date_invalid', 'not a real calendar date')] };
  if (parts[2]!.length !== 4) return { flags: [flag('date_ambiguous', 'the year is not written with four digits, and the form gives no date format')] };
  const [a, b, y] = nums;
  if (a > 12 && realDate(y, b, a)) return { flags: [], parsed: iso(y, b, a) };
  if (b > 12 && realDate(y, a, b)) return { flags: [], parsed: iso(y, a, b) };
  if (a === b && realDate(y, a, b)) return { flags: [], parsed: iso(y, a, b) };
  return { flags: [flag('date_ambiguous', 'day and month could be either way round, and the form gives no date format')] };
}

function orderOf(format: string): string | null {
  const order = format
    .toUpperCase()
    .replace(/[^YMD]+/g, ' ')
    .trim()
    .split(' ')
    .map((p) => p[0] ?? '')
    .join('');
  return order.length === 3 && new Set(order).size === 3 ? order : null;
}

function checkTime(t: string, format?: string): TextCheck {
  // The form asks for hours and minutes with a colon (HH:mm): a full stop there is as likely a
  // misread colon as the writer's choice.
  if (format?.includes(':') && /^\d{1,2}\s*[.h]\s*\d{2}/i.test(t)) return { flags: [flag('time_format', `the time is not written with a colon, as the form asks (${format})`)] };
  const m = /^(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/i.exec(t.replace(/\s*(hr|hrs|h)\.?$/i, ''));
  if (!m) return { flags: [flag('time_format', 'not a time (HH:mm)')] };
  let h = Number(m[1]);
  const min = m[2] === undefined ? 0 : Number(m[2]);
  const ampm = m[3]?.toLowerCase().replace(/\./g, '');
  if (ampm) {
    if (h < 1 || h > 12) return { flags: [flag('time_invalid', 'hour is not between 1 and 12 with am/pm')] };
    h = (h % 12) + (ampm === 'pm' ? 12 : 0);
  }
  if (h > 23 || min > 59) return { flags: [flag('time_invalid', 'not a time of day')] };
  return { flags: [], parsed: `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}` };
}

function checkPhone(t: string): TextCheck {
  const [main = '', ext] = t.split(/\s*(?:ext\.?|x)\s*/i);
  if (/[^\d\s()+.\-]/.test(main)) return { flags: [flag('phone_characters', 'a phone number holds only digits, spaces, brackets, dots and dashes')] };
  const digits = main.replace(/\D/g, '');
  const ok = digits.length === 10 || (digits.length === 11 && digits.startsWith('1'));
  const flags: Flag[] = ok ? [] : [flag('phone_digits', `a North American phone number has 10 digits; this has ${digits.length}`)];
  // Written one way throughout: (555) 555-5555, 555-555-5555, 555.555.5555, 555 555 5555.
  const national = main.trim().replace(/^\+?1[\s.-]?(?=[\d(])/, '');
  if (ok && !/^(\(\d{3}\) ?\d{3}[-.\s]\d{4}|\d{3}([-.\s])\d{3}\2\d{4}|\d{10})$/.test(national)) flags.push(flag('phone_format', 'the separators are not those of a phone number written one way (e.g. 555-555-5555)'));
  if (ext !== undefined && !/^\d{1,6}$/.test(ext)) flags.push(flag('phone_extension', 'the extension is not 1 to 6 digits'));
  return { flags };
}

function checkPostalCode(t: string): TextCheck {
  const ca = /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/i;
  const us = /^\d{5}(-\d{4})?$/;
  return ca.test(t) || us.test(t) ? { flags: [] } : { flags: [flag('postal_code_shape', 'not a Canadian (A1A 1A1) or US (12345) postal code')] };
}

function checkDigits(t: string, format?: string): TextCheck {
  const compact = t.replace(/\s/g, '');
  if (!/^\d+$/.test(compact)) return { flags: [flag('digits_characters', 'this field holds digits only')] };
  const f = format?.toUpperCase();
  if (f === 'YYYY') {
    const y = Number(compact);
    if (compact.length !== 4 || y < 1880 || y > 2150) return { flags: [flag('year_range', 'not a four-digit year')] };
  } else if (f === 'MM') {
    const m = Number(compact);
    if (compact.length > 2 || m < 1 || m > 12) return { flags: [flag('month_range', 'not a month (1-12)')] };
  } else if (f === 'DD') {
    const d = Number(compact);
    if (compact.length > 2 || d < 1 || d > 31) return { flags: [flag('day_range', 'not a day of the month (1-31)')] };
  }
  return { flags: [] };
}
