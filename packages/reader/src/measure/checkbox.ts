/**
 * Reading one checkbox on a registered page: re-locate the box within a millimetre of where the
 * template puts it (by its own printed edges), measure the interior only, measure the same
 * place on the blank form, look around the box and at the shape of the ink, then decide.
 */
import type { CheckboxEvidence, CheckboxField, GreyImage, RectPx } from '../types.ts';
import { decideCheckbox, lowThreshold, CHECKBOX_THRESHOLDS, STRUCK_THROUGH_THRESHOLD, MIN_DARK_NEIGHBOURS, EXIT_LINES, EXIT_MAX_SHARE, EXIT_SIDES, SURROUND_INK, SURROUND_THRESHOLD } from './checkboxDecision.ts';
import { countRect, countRing, crossingLines, darkLines } from './counts.ts';

export interface BoxPlacement {
  /** The box where the registration puts it on the page. */
  expected: RectPx;
  /** The box on the blank form (blank pixels, exact). */
  blank: RectPx;
}

export interface LocatedBox {
  found: RectPx;
  matchScore: number;
  /** Ink along the box's left/right edges and along its top/bottom edges, 0..1. */
  edges: { sides: number; ends: number };
  /** Printed line width at the box, in pixels. */
  lineWidth: number;
}

const ratio = (d: number, t: number): number => (t > 0 ? d / t : 0);
const EMPTY: RectPx = { x: 0, y: 0, w: 0, h: 0 };
const RULE_INK = 128;
const EDGE = 0.5;

/**
 * Where the box's printed edges are: the offsets that put the most ink under its left and right
 * edges (columns) and its top and bottom edges (rows), each searched independently so a missing
 * pair of edges (thin rules a standard-mode fax drops) leaves only that axis at its expected place.
 */
export function locateBox(img: GreyImage, expected: RectPx, style: 'square' | 'cell', threshold: number, radius: number, widthThreshold = threshold): LocatedBox {
  const e = expected;
  // Edge lines: on the outline for squares, just outside the rectangle for cells.
  const left = style === 'square' ? e.x : e.x - 1;
  const right = style === 'square' ? e.x + e.w - 1 : e.x + e.w;
  const top = style === 'square' ? e.y : e.y - 1;
  const bottom = style === 'square' ? e.y + e.h - 1 : e.y + e.h;
  const colInk = (x: number, y0: number, y1: number): number => {
    if (x < 0 || x >= img.width) return 0;
    let d = 0;
    let n = 0;
    for (let y = Math.max(0, y0); y < Math.min(img.height, y1); y++, n++) if (img.data[y * img.width + x]! < threshold) d++;
    return ratio(d, n);
  };
  const rowInk = (y: number, x0: number, x1: number): number => {
    if (y < 0 || y >= img.height) return 0;
    let d = 0;
    let n = 0;
    for (let x = Math.max(0, x0); x < Math.min(img.width, x1); x++, n++) if (img.data[y * img.width + x]! < threshold) d++;
    return ratio(d, n);
  };
  // Sample the middle 60 % of each edge: corners and neighbouring rules stay out of it.
  const my = Math.round(e.h * 0.2);
  const mx = Math.round(e.w * 0.2);
  // Both edges of a pair must be there: one dark column (a letter's stem, a stroke of the mark)
  // is not a box. The expected place wins unless an offset is clearly better.
  const search = (score: (d: number) => number): { d: number; score: number; at0: number } => {
    const at0 = score(0);
    let best = { d: 0, score: at0 };
    for (let k = 1; k <= radius; k++) {
      for (const d of [-k, k]) {
        const s = score(d);
        if (s > best.score + 0.05) best = { d, score: s };
      }
    }
    return best.score >= EDGE && best.score >= at0 + 0.15 ? { ...best, at0 } : { d: 0, score: at0, at0 };
  };
  const v = search((d) => Math.min(colInk(left + d, e.y + my, e.y + e.h - my), colInk(right + d, e.y + my, e.y + e.h - my)));
  const h = search((d) => Math.min(rowInk(top + d, e.x + mx, e.x + e.w - mx), rowInk(bottom + d, e.x + mx, e.x + e.w - mx)));
  const dx = v.d;
  const dy = h.d;
  // Line width: the run of dark pixels across the edge, at several points along it; the
  // shortest runs are the rule itself (where a mark touches the edge, the run is longer).
  const dark = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < img.width && y < img.height && img.data[y * img.width + x]! < widthThreshold;
  const runAcross = (x: number, y: number, sx: number, sy: number): number => {
    if (!dark(x, y)) return 0;
    let n = 1;
    for (let k = 1; k <= 6 && dark(x + sx * k, y + sy * k); k++) n++;
    for (let k = 1; k <= 6 && dark(x - sx * k, y - sy * k); k++) n++;
    return n;
  };
  const sideWidth = (samples: number[]): number | null => {
    const runs = samples.filter((r) => r > 0).sort((a, b) => a - b);
    return runs.length >= 3 ? runs[Math.floor(runs.length / 4)]! : null;
  };
  const widths: number[] = [];
  const steps = 9;
  if (v.score >= EDGE) {
    for (const x of [left + dx, right + dx]) {
      const samples: number[] = [];
      for (let i = 0; i < steps; i++) samples.push(runAcross(x, Math.round(e.y + my + dy + ((e.h - 2 * my) * i) / (steps - 1)), 1, 0));
      const w = sideWidth(samples);
      if (w !== null) widths.push(w);
    }
  }
  if (h.score >= EDGE) {
    for (const y of [top + dy, bottom + dy]) {
      const samples: number[] = [];
      for (let i = 0; i < steps; i++) samples.push(runAcross(Math.round(e.x + mx + dx + ((e.w - 2 * mx) * i) / (steps - 1)), y, 0, 1));
      const w = sideWidth(samples);
      if (w !== null) widths.push(w);
    }
  }
  widths.sort((a, b) => a - b);
  const lineWidth = widths.length ? widths[Math.floor(widths.length / 2)]! : 2;
  const found = { x: e.x + dx, y: e.y + dy, w: e.w, h: e.h };
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return { found, matchScore: r3((v.score + h.score) / 2), edges: { sides: r3(v.score), ends: r3(h.score) }, lineWidth };
}

/** The interior measured: inside the outline by 1.5 line widths (squares) or clear of the rules (cells). */
export function interiorOf(found: RectPx, style: 'square' | 'cell', lineWidth: number): RectPx {
  // A square's rectangle includes its outline: step over it and half as much again. A cell's
  // rectangle lies between the rules: keep half a line width clear of them.
  const wanted = style === 'square' ? Math.ceil(1.5 * lineWidth) : Math.ceil(0.5 * lineWidth) + 1;
  // Never more than a quarter of the box from each side: the middle half is always measured.
  const inset = Math.min(wanted, Math.floor(Math.min(found.w, found.h) / 4));
  return { x: found.x + inset, y: found.y + inset, w: Math.max(1, found.w - 2 * inset), h: Math.max(1, found.h - 2 * inset) };
}

function grow(r: RectPx, by: number): RectPx {
  return { x: r.x - by, y: r.y - by, w: r.w + 2 * by, h: r.h + 2 * by };
}

export interface MeasureInput {
  page: GreyImage;
  blank: GreyImage;
  field: CheckboxField;
  placement: BoxPlacement;
  /** Other boxes near this one, page and blank pixels: kept out of its surround. */
  neighbours: { page: RectPx; blank: RectPx }[];
  threshold: number;
  dpi: number;
}

export function measureCheckbox(m: MeasureInput): CheckboxEvidence {
  const mm = m.dpi / 25.4;
  const style = m.field.style;
  // Printed rules are found at the marks' binarisation (a thin rule on a fax is light grey)
  // within a quarter of the box's size; their width is measured where they are pen-dark, so
  // the grey fringe a resampled fax leaves along them does not widen them.
  const e0 = m.placement.expected;
  const radius = Math.max(1, Math.min(Math.round(1.0 * mm), Math.round(0.25 * Math.min(e0.w, e0.h))));
  const loc = locateBox(m.page, e0, style, m.threshold, radius, RULE_INK);
  const interior = interiorOf(loc.found, style, loc.lineWidth);
  // The blank is measured at the same place of the printed form, through the registration (not
  // the re-location): whatever printed matter the page rectangle holds, the blank one holds too.
  const blankInterior = { x: interior.x + m.placement.blank.x - e0.x, y: interior.y + m.placement.blank.y - e0.y, w: interior.w, h: interior.h };
  const c = countRect(m.page, interior, m.threshold, MIN_DARK_NEIGHBOURS);
  const exits = exitBands(m, loc, interior, e0, mm);
  const b = countRect(m.blank, blankInterior, m.threshold, MIN_DARK_NEIGHBOURS);
  const r = ratio(c.dark, c.total);
  const br = ratio(b.dark, b.total);
  // Strips just outside each side, where a circle round the box would pass.
  const reach = Math.round(Math.max(1.5 * mm, 0.6 * Math.min(loc.found.w, loc.found.h)));
  const keep = Math.round(0.4 * mm);
  const f = loc.found;
  const gap = Math.max(2, Math.round(0.2 * mm));
  const near = Math.round(1.0 * mm);
  const midY = Math.round(f.y + f.h * 0.2);
  const midH = Math.max(1, Math.round(f.h * 0.6));
  const strips: { side: 'left' | 'right' | 'top' | 'bottom' | 'near-left' | 'near-right'; rect: RectPx }[] = [
    { side: 'left', rect: { x: f.x - reach, y: f.y, w: reach - keep, h: f.h } },
    { side: 'right', rect: { x: f.x + f.w + keep, y: f.y, w: reach - keep, h: f.h } },
    { side: 'top', rect: { x: f.x, y: f.y - reach, w: f.w, h: reach - keep } },
    { side: 'bottom', rect: { x: f.x, y: f.y + f.h + keep, w: f.w, h: reach - keep } },
    { side: 'near-left', rect: { x: f.x - near, y: midY, w: near - gap, h: midH } },
    { side: 'near-right', rect: { x: f.x + f.w + gap, y: midY, w: near - gap, h: midH } },
  ];
  const exclude = m.neighbours.map((n) => grow(n.page, keep));
  // Page to blank through the registration, not the re-location: if a heavy mark misled the
  // re-location, page and blank strips still cover the same printed matter.
  const toBlank = { x: m.placement.blank.x - e0.x, y: m.placement.blank.y - e0.y };
  const shift = (q: RectPx): RectPx => ({ x: q.x + toBlank.x, y: q.y + toBlank.y, w: q.w, h: q.h });
  const blankExclude = m.neighbours.map((n) => grow(n.blank, keep));
  const sides = strips.map(({ side, rect }) => {
    const p = countRing(m.page, rect, EMPTY, exclude, SURROUND_INK);
    const b = countRing(m.blank, shift(rect), EMPTY, blankExclude, SURROUND_INK);
    const pr = ratio(p.dark, p.total);
    const brr = ratio(b.dark, b.total);
    return { side, rect, dark: p.dark, total: p.total, ratio: pr, blankRatio: brr, score: pr - brr };
  });
  return {
    expected: m.placement.expected,
    found: loc.found,
    matchScore: loc.matchScore,
    interior,
    binarisation: { rule: 'grey_below', threshold: m.threshold, minDarkNeighbours: MIN_DARK_NEIGHBOURS },
    dark: c.dark,
    total: c.total,
    ratio: r,
    blank: { dark: b.dark, total: b.total, ratio: br },
    score: r - br,
    thresholds: { ...CHECKBOX_THRESHOLDS, low: Math.round(lowThreshold(c.total) * 10000) / 10000 },
    exits,
    surround: { threshold: SURROUND_INK, minScore: SURROUND_THRESHOLD, minNearScore: STRUCK_THROUGH_THRESHOLD, exclude, sides },
  };
}

export { decideCheckbox };


/**
 * See `CheckboxEvidence.exits`: thin bands just inside the interior and just outside the printed
 * edge, along the interior's own length (so the rules at the box's corners are not counted).
 */
function exitBands(m: MeasureInput, loc: LocatedBox, interior: RectPx, e0: RectPx, _mm: number): NonNullable<CheckboxEvidence['exits']> {
  const f = loc.found;
  const band = 2;
  const lw = loc.lineWidth;
  // Just clear of the printed edge (one pixel of margin for a rule thicker than measured): past
  // the outline of a square, past the rule beside a cell.
  const outL = m.field.style === 'square' ? f.x - 2 : f.x - lw - 2;
  const outR = m.field.style === 'square' ? f.x + f.w + 1 : f.x + f.w + lw + 1;
  const outT = m.field.style === 'square' ? f.y - 2 : f.y - lw - 2;
  const outB = m.field.style === 'square' ? f.y + f.h + 1 : f.y + f.h + lw + 1;
  const toBlank = { x: m.placement.blank.x - e0.x, y: m.placement.blank.y - e0.y };
  const sides: NonNullable<CheckboxEvidence['exits']>['sides'] = [];
  const add = (side: 'left' | 'right' | 'top' | 'bottom', inside: RectPx, outside: RectPx, across: 'columns' | 'rows'): void => {
    const blankOutside = { x: outside.x + toBlank.x, y: outside.y + toBlank.y, w: outside.w, h: outside.h };
    const shiftBack = across === 'rows' ? -toBlank.y : -toBlank.x;
    const ignore = darkLines(m.blank, blankOutside, across, SURROUND_INK).map((l) => l + shiftBack);
    sides.push({ side, inside, outside, ignore, lines: crossingLines(m.page, inside, outside, across, SURROUND_INK, ignore, slackOf(inside, outside, across), interior) });
  };
  const I = interior;
  add('left', { x: I.x, y: I.y, w: band, h: I.h }, { x: outL - band + 1, y: I.y, w: band, h: I.h }, 'rows');
  add('right', { x: I.x + I.w - band, y: I.y, w: band, h: I.h }, { x: outR, y: I.y, w: band, h: I.h }, 'rows');
  add('top', { x: I.x, y: I.y, w: I.w, h: band }, { x: I.x, y: outT - band + 1, w: I.w, h: band }, 'columns');
  add('bottom', { x: I.x, y: I.y + I.h - band, w: I.w, h: band }, { x: I.x, y: outB, w: I.w, h: band }, 'columns');
  return { minLines: EXIT_LINES, minSides: EXIT_SIDES, maxShare: EXIT_MAX_SHARE, sides };
}

/** Lines a stroke at 45 degrees drifts between two parallel bands: their distance apart, plus one. */
export function slackOf(a: RectPx, b: RectPx, across: 'columns' | 'rows'): number {
  const gap = across === 'rows' ? Math.max(b.x - (a.x + a.w), a.x - (b.x + b.w)) : Math.max(b.y - (a.y + a.h), a.y - (b.y + b.h));
  return Math.max(0, gap) + 2;
}
