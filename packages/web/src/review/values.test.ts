import { describe, expect, it } from 'vitest';
import { checkboxDecisionWords, draftDiffers, roleContext } from './values.ts';

describe('values', () => {
  it('words a checkbox decision as arithmetic a person can redo', () => {
    const base = { ratio: 0.14, score: 0.14, low: 0.08, high: 0.2, filled: 0.85, dark: 140, total: 1000 };
    expect(checkboxDecisionWords({ ...base, state: 'review' })).toBe('fill 0.14 is between 0.08 and 0.20: a person decides');
    expect(checkboxDecisionWords({ ...base, score: 0.41, state: 'marked' })).toBe('fill 0.41 ≥ 0.20: marked');
    expect(checkboxDecisionWords({ ...base, score: 0.02, state: 'empty' })).toBe('fill 0.02 ≤ 0.08: empty');
  });

  it('never claims a fill is between the thresholds when the flag has another reason', () => {
    const base = { ratio: 0.35, score: 0.35, low: 0.04, high: 0.1, filled: 0.7, dark: 294, total: 841 };
    // Ink running out of the box sends a well-filled box to a person: the words must not say "between".
    const words = checkboxDecisionWords({ ...base, state: 'review' });
    expect(words).not.toContain('between');
    expect(words).toBe('fill 0.35 ≥ 0.10, but a person decides (the flag says why)');
    expect(checkboxDecisionWords({ ...base, score: 0.01, state: 'review' })).toBe('fill 0.01 ≤ 0.04, but a person decides (the flag says why)');
    expect(checkboxDecisionWords({ ...base, score: 0.06, state: 'marked' })).toBe('fill 0.06 is between 0.04 and 0.10, yet marked: a stroke in the box');
  });

  it('a typed draft matters only when it differs from the value, ignoring surrounding spaces', () => {
    expect(draftDiffers({ kind: 'text', text: ' SMITH ' }, 'SMITH')).toBe(false);
    expect(draftDiffers({ kind: 'text', text: 'SMYTH' }, 'SMITH')).toBe(true);
    expect(draftDiffers({ kind: 'text', text: '' }, null)).toBe(false);
    expect(draftDiffers({ kind: 'checkbox', checked: false }, null)).toBe(true);
  });

  it('gives a value checkbox the question it answers, and leaves test boxes and clear labels alone', () => {
    expect(roleContext({ kind: 'checkbox', role: 'pap.previous_biopsy', label: 'Yes' })).toBe('Previous biopsy');
    expect(roleContext({ kind: 'checkbox', role: 'patient.sex', label: 'M' })).toBe('Sex');
    expect(roleContext({ kind: 'checkbox', role: 'patient.sex', label: 'Sex: M' })).toBeNull();
    expect(roleContext({ kind: 'checkbox', role: 'order.test', label: 'TSH' })).toBeNull();
    expect(roleContext({ kind: 'text', role: 'patient.sex', label: 'Sex' })).toBeNull();
  });
});
