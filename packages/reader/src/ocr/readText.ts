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
export const MIN_WORD_CONFIDENCE = 0.7;
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
  const total0 = crop.width * crop.height;
  // Most fields of most forms are empty: say so before any further work.
  if (countBelow(crop, TEXT_INK) < Math.max(20, 0.002 * total0)) {
    return { kind: 'text', key: f.field.key, region, flags: [], text: null, confidence: 1, evidence: { engine: ocr.name, words: [], inkRatio: 0, linesRemoved: removed } };
  }
  // Writing that crosses the top or bottom of the cut-out belongs to the field above or below
  // (field areas of a form often overlap): keep only what lies within it.
  dropNeighbourStrokes(crop, TEXT_INK, margin + Math.round(0.5 * mm));
  const ink = inkBox(crop, TEXT_INK);
  const total = crop.width * crop.height;
  const inkRatio = total > 0 ? ink.dark / total : 0;
  const engine = ocr.name;
  const base = { kind: 'text' as const, key: f.field.key, region };
  // No ink left once the form's print is gone: an empty field, no OCR.
  if (ink.dark < Math.max(20, 0.002 * total) || !ink.box) {
    return { ...base, flags: [], text: null, confidence: 1, evidence: { engine, words: [], inkRatio, linesRemoved: removed } };
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
  // Writing belongs in the middle of its area; ink only along the top or bottom edge is most
  // likely the end of the neighbouring field's writing.
  const centre = (ink.box.y + ink.box.h / 2) / crop.height;
  if (centre < 0.3 || centre > 0.7) flags.push({ code: 'ocr_edge_ink', message: 'the only writing lies along the edge of the field: it may belong to the field above or below' });
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
 * Whitens every pixel within a pixel of print on the blank (the registration is good to a
 * tenth of a millimetre). Returns whether anything was removed.
 */
function removePrint(crop: GreyImage, blank: GreyImage): boolean {
  const { width: w, height: h } = crop;
  const mask = new Uint8Array(w * h);
  let any = false;
  const r = 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (blank.data[y * w + x]! >= PRINT) continue;
      any = true;
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
