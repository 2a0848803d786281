/**
 * How a field's review state looks: the outline on the page and the status in the list.
 * Colour is never the only signal: every look has a line pattern, an icon and words.
 */
import type { ReviewField } from '../api/types.ts';

export type RegionLook = 'current' | 'flagged' | 'reviewed' | 'unreviewed';

export function regionLook(field: ReviewField, isCurrent: boolean): RegionLook {
  if (isCurrent) return 'current';
  if (field.review.state !== 'unreviewed') return 'reviewed';
  if (field.flags.length > 0) return 'flagged';
  return 'unreviewed';
}

export const LOOK_LEGEND: Record<RegionLook, { words: string; icon: string }> = {
  current: { words: 'current field (blue, thick)', icon: '▶' },
  flagged: { words: 'flagged (amber, dashed)', icon: '⚠' },
  reviewed: { words: 'reviewed (green)', icon: '✓' },
  unreviewed: { words: 'not reviewed (grey, dotted)', icon: '○' },
};

export interface FieldStatus {
  icon: string;
  words: string;
  tone: 'todo' | 'flag' | 'done' | 'draft';
}

export function fieldStatus(field: ReviewField, unsavedDraft: boolean): FieldStatus {
  if (unsavedDraft) return { icon: '✎', words: 'typed, not saved', tone: 'draft' };
  switch (field.review.state) {
    case 'confirmed':
      if (field.flags.length > 0) return { icon: '✓', words: 'confirmed despite flag', tone: 'done' };
      return { icon: '✓', words: field.value === null ? 'confirmed blank' : 'confirmed', tone: 'done' };
    case 'corrected':
      return { icon: '✓', words: 'corrected', tone: 'done' };
    case 'absent_on_source':
      return { icon: '∅', words: 'blank on the form', tone: 'done' };
    case 'unreviewed':
      return field.flags.length > 0
        ? { icon: '⚠', words: 'flagged', tone: 'flag' }
        : { icon: '○', words: 'not reviewed', tone: 'todo' };
  }
}
