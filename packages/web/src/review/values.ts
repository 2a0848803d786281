/** How field values are shown, typed and compared. Pure; the machine value is never altered. */
import type { FieldValue, ReviewField } from '../api/types.ts';

/** What a person has typed or toggled on a field but not yet saved. */
export type Draft = { kind: 'text'; text: string } | { kind: 'checkbox'; checked: boolean };

/** The text an input shows for a value: blank is the empty string (the placeholder says "blank"). */
export function displayText(value: FieldValue): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'marked' : 'empty';
  return value;
}

/** Words for a value in lists and the audit view. */
export function valueWords(value: FieldValue | undefined): string {
  if (value === undefined || value === null) return '(blank)';
  if (typeof value === 'boolean') return value ? '☒ marked' : '☐ empty';
  return value;
}

/** The value a draft stands for. Surrounding spaces a person typed by accident are dropped. */
export function draftValue(draft: Draft): FieldValue {
  return draft.kind === 'text' ? draft.text.trim() : draft.checked;
}

/** A draft matters only when it says something other than the field's current value. */
export function draftDiffers(draft: Draft, current: FieldValue): boolean {
  if (draft.kind === 'checkbox') return draft.checked !== current;
  const typed = draft.text.trim();
  if (current === null) return typed !== '';
  return typed !== displayText(current);
}

export function isReviewed(field: ReviewField): boolean {
  return field.review.state !== 'unreviewed';
}

/** A flag blocks a bare Enter only while the field is still unreviewed. */
export function needsDeliberateConfirm(field: ReviewField): boolean {
  return field.flags.length > 0 && field.review.state === 'unreviewed';
}

export function percent(x: number): string {
  return `${Math.round(x * 100)} %`;
}

export function ratio(x: number): string {
  return x.toFixed(2);
}

/**
 * "fill 0.41 ≥ 0.20: marked": the checkbox decision as arithmetic a person can redo. The fill
 * alone does not always decide (a stroke marks a big cell; ink running out of the box, a circle
 * round it, a crossed-out mark send it to a person whatever its fill): the words then say so
 * rather than claim a comparison that is false; the flag beside them gives the reason.
 */
export function checkboxDecisionWords(cb: NonNullable<ReviewField['checkbox']>): string {
  const score = ratio(cb.score);
  const low = ratio(cb.low);
  const high = ratio(cb.high);
  const band = cb.score >= cb.high ? `fill ${score} ≥ ${high}` : cb.score <= cb.low ? `fill ${score} ≤ ${low}` : `fill ${score} is between ${low} and ${high}`;
  if (cb.state === 'marked') return cb.score >= cb.high ? `${band}: marked` : `${band}, yet marked: a stroke in the box`;
  if (cb.state === 'empty') return cb.score <= cb.low ? `${band}: empty` : `${band}, yet empty: no stroke, only specks`;
  return cb.score > cb.low && cb.score < cb.high ? `${band}: a person decides` : `${band}, but a person decides (the flag says why)`;
}

/**
 * For a checkbox that stands for a value of something ("M", "Yes", "Insurance"), the printed label
 * alone is ambiguous in a list: the role says what it answers. Test boxes carry their own name.
 */
const ROLE_CONTEXT: Record<string, string> = {
  'patient.sex': 'Sex',
  'insurance.kind': 'Bill to',
  'specimen.source': 'Specimen source',
  'order.stat': 'Priority',
  'pap.previous_abnormal': 'Previous abnormal report',
  'pap.previous_treatment': 'Previous treatment',
  'pap.previous_biopsy': 'Previous biopsy',
};

export function roleContext(field: Pick<ReviewField, 'kind' | 'role' | 'label'>): string | null {
  if (field.kind !== 'checkbox') return null;
  const context = ROLE_CONTEXT[field.role];
  if (!context || field.label.toLowerCase().includes(context.toLowerCase())) return null;
  return context;
}
