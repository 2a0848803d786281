import { describe, expect, it } from 'vitest';
import { auditTime, clockTime } from './time.ts';

describe('times', () => {
  it('an audit time is unambiguous: full date, 24-hour time to the second, UTC offset', () => {
    const t = auditTime('2026-12-03T19:05:09.123Z');
    expect(t).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}$/);
    // Whatever the zone, the offset brings it back to the same instant.
    const [date, time, zone] = t.split(' ');
    expect(Date.parse(`${date}T${time}${zone}`)).toBe(Date.parse('2026-12-03T19:05:09Z'));
    expect(auditTime('not a time')).toBe('not a time');
  });

  it('a clock time today is the time only, another day carries its date', () => {
    const now = new Date(2026, 11, 3, 20, 0);
    expect(clockTime(new Date(2026, 11, 3, 7, 5).toISOString(), now)).toBe('07:05');
    expect(clockTime(new Date(2026, 11, 1, 7, 5).toISOString(), now)).toBe('2026-12-01 07:05');
  });
});
