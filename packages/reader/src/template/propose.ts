/**
 * A template proposed from a blank form: the drawn checkboxes and the empty cells of "x"
 * columns, each with the printed label beside it, and the empty write-in cells with the label
 * printed in them. An administrator then maps labels to test codes instead of drawing boxes.
 * Labels come from the PDF's text layer when it has one, else from OCR of the rendered blank.
 */
import type { CheckboxField, RectMm, RectPx, TemplateDefinition, TemplateField, TextField } from '../types.ts';
import { WORKING_DPI } from '../decode/constants.ts';
import { type OcrEngine, createOcrEngine } from '../ocr/tesseract.ts';
import { type BlankAnalysis, analyseBlank, mmToPx } from './blankAnalysis.ts';
import { decodeBlank } from './blankPages.ts';
import { cellAround } from './boxFinder.ts';
import { guessTextType } from './fieldNames.ts';
import { type PrintedText, labelRightOf, pdfPageText } from './pageText.ts';

export interface ProposeOptions {
  id?: string;
  name?: string;
  /** An OCR engine to read labels of image blanks (one is created and closed if not given). */
  ocr?: OcrEngine;
}

export async function proposeTemplate(blank: Uint8Array, opts: ProposeOptions = {}): Promise<TemplateDefinition> {
  const dpi = WORKING_DPI;
  const pages = await decodeBlank(blank, dpi);
  let ocr = opts.ocr ?? null;
  const ownOcr = !ocr;
  try {
    const out: TemplateDefinition = { id: opts.id ?? 'proposed', version: 0, name: opts.name ?? 'Proposed template', pages: [] };
    for (let i = 0; i < pages.length; i++) {
      const page = pages[i]!;
      const a = analyseBlank(page.image, dpi);
      let words = await pdfPageText(blank, i, dpi);
      if (!words) {
        ocr ??= await createOcrEngine('best');
        words = await ocrWords(ocr, a);
      }
      out.pages.push({ widthMm: round2(page.source.widthMm), heightMm: round2(page.source.heightMm), fields: proposeFields(a, words), groups: [] });
    }
    return out;
  } finally {
    if (ownOcr && ocr) await ocr.terminate();
  }
}

/** Candidate checkboxes and text areas on one analysed blank page. */
export function proposeFields(a: BlankAnalysis, words: PrintedText[]): TemplateField[] {
  const dpi = a.dpi;
  const boxes: { rect: RectPx; style: 'square' | 'cell' }[] = [];
  for (const s of a.squares) boxes.push({ rect: s, style: 'square' });
  for (const c of xColumnCells(a, words)) boxes.push({ rect: c, style: 'cell' });
  const rects = boxes.map((b) => b.rect);
  const fields: TemplateField[] = [];
  const keys = new Set<string>();
  for (const b of boxes) {
    const label = labelRightOf(b.rect, words, dpi, rects);
    // A box with nothing printed beside it is not a question on the form.
    if (!label || !/\p{L}/u.test(label.text)) continue;
    const f: CheckboxField = { kind: 'checkbox', key: uniqueKey(label.text, keys), label: label.text, region: toMm(b.rect, dpi), style: b.style };
    fields.push(f);
  }
  for (const t of writeInCells(a, words, rects)) {
    const guess = guessTextType(t.label.replace(/[^A-Za-z ]/g, ' ').replace(/\s+(\w)/g, (_, c: string) => c.toUpperCase()));
    const f: TextField = { kind: 'text', key: uniqueKey(t.label, keys), label: t.label, region: toMm(t.area, dpi), textType: guess.textType, ...(guess.format ? { format: guess.format } : {}) };
    fields.push(f);
  }
  return fields.sort((p, q) => p.region.y - q.region.y || p.region.x - q.region.x);
}

/**
 * Cells of "x" columns: narrow empty cells between printed rules (3-7 mm wide, about as tall as
 * a line of text) with a printed label starting just right of them.
 */
function xColumnCells(a: BlankAnalysis, words: PrintedText[]): RectPx[] {
  const step = Math.max(2, Math.round(mmToPx(1.2, a.dpi)));
  const found = new Map<string, RectPx>();
  const minW = mmToPx(3, a.dpi);
  const maxW = mmToPx(7, a.dpi);
  const minH = mmToPx(3, a.dpi);
  const maxH = mmToPx(16, a.dpi);
  for (let y = step; y < a.image.height - step; y += step) {
    for (let x = step; x < a.image.width - step; x += step) {
      if (a.mask[y * a.image.width + x]) continue;
      const c = cellAround(a, x, y, 18, 2.5);
      if (!c || c.w < minW || c.w > maxW || c.h < minH || c.h > maxH) continue;
      const k = `${c.x},${c.y},${c.w},${c.h}`;
      if (!found.has(k)) found.set(k, c);
    }
  }
  const out: RectPx[] = [];
  for (const c of found.values()) {
    if (inkShare(a, c, 2) > 0.01) continue; // something printed in it: not an answer cell
    // The label starts within 4 mm right of the cell, level with its first line.
    const right = c.x + c.w;
    const label = words.find((w) => w.rect.x >= right && w.rect.x <= right + mmToPx(4, a.dpi) && w.rect.y + w.rect.h / 2 >= c.y && w.rect.y + w.rect.h / 2 <= c.y + Math.min(c.h, mmToPx(6, a.dpi)));
    if (!label) continue;
    // A tall cell (a test name over several lines) is marked beside its first line.
    const maxCellH = Math.round(c.w * 1.15);
    const labelMid = label.rect.y + label.rect.h / 2;
    const rect = c.h > maxCellH ? { x: c.x, y: Math.max(c.y, Math.min(c.y + c.h - maxCellH, Math.round(labelMid - maxCellH / 2))), w: c.w, h: maxCellH } : c;
    out.push(rect);
  }
  return out;
}

/**
 * Write-in cells: wide cells (at least 20 mm by 5 mm) holding only a label printed along their
 * top; the area to write in is the cell below the label.
 */
function writeInCells(a: BlankAnalysis, words: PrintedText[], boxes: RectPx[]): { area: RectPx; label: string }[] {
  const step = Math.max(2, Math.round(mmToPx(2.5, a.dpi)));
  const seen = new Map<string, RectPx>();
  for (let y = step; y < a.image.height - step; y += step) {
    for (let x = step; x < a.image.width - step; x += step) {
      if (a.mask[y * a.image.width + x]) continue;
      const c = cellAround(a, x, y, 60, 4);
      if (!c || c.w < mmToPx(20, a.dpi) || c.h < mmToPx(5, a.dpi) || c.h > mmToPx(40, a.dpi)) continue;
      seen.set(`${c.x},${c.y},${c.w},${c.h}`, c);
    }
  }
  const out: { area: RectPx; label: string }[] = [];
  for (const c of seen.values()) {
    if (boxes.some((b) => b.x >= c.x && b.y >= c.y && b.x + b.w <= c.x + c.w && b.y + b.h <= c.y + c.h)) continue;
    const inside = words.filter((w) => w.rect.x >= c.x - 2 && w.rect.y >= c.y - 2 && w.rect.x + w.rect.w <= c.x + c.w + 2 && w.rect.y + w.rect.h <= c.y + c.h + 2);
    if (!inside.length) continue;
    const labelBottom = Math.max(...inside.map((w) => w.rect.y + w.rect.h));
    const first = inside.reduce((p, q) => (q.rect.y < p.rect.y - 3 || (Math.abs(q.rect.y - p.rect.y) <= 3 && q.rect.x < p.rect.x) ? q : p));
    // Only a label along the top: the rest of the cell is for writing.
    if (labelBottom - c.y > c.h * 0.55) continue;
    const line = inside.filter((w) => Math.abs(w.rect.y - first.rect.y) <= mmToPx(1.2, a.dpi)).sort((p, q) => p.rect.x - q.rect.x);
    const area = { x: c.x + 1, y: labelBottom + 1, w: c.w - 2, h: c.y + c.h - labelBottom - 2 };
    if (area.h < mmToPx(3, a.dpi)) continue;
    out.push({ area, label: line.map((w) => w.text).join(' ').replace(/\s+([:),.;])/g, '$1') });
  }
  return out;
}

function inkShare(a: BlankAnalysis, r: RectPx, inset: number): number {
  let d = 0;
  let n = 0;
  for (let y = r.y + inset; y < r.y + r.h - inset; y++) for (let x = r.x + inset; x < r.x + r.w - inset; x++, n++) d += a.mask[y * a.image.width + x]!;
  return n ? d / n : 1;
}

async function ocrWords(ocr: OcrEngine, a: BlankAnalysis): Promise<PrintedText[]> {
  // Sparse text: labels scattered over a form, not paragraphs.
  const words = await ocr.recognise(a.image, { singleLine: false, dpi: a.dpi, sparse: true });
  return words.filter((w) => w.confidence >= 0.5).map((w) => ({ text: w.text, rect: w.bbox }));
}

function uniqueKey(label: string, keys: Set<string>): string {
  const base =
    label
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'field';
  let k = base;
  for (let i = 2; keys.has(k); i++) k = `${base}_${i}`;
  keys.add(k);
  return k;
}

function toMm(r: RectPx, dpi: number): RectMm {
  const k = 25.4 / dpi;
  return { x: round2(r.x * k), y: round2(r.y * k), w: round2(r.w * k), h: round2(r.h * k) };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
