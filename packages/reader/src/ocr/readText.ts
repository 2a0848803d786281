/**
 * Reading the text fields of a registered page: each field's region is cut out, the form's own
 * print (labels, write-in lines, comb boxes: whatever is dark on the registered blank) is
 * removed, a field with no ink left is reported empty without OCR, and the rest is read with
 * the characters its type allows. Word confidences are kept; a weak word or a value that fails
 * its type is flagged. The text is never changed.
 */
import type { Flag, GreyImage, RectPx, TextField, TextReading, TextType } from '../types.ts';
import { cleanField, cutOut, grow, upscale } from './fieldImage.ts';
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
  const region = f.region;
  const c = cleanField(page, blank, region, f.blankRegion, dpi);
  const engine = ocr.name;
  const base = { kind: 'text' as const, key: f.field.key, region };
  if (c.emptyRaw) return { ...base, flags: [], text: null, confidence: 1, evidence: { engine, words: [], inkRatio: 0, linesRemoved: c.printRemoved } };
  const { crop, area, margin } = c;
  const total = crop.width * crop.height;
  const inkRatio = total > 0 ? c.dark / total : 0;
  // No ink left once the form's print is gone: an empty field, no OCR. Unless writing was there
  // and went with what was cleared away (it crossed the field's edge): then a person looks.
  if (c.dark < Math.max(20, 0.002 * total) || !c.box) {
    const cleared = c.inkBefore >= Math.max(60, 0.01 * total);
    const flags: Flag[] = cleared ? [{ code: 'ocr_ink_unread', message: 'there is writing at this field that crosses its edges; nothing was read as its own' }] : [];
    return { ...base, flags, text: null, confidence: cleared ? 0 : 1, evidence: { engine, words: [], inkRatio, linesRemoved: c.printRemoved } };
  }
  const ink = c.box;
  const pad = Math.round(0.6 * mm);
  const tight = grow(ink, pad);
  // Small writing is enlarged to the letter height Tesseract reads best.
  const k = c.letterH !== null && c.letterH < 18 ? Math.min(3, Math.max(2, Math.round(26 / c.letterH))) : 1;
  const lineImage = upscale(cutOut(crop, tight), k);
  const singleLine = ink.h < 6.5 * mm;
  const whitelist = WHITELIST[f.field.textType];
  const words = await ocr.recognise(lineImage, { singleLine, dpi: dpi * k, ...(whitelist ? { whitelist } : {}) });
  // Word boxes back to page pixels.
  const ox = area.x + tight.x;
  const oy = area.y + tight.y;
  const pageWords = words.map((w) => ({ text: w.text, confidence: round(w.confidence, 3), bbox: { x: Math.round(w.bbox.x / k) + ox, y: Math.round(w.bbox.y / k) + oy, w: Math.round(w.bbox.w / k), h: Math.round(w.bbox.h / k) } }));
  const text = joinWords(words);
  const flags: Flag[] = [];
  const removed = c.printRemoved;
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
  if (ink.y + ink.h <= coreTop || ink.y >= coreBottom) flags.push({ code: 'ocr_edge_ink', message: 'the only writing lies along the edge of the field: it may belong to the field above or below' });
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

function round(v: number, d: number): number {
  const k = 10 ** d;
  return Math.round(v * k) / k;
}
