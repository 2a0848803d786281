/**
 * Reading the text fields of a registered page: each field's region is cut out and cleaned
 * (fieldImage.ts), a field with no ink left is reported empty without OCR, and the writing of
 * all the others is put on one image and read in one pass, a rectangle per field with the
 * characters its type allows. Word and letter confidences are kept; a weak letter, a mark the
 * OCR did not account for (an accent it cannot write), or a value that fails its type is
 * flagged with the reason. The text is never changed.
 */
import type { Flag, GreyImage, RectPx, TextField, TextReading, TextType } from '../types.ts';
import { checkText } from '../text/checkText.ts';
import type { FieldOcr, OcrWordRead } from './coreEngine.ts';
import { type CleanField, MIN_INK, UNREAD_INK, cleanField, cutOut, grow, upscale } from './fieldImage.ts';
import { unreadMarks } from './marks.ts';

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
export const MIN_WORD_CONFIDENCE = 0.87;
/** Below this confidence a single letter is flagged for a person (a word can hide one weak letter). */
export const MIN_SYMBOL_CONFIDENCE = 0.6;

export interface FieldToRead {
  field: TextField;
  region: RectPx;
  blankRegion: RectPx;
}

/** A field with writing to read: its cleaned line image and where that came from. */
interface Pending {
  f: FieldToRead;
  c: CleanField;
  /** The tight cut-out of the writing, in crop pixels. */
  tight: RectPx;
  /** Enlargement applied before OCR. */
  k: number;
  image: GreyImage;
  singleLine: boolean;
}

/** Space around each field's writing on the composed image: Tesseract wants a white margin. */
const GAP = 16;

/**
 * Reads every field: `batch` (default) puts all fields' writing on one image and reads it in one
 * pass; otherwise each field is read on its own image (the same per-field rectangles, so the
 * same text: kept for comparison and tests).
 */
export function readTextFields(ocr: FieldOcr, page: GreyImage, blank: GreyImage, fields: FieldToRead[], dpi: number, opts: { batch?: boolean; second?: FieldOcr } = {}): TextReading[] {
  const out = new Map<string, TextReading>();
  const pending: Pending[] = [];
  const shared = new Map<string, Flag>();
  for (const f of fields) {
    const r = prepare(ocr, page, blank, f, dpi);
    if ('reading' in r) {
      out.set(f.field.key, r.reading);
      continue;
    }
    const owner = whoseWriting(r.pending, fields);
    if (owner.kind === 'neighbour') {
      // The writing is read as the neighbour's. Unless it lies clearly nearer the neighbour's
      // middle, this field may be the one it was written in: a person looks.
      const flags: Flag[] = owner.close ? [sharedFlag(owner.field, `it was read as the writing of "${owner.field.label}"`)] : [];
      out.set(f.field.key, { kind: 'text', key: f.field.key, region: f.region, flags, text: null, confidence: flags.length ? 0 : 1, evidence: { engine: ocr.name, words: [], inkRatio: 0, linesRemoved: r.pending.c.printRemoved } });
      continue;
    }
    if (owner.kind === 'own_close') shared.set(f.field.key, sharedFlag(owner.field, 'it was read as this field\'s'));
    pending.push(r.pending);
  }
  const first = readAll(ocr, pending, dpi, opts.batch !== false);
  pending.forEach((p, i) => out.set(p.f.field.key, first[i]!));
  if (opts.second) {
    // Every value is read again by a second model: a value the two agree on stands; where they
    // differ a person looks, shown the reading that passed every check if one of them did.
    const second = readAll(opts.second, pending, dpi, opts.batch !== false);
    pending.forEach((p, i) => out.set(p.f.field.key, reconcile(out.get(p.f.field.key)!, second[i]!)));
  }
  // Whatever either model read, the machine cannot tell which of two lines it was written on.
  for (const [key, flag] of shared) {
    const r = out.get(key)!;
    out.set(key, { ...r, flags: [...r.flags, flag] });
  }
  return fields.map((f) => out.get(f.field.key)!);
}

/**
 * How far (in heights of the nearer area) the writing's middle must lie from the middle between
 * two overlapping areas for it to be taken as one field's without a person: nearer than this
 * to the boundary, either field may be the one it was written in.
 */
export const SHARED_WRITING_MARGIN = 0.2;

type Owner = { kind: 'own' } | { kind: 'own_close'; field: TextField } | { kind: 'neighbour'; field: TextField; close: boolean };

/**
 * Field areas overlap on some forms (the Ontario form's OSCAR map stacks its address lines 4 mm
 * apart in 7 mm boxes): writing whose middle lies clearly nearer the middle of an overlapping
 * field's area than of this one's is that field's, and this field has none of its own. Where
 * the writing lies about as near both middles, whichever field it is given to, both are flagged:
 * the machine cannot tell which line it was written on.
 */
function whoseWriting(p: Pending, fields: FieldToRead[]): Owner {
  const box = p.c.box!;
  const bx0 = p.c.area.x + box.x;
  const bx1 = bx0 + box.w;
  const cy = p.c.area.y + box.y + box.h / 2;
  const own = p.f.region;
  const dist = (r: RectPx): number => Math.abs(cy - (r.y + r.h / 2)) / r.h;
  const mine = dist(own);
  let nearest: { g: FieldToRead; d: number } | null = null;
  for (const g of fields) {
    if (g === p.f) continue;
    const r = g.region;
    const xOverlap = Math.min(bx1, r.x + r.w) - Math.max(bx0, r.x);
    const regionOverlap = Math.min(own.x + own.w, r.x + r.w) - Math.max(own.x, r.x);
    if (!(xOverlap > 0.5 * (bx1 - bx0) && regionOverlap > 0 && cy >= r.y && cy <= r.y + r.h)) continue;
    const d = dist(r);
    if (!nearest || d < nearest.d) nearest = { g, d };
  }
  if (!nearest) return { kind: 'own' };
  if (nearest.d < mine - 0.05) return { kind: 'neighbour', field: nearest.g.field, close: mine - nearest.d < SHARED_WRITING_MARGIN };
  return nearest.d < mine + SHARED_WRITING_MARGIN ? { kind: 'own_close', field: nearest.g.field } : { kind: 'own' };
}

function sharedFlag(other: TextField, how: string): Flag {
  return { code: 'ocr_writing_shared', message: `writing lies where this field's area and that of "${other.label}" overlap, about as near the middle of each; ${how}: check which field it was written in` };
}

function readAll(ocr: FieldOcr, pending: Pending[], dpi: number, batch: boolean): TextReading[] {
  const out: TextReading[] = [];
  const groups = batch ? (pending.length ? [pending] : []) : pending.map((p) => [p]);
  for (const group of groups) {
    const { image, slots, origins } = compose(group.map((p) => p.image));
    const words = ocr.read(
      image,
      group.map((p, i) => ({ rect: slots[i]!, singleLine: p.singleLine, ...(WHITELIST[p.f.field.textType] ? { whitelist: WHITELIST[p.f.field.textType]! } : {}) })),
      dpi,
    );
    group.forEach((p, i) => {
      const o = origins[i]!;
      // Back to the coordinates of the field's own line image.
      out.push(finish(ocr, p, words[i]!.map((w) => shift(w, -o.x, -o.y)), dpi));
    });
  }
  return out;
}

/** Letters without their accents: the part of a reading both models can write. */
const bare = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '');

/**
 * The first reading, checked against the second. Equal: the first stands. The first lacked
 * only accents, and the second has those letters with their accents, every mark accounted for
 * and nothing else to flag: the second is the reading (a model that writes those letters read
 * them; nothing was guessed). Otherwise flagged: the second shown when it passed every check
 * and the first did not (a person confirms it against the image), else the first.
 */
function reconcile(first: TextReading, second: TextReading): TextReading {
  if (second.text === first.text) return first;
  const onlyMarks = first.flags.length > 0 && first.flags.every((f) => f.code === 'ocr_unread_mark');
  if (onlyMarks && second.text && first.text && second.flags.length === 0 && bare(second.text) === bare(first.text)) return second;
  const a = first.text ?? '';
  const b = second.text ?? '';
  let at = 0;
  while (at < a.length && a[at] === b[at]) at++;
  const disagree = { code: 'ocr_reads_disagree', message: `a second OCR model read this field differently (from character ${at + 1})` };
  // The first reading failed a check the second passes: the second is shown, flagged.
  if (first.flags.length > 0 && second.flags.length === 0 && second.text) {
    return { ...second, flags: [{ ...disagree, message: `${disagree.message}; shown is the second reading, which passed every check (the first: ${first.flags.map((f) => f.code).join(', ')})` }] };
  }
  return { ...first, flags: [...first.flags, disagree] };
}

function prepare(ocr: FieldOcr, page: GreyImage, blank: GreyImage, f: FieldToRead, dpi: number): { reading: TextReading } | { pending: Pending } {
  const mm = dpi / 25.4;
  const region = f.region;
  const c = cleanField(page, blank, region, f.blankRegion, dpi);
  const engine = ocr.name;
  const base = { kind: 'text' as const, key: f.field.key, region };
  if (c.emptyRaw) return { reading: { ...base, flags: [], text: null, confidence: 1, evidence: { engine, words: [], inkRatio: 0, linesRemoved: c.printRemoved } } };
  const total = c.crop.width * c.crop.height;
  const inkRatio = total > 0 ? c.dark / total : 0;
  // No ink left once the form's print is gone: an empty field, no OCR. Unless writing was there
  // and went with what was cleared away (it crossed the field's edge): then a person looks.
  if (c.dark < MIN_INK || !c.box) {
    const cleared = c.inkBefore >= UNREAD_INK;
    const flags: Flag[] = cleared ? [{ code: 'ocr_ink_unread', message: 'there is ink in this field (writing too small, faint or broken, or crossing its edges) that was not read' }] : [];
    return { reading: { ...base, flags, text: null, confidence: cleared ? 0 : 1, evidence: { engine, words: [], inkRatio, linesRemoved: c.printRemoved } } };
  }
  const tight = grow(c.box, Math.round(0.6 * mm));
  // Small writing is enlarged to the letter height Tesseract reads best.
  const k = c.letterH !== null && c.letterH < 18 ? Math.min(3, Math.max(2, Math.round(26 / c.letterH))) : 1;
  const image = upscale(cutOut(c.crop, tight), k);
  return { pending: { f, c, tight, k, image, singleLine: c.box.h < 6.5 * mm } };
}

function finish(ocr: FieldOcr, p: Pending, words: OcrWordRead[], dpi: number): TextReading {
  const { f, c, tight, k } = p;
  const region = f.region;
  const engine = ocr.name;
  const base = { kind: 'text' as const, key: f.field.key, region };
  const total = c.crop.width * c.crop.height;
  const inkRatio = round(total > 0 ? c.dark / total : 0, 5);
  const linesRemoved = c.printRemoved;
  // Word boxes back to page pixels.
  const ox = c.area.x + tight.x;
  const oy = c.area.y + tight.y;
  const toPage = (b: RectPx): RectPx => ({ x: Math.round(b.x / k) + ox, y: Math.round(b.y / k) + oy, w: Math.round(b.w / k), h: Math.round(b.h / k) });
  const pageWords = words.map((w) => ({ text: w.text, confidence: round(w.confidence, 3), bbox: toPage(w.bbox) }));
  const text = joinWords(words);
  const flags: Flag[] = [];
  if (!text) {
    flags.push({ code: 'ocr_no_text', message: 'the field has ink but no text was recognised' });
    return { ...base, flags, text: '', confidence: 0, evidence: { engine, words: pageWords, inkRatio, linesRemoved } };
  }
  const confidence = words.reduce((s, w) => s + w.confidence, 0) / words.length;
  const weakest = Math.min(...words.map((w) => w.confidence));
  const symbols = words.flatMap((w) => w.symbols);
  const weakestSymbol = symbols.length ? Math.min(...symbols.map((s) => s.confidence)) : weakest;
  if (weakest < MIN_WORD_CONFIDENCE) flags.push({ code: 'ocr_low_confidence', message: `OCR confidence ${Math.round(weakest * 100)} % on the least certain word (${Math.round(MIN_WORD_CONFIDENCE * 100)} % needed)` });
  else if (weakestSymbol < MIN_SYMBOL_CONFIDENCE) flags.push({ code: 'ocr_low_confidence', message: `OCR confidence ${Math.round(weakestSymbol * 100)} % on the least certain letter (${Math.round(MIN_SYMBOL_CONFIDENCE * 100)} % needed)` });
  // A mark above or below a letter that the text does not account for: an accent Tesseract's
  // English model cannot write (ñ, ü, í...), or a stray mark it ignored.
  const marks = unreadMarks(p.image, words, k);
  if (marks.length) flags.push({ code: 'ocr_unread_mark', message: `${marks.length} mark(s) above or below a letter (an accent?) not in the text read, at letter ${marks.join(', ')}` });
  // Nothing but signs ("|", "-", "."): a mark or a scrap of a line, not writing anyone reads.
  if (!/[\p{L}\p{N}]/u.test(text)) flags.push({ code: 'ocr_no_letters', message: 'no letter or digit was read, only signs: a stray mark or a scrap of a line?' });
  if (c.streaks > 0) flags.push({ code: 'ocr_streak', message: `${c.streaks} vertical streak(s) cross this field: a stroke under one may be missing` });
  // Writing belongs within its area; ink only along its top or bottom edge (outside the middle
  // 70 % of its height) is most likely the end of the neighbouring field's writing.
  const ink = c.box!;
  const coreTop = c.margin + 0.15 * region.h;
  const coreBottom = c.margin + 0.85 * region.h;
  if (ink.y + ink.h <= coreTop || ink.y >= coreBottom) flags.push({ code: 'ocr_edge_ink', message: 'the only writing lies along the edge of the field: it may belong to the field above or below' });
  const check = checkText(f.field.textType, text, f.field.format);
  flags.push(...check.flags);
  void dpi;
  return {
    ...base,
    flags,
    text,
    ...(check.parsed ? { parsed: check.parsed } : {}),
    confidence: round(confidence, 3),
    evidence: { engine, words: pageWords, inkRatio, linesRemoved },
  };
}

/** Stacks images one under another, each with a white margin of GAP around it. */
function compose(images: GreyImage[]): { image: GreyImage; slots: RectPx[]; origins: { x: number; y: number }[] } {
  const width = Math.max(...images.map((i) => i.width)) + 2 * GAP;
  const height = images.reduce((s, i) => s + i.height + GAP, GAP);
  const data = new Uint8Array(width * height).fill(255);
  const slots: RectPx[] = [];
  const origins: { x: number; y: number }[] = [];
  let y = GAP;
  for (const img of images) {
    for (let r = 0; r < img.height; r++) data.set(img.data.subarray(r * img.width, (r + 1) * img.width), (y + r) * width + GAP);
    // The rectangle Tesseract reads keeps part of the white margin round the writing.
    const m = GAP / 2;
    slots.push({ x: GAP - m, y: y - m, w: img.width + 2 * m, h: img.height + 2 * m });
    origins.push({ x: GAP, y });
    y += img.height + GAP;
  }
  return { image: { width, height, data }, slots, origins };
}

function shift(w: OcrWordRead, dx: number, dy: number): OcrWordRead {
  const mv = (b: RectPx): RectPx => ({ x: b.x + dx, y: b.y + dy, w: b.w, h: b.h });
  return { ...w, bbox: mv(w.bbox), symbols: w.symbols.map((s) => ({ ...s, bbox: mv(s.bbox) })) };
}

function joinWords(words: OcrWordRead[]): string {
  const lines = new Map<number, string[]>();
  for (const w of words) lines.set(w.line, [...(lines.get(w.line) ?? []), w.text]);
  return [...lines.values()].map((l) => l.join(' ')).join('\n').trim();
}

function round(v: number, d: number): number {
  const k = 10 ** d;
  return Math.round(v * k) / k;
}
