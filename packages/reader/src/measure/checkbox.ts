/**
 * Reading one checkbox on a registered page: re-locate the box within a millimetre of where the
 * template puts it (by its own printed edges), measure the interior only, measure the same
 * place on the blank form, look around the box and at the shape of the ink, then decide.
 */
import type { CheckboxEvidence, CheckboxField, GreyImage, RectPx } from '../types.ts';
import type { LineMasks } from '../image/lines.ts';
import { decideCheckbox, lowThreshold, CHECKBOX_THRESHOLDS, STRUCK_THROUGH_THRESHOLD, MIN_DARK_NEIGHBOURS, DOTS_SHARE, FAINT_CLEARANCE, FAINT_DEPTH, FAINT_SHARE, reachRule, strokeRule, SURROUND_INK, SURROUND_THRESHOLD } from './checkboxDecision.ts';
import { countLightApart, countProfile, countRect, countRing } from './counts.ts';
import { largestPatch, reach as followInk } from './reach.ts';
import { ruleRects } from './printedRules.ts';

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
  neighbours: { page: RectPx; blank: RectPx; style: 'square' | 'cell' }[];
  threshold: number;
  /** The page's paper level (grey): light ink is measured below it less FAINT_DEPTH. */
  paper: number;
  dpi: number;
  /** The blank form's printed rules (blank pixels). */
  rules: LineMasks;
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
  // Where the ink goes: through touching dark pixels, across the form's rules but not along them.
  const print = printNear(m, loc, mm);
  const follow = Math.round(2 * mm);
  const printBudget = Math.ceil(1.5 * (loc.lineWidth + 2 * PRINT_MARGIN));
  const reached = { box: loc.found, radius: follow, print, printBudget, ...followInk(m.page, { threshold: m.threshold, minDarkNeighbours: MIN_DARK_NEIGHBOURS, box: loc.found, interior, radius: follow, print, printBudget }) };
  const patch = largestPatch(m.page, interior, m.threshold, MIN_DARK_NEIGHBOURS, print);
  const dots = { dark: countRect(m.page, interior, m.threshold).dark, blankDark: countRect(m.blank, blankInterior, m.threshold).dark, minShare: DOTS_SHARE };
  const lightBelow = Math.max(m.threshold, m.paper - FAINT_DEPTH);
  const faint = {
    threshold: lightBelow,
    paper: m.paper,
    depth: FAINT_DEPTH,
    clearance: FAINT_CLEARANCE,
    minNeighbours: MIN_DARK_NEIGHBOURS,
    dark: countLightApart(m.page, interior, m.threshold, lightBelow, FAINT_CLEARANCE, MIN_DARK_NEIGHBOURS),
    blankDark: countLightApart(m.blank, blankInterior, m.threshold, lightBelow, FAINT_CLEARANCE, MIN_DARK_NEIGHBOURS),
    minShare: FAINT_SHARE,
  };
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
    reach: { ...reached, ...reachRule(m.dpi) },
    patch: { ...patch, ...strokeRule(m.dpi, interior) },
    dots,
    profile: countProfile(m.page, interior, m.threshold, MIN_DARK_NEIGHBOURS),
    faint,
    surround: { threshold: SURROUND_INK, minScore: SURROUND_THRESHOLD, minNearScore: STRUCK_THROUGH_THRESHOLD, exclude, sides },
  };
}

export { decideCheckbox };

/** Print rectangles are widened by this much all round: a fax thickens rules, registration is not exact. */
const PRINT_MARGIN = 2;

/**
 * The form's rules and box outlines around a box, on the page: the blank's rules in the window
 * the ink is followed through, moved as the box itself was found (the rules moved with it), and
 * the outlines of drawn squares (this one and its neighbours), each widened by PRINT_MARGIN.
 */
function printNear(m: MeasureInput, loc: LocatedBox, mm: number): RectPx[] {
  const e0 = m.placement.expected;
  const f = loc.found;
  const pad = Math.round(2 * mm) + 4;
  // Blank pixel = page pixel + shift.
  const shift = { x: m.placement.blank.x - f.x, y: m.placement.blank.y - f.y };
  const win = { x: f.x - pad + shift.x, y: f.y - pad + shift.y, w: f.w + 2 * pad, h: f.h + 2 * pad };
  const widen = (r: RectPx, by: number): RectPx => ({ x: r.x - by, y: r.y - by, w: r.w + 2 * by, h: r.h + 2 * by });
  const out = ruleRects(m.rules, win).map((r) => widen({ x: r.x - shift.x, y: r.y - shift.y, w: r.w, h: r.h }, PRINT_MARGIN));
  const lw = loc.lineWidth;
  const outline = (b: RectPx): RectPx[] => [
    { x: b.x, y: b.y, w: b.w, h: lw },
    { x: b.x, y: b.y + b.h - lw, w: b.w, h: lw },
    { x: b.x, y: b.y, w: lw, h: b.h },
    { x: b.x + b.w - lw, y: b.y, w: lw, h: b.h },
  ].map((r) => widen(r, PRINT_MARGIN));
  if (m.field.style === 'square') out.push(...outline(f));
  for (const n of m.neighbours) if (n.style === 'square') out.push(...outline({ x: n.page.x + f.x - e0.x, y: n.page.y + f.y - e0.y, w: n.page.w, h: n.page.h }));
  return out;
}
