/**
 * Marks the OCR did not account for: a small mark just above a letter (an accent, the dots of an
 * umlaut, a tilde) or just under one (a cedilla) where the letter read carries none. Tesseract's
 * English model writes no accented letter but é, so "Muñoz" comes back as "Munoz": the image
 * still shows the tilde, and this finds it, so the value is flagged instead of silently
 * losing it. Pure pixel work on the image the OCR read.
 */
import type { GreyImage } from '../types.ts';
import { components } from '../image/components.ts';
import type { OcrWordRead } from './coreEngine.ts';
import { TEXT_INK } from './fieldImage.ts';

/** Letters and signs that have a mark of their own above the body: nothing missing there. */
const MARKED = /[!?:;'"’‘“”`´^¨~%]/;

/**
 * 1-based positions (among the letters read, spaces left out) of letters with a mark above or
 * under them that the letter read does not carry. `k` is the enlargement the image had.
 */
export function unreadMarks(img: GreyImage, words: OcrWordRead[], k: number): number[] {
  const { width: w, height: h, data } = img;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i]! < TEXT_INK ? 1 : 0;
  const { list, labels } = components(mask, w, h);
  const big = list.filter((c) => c.area >= 15 * k * k && c.y1 - c.y0 >= 5 * k);
  if (!big.length) return [];
  const heights = big.map((c) => c.y1 - c.y0 + 1).sort((a, b) => a - b);
  const letterH = heights[Math.floor(heights.length / 2)]!;
  const areas = big.map((c) => c.area).sort((a, b) => a - b);
  const letterArea = areas[Math.floor(areas.length / 2)]!;
  const symbols = words.flatMap((wd) => wd.symbols);
  // The marks found above (and under) each letter read.
  const above = new Map<number, { corr: number; elongation: number }[]>();
  const found = new Set<number>();
  for (const m of list) {
    if (m.area < 3 * k * k || m.area > 0.35 * letterArea) continue;
    const mw = m.x1 - m.x0 + 1;
    const mh = m.y1 - m.y0 + 1;
    // A thin upright sliver is a broken-off piece of a stroke, not an accent.
    if (mh > 2.2 * mw) continue;
    const cx = (m.x0 + m.x1) / 2;
    const isAbove = (b: (typeof big)[number]): boolean => cx >= b.x0 && cx <= b.x1 && m.y1 < b.y0 + 0.2 * (b.y1 - b.y0 + 1) && b.y0 - m.y1 <= 0.6 * letterH;
    const isUnder = (b: (typeof big)[number]): boolean => {
      const bw = b.x1 - b.x0 + 1;
      return cx >= b.x0 + 0.2 * bw && cx <= b.x1 - 0.2 * bw && m.y0 > b.y1 - 0.15 * (b.y1 - b.y0 + 1) && m.y0 - b.y1 <= 0.4 * letterH;
    };
    const letter = big.find((b) => b !== m && (isAbove(b) || isUnder(b)));
    if (!letter) continue;
    // A speck as small as fax noise counts only as one of a pair side by side (an umlaut).
    if (m.area < 5 * k * k && !list.some((o) => o !== m && o.area >= 3 * k * k && o.area <= 0.35 * letterArea && Math.abs(o.y0 - m.y0) <= 2 * k && Math.abs((o.x0 + o.x1) / 2 - cx) <= 0.5 * letterH && Math.abs((o.x0 + o.x1) / 2 - cx) >= 2 * k)) continue;
    // The letter read at that place.
    const at = symbols.findIndex((sy) => cx >= sy.bbox.x - k && cx <= sy.bbox.x + sy.bbox.w + k);
    if (at < 0) continue;
    if (!isAbove(letter)) {
      // Under a letter, only a c can carry a mark (ç).
      if (/^[cC]$/.test(symbols[at]!.text)) found.add(at + 1);
      continue;
    }
    above.set(at, [...(above.get(at) ?? []), shapeOf(m, labels, w)]);
  }
  for (const [at, marks] of above) {
    const sym = symbols[at]!.text;
    const one = marks.length === 1 ? marks[0]! : null;
    let ok: boolean;
    if (MARKED.test(sym)) ok = true;
    // An i's dot is round; an accent on it (í, ì) is a slanted stroke.
    else if (/^[ij]$/.test(sym)) ok = marks.every((m) => !(m.elongation > 1.6 && Math.abs(m.corr) > 0.3));
    // Each accent the reading names must have its shape: an acute rises to the right, a grave
    // falls, a circumflex or tilde is one level mark, a diaeresis two dots side by side. (The
    // English model writes é for any accent on an e; the French one ô for ö.)
    else if (/^[áéíóúýÁÉÍÓÚÝ]$/.test(sym)) ok = one !== null && one.corr < -0.25;
    else if (/^[àèìòùÀÈÌÒÙ]$/.test(sym)) ok = one !== null && one.corr > 0.25;
    else if (/^[âêîôûñãõÂÊÎÔÛÑÃÕ]$/.test(sym)) ok = one !== null && Math.abs(one.corr) < 0.3;
    else if (/^[äëïöüÿÄËÏÖÜŸ]$/.test(sym)) ok = marks.length === 2;
    else if (/^[A-Za-z]$/.test(sym)) ok = false;
    else ok = true;
    if (!ok) found.add(at + 1);
  }
  return [...found].sort((a, b) => a - b);
}

/** Orientation of a mark's pixels: correlation of x and y (y down: an acute accent is negative) and elongation. */
function shapeOf(m: { id: number; x0: number; y0: number; x1: number; y1: number }, labels: Int32Array, w: number): { corr: number; elongation: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let y = m.y0; y <= m.y1; y++) {
    for (let x = m.x0; x <= m.x1; x++) {
      if (labels[y * w + x] !== m.id) continue;
      n++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
    }
  }
  const cxx = sxx / n - (sx / n) ** 2 + 1 / 12;
  const cyy = syy / n - (sy / n) ** 2 + 1 / 12;
  const cxy = sxy / n - (sx / n) * (sy / n);
  const corr = cxy / Math.sqrt(cxx * cyy);
  const tr = cxx + cyy;
  const det = cxx * cyy - cxy * cxy;
  const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  const l1 = tr / 2 + disc;
  const l2 = Math.max(1e-6, tr / 2 - disc);
  return { corr, elongation: Math.sqrt(l1 / l2) };
}
