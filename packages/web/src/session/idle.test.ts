import { describe, expect, it } from 'vitest';
import { idlePhase, keepaliveDue } from './idle.ts';

describe('idle logoff', () => {
  const t0 = 1_000_000;
  it('warns one minute before the limit, counting down, then expires', () => {
    expect(idlePhase(t0 + 838_000, t0, 900, 60)).toEqual({ phase: 'active' });
    expect(idlePhase(t0 + 840_000, t0, 900, 60)).toEqual({ phase: 'warning', secondsLeft: 60 });
    expect(idlePhase(t0 + 899_500, t0, 900, 60)).toEqual({ phase: 'warning', secondsLeft: 1 });
    expect(idlePhase(t0 + 900_000, t0, 900, 60)).toEqual({ phase: 'expired' });
  });

  it('sends a keepalive only after activity and not more than once per interval', () => {
    expect(keepaliveDue(t0 + 61_000, t0 + 30_000, t0, 60)).toBe(true);
    expect(keepaliveDue(t0 + 59_000, t0 + 30_000, t0, 60)).toBe(false);
    expect(keepaliveDue(t0 + 120_000, t0 - 1, t0, 60)).toBe(false);
  });
});
