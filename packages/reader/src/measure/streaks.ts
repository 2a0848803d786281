/**
 * Vertical streaks (dirt on a scanner's or fax's glass): columns dark over much of the page
 * where the blank form has no rule. A streak through a box can look like a mark.
 */
import type { GreyImage } from '../types.ts';
import { type Affine, apply, invert } from '../register/affine.ts';

export interface Streak {
  x0: number;
  x1: number; // inclusive
  coverage: number;
}

const STREAK_INK = 128;

export function findStreaks(page: GreyImage, blank: GreyImage, templateToPage: Affine, dpi: number, minCoverage = 0.45): Streak[] {
  const { width: w, height: h, data } = page;
  // Every other row is plenty to tell a column dark over half the page.
  const cover = new Float32Array(w);
  let rows = 0;
  for (let y = 0; y < h; y += 2, rows++) {
    const row = y * w;
    for (let x = 0; x < w; x++) if (data[row + x]! < STREAK_INK) cover[x]! += 1;
  }
  for (let x = 0; x < w; x++) cover[x]! /= rows;
  const pageToTemplate = invert(templateToPage);
  const mmToBlank = dpi / 25.4;
  const blankCoverage = (x: number): number => {
    let hit = 0;
    let n = 0;
    for (let y = 0; y < h; y += 6) {
      const [mx, my] = apply(pageToTemplate, x, y);
      const bx = Math.round(mx * mmToBlank);
      const by = Math.round(my * mmToBlank);
      if (by < 0 || by >= blank.height) continue;
      n++;
      for (let k = -2; k <= 2; k++) {
        const xx = bx + k;
        if (xx >= 0 && xx < blank.width && blank.data[by * blank.width + xx]! < STREAK_INK) {
          hit++;
          break;
        }
      }
    }
    return n ? hit / n : 0;
  };
  const streaks: Streak[] = [];
  for (let x = 0; x < w; x++) {
    if (cover[x]! < minCoverage) continue;
    if (cover[x]! - blankCoverage(x) < 0.3) continue;
    const last = streaks[streaks.length - 1];
    if (last && last.x1 >= x - 1) {
      last.x1 = x;
      last.coverage = Math.max(last.coverage, cover[x]!);
    } else streaks.push({ x0: x, x1: x, coverage: cover[x]! });
  }
  return streaks;
}
