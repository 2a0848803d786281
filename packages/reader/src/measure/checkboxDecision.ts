/**
 * The checkbox decision: a pure function of the recorded evidence, so the reader and anyone
 * recomputing from the stored image reach the same state for the same numbers.
 */
import type { CheckboxEvidence, CheckboxState, Flag } from '../types.ts';

/** Isolated dark pixels (fax noise) do not count: a pixel needs this many dark neighbours. */
export const MIN_DARK_NEIGHBOURS = 3;
export const CHECKBOX_THRESHOLDS = { low: 0.07, high: 0.1, filled: 0.7 } as const;

/**
 * The low threshold for a box of `total` interior pixels: about 12 pixels' worth, between 4 %
 * (large cells, where fax noise averages out and a small mark is a small share) and 7 % (small
 * squares, where a few noise pixels are already several per cent).
 */
export function lowThreshold(total: number): number {
  return Math.min(0.07, Math.max(0.04, total > 0 ? 12 / total : 0.07));
}

/** Ink this share of the box counts for the strokes-through-the-box checks, below the review band. */
const TRACE = 0.02;
export const SURROUND_THRESHOLD = 0.08;
/** Around the box only pen-dark ink counts: light printed shading and dithering do not. */
export const SURROUND_INK = 128;
export const STRUCK_THROUGH_THRESHOLD = 0.015;
/** Columns (rows) of ink crossing into a neighbouring box that make a crossing stroke. */
export const CROSSING_LINES = 3;
/** Rows (columns) of ink leaving a side, and sides with ink leaving, that make a stroke through the box. */
export const EXIT_LINES = 2;
export const EXIT_SIDES = 2;
export const EXIT_MAX_SHARE = 0.5;

const pct = (v: number): string => `${Math.round(v * 1000) / 10} %`;

export function decideCheckbox(e: CheckboxEvidence): { state: CheckboxState; flags: Flag[] } {
  const t = e.thresholds;
  if (e.score >= t.filled) {
    return { state: 'review', flags: [{ code: 'checkbox_filled', message: `box is ${pct(e.score)} filled (at or above ${pct(t.filled)}): a filled box may mean the mark was cancelled` }] };
  }
  // A band dark along most of its length lies on a printed rule (a fax widens them), not on a stroke.
  const exits = e.exits?.sides.filter((s) => s.lines >= e.exits!.minLines && s.lines <= e.exits!.maxShare * (s.side === 'left' || s.side === 'right' ? s.inside.h : s.inside.w)) ?? [];
  if (e.exits && e.score > TRACE && e.score < t.filled && exits.length >= e.exits.minSides) {
    return {
      state: 'review',
      flags: [{ code: 'checkbox_stroke_through', message: `ink runs out of the box on ${exits.map((s) => s.side).join(', ')}: a stroke through the box (a circle round the next box, a mark struck through)` }],
    };
  }
  const crossing = e.crossings?.find((c) => c.lines >= c.minLines);
  if (crossing && e.score > TRACE) {
    return { state: 'review', flags: [{ code: 'checkbox_crossing', message: `a stroke runs between this box and "${crossing.other}" (${crossing.lines} ${crossing.across} cross the edge): which box was meant?` }] };
  }
  if (e.score >= t.high && struckThrough(e)) {
    return {
      state: 'review',
      flags: [{ code: 'checkbox_struck_through', message: 'the mark runs out of both sides of the box at mid-height: a mark struck through may mean cancelled' }],
    };
  }
  if (e.score >= t.high) return { state: 'marked', flags: [] };
  if (e.score > t.low) {
    return { state: 'review', flags: [{ code: 'checkbox_review_band', message: `fill ${pct(e.score)} is between ${pct(t.low)} and ${pct(t.high)}` }] };
  }
  const around = inkAround(e);
  if (around) {
    return { state: 'review', flags: [{ code: 'checkbox_ink_around', message: `box is empty inside but has new ink just outside it on the ${around} (a circle drawn round it?)` }] };
  }
  return { state: 'empty', flags: [] };
}

/** "left and right" or "top and bottom" when both strips of a pair carry new ink, else null. */
export function inkAround(e: CheckboxEvidence): string | null {
  if (!e.surround) return null;
  const s = e.surround;
  const has = (side: string): boolean => s.sides.some((x) => x.side === side && x.total > 0 && x.score >= s.minScore);
  if (has('left') && has('right')) return 'left and right';
  if (has('top') && has('bottom')) return 'top and bottom';
  return null;
}

/**
 * New ink just outside both the left and the right side of the box at mid-height, clearly on
 * at least one of them (a stroke through the box that runs out of it on both sides).
 */
export function struckThrough(e: CheckboxEvidence): boolean {
  if (!e.surround) return false;
  const s = e.surround;
  const score = (side: string): number => s.sides.find((x) => x.side === side && x.total > 0)?.score ?? 0;
  const l = score('near-left');
  const r = score('near-right');
  return Math.min(l, r) >= s.minNearScore && Math.max(l, r) >= 4 * s.minNearScore;
}
