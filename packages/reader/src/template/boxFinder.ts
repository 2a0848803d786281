/**
 * Finds the real checkbox near a point on a blank form: a drawn square, or else the cell of an
 * "x" column around the point (bounded by the form's rules, with no outline of its own).
 */
import type { RectPx } from '../types.ts';
import { type BlankAnalysis, mmToPx } from './blankAnalysis.ts';

export type FoundBox = { style: 'square' | 'cell'; rect: RectPx; cell?: RectPx };

export function findBoxNear(a: BlankAnalysis, cx: number, cy: number): FoundBox | null {
  const reach = mmToPx(3.5, a.dpi);
  let best: RectPx | null = null;
  let bestD = Infinity;
  for (const s of a.squares) {
    const d = Math.hypot(s.x + s.w / 2 - cx, s.y + s.h / 2 - cy);
    if (d < reach && d < bestD) {
      best = s;
      bestD = d;
    }
  }
  if (best) return { style: 'square', rect: best };
  const cell = cellAround(a, Math.round(cx), Math.round(cy));
  if (!cell) return null;
  // A tall cell (a test name over several lines) is marked beside its first line: keep the
  // part of the cell around the point, about as tall as the cell is wide.
  let rect = cell;
  const maxH = Math.round(cell.w * 1.15);
  if (cell.h > maxH) {
    const y = Math.max(cell.y, Math.min(cell.y + cell.h - maxH, Math.round(cy - maxH / 2)));
    rect = { x: cell.x, y, w: cell.w, h: maxH };
  }
  return { style: 'cell', rect, cell };
}

/** The rectangle between the nearest rules left, right, above and below a point, or null. */
export function cellAround(a: BlankAnalysis, cx: number, cy: number, maxMm = 12, minMm = 2.2): RectPx | null {
  const { width, height, horizontal, vertical } = a.lines;
  const max = Math.round(mmToPx(maxMm, a.dpi));
  const cast = (dx: number, dy: number, m: Uint8Array): number | null => {
    // Three parallel rays; the median hit resists a gap in the rule.
    const hits: number[] = [];
    for (const off of [-2, 0, 2]) {
      for (let k = 1; k <= max; k++) {
        const x = cx + dx * k + (dy !== 0 ? off : 0);
        const y = cy + dy * k + (dx !== 0 ? off : 0);
        if (x < 0 || y < 0 || x >= width || y >= height) break;
        if (m[y * width + x]) {
          hits.push(k);
          break;
        }
      }
    }
    if (hits.length < 2) return null;
    hits.sort((p, q) => p - q);
    return hits[1]!;
  };
  const left = cast(-1, 0, vertical);
  const right = cast(1, 0, vertical);
  const up = cast(0, -1, horizontal);
  const down = cast(0, 1, horizontal);
  if (left === null || right === null || up === null || down === null) return null;
  const rect = { x: cx - left + 1, y: cy - up + 1, w: left + right - 1, h: up + down - 1 };
  const min = mmToPx(minMm, a.dpi);
  if (rect.w < min || rect.h < min) return null;
  return rect;
}
