import { describe, expect, it } from 'vitest';
import { instantToHl7, isoDateAndTimeToHl7, isoDateToHl7, parseHl7DateTime } from './dates.ts';

describe('ISO → HL7', () => {
  it('changes notation only, keeping the precision given', () => {
    expect(isoDateToHl7('1984-02-29')).toBe('19840229');
    expect(isoDateToHl7('2025-02')).toBe('202502');
    expect(isoDateToHl7('2025')).toBe('2025');
    expect(isoDateAndTimeToHl7('2025-03-04', '09:15')).toBe('202503040915');
    expect(isoDateAndTimeToHl7('2025-03-04', null)).toBe('20250304');
  });

  it('refuses what is not a real ISO date rather than guessing', () => {
    for (const bad of ['1985-02-29', '2025-13-01', '2025-00-10', '03/04/2025', '2025-3-4', ' 2025-03-04', '20250304', '']) {
      expect(() => isoDateToHl7(bad), bad).toThrow();
    }
    expect(() => isoDateAndTimeToHl7('2025-03-04', '24:00')).toThrow();
    expect(() => isoDateAndTimeToHl7('2025-03-04', '9:15')).toThrow();
    expect(() => isoDateAndTimeToHl7('2025-03', '09:15')).toThrow();
  });

  it('writes an instant in UTC with an explicit offset', () => {
    expect(instantToHl7(new Date('2025-03-04T15:06:07.890Z'))).toBe('20250304150607+0000');
    expect(() => instantToHl7(new Date('nope'))).toThrow();
  });
});

describe('parseHl7DateTime', () => {
  it('reads offsets and fractions from the field', () => {
    const a = parseHl7DateTime('20231130123716.0000+0800');
    expect(a).toEqual({ ok: true, value: { year: 2023, month: 11, day: 30, hour: 12, minute: 37, second: 16, fraction: '0000', offsetMinutes: 480, precision: 6 } });
    const b = parseHl7DateTime('202402210152-0500');
    expect(b.ok && b.value.offsetMinutes).toBe(-300);
    expect(b.ok && b.value.precision).toBe(5);
  });

  it('gives a stated error on a malformed value instead of throwing', () => {
    const r = parseHl7DateTime('February 2 2024');
    expect(r.ok).toBe(false);
    expect(parseHl7DateTime('20240230').ok).toBe(false);
    expect(parseHl7DateTime('2024022112.5').ok).toBe(false);
  });
});
