/**
 * Printed words of a blank form page with their boxes in page pixels: from a PDF's text layer
 * when it has one (exact), else from OCR of the rendered page (see proposal).
 */
import type { RectPx } from '../types.ts';
import { openPdf } from '../decode/pdfjs.ts';
import { sniffFormat } from '../decode/sniff.ts';

export interface PrintedText {
  text: string;
  rect: RectPx;
}

export async function pdfPageText(bytes: Uint8Array, pageIndex: number, dpi: number): Promise<PrintedText[] | null> {
  if (sniffFormat(bytes) !== 'pdf') return null;
  const pdf = await openPdf(bytes);
  try {
    if (pageIndex >= pdf.doc.numPages) return null;
    const page = await pdf.doc.getPage(pageIndex + 1);
    const viewport = page.getViewport({ scale: dpi / 72 });
    const content = await page.getTextContent();
    const out: PrintedText[] = [];
    for (const item of content.items as { str?: string; transform?: number[]; width?: number; height?: number }[]) {
      const text = item.str?.replace(/[\u0000-\u001f]/g, '').trim();
      if (!text || !item.transform) continue;
      const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = item.transform;
      const size = Math.hypot(c, d) || item.height || 0;
      const width = item.width ?? 0;
      // Text space to viewport: the baseline runs from (e, f) along (a, b); ascent ~0.8 size.
      const p0 = viewport.convertToViewportPoint(e, f) as number[];
      const p1 = viewport.convertToViewportPoint(e + (width * a) / (Math.hypot(a, b) || 1), f + (width * b) / (Math.hypot(a, b) || 1)) as number[];
      const top = viewport.convertToViewportPoint(e, f + size * 0.8) as number[];
      const bottom = viewport.convertToViewportPoint(e, f - size * 0.2) as number[];
      const xs = [p0[0]!, p1[0]!, top[0]!, bottom[0]!];
      const ys = [p0[1]!, p1[1]!, top[1]!, bottom[1]!];
      const x0 = Math.min(...xs);
      const y0 = Math.min(...ys);
      out.push({ text, rect: { x: Math.round(x0), y: Math.round(y0), w: Math.max(1, Math.round(Math.max(...xs) - x0)), h: Math.max(1, Math.round(Math.max(...ys) - y0)) } });
    }
    page.cleanup();
    return out.length ? out : null;
  } finally {
    await pdf.close();
  }
}

/** The printed label to the right of a box, on the same line: a run of words with small gaps. */
export function labelRightOf(box: RectPx, words: PrintedText[], dpi: number, obstacles: RectPx[] = []): PrintedText | null {
  const mm = dpi / 25.4;
  const cy = box.y + box.h / 2;
  const candidates = words
    .filter((w) => {
      const wcy = w.rect.y + w.rect.h / 2;
      return Math.abs(wcy - cy) <= Math.max(box.h * 0.75, 2.2 * mm) && w.rect.x >= box.x + box.w * 0.6 && w.rect.x <= box.x + box.w + 14 * mm;
    })
    .sort((p, q) => p.rect.x - q.rect.x);
  const first = candidates[0];
  if (!first) return null;
  const line = [first];
  let right = first.rect.x + first.rect.w;
  const baseline = first.rect.y + first.rect.h;
  for (const w of words.filter((x) => x !== first && Math.abs(x.rect.y + x.rect.h - baseline) <= 1.2 * mm && x.rect.x >= right - 1).sort((p, q) => p.rect.x - q.rect.x)) {
    const gap = w.rect.x - right;
    if (gap > 3 * mm) break;
    // Another box between the words ends this label ("Glucose [ ] Random").
    if (obstacles.some((o) => o.x >= right - 1 && o.x + o.w <= w.rect.x + 1 && Math.abs(o.y + o.h / 2 - cy) < box.h)) break;
    line.push(w);
    right = w.rect.x + w.rect.w;
  }
  return joinWords(line);
}

/** The printed label of a text area: the words just above its top-left, or just left of it. */
export function labelForArea(area: RectPx, words: PrintedText[], dpi: number): PrintedText | null {
  const mm = dpi / 25.4;
  let best: { w: PrintedText; d: number } | null = null;
  // Brackets and single letters are parts of printed write-in guides, not labels.
  for (const w of words.filter((x) => (x.text.match(/\p{L}/gu)?.length ?? 0) >= 2)) {
    const wBottom = w.rect.y + w.rect.h;
    const wcy = w.rect.y + w.rect.h / 2;
    // Above: overlapping the area's left part, bottom within 9 mm above the area's bottom.
    if (w.rect.x < area.x + area.w * 0.6 && w.rect.x + w.rect.w > area.x - 2 * mm && wBottom <= area.y + area.h * 0.6 && wBottom >= area.y - 9 * mm) {
      const d = Math.abs(area.y - wBottom) + Math.max(0, w.rect.x - area.x) * 0.2 + Math.max(0, area.x - w.rect.x) * 0.2;
      if (!best || d < best.d) best = { w, d };
    }
    // Left: on the same line, ending within 40 mm before the area.
    if (wcy >= area.y && wcy <= area.y + area.h && w.rect.x + w.rect.w <= area.x + 1 * mm && w.rect.x + w.rect.w >= area.x - 40 * mm) {
      // A label on the same line is what a person reads first: it wins over one above.
      const d = (area.x - (w.rect.x + w.rect.w)) * 0.3;
      if (!best || d < best.d) best = { w, d };
    }
  }
  if (!best) return null;
  // Complete the label with the words on its line that follow it closely.
  const b = best.w;
  const line = [b, ...words.filter((w) => w !== b && Math.abs(w.rect.y + w.rect.h - (b.rect.y + b.rect.h)) <= 1.2 * mm && w.rect.x > b.rect.x).sort((p, q) => p.rect.x - q.rect.x)];
  const kept = [line[0]!];
  for (const w of line.slice(1)) {
    const prev = kept[kept.length - 1]!;
    if (w.rect.x - (prev.rect.x + prev.rect.w) > 3 * mm) break;
    kept.push(w);
  }
  return joinWords(kept);
}

function joinWords(ws: PrintedText[]): PrintedText {
  const x0 = Math.min(...ws.map((w) => w.rect.x));
  const y0 = Math.min(...ws.map((w) => w.rect.y));
  const x1 = Math.max(...ws.map((w) => w.rect.x + w.rect.w));
  const y1 = Math.max(...ws.map((w) => w.rect.y + w.rect.h));
  const text = ws
    .map((w) => w.text)
    .join(' ')
    .replace(/\s+([:),.;])/g, '$1')
    .replace(/\(\s+/g, '(')
    .replace(/\s+/g, ' ')
    .trim();
  return { text, rect: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } };
}
