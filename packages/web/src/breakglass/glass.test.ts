import { describe, expect, it } from 'vitest';
import { clock, minuteChoices, reasonProblem, secondsLeft } from './glass.ts';

describe('break-glass banner and dialog logic', () => {
  it('counts down from the server answer, never below zero', () => {
    expect(secondsLeft(1800, 1_000_000, 1_000_000)).toBe(1800);
    expect(secondsLeft(1800, 1_000_000, 1_000_000 + 61_500)).toBe(1738);
    expect(secondsLeft(10, 0, 60_000)).toBe(0);
  });

  it('writes the time left as a clock', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(65)).toBe('1:05');
    expect(clock(1800)).toBe('30:00');
    expect(clock(4 * 3600)).toBe('4:00:00');
  });

  it('wants a reason in words, as the server does', () => {
    for (const bad of ['', 'stat', 'emergency!!!!!!!!', 'urgent urgent urgent urgent', '1234 5678 9012 3456']) expect(reasonProblem(bad), bad).not.toBeNull();
    expect(reasonProblem('LIS is down and a STAT order must be read')).toBeNull();
  });

  it('offers time boxes up to the maximum, with the default', () => {
    expect(minuteChoices({ default: 30, max: 240 })).toEqual([15, 30, 60, 120, 240]);
    expect(minuteChoices({ default: 45, max: 60 })).toEqual([15, 30, 45, 60]);
  });
});
