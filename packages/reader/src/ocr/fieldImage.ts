/**
 * Cutting a text field out of a registered page and cleaning it for OCR: the blank form's print
 * is removed (labels by their own pixels; printed rules where the page itself shows them, so a
 * letter sitting on a write-in line keeps its foot and a descender crossing the line keeps its
 * tail), the writing of neighbouring fields and noise are cleared, and a one-line field keeps its
 * own line of writing. Pure pixel work, no OCR.
 */
import type { GreyImage, RectPx } from '../types.ts';
import { components } from '../image/components.ts';

/** Grey below this is ink in a text field. */
export const TEXT_INK = 170;
/** Grey below this on the blank form is print to remove. */
export const PRINT = 190;

export interface CleanField {
  /** The cleaned cut-out (field region grown by `margin` on every side). */
  crop: GreyImage;
  /** Where `crop` lies on the page. */
  area: RectPx;
  margin: number;
  /** Any of the blank's print lay in the cut-out and was removed. */
  printRemoved: boolean;
  /** Ink (not lone specks) in the middle rows of the field before neighbours' strokes and noise were cleared. */
  inkBefore: number;
  /** Ink left once cleaned, and its bounding box in `crop`. */
  dark: number;
  box: RectPx | null;
  /** Nothing but paper in the raw cut-out: no need to look further. */
  emptyRaw: boolean;
  /** Median height (pixels) of the letters left, when there are any. */
  letterH: number | null;
  /** Vertical streaks (scanner or fax line faults) across the whole cut-out, whitened. */
  streaks: number;
}

/**
 * Enlarges an image `k` times by bilinear interpolation: Tesseract reads letters best at 20-30
 * pixels high, and small print on a 200 dpi page is half that.
 */
export function upscale(img: GreyImage, k: number): GreyImage {
  if (k === 1) return img;
  const W = img.width * k;
  const H = img.height * k;
  const out = new Uint8Array(W * H);
  const { width: w, height: h, data } = img;
  for (let Y = 0; Y < H; Y++) {
    const fy = Math.max(0, Math.min(h - 1, (Y + 0.5) / k - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let X = 0; X < W; X++) {
      const fx = Math.max(0, Math.min(w - 1, (X + 0.5) / k - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const a = data[y0 * w + x0]! * (1 - tx) + data[y0 * w + x1]! * tx;
      const b = data[y1 * w + x0]! * (1 - tx) + data[y1 * w + x1]! * tx;
      out[Y * W + X] = Math.round(a * (1 - ty) + b * ty);
    }
  }
  return { width: W, height: H, data: out };
}

export function cleanField(page: GreyImage, blank: GreyImage, region: RectPx, blankRegion: RectPx, dpi: number): CleanField {
  const mm = dpi / 25.4;
  const margin = Math.round(0.8 * mm);
  const area = grow(region, margin);
  const crop = cutOut(page, area);
  const blankCrop = resizeNearest(cutOut(blank, grow(blankRegion, margin)), crop.width, crop.height);
  const total = crop.width * crop.height;
  const printRemoved = removePrint(crop, blankCrop);
  // Most fields of most forms are empty: say so before any further work.
  if (countBelow(crop, FAINT_INK) < MIN_INK) return { crop, area, margin, printRemoved, inkBefore: 0, dark: 0, box: null, emptyRaw: true, letterH: null, streaks: 0 };
  const blankRules = { across: ruleMask(blankCrop, PRINT, 24, 'rows'), down: ruleMask(blankCrop, PRINT, 24, 'columns') };
  const coreRows = { y: margin + Math.round(0.15 * region.h), h: Math.round(0.7 * region.h) };
  // Ink in the middle rows beyond what the page's noise puts anywhere: the same count in the
  // outer rows, scaled to the middle's size, is taken off.
  // Pale strokes count too (thin writing on a resampled fax is grey, not black): such ink is
  // never called an empty field, even when too faint to read.
  const inkBefore = Math.max(coreInk(crop, coreRows, TEXT_INK), coreInk(crop, coreRows, FAINT_INK));
  // Writing that crosses the top or bottom of the cut-out belongs to the field above or below
  // (field areas of a form often overlap): keep only what lies within it.
  const streaks = removeStreaks(crop, TEXT_INK);
  dropNeighbourStrokes(crop, TEXT_INK, margin + Math.round(0.5 * mm));
  const letterH = dropDebris(crop, TEXT_INK, blankRules);
  // Field areas overlap on many forms: a one-line field keeps the line of writing that sits in
  // the middle of its own area, not the end of its neighbour's.
  if (region.h < 12 * mm) keepCentralLine(crop, TEXT_INK, margin, margin + region.h);
  const ink = inkBox(crop, TEXT_INK);
  return { crop, area, margin, printRemoved, inkBefore, dark: ink.dark, box: ink.box, emptyRaw: false, letterH, streaks };
}

/** Grey below this is pale ink: too faint to read, too dark to be paper. */
const FAINT_INK = 215;

/**
 * Ink in strokes (connected marks of 15 pixels or more: noise specks are smaller) centred in the
 * middle rows, beyond what the page's noise puts anywhere: the same count in the outer rows,
 * scaled to the middle's size, is taken off.
 */
function coreInk(crop: GreyImage, coreRows: { y: number; h: number }, threshold: number): number {
  const { width: w, height: h, data } = crop;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i]! < threshold ? 1 : 0;
  let core = 0;
  let outer = 0;
  for (const c of components(mask, w, h, 15).list) {
    const cy = (c.y0 + c.y1) / 2;
    if (cy >= coreRows.y && cy < coreRows.y + coreRows.h) core += c.area;
    else outer += c.area;
  }
  const outerRows = h - coreRows.h;
  return Math.max(0, core - (outerRows > 0 ? (outer * coreRows.h) / outerRows : 0));
}

export function grow(r: RectPx, by: number): RectPx {
  return { x: r.x - by, y: r.y - by, w: r.w + 2 * by, h: r.h + 2 * by };
}

export function cutOut(img: GreyImage, r: RectPx): GreyImage {
  const out = new Uint8Array(Math.max(0, r.w * r.h)).fill(255);
  const x0 = Math.max(0, -r.x);
  const x1 = Math.min(r.w, img.width - r.x);
  if (x1 > x0) {
    for (let y = 0; y < r.h; y++) {
      const sy = r.y + y;
      if (sy < 0 || sy >= img.height) continue;
      out.set(img.data.subarray(sy * img.width + r.x + x0, sy * img.width + r.x + x1), y * r.w + x0);
    }
  }
  return { width: r.w, height: r.h, data: out };
}

function countBelow(img: GreyImage, threshold: number): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i++) if (img.data[i]! < threshold) n++;
  return n;
}

function resizeNearest(img: GreyImage, w: number, h: number): GreyImage {
  if (img.width === w && img.height === h) return img;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.floor((y * img.height) / h));
    for (let x = 0; x < w; x++) out[y * w + x] = img.data[sy * img.width + Math.min(img.width - 1, Math.floor((x * img.width) / w))]!;
  }
  return { width: w, height: h, data: out };
}

/**
 * Fewer dark pixels than this (once the print is gone) is an empty field. An absolute count,
 * not a share of the field: two small letters in a wide field are writing all the same.
 */
export const MIN_INK = 15;

/**
 * Ink (not lone specks) in the middle of a field that the cleaning took away entirely: writing
 * too small, faint or broken to keep apart from noise. Such a field is not called empty.
 */
export const UNREAD_INK = 30;

/** How far (pixels) a printed rule may lie from where the blank has it: registration and fax. */
const RULE_SLACK = 5;
/** A run of ink at least this long along a rule's direction is the rule, not writing. */
const RULE_RUN = 12;

/**
 * Removes the blank's print from the cut-out. Print that is not a rule (labels, marks) goes with
 * a pixel around it (registration is good to a tenth of a millimetre). Printed rules are removed
 * where the page shows them: ink near the blank's rule that runs along it is the rule; where a
 * stroke crosses it (ink just beyond both of its edges: a descender through a write-in line, a
 * digit through a comb's side) the rule is left in place so the stroke stays whole. Returns
 * whether the blank has any print here.
 */
function removePrint(crop: GreyImage, blank: GreyImage): boolean {
  const { width: w, height: h } = crop;
  const across = ruleMask(blank, PRINT, 24, 'rows');
  const down = ruleMask(blank, PRINT, 24, 'columns');
  const mask = new Uint8Array(w * h);
  let any = false;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (blank.data[i]! >= PRINT) continue;
      any = true;
      if (across[i] || down[i]) continue;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w) mask[yy * w + xx] = 1;
        }
      }
    }
  }
  if (!any) return false;
  const rules = new Uint8Array(w * h);
  pageRules(crop, near(across, w, h, 'rows'), 'rows', rules);
  pageRules(crop, near(down, w, h, 'columns'), 'columns', rules);
  for (let i = 0; i < mask.length; i++) if (mask[i] || rules[i]) crop.data[i] = 255;
  return true;
}

/** The blank's rule pixels spread across their direction by RULE_SLACK (and a pixel along it). */
function near(rule: Uint8Array, w: number, h: number, along: 'rows' | 'columns'): Uint8Array {
  const out = new Uint8Array(w * h);
  const [ax, ay] = along === 'rows' ? [1, RULE_SLACK] : [RULE_SLACK, 1];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!rule[y * w + x]) continue;
      for (let yy = Math.max(0, y - ay); yy <= Math.min(h - 1, y + ay); yy++) out.fill(1, yy * w + Math.max(0, x - ax), yy * w + Math.min(w, x + ax + 1));
    }
  }
  return out;
}

/**
 * Marks in `out` the page's own rule pixels within `zone`: ink in runs of RULE_RUN or more along
 * the rule, and the grey fringe right beside them; then unmarks every stretch across the rule
 * that a stroke continues through on both sides.
 */
function pageRules(crop: GreyImage, zone: Uint8Array, along: 'rows' | 'columns', out: Uint8Array): void {
  const { width: w, height: h, data } = crop;
  const rows = along === 'rows';
  // Pixel (i along the rule, j across it) is at i * sa + j * sc.
  const n = rows ? w : h;
  const m = rows ? h : w;
  const sa = rows ? 1 : w;
  const sc = rows ? w : 1;
  const mine = new Uint8Array(w * h);
  // Only the lines across which the blank has a rule nearby.
  const lines: number[] = [];
  for (let j = 0; j < m; j++) {
    let any = false;
    for (let i = 0, p = j * sc; i < n; i++, p += sa) if (zone[p]) { any = true; break; }
    if (any) lines.push(j);
  }
  let found = false;
  for (const j of lines) {
    let start = -1;
    for (let i = 0; i <= n; i++) {
      const p = i * sa + j * sc;
      const on = i < n && zone[p] === 1 && data[p]! < PRINT;
      if (on && start < 0) start = i;
      if (!on && start >= 0) {
        if (i - start >= RULE_RUN) {
          for (let k = start; k < i; k++) mine[k * sa + j * sc] = 1;
          found = true;
        }
        start = -1;
      }
    }
  }
  if (!found) return;
  // Ink at (i, j) that is not the rule itself.
  const stroke = (i: number, j: number): boolean => {
    if (j < 0 || j >= m || i < 0 || i >= n) return false;
    const p = i * sa + j * sc;
    return data[p]! < TEXT_INK && !mine[p];
  };
  const dark = (i: number, j: number): boolean => j >= 0 && j < m && data[i * sa + j * sc]! < TEXT_INK;
  const j0 = lines[0]!;
  const j1 = lines[lines.length - 1]!;
  for (let i = 0; i < n; i++) {
    for (let j = j0; j <= j1; ) {
      if (!mine[i * sa + j * sc]) {
        j++;
        continue;
      }
      let e = j;
      while (e + 1 < m && mine[i * sa + (e + 1) * sc]) e++;
      // A stroke crossing: ink just before and just after the rule's thickness, at this line or
      // the next one (a slanting stroke).
      const before = stroke(i - 1, j - 1) || stroke(i, j - 1) || stroke(i + 1, j - 1);
      const after = stroke(i - 1, e + 1) || stroke(i, e + 1) || stroke(i + 1, e + 1);
      if (!(before && after)) {
        for (let k = j; k <= e; k++) out[i * sa + k * sc] = 1;
        // The fringe of a rule on a grey page: paler pixels right beside it.
        if (j > 0 && data[i * sa + (j - 1) * sc]! >= TEXT_INK - 40 && !dark(i, j - 2)) out[i * sa + (j - 1) * sc] = 1;
        if (e + 1 < m && data[i * sa + (e + 1) * sc]! >= TEXT_INK - 40 && !dark(i, e + 2)) out[i * sa + (e + 1) * sc] = 1;
      }
      j = e + 1;
    }
  }
}

/**
 * Whitens the strokes (8-connected dark pixels) that belong to the fields above or below: those
 * that touch the top or bottom edge of the cut-out, and those lying wholly in its outer `band`
 * rows (fragments of a neighbour's writing that the print removal cut loose).
 */
function dropNeighbourStrokes(img: GreyImage, threshold: number, band: number): void {
  const { width: w, height: h, data } = img;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i]! < threshold ? 1 : 0;
  const { list, labels } = components(mask, w, h);
  const drop = new Uint8Array(list.length);
  const edge = (c: (typeof list)[number]): boolean => c.y0 === 0 || c.y1 === h - 1;
  const outer = (c: (typeof list)[number]): boolean => c.y1 < band || c.y0 > h - 1 - band;
  // A stroke reaching the edge is a neighbour's when its middle is in the outer rows; a letter
  // of this field whose tail crosses the edge (a y over the box's lower side) stays.
  const outsideMiddle = (c: (typeof list)[number]): boolean => (c.y0 + c.y1) / 2 < band || (c.y0 + c.y1) / 2 > h - 1 - band || c.y1 - c.y0 + 1 >= 0.9 * h;
  // Letters of this field: neither touching the edge nor wholly in the outer bands.
  const letters = list.filter((c) => c.area >= 15 && !edge(c) && !outer(c));
  for (const c of list) {
    if (edge(c)) {
      if (outsideMiddle(c)) drop[c.id] = 1;
    } else if (outer(c)) {
      // A small mark right above one of this field's letters is its accent, not a neighbour's.
      const accent = c.area <= 60 && c.y1 < band && letters.some((b) => c.x1 >= b.x0 - 2 && c.x0 <= b.x1 + 2 && b.y0 > c.y1 && b.y0 - c.y1 <= Math.max(4, 0.5 * (b.y1 - b.y0 + 1)));
      if (!accent) drop[c.id] = 1;
    }
  }
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0 && drop[labels[i]!]) data[i] = 255;
}

/**
 * Whitens vertical streaks: columns dark over nine tenths of the cut-out's height, a few pixels
 * wide (a dirty scanner glass, a fax line fault). A letter the streak crosses keeps its other
 * strokes. Returns how many streaks there were.
 */
function removeStreaks(img: GreyImage, threshold: number): number {
  const { width: w, height: h, data } = img;
  const streak = new Uint8Array(w);
  for (let x = 0; x < w; x++) {
    let run = 0;
    let best = 0;
    for (let y = 0; y < h; y++) {
      run = data[y * w + x]! < threshold ? run + 1 : 0;
      if (run > best) best = run;
    }
    if (best >= 0.9 * h) streak[x] = 1;
  }
  let n = 0;
  for (let x = 0; x < w; ) {
    if (!streak[x]) {
      x++;
      continue;
    }
    let e = x;
    while (e + 1 < w && streak[e + 1]) e++;
    // Wider than a few pixels is a printed rule or a block, not a streak: left alone.
    if (e - x + 1 <= 6) {
      n++;
      for (let y = 0; y < h; y++) for (let k = x; k <= e; k++) data[y * w + k] = 255;
    }
    x = e + 1;
  }
  return n;
}

/** Every line of the sliver's length has a rule pixel within 6 pixels to its side. */
function alongRule(rules: Uint8Array, c: { x0: number; y0: number; x1: number; y1: number }, w: number, h: number, vertical: boolean): boolean {
  const reach = 6;
  if (vertical) {
    for (let y = c.y0; y <= c.y1; y++) {
      let hit = false;
      for (let x = Math.max(0, c.x0 - reach); x <= Math.min(w - 1, c.x1 + reach); x++) if (rules[y * w + x]) { hit = true; break; }
      if (!hit) return false;
    }
    return true;
  }
  for (let x = c.x0; x <= c.x1; x++) {
    let hit = false;
    for (let y = Math.max(0, c.y0 - reach); y <= Math.min(h - 1, c.y1 + reach); y++) if (rules[y * w + x]) { hit = true; break; }
    if (!hit) return false;
  }
  return true;
}

/**
 * 1 on pixels of dark runs at least `minLen` long: along rows (horizontal rules), along columns
 * (vertical rules), or both.
 */
export function ruleMask(img: GreyImage, threshold: number, minLen: number, along: 'rows' | 'columns' | 'both' = 'both'): Uint8Array {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(w * h);
  if (along !== 'columns') for (let y = 0; y < h; y++) {
    let start = -1;
    for (let x = 0; x <= w; x++) {
      const dark = x < w && data[y * w + x]! < threshold;
      if (dark && start < 0) start = x;
      if (!dark && start >= 0) {
        if (x - start >= minLen) out.fill(1, y * w + start, y * w + x);
        start = -1;
      }
    }
  }
  if (along !== 'rows') for (let x = 0; x < w; x++) {
    let start = -1;
    for (let y = 0; y <= h; y++) {
      const dark = y < h && data[y * w + x]! < threshold;
      if (dark && start < 0) start = y;
      if (!dark && start >= 0) {
        if (y - start >= minLen) for (let k = start; k < y; k++) out[k * w + x] = 1;
        start = -1;
      }
    }
  }
  return out;
}

/** Whitens every band of writing except the one that overlaps rows [top, bottom) the most. */
function keepCentralLine(img: GreyImage, threshold: number, top: number, bottom: number): void {
  const { width: w, height: h, data } = img;
  const rows = new Uint32Array(h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (data[y * w + x]! < threshold) rows[y]!++;
  const bands: [number, number][] = [];
  for (let y = 0; y < h; ) {
    while (y < h && rows[y] === 0) y++;
    if (y >= h) break;
    const s = y;
    // A single empty row does not split a band (an accent, a broken stroke).
    let e = y;
    while (y < h && (rows[y]! > 0 || (y + 1 < h && rows[y + 1]! > 0))) {
      if (rows[y]! > 0) e = y;
      y++;
    }
    bands.push([s, e + 1]);
  }
  if (bands.length < 2) return;
  const mid = (top + bottom) / 2;
  const centralTop = mid - 0.3 * (bottom - top);
  const centralBottom = mid + 0.3 * (bottom - top);
  const overlap = ([s, e]: [number, number]): number => Math.max(0, Math.min(e, centralBottom) - Math.max(s, centralTop));
  const keep = bands.reduce((a, b) => (overlap(b) > overlap(a) ? b : a));
  for (const b of bands) {
    if (b === keep) continue;
    // A small band right above or below the kept line is part of it (accents, a comma's tail).
    const gap = b[0] >= keep[1] ? b[0] - keep[1] : keep[0] - b[1];
    if (gap <= 3 && b[1] - b[0] <= 0.4 * (keep[1] - keep[0])) continue;
    for (let y = b[0]; y < b[1]; y++) data.fill(255, y * w, (y + 1) * w);
  }
}

/**
 * Clears what is not writing: paper-grey pixels (the faint fringe of removed print) become
 * white; specks of noise and the thin remains of printed rules (long one-way slivers, or slivers
 * next to a rule of the blank, that the print removal missed by a pixel) are whitened. A small
 * mark next to writing, on its line, stays: the dot of a full stop, a comma, an apostrophe, an
 * accent.
 */
function dropDebris(img: GreyImage, threshold: number, rules: { across: Uint8Array; down: Uint8Array }): number | null {
  const { width: w, height: h, data } = img;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) {
    if (data[i]! < threshold) mask[i] = 1;
    else data[i] = 255;
  }
  const { list, labels } = components(mask, w, h);
  const drop = new Uint8Array(list.length);
  const big = list.filter((c) => c.area >= 15 && c.y1 - c.y0 >= 5);
  const letterH = median(big.map((c) => c.y1 - c.y0 + 1)) ?? 20;
  const baseline = median(big.map((c) => c.y1)) ?? h;
  const small = list.filter((c) => c.area >= 3 && c.area < 10);
  const aboveLetter = (c: (typeof list)[number]): boolean => big.some((b) => c.x1 >= b.x0 - 2 && c.x0 <= b.x1 + 2 && c.y1 < b.y0 + 0.3 * letterH && b.y0 - c.y1 <= 0.6 * letterH);
  // Punctuation sits on the line right after a letter (a full stop, a comma); accents, dots and
  // apostrophes sit above a letter; the dots of a colon stand one above the other. Any other
  // speck is noise.
  const keep = (c: (typeof list)[number]): boolean => {
    const afterLetter = big.some((b) => c.x0 > b.x0 && c.x0 - b.x1 <= 0.5 * letterH && c.y1 >= b.y0);
    if (afterLetter && Math.abs(c.y0 - baseline) <= 0.35 * letterH) return true;
    if (aboveLetter(c)) return true;
    return small.some((o) => o !== c && Math.abs((o.x0 + o.x1) / 2 - (c.x0 + c.x1) / 2) <= 2 && Math.abs(o.y0 - c.y0) <= 0.7 * letterH && Math.abs(o.y0 - c.y0) >= 0.2 * letterH);
  };
  // On a noisy page (specks away from any writing) a speck beside a letter is as likely noise
  // as a full stop: then only marks above letters (accents, dots) are kept.
  const strays = small.filter((c) => !big.some((b) => c.x0 <= b.x1 + letterH && c.x1 >= b.x0 - letterH && c.y0 >= b.y0 - letterH && c.y1 <= b.y1 + letterH)).length;
  const noisy = strays >= 3;
  const letterArea = median(big.map((c) => c.area)) ?? 100;
  const isolated = (c: (typeof list)[number]): boolean => !big.some((b) => b !== c && c.x0 <= b.x1 + 1.2 * letterH && c.x1 >= b.x0 - 1.2 * letterH);
  for (const c of list) {
    const cw = c.x1 - c.x0 + 1;
    const ch = c.y1 - c.y0 + 1;
    if (c.area < 10 && (c.area < 3 || !keep(c) || (noisy && !aboveLetter(c)))) drop[c.id] = 1;
    // A blot well away from the writing, smaller than a letter: noise, not a word.
    else if (c.area < 0.4 * letterArea && isolated(c)) drop[c.id] = 1;
    else if ((cw <= 4 && ch >= 0.85 * h) || (ch <= 4 && cw >= 0.4 * w)) drop[c.id] = 1;
    // A thin sliver running along a printed rule, a few pixels off it, is what is left of that
    // rule: a vertical sliver beside a vertical rule over its whole length, likewise across.
    else if (cw <= 5 && ch >= 8 ? alongRule(rules.down, c, w, h, true) : ch <= 5 && cw >= 8 ? alongRule(rules.across, c, w, h, false) : false) drop[c.id] = 1;
  }
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0 && drop[labels[i]!]) data[i] = 255;
  return big.length ? letterH : null;
}

function median(v: number[]): number | null {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Dark pixels that are not isolated (2+ dark neighbours), and their bounding box. */
function inkBox(img: GreyImage, threshold: number): { dark: number; box: RectPx | null } {
  const { width: w, height: h, data } = img;
  let dark = 0;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (data[i]! >= threshold) continue;
      let n = 0;
      for (const j of [i - 1, i + 1, i - w, i + w, i - w - 1, i - w + 1, i + w - 1, i + w + 1]) if (data[j]! < threshold) n++;
      if (n < 2) continue;
      dark++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return { dark, box: x1 >= 0 ? { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 } : null };
}
