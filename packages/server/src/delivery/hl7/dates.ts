/**
 * Dates between ISO 8601 (how confirmed values are stored) and HL7 DT/DTM. Conversion only
 * changes the notation: the precision the person confirmed is kept (a year-month stays a
 * year-month), and no time zone is invented for a wall-clock time read off a form.
 */

export class DateFormatError extends Error {
  readonly code = 'bad_date';
  constructor(message: string) {
    super(message);
    this.name = 'DateFormatError';
  }
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD` → `YYYY`, `YYYYMM` or `YYYYMMDD`. Throws on anything else. */
export function isoDateToHl7(iso: string): string {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(iso);
  if (!m) throw new DateFormatError('not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)');
  const [, y, mo, d] = m;
  const year = Number(y);
  if (mo !== undefined) {
    const month = Number(mo);
    if (month < 1 || month > 12) throw new DateFormatError('month out of range');
    if (d !== undefined) {
      const day = Number(d);
      if (day < 1 || day > daysInMonth(year, month)) throw new DateFormatError('day out of range');
    }
  }
  return `${y}${mo ?? ''}${d ?? ''}`;
}

/** `HH:mm` or `HH:mm:ss` (24-hour) → `HHmm` or `HHmmss`. */
export function isoTimeToHl7(iso: string): string {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(iso);
  if (!m) throw new DateFormatError('not a 24-hour time (HH:mm)');
  const [, h, mi, s] = m;
  if (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59)) throw new DateFormatError('time out of range');
  return `${h}${mi}${s ?? ''}`;
}

/** An ISO date plus an optional wall-clock time, as written on the form: no offset is added. */
export function isoDateAndTimeToHl7(date: string, time: string | null): string {
  const day = isoDateToHl7(date);
  if (time === null) return day;
  if (day.length !== 8) throw new DateFormatError('a time needs a full date');
  return day + isoTimeToHl7(time);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An instant (e.g. MSH-7) in UTC with an explicit `+0000` offset, to the second. */
export function instantToHl7(instant: Date): string {
  if (Number.isNaN(instant.getTime())) throw new DateFormatError('invalid instant');
  return (
    pad(instant.getUTCFullYear(), 4) +
    pad(instant.getUTCMonth() + 1) +
    pad(instant.getUTCDate()) +
    pad(instant.getUTCHours()) +
    pad(instant.getUTCMinutes()) +
    pad(instant.getUTCSeconds()) +
    '+0000'
  );
}

export interface Hl7DateTime {
  year: number;
  month: number | null;
  day: number | null;
  hour: number | null;
  minute: number | null;
  second: number | null;
  /** Fraction of a second as written (`"0000"` in `.0000`), or null. */
  fraction: string | null;
  /** Offset from UTC in minutes, or null when the value has none (local time of the sender). */
  offsetMinutes: number | null;
  /** How many leading components were given: 1 = year ... 6 = second. */
  precision: 1 | 2 | 3 | 4 | 5 | 6;
}

export type ParsedDateTime = { ok: true; value: Hl7DateTime } | { ok: false; error: string };

/**
 * Reads an HL7 DT/DTM/TS value such as `2024`, `20240221`, `202402210152-0500` or
 * `20231130123716.0000+0800`. Never throws: a malformed value (e.g. `February 2 2024`) gives a
 * stated error, so a parser of someone else's message can carry on.
 */
export function parseHl7DateTime(text: string): ParsedDateTime {
  // TS in older versions carries a degree of precision after a component separator; the caller
  // passes the first component only.
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/.exec(text);
  if (!m) return { ok: false, error: 'not an HL7 date/time (YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ])' };
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const year = Number(y);
  const month = mo === undefined ? null : Number(mo);
  const day = d === undefined ? null : Number(d);
  const hour = h === undefined ? null : Number(h);
  const minute = mi === undefined ? null : Number(mi);
  const second = s === undefined ? null : Number(s);
  if (frac !== undefined && second === null) return { ok: false, error: 'fraction of a second without seconds' };
  if (month !== null && (month < 1 || month > 12)) return { ok: false, error: 'month out of range' };
  if (day !== null && month !== null && (day < 1 || day > daysInMonth(year, month))) return { ok: false, error: 'day out of range' };
  if (hour !== null && hour > 23) return { ok: false, error: 'hour out of range' };
  if (minute !== null && minute > 59) return { ok: false, error: 'minute out of range' };
  if (second !== null && second > 59) return { ok: false, error: 'second out of range' };
  let offsetMinutes: number | null = null;
  if (off !== undefined) {
    const oh = Number(off.slice(1, 3));
    const om = Number(off.slice(3, 5));
    if (oh > 14 || om > 59) return { ok: false, error: 'offset out of range' };
    offsetMinutes = (off[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const precision = [y, mo, d, h, mi, s].filter((p) => p !== undefined).length as Hl7DateTime['precision'];
  return { ok: true, value: { year, month, day, hour, minute, second, fraction: frac ?? null, offsetMinutes, precision } };
}
