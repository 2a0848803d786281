/**
 * What the reader derives once from a blank form page: its dark mask, its printed rules, and the
 * drawn checkbox outlines on it. Used to place template boxes, to propose templates, and as the
 * reference every filled page is compared against.
 */
import type { GreyImage, RectPx } from '../types.ts';
import { type Component, components } from '../image/components.ts';
import { darkMask } from '../image/grey.ts';
import { type LineMasks, lineMasks } from '../image/lines.ts';

/** Grey below this is ink on a blank form (light shading and screened greys are not). */
export const BLANK_INK_THRESHOLD = 160;

export interface BlankAnalysis {
  image: GreyImage;
  dpi: number;
  mask: Uint8Array;
  lines: LineMasks;
  /** Drawn square outlines: closed, hollow, about square, 2-7 mm. */
  squares: RectPx[];
}

export function mmToPx(mm: number, dpi: number): number {
  return (mm * dpi) / 25.4;
}

export function analyseBlank(image: GreyImage, dpi: number): BlankAnalysis {
  const mask = darkMask(image, BLANK_INK_THRESHOLD);
  const lines = lineMasks(mask, image.width, image.height, Math.round(mmToPx(4, dpi)), 1);
  const { list } = components(mask, image.width, image.height, 8);
  const squares = list.filter((c) => isSquareOutline(c, mask, image.width, dpi)).map((c) => ({ x: c.x0, y: c.y0, w: c.x1 - c.x0 + 1, h: c.y1 - c.y0 + 1 }));
  return { image, dpi, mask, lines, squares };
}

function isSquareOutline(c: Component, mask: Uint8Array, width: number, dpi: number): boolean {
  const w = c.x1 - c.x0 + 1;
  const h = c.y1 - c.y0 + 1;
  const lo = mmToPx(2.2, dpi);
  const hi = mmToPx(7, dpi);
  if (w < lo || h < lo || w > hi || h > hi) return false;
  if (w / h < 0.75 || w / h > 1.33) return false;
  if (c.area > 0.5 * w * h) return false;
  // Each side of the bounding box is mostly ink (a closed outline), the inside mostly paper.
  const band = Math.max(1, Math.round(mmToPx(0.3, dpi)));
  const sideInk = (x0: number, y0: number, x1: number, y1: number): number => {
    let hit = 0;
    let n = 0;
    if (x1 - x0 > y1 - y0) {
      for (let x = x0; x <= x1; x++) {
        n++;
        for (let y = y0; y <= y1; y++) if (mask[y * width + x]) { hit++; break; }
      }
    } else {
      for (let y = y0; y <= y1; y++) {
        n++;
        for (let x = x0; x <= x1; x++) if (mask[y * width + x]) { hit++; break; }
      }
    }
    return hit / n;
  };
  const sides = [
    sideInk(c.x0, c.y0, c.x1, c.y0 + band),
    sideInk(c.x0, c.y1 - band, c.x1, c.y1),
    sideInk(c.x0, c.y0, c.x0 + band, c.y1),
    sideInk(c.x1 - band, c.y0, c.x1, c.y1),
  ];
  if (sides.some((s) => s < 0.85)) return false;
  const inset = Math.round(Math.min(w, h) * 0.25);
  let ink = 0;
  let n = 0;
  for (let y = c.y0 + inset; y <= c.y1 - inset; y++) for (let x = c.x0 + inset; x <= c.x1 - inset; x++, n++) ink += mask[y * width + x]!;
  return n > 0 && ink / n < 0.05;
}
