/**
 * The checkbox decision: a pure function of the recorded evidence, so the reader and anyone
 * recomputing from the stored image reach the same state for the same numbers.
 */
import type { CheckboxEvidence, CheckboxState, Flag } from '../types.ts';

/**
 * Isolated dark pixels (fax noise) do not count: a pixel needs this many dark neighbours. Two,
 * not three: a faint stroke the fax broke into thin bits keeps its pixels, lone specks still go.
 */
export const MIN_DARK_NEIGHBOURS = 2;
export const CHECKBOX_THRESHOLDS = { low: 0.07, high: 0.1, filled: 0.7 } as const;

/**
 * The low threshold for a box of `total` interior pixels: about 12 pixels' worth, between 4 %
 * (large cells, where fax noise averages out and a small mark is a small share) and 7 % (small
 * squares, where a few noise pixels are already several per cent).
 */
export function lowThreshold(total: number): number {
  return Math.min(0.07, Math.max(0.04, total > 0 ? 12 / total : 0.07));
}

export const SURROUND_THRESHOLD = 0.08;
/** Around the box only pen-dark ink counts: light printed shading and dithering do not. */
export const SURROUND_INK = 128;
export const STRUCK_THROUGH_THRESHOLD = 0.015;

/**
 * Ink followed out of the box (see `CheckboxEvidence.reach`): what reaches more than about
 * 0.4 mm beyond the box's edge (a tick's end just over the outline does not), at least 8 pixels
 * and a sixth of the ink inside, is a stroke through or out of the box.
 */
export function reachRule(dpi: number): { margin: number; minPixels: number; minShare: number } {
  return { margin: Math.round((0.4 * dpi) / 25.4), minPixels: 8, minShare: 1 / 6 };
}

/**
 * Share of the interior dark by grey alone, every pixel counted (see `CheckboxEvidence.dots`), at
 * which a box is not passed as empty: a faint mark broken into specks and dots (a light pencil
 * mark through a fax or a halftone scan) loses most of its pixels to the neighbour rule. 4 %: the
 * smallest low threshold.
 */
export const DOTS_SHARE = 0.04;

/**
 * Light ink (see `CheckboxEvidence.faint`): grey at least FAINT_DEPTH below the page's paper. A
 * faint pencil tick on a grey scan sits 25-45 grey levels under the paper, above the pen-dark
 * binarisation; JPEG and scanner noise on paper stay within about 10 levels of it.
 */
export const FAINT_DEPTH = 20;
/** Light ink counts only this far (pixels) from any pen-dark pixel: a resampled fax's fringe is within one. */
export const FAINT_CLEARANCE = 1;
/** Share of the interior in ink counting light ink, less the blank's, from which a box is not passed as empty. */
export const FAINT_SHARE = 0.06;

/**
 * A patch of touching dark pixels 1.2 mm long and crossing two thirds of the box's shorter inner
 * side, with 30 pixels or more, is a stroke: the box is marked even when the stroke is a small
 * share of a big box. Shorter, it does not decide alone: a stroke across a third or half of a box
 * is as often what is left of a mark partly lost on the line (one arm of an 'x') or fax specks
 * run together as a small mark, and a person decides. One 0.9 mm long is a trace of a mark (a
 * mark mostly lost on the line, a small tick): never passed as empty. Fax specks are smaller (a
 * standard-mode fax pixel is 0.25 x 0.26 mm, noise specks one or two of them).
 */
export function strokeRule(dpi: number, interior: { w: number; h: number }): { strokeLength: number; strokePixels: number; traceLength: number } {
  const mm = dpi / 25.4;
  const across = Math.ceil((2 / 3) * Math.min(interior.w, interior.h));
  return { strokeLength: Math.max(Math.round(1.2 * mm), across), strokePixels: 30, traceLength: Math.round(0.9 * mm) };
}

const pct = (v: number): string => `${Math.round(v * 1000) / 10} %`;

export function decideCheckbox(e: CheckboxEvidence): { state: CheckboxState; flags: Flag[] } {
  const t = e.thresholds;
  if (e.score >= t.filled) {
    return { state: 'review', flags: [{ code: 'checkbox_filled', message: `box is ${pct(e.score)} filled (at or above ${pct(t.filled)}): a filled box may mean the mark was cancelled` }] };
  }
  const stroke = isStroke(e);
  const trace = isTrace(e);
  const out = inkOutside(e);
  if (out !== null && (e.score > t.low || stroke || trace)) {
    return {
      state: 'review',
      flags: [{ code: 'checkbox_ink_outside', message: `the ink in the box runs on outside it (${out} pixels more than ${e.reach!.margin} pixels beyond its edge, ${e.reach!.inside} inside): a line through the box, a neighbour's mark or a mark spilling over` }],
    };
  }
  if (e.score >= t.high && struckThrough(e)) {
    return {
      state: 'review',
      flags: [{ code: 'checkbox_struck_through', message: 'the mark runs out of both sides of the box at mid-height: a mark struck through may mean cancelled' }],
    };
  }
  if (e.score >= t.high && e.patch && !trace) {
    const p = e.patch;
    return {
      state: 'review',
      flags: [{ code: 'checkbox_specks', message: `fill ${pct(e.score)} but no stroke: the largest patch of ink is ${p.rect.w} x ${p.rect.h} pixels (fax specks are this small; a stroke is at least ${p.traceLength} long)` }],
    };
  }
  const edge = edgeLine(e);
  if ((e.score >= t.high || stroke) && edge) {
    return {
      state: 'review',
      flags: [{ code: 'checkbox_edge_line', message: `most of the ink in the box lies in a line along its ${edge} edge (fill ${pct(e.score)}): the box's own printed outline, the box not found exactly?` }],
    };
  }
  if (e.score >= t.high) return { state: 'marked', flags: [] };
  if (stroke) return { state: 'marked', flags: [] };
  if (e.score > t.low) {
    const p = e.patch;
    const short = trace && p && Math.max(p.rect.w, p.rect.h) < p.strokeLength ? `; its longest stroke is ${Math.max(p.rect.w, p.rect.h)} pixels, short of the ${p.strokeLength} of a mark across the box: a small mark, or one partly lost on the line?` : '';
    return { state: 'review', flags: [{ code: 'checkbox_review_band', message: `fill ${pct(e.score)} is between ${pct(t.low)} and ${pct(t.high)}${short}` }] };
  }
  if (trace) {
    const p = e.patch!;
    return { state: 'review', flags: [{ code: 'checkbox_trace', message: `a stroke ${Math.max(p.rect.w, p.rect.h)} pixels long is in the box (fill ${pct(e.score)}): a mark partly lost on the line, or a small one?` }] };
  }
  const dots = dotsShare(e);
  if (dots !== null && dots >= e.dots!.minShare) {
    return {
      state: 'review',
      flags: [{ code: 'checkbox_dots', message: `${pct(dots)} of the box is dark counting every dark pixel, specks too (at or above ${pct(e.dots!.minShare)}; ${pct(e.score)} counting only pixels with dark neighbours): a faint or broken-up mark?` }],
    };
  }
  const faint = faintShare(e);
  if (faint !== null && faint >= e.faint!.minShare) {
    const f = e.faint!;
    return {
      state: 'review',
      flags: [{ code: 'checkbox_faint', message: `${pct(faint)} of the box is ink counting light ink (grey below ${f.threshold}, the paper being ${f.paper}; at or above ${pct(f.minShare)}), though only ${pct(e.score)} is pen-dark: a faint mark?` }],
    };
  }
  const around = inkAround(e);
  if (around) {
    return { state: 'review', flags: [{ code: 'checkbox_ink_around', message: `box is empty inside but has new ink just outside it on the ${around} (a circle drawn round it?)` }] };
  }
  return { state: 'empty', flags: [] };
}

/** Share of the interior dark by grey alone, minus the blank's (see `CheckboxEvidence.dots`), or null. */
export function dotsShare(e: CheckboxEvidence): number | null {
  if (!e.dots || e.total <= 0) return null;
  return (e.dots.dark - e.dots.blankDark) / e.total;
}

/**
 * Share of the interior in ink of any darkness, light ink (see `CheckboxEvidence.faint`) and
 * every pen-dark pixel (`dots`) together, minus the blank's, or null. A faint mark is seldom all
 * light: its darkest pixels pass the binarisation and belong to it too.
 */
export function faintShare(e: CheckboxEvidence): number | null {
  if (!e.faint || e.total <= 0) return null;
  const dark = e.dots ? e.dots.dark - e.dots.blankDark : 0;
  return (e.faint.dark - e.faint.blankDark + dark) / e.total;
}

/** Pixels of ink reaching past the margin when they make a stroke through or out of the box, else null. */
export function inkOutside(e: CheckboxEvidence): number | null {
  const r = e.reach;
  if (!r) return null;
  const out = r.outside.slice(r.margin).reduce((a, b) => a + b, 0);
  return out >= r.minPixels && out >= r.minShare * r.inside ? out : null;
}

/** A stroke in the box (see `CheckboxEvidence.patch`), where the blank form has no print inside. */
export function isStroke(e: CheckboxEvidence): boolean {
  const p = e.patch;
  if (!p || (e.blank && e.blank.dark > 0)) return false;
  return Math.max(p.rect.w, p.rect.h) >= p.strokeLength && p.pixels >= p.strokePixels;
}

/**
 * Most of the dark pixels lie in the two outermost rows (or columns) of one side of the interior,
 * and those two lines are at least half dark: a straight line along the edge, the box's printed
 * outline inside the measured area (the registration a few pixels off and the outline too
 * broken up to re-locate the box by), not a mark. A tick, an x or a fill never puts most of its
 * ink there; a dash along the very edge of a box is rare, and a person decides it.
 */
export const EDGE_LINE = { lines: 2, minShareOfDark: 0.6, minFill: 0.5 } as const;

export function edgeLine(e: CheckboxEvidence): 'top' | 'bottom' | 'left' | 'right' | null {
  const pr = e.profile;
  if (!pr || e.dark === 0) return null;
  const n = EDGE_LINE.lines;
  const band = (v: number[], from: number): number => v.slice(from, from + n).reduce((a, b) => a + b, 0);
  const sides: ['top' | 'bottom' | 'left' | 'right', number, number][] = [
    ['top', band(pr.rows, 0), pr.cols.length],
    ['bottom', band(pr.rows, pr.rows.length - n), pr.cols.length],
    ['left', band(pr.cols, 0), pr.rows.length],
    ['right', band(pr.cols, pr.cols.length - n), pr.rows.length],
  ];
  for (const [side, dark, length] of sides) {
    if (dark >= EDGE_LINE.minShareOfDark * e.dark && dark >= EDGE_LINE.minFill * n * length) return side;
  }
  return null;
}

export function isTrace(e: CheckboxEvidence): boolean {
  const p = e.patch;
  return !!p && Math.max(p.rect.w, p.rect.h) >= p.traceLength;
}

/** "left and right" or "top and bottom" when both strips of a pair carry new ink, else null. */
export function inkAround(e: CheckboxEvidence): string | null {
  if (!e.surround) return null;
  const s = e.surround;
  const has = (side: string): boolean => s.sides.some((x) => x.side === side && x.total > 0 && x.score >= s.minScore);
  if (has('left') && has('right')) return 'left and right';
  if (has('top') && has('bottom')) return 'top and bottom';
  // A circle drawn tight round the box passes close by on both sides.
  if (has('near-left') && has('near-right')) return 'left and right, close by';
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
