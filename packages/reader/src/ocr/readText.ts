/**
 * Reading the text fields of a registered page: each field's region is cut out, the form's own
 * print (labels, write-in lines, comb boxes: whatever is dark on the registered blank) is
 * removed, a field with no ink left is reported empty without OCR, and the rest is read with
 * the characters its type allows. Word confidences are kept; a weak word or a value that fails
 * its type is flagged. The text is never changed.
 */
import type { Flag, GreyImage, RectPx, TextField, TextReading, TextType } from '../types.ts';
import { components } from '../image/components.ts';
import { checkText } from '../text/checkText.ts';
import type { OcrEngine, OcrWord } from './tesseract.ts';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ACCENTED = 'ÀÁÂÄÇÈÉÊËÌÍÎÏÑÒÓÔÖÙÚÛÜàáâäçèéêëìíîïñòóôöùúûü';

/** Characters OCR may produce per type; `undefined` = any. */
export const WHITELIST: Record<TextType, string | undefined> = {
  name: `${UPPER}${LOWER}${ACCENTED} '-.,`,
  date: `${DIGITS}/-. ${UPPER}${LOWER}`,
  time: `${DIGITS}:. apmAPMhr`,
  icd10_list: `${UPPER}${DIGITS}., ;`,
  npi: DIGITS,
  phone: `${DIGITS}()-+. extEXT`,
  address: `${UPPER}${LOWER}${ACCENTED}${DIGITS} #,.-/'`,
  postal_code: `${UPPER}${DIGITS} -`,
  identifier: `${UPPER}${LOWER}${DIGITS} -`,
  digits: DIGITS,
  sex: 'MFXUmfxualeFemaleOthrnkow',
  free: undefined,
};

/** Below this confidence a word is flagged for a person. */
export const MIN_WORD_CONFIDENCE = 0.85;
/** Grey below this is ink in a text field. */
const TEXT_INK = 170;
/** Grey below this on the blank form is print to remove. */
const PRINT = 190;

export interface FieldToRead {
  field: TextField;
  region: RectPx;
  blankRegion: RectPx;
}

export async function readTextFields(ocr: OcrEngine, page: GreyImage, blank: GreyImage, fields: FieldToRead[], dpi: number): Promise<TextReading[]> {
  const out: TextReading[] = [];
  for (const f of fields) out.push(await readTextField(ocr, page, blank, f, dpi));
  return out;
}

export async function readTextField(ocr: OcrEngine, page: GreyImage, blank: GreyImage, f: FieldToRead, dpi: number): Promise<TextReading> {
  const mm = dpi / 25.4;
  const margin = Math.round(0.8 * mm);
  const region = f.region;
  const area = grow(region, margin);
  const crop = cutOut(page, area);
  const blankCrop = resizeNearest(cutOut(blank, grow(f.blankRegion, margin)), crop.width, crop.height);
  const removed = removePrint(crop, blankCrop);
  const blankRules = { across: ruleMask(blankCrop, PRINT, 24, 'rows'), down: ruleMask(blankCrop, PRINT, 24, 'columns') };
  const total0 = crop.width * crop.height;
  // Most fields of most forms are empty: say so before any further work.
  if (countBelow(crop, TEXT_INK) < Math.max(20, 0.002 * total0)) {
    return { kind: 'text', key: f.field.key, region, flags: [], text: null, confidence: 1, evidence: { engine: ocr.name, words: [], inkRatio: 0, linesRemoved: removed } };
  }
  // Ink in the middle rows of the field itself (not its margins, where neighbours intrude).
  const coreRows = { y: margin + Math.round(0.15 * region.h), h: Math.round(0.7 * region.h) };
  const inkBefore = countBelow(cutOut(crop, { x: 0, y: coreRows.y, w: crop.width, h: coreRows.h }), TEXT_INK);
  // Writing that crosses the top or bottom of the cut-out belongs to the field above or below
  // (field areas of a form often overlap): keep only what lies within it.
  dropNeighbourStrokes(crop, TEXT_INK, margin + Math.round(0.5 * mm));
  dropDebris(crop, TEXT_INK, blankRules);
  // Field areas overlap on many forms: a one-line field keeps the line of writing that sits in
  // the middle of its own area, not the end of its neighbour's.
  if (region.h < 12 * mm) keepCentralLine(crop, TEXT_INK, margin, margin + region.h);
  const ink = inkBox(crop, TEXT_INK);
  const total = crop.width * crop.height;
  const inkRatio = total > 0 ? ink.dark / total : 0;
  const engine = ocr.name;
  const base = { kind: 'text' as const, key: f.field.key, region };
  // No ink left once the form's print is gone: an empty field, no OCR. Unless writing was there
  // and went with what was cleared away (it crossed the field's edge): then a person looks.
  if (ink.dark < Math.max(20, 0.002 * total) || !ink.box) {
    const cleared = inkBefore >= Math.max(60, 0.01 * total);
    const flags: Flag[] = cleared ? [{ code: 'ocr_ink_unread', message: 'there is writing at this field that crosses its edges; nothing was read as its own' }] : [];
    return { ...base, flags, text: null, confidence: cleared ? 0 : 1, evidence: { engine, words: [], inkRatio, linesRemoved: removed } };
  }
  const pad = Math.round(0.6 * mm);
  const tight = grow(ink.box, pad);
  const lineImage = cutOut(crop, tight);
  const singleLine = ink.box.h < 6.5 * mm;
  const whitelist = WHITELIST[f.field.textType];
  const words = await ocr.recognise(lineImage, { singleLine, dpi, ...(whitelist ? { whitelist } : {}) });
  // Word boxes back to page pixels.
  const ox = area.x + tight.x;
  const oy = area.y + tight.y;
  const pageWords = words.map((w) => ({ text: w.text, confidence: round(w.confidence, 3), bbox: { x: w.bbox.x + ox, y: w.bbox.y + oy, w: w.bbox.w, h: w.bbox.h } }));
  const text = joinWords(words);
  const flags: Flag[] = [];
  if (!text) {
    flags.push({ code: 'ocr_no_text', message: 'the field has ink but no text was recognised' });
    return { ...base, flags, text: '', confidence: 0, evidence: { engine, words: pageWords, inkRatio, linesRemoved: removed } };
  }
  const confidence = words.reduce((s, w) => s + w.confidence, 0) / words.length;
  const weakest = Math.min(...words.map((w) => w.confidence));
  if (weakest < MIN_WORD_CONFIDENCE) flags.push({ code: 'ocr_low_confidence', message: `OCR confidence ${Math.round(weakest * 100)} % on the least certain word (${Math.round(MIN_WORD_CONFIDENCE * 100)} % needed)` });
  // Writing belongs within its area; ink only along its top or bottom edge (outside the middle
  // 70 % of its height) is most likely the end of the neighbouring field's writing.
  const coreTop = margin + 0.15 * region.h;
  const coreBottom = margin + 0.85 * region.h;
  if (ink.box.y + ink.box.h <= coreTop || ink.box.y >= coreBottom) flags.push({ code: 'ocr_edge_ink', message: 'the only writing lies along the edge of the field: it may belong to the field above or below' });
  const check = checkText(f.field.textType, text, f.field.format);
  flags.push(...check.flags);
  return {
    ...base,
    flags,
    text,
    ...(check.parsed ? { parsed: check.parsed } : {}),
    confidence: round(confidence, 3),
    evidence: { engine, words: pageWords, inkRatio: round(inkRatio, 5), linesRemoved: removed },
  };
}

function joinWords(words: OcrWord[]): string {
  const lines = new Map<number, string[]>();
  for (const w of words) lines.set(w.line, [...(lines.get(w.line) ?? []), w.text]);
  return [...lines.values()].map((l) => l.join(' ')).join('\n').trim();
}

function grow(r: RectPx, by: number): RectPx {
  return { x: r.x - by, y: r.y - by, w: r.w + 2 * by, h: r.h + 2 * by };
}

function cutOut(img: GreyImage, r: RectPx): GreyImage {
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
 * Whitens every pixel within a pixel of print on the blank (the registration is good to a tenth
 * of a millimetre), within three of a printed rule (a fax shifts and thickens long rules).
 * Returns whether anything was removed.
 */
function removePrint(crop: GreyImage, blank: GreyImage): boolean {
  const { width: w, height: h } = crop;
  const mask = new Uint8Array(w * h);
  let any = false;
  // Printed rules get a wider margin: on a faxed page they lie a pixel or two off and thicker.
  const ruled = ruleMask(blank, PRINT, 24);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (blank.data[y * w + x]! >= PRINT) continue;
      any = true;
      const r = ruled[y * w + x] ? 3 : 1;
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w) mask[yy * w + xx] = 1;
        }
      }
    }
  }
  for (let i = 0; i < mask.length; i++) if (mask[i]) crop.data[i] = 255;
  return any;
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
  for (const c of list) {
    if (c.y0 === 0 || c.y1 === h - 1 || c.y1 < band || c.y0 > h - 1 - band) drop[c.id] = 1;
  }
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0 && drop[labels[i]!]) data[i] = 255;
}

/** Every line of the sliver's length has a rule pixel within 6 pixels to its side. */
function alongRule(rules: Uint8Array, c: { x0: number; y0: number; x1: number; y1: number }, w: number, h: number, vertical: boolean): boolean {
  const near = 6;
  if (vertical) {
    for (let y = c.y0; y <= c.y1; y++) {
      let hit = false;
      for (let x = Math.max(0, c.x0 - near); x <= Math.min(w - 1, c.x1 + near); x++) if (rules[y * w + x]) { hit = true; break; }
      if (!hit) return false;
    }
    return true;
  }
  for (let x = c.x0; x <= c.x1; x++) {
    let hit = false;
    for (let y = Math.max(0, c.y0 - near); y <= Math.min(h - 1, c.y1 + near); y++) if (rules[y * w + x]) { hit = true; break; }
    if (!hit) return false;
  }
  return true;
}

/**
 * 1 on pixels of dark runs at least `minLen` long: along rows (horizontal rules), along columns
 * (vertical rules), or both.
 */
function ruleMask(img: GreyImage, threshold: number, minLen: number, along: 'rows' | 'columns' | 'both' = 'both'): Uint8Array {
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
    for (let y = b[0]; y < b[1]; y++) data.fill(255, y * w, (y + 1) * w);
  }
}

/**
 * Clears what is not writing: paper-grey pixels (the faint fringe of removed print) become
 * white, and specks of noise and the thin remains of printed rules (long one-way slivers, or
 * slivers next to a rule of the blank, that the print removal missed by a pixel) are whitened.
 */
function dropDebris(img: GreyImage, threshold: number, rules: { across: Uint8Array; down: Uint8Array }): void {
  const { width: w, height: h, data } = img;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) {
    if (data[i]! < threshold) mask[i] = 1;
    else data[i] = 255;
  }
  const { list, labels } = components(mask, w, h);
  const drop = new Uint8Array(list.length);
  // A speck just above a letter is an accent or the dot of an i: it stays.
  const big = list.filter((c) => c.area >= 25);
  const accent = (c: (typeof list)[number]): boolean => big.some((b) => c.y1 < b.y0 && b.y0 - c.y1 <= 8 && c.x1 >= b.x0 - 2 && c.x0 <= b.x1 + 2);
  for (const c of list) {
    const cw = c.x1 - c.x0 + 1;
    const ch = c.y1 - c.y0 + 1;
    if ((c.area < 10 && !accent(c)) || (cw <= 4 && ch >= 0.85 * h) || (ch <= 4 && cw >= 0.4 * w)) drop[c.id] = 1;
    // A thin sliver running along a printed rule, a few pixels off it, is what is left of that
    // rule: a vertical sliver beside a vertical rule over its whole length, likewise across.
    else if (cw <= 5 && ch >= 8 ? alongRule(rules.down, c, w, h, true) : ch <= 5 && cw >= 8 ? alongRule(rules.across, c, w, h, false) : false) drop[c.id] = 1;
  }
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0 && drop[labels[i]!]) data[i] = 255;
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

function round(v: number, d: number): number {
  const k = 10 ** d;
  return Math.round(v * k) / k;
}
