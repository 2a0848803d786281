/**
 * The pixel counts behind every checkbox decision. The reader and `recomputeCheckbox` call
 * exactly these functions on the same stored image, so their numbers are equal, not close.
 */
import type { GreyImage, RectPx } from '../types.ts';

function clip(img: GreyImage, r: RectPx): { x0: number; y0: number; x1: number; y1: number } {
  return { x0: Math.max(0, r.x), y0: Math.max(0, r.y), x1: Math.min(img.width, r.x + r.w), y1: Math.min(img.height, r.y + r.h) };
}

const inside = (r: RectPx, x: number, y: number): boolean => x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;

/**
 * Calls `at` for every dark pixel (grey strictly below `threshold`) of a rectangle, clipped to the
 * image. With `minDarkNeighbours`, a dark pixel counts only when that many of its 8 neighbours
 * (inside the image, inside or outside the rectangle) are dark too.
 */
function eachDark(img: GreyImage, r: RectPx, threshold: number, minDarkNeighbours: number, at: (x: number, y: number) => void): void {
  const { x0, y0, x1, y1 } = clip(img, r);
  const { width: w, height: h, data } = img;
  for (let y = y0; y < y1; y++) {
    const row = y * w;
    for (let x = x0; x < x1; x++) {
      if (data[row + x]! >= threshold) continue;
      if (minDarkNeighbours > 0) {
        let n = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if ((dx || dy) && xx >= 0 && xx < w && data[yy * w + xx]! < threshold) n++;
          }
        }
        if (n < minDarkNeighbours) continue;
      }
      at(x, y);
    }
  }
}

/** Dark (as `eachDark` counts them) and total pixels of a rectangle, clipped to the image. */
export function countRect(img: GreyImage, r: RectPx, threshold: number, minDarkNeighbours = 0): { dark: number; total: number } {
  const { x0, y0, x1, y1 } = clip(img, r);
  let dark = 0;
  eachDark(img, r, threshold, minDarkNeighbours, () => dark++);
  return { dark, total: Math.max(0, x1 - x0) * Math.max(0, y1 - y0) };
}

/** Dark and total pixels in `outer` but in neither `inner` nor any `exclude` rectangle. */
export function countRing(img: GreyImage, outer: RectPx, inner: RectPx, exclude: RectPx[], threshold: number): { dark: number; total: number } {
  const { x0, y0, x1, y1 } = clip(img, outer);
  let dark = 0;
  let total = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * img.width;
    for (let x = x0; x < x1; x++) {
      if (inside(inner, x, y) || exclude.some((e) => inside(e, x, y))) continue;
      total++;
      if (img.data[row + x]! < threshold) dark++;
    }
  }
  return { dark, total };
}

/**
 * Light ink apart from pen-dark ink: pixels of a rectangle with grey below `lightBelow` but not
 * below `darkBelow`, no pixel below `darkBelow` within `clearance` pixels (the grey fringe a
 * resampled black-and-white fax leaves round every black speck is not light ink), and at least
 * `minNeighbours` of their 8 neighbours below `lightBelow`.
 */
export function countLightApart(img: GreyImage, r: RectPx, darkBelow: number, lightBelow: number, clearance: number, minNeighbours: number): number {
  const { x0, y0, x1, y1 } = clip(img, r);
  const { width: w, height: h, data } = img;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const v = data[y * w + x]!;
      if (v >= lightBelow || v < darkBelow) continue;
      let near = 0;
      let clear = true;
      for (let dy = -clearance; dy <= clearance && clear; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -clearance; dx <= clearance; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const g = data[yy * w + xx]!;
          if (g < darkBelow) {
            clear = false;
            break;
          }
          if ((dx || dy) && Math.abs(dx) <= 1 && Math.abs(dy) <= 1 && g < lightBelow) near++;
        }
      }
      if (clear && near >= minNeighbours) n++;
    }
  }
  return n;
}

/** Dark pixels per row (top to bottom) and per column (left to right) of a rectangle, counted as `countRect` counts them. */
export function countProfile(img: GreyImage, r: RectPx, threshold: number, minDarkNeighbours = 0): { rows: number[]; cols: number[] } {
  const rows = new Array<number>(Math.max(0, r.h)).fill(0);
  const cols = new Array<number>(Math.max(0, r.w)).fill(0);
  eachDark(img, r, threshold, minDarkNeighbours, (x, y) => {
    rows[y - r.y]!++;
    cols[x - r.x]!++;
  });
  return { rows, cols };
}
