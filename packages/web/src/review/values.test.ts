import { describe, expect, it } from 'vitest';
import { checkboxDecisionWords, draftDiffers, roleContext } from './values.ts';

describe('values', () => {
  it('words a checkbox decision as arithmetic a person can redo', () => {
    const base = { ratio: 0.14, score: 0.14, low: 0.08, high: 0.2, filled: 0.85, dark: 140, total: 1000 };
    expect(checkboxDecisionWords({ ...base, state: 'review' })).toBe('fill 0.14 is between 0.08 and 0.20: a person decides');
    expect(checkboxDecisionWords({ ...base, score: 0.41, state: 'marked' })).toBe('fill 0.41 ≥ 0.20: marked');
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
