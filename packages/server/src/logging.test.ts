import { describe, expect, it } from 'vitest';
import { humanLine, logFormat, redactUrl } from './logging.ts';

const TOKEN = 'k3J9x_2mQ-Zp8rT4vW6yB1nC5dF7gH0jL2sA4eU6iO8';

describe('the log', () => {
  it('never holds a setup or invitation token, whichever URL carried it', () => {
    expect(redactUrl(`/setup/${TOKEN}`)).toBe('/setup/[redacted]');
    expect(redactUrl(`/api/setup/${TOKEN}/password`)).toBe('/api/setup/[redacted]/password');
    expect(redactUrl(`/api/setup/short/totp`)).toBe('/api/setup/[redacted]/totp');
    // Anything shaped like one of our tokens, anywhere, and every query value.
    expect(redactUrl(`/whatever/${TOKEN}?next=${TOKEN}&x`)).toBe('/whatever/[redacted]?next=[redacted]&x=[redacted]');
    // Ids stay: they are how an operator follows a request.
    const id = '3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
    expect(redactUrl(`/api/requisitions/${id}/fields/patient_dob/crop`)).toBe(`/api/requisitions/${id}/fields/patient_dob/crop`);
    expect(redactUrl('/api/queue')).toBe('/api/queue');
  });

  it('is one readable line per event on a terminal, JSON elsewhere', () => {
    const line = humanLine({ level: 30, time: new Date(2026, 0, 2, 9, 14, 3).getTime(), pid: 1, hostname: 'h', app: 'nexession', msg: 'requisition released', requisitionId: 'abc', deliveryId: 'def' });
    expect(line).toBe('09:14:03 INFO  requisition released requisitionId=abc deliveryId=def');
    expect(logFormat({}, true)).toBe('human');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(() => logFormat({ LOG_FORMAT: 'xml' }, true)).toThrow(/LOG_FORMAT/);
  });
});
