/**
 * Dates and times as written, read with the format the form asks for. Only an unambiguous
 * reading is accepted: two-digit years, impossible dates and text that does not fit the format
 * are problems for a person, never guesses.
 */

export type Parsed = { ok: true; value: string } | { ok: false; problem: string };

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1900 || y > 2200) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** `format` like "MM/DD/YYYY", "YYYY-MM-DD", "DD/MM/YYYY"; without one only ISO is accepted. */
export function parseDate(text: string, format?: string): Parsed {
  const t = text.trim();
  const fmt = (format ?? 'YYYY-MM-DD').toUpperCase();
  const order: string[] = fmt.match(/YYYY|YY|MM|M|DD|D/g) ?? [];
  if (order.includes('YY') && !order.includes('YYYY')) return { ok: false, problem: `two-digit years are ambiguous; the form asks for ${fmt}` };
  // A format without separators (comb boxes, "MMDDYYYY"): the digits are read by position.
  const fixed = !/[^YMD]/.test(fmt) && order.every((tok) => tok.length >= 2);
  const digits = t.replace(/\s+/g, '');
  let groups: string[];
  if (fixed && /^\d+$/.test(digits)) {
    if (digits.length !== fmt.length) return { ok: false, problem: `"${fmt}" expected` };
    groups = [];
    let at = 0;
    for (const tok of order) {
      groups.push(digits.slice(at, at + tok.length));
      at += tok.length;
    }
  } else {
    groups = t.match(/\d+/g) ?? [];
  }
  const rest = t.replace(/\d+/g, '').replace(/[\s./-]/g, '');
  if (groups.length !== 3 || rest.length > 0 || order.length !== 3) return { ok: false, problem: `"${fmt}" expected` };
  let y = 0;
  let m = 0;
  let d = 0;
  for (let i = 0; i < 3; i++) {
    const g = groups[i]!;
    const tok = order[i]!;
    if (tok === 'YYYY') {
      if (g.length !== 4) return { ok: false, problem: `a four-digit year is expected (${fmt})` };
      y = Number(g);
    } else if (tok.startsWith('M')) {
      if (g.length > 2) return { ok: false, problem: `"${fmt}" expected` };
      m = Number(g);
    } else {
      if (g.length > 2) return { ok: false, problem: `"${fmt}" expected` };
      d = Number(g);
    }
  }
  if (!validDate(y, m, d)) return { ok: false, problem: 'not a real calendar date' };
  return { ok: true, value: iso(y, m, d) };
}

/** A date from separate year, month and day fields (the Ontario form's boxes). */
export function dateFromParts(year: string | null, month: string | null, day: string | null): Parsed {
  if (!year || !month || !day) return { ok: false, problem: 'year, month and day are not all given' };
  const [y, m, d] = [year, month, day].map((s) => s.trim());
  if (!/^\d{4}$/.test(y!) || !/^\d{1,2}$/.test(m!) || !/^\d{1,2}$/.test(d!)) return { ok: false, problem: 'year (4 digits), month and day must be numbers' };
  if (!validDate(Number(y), Number(m), Number(d))) return { ok: false, problem: 'not a real calendar date' };
  return { ok: true, value: iso(Number(y), Number(m), Number(d)) };
}

/** `HH:mm`, `H:mm`, `HHmm`, or 12-hour with AM/PM; the result is 24-hour `HH:mm`. */
export function parseTime(text: string): Parsed {
  const t = text.trim().toUpperCase().replace(/\s+/g, ' ');
  const m = /^(\d{1,2}):?(\d{2})(?: ?(AM|PM|A\.M\.|P\.M\.))?$/.exec(t);
  if (!m) return { ok: false, problem: 'a time like 14:30 is expected' };
  let h = Number(m[1]);
  const min = Number(m[2]);
  const half = m[3]?.replace(/\./g, '');
  if (half) {
    if (h < 1 || h > 12) return { ok: false, problem: 'not a real time' };
    if (half === 'AM' && h === 12) h = 0;
    if (half === 'PM' && h !== 12) h += 12;
  }
  if (h > 23 || min > 59) return { ok: false, problem: 'not a real time' };
  return { ok: true, value: `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}` };
}
