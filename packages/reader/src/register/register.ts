/**
 * Registration: the registration patches of the template are found again on the page (coarse
 * search at 50 dpi, refined at 100 dpi with sub-pixel peaks), and an affine map from template
 * millimetres to page pixels is fitted to them by weighted least squares with outlier
 * rejection. The residual of the kept matches, in millimetres, says how well the page fits.
 */
import type { GreyImage } from '../types.ts';
import { type InkMap, type Integrals, blurMap, inkMap, integrals, nccSearch, poolMap } from '../image/inkMap.ts';
import { type Quarter, rotateRaster } from '../image/quarter.ts';
import { FINE_FACTOR, FORM_INK_THRESHOLD, MID_FACTOR, PATCH_FINE, PATCH_MID, type PreparedPage } from '../read/prepare.ts';
import { type Affine, type Correspondence, apply, fitAffine } from './affine.ts';

export interface PageMaps {
  mid: InkMap;
  midIi: Integrals;
  fine: InkMap;
  fineIi: Integrals;
}

/** The page's unblurred ink map at FINE_FACTOR (one pass over the page). */
export function fineInkMap(page: GreyImage): InkMap {
  return inkMap(page, FORM_INK_THRESHOLD, FINE_FACTOR);
}

/** Registration maps from the page's fine ink map, turned by a quarter turn when needed. */
export function pageMaps(fineMap: InkMap, rotation: Quarter = 0): PageMaps {
  const r = rotateRaster(fineMap.data, fineMap.width, fineMap.height, rotation);
  const base: InkMap = { width: r.width, height: r.height, factor: FINE_FACTOR, data: r.data };
  const mid = blurMap(poolMap(base, MID_FACTOR / FINE_FACTOR), 1);
  const fine = blurMap(base, 1);
  return { mid, midIi: integrals(mid), fine, fineIi: integrals(fine) };
}

export interface PatchMatch {
  /** Template pixel (working dpi) and where it was found on the page. */
  sx: number;
  sy: number;
  tx: number;
  ty: number;
  score: number;
  inlier: boolean;
}

export interface RegistrationFit {
  /** Template millimetres to page pixels. */
  transform: Affine;
  residualMm: number;
  inliers: number;
  attempted: number;
  matches: PatchMatch[];
}

const SEARCH_MID = 7; // map pixels at 50 dpi: 3.5 mm either way
const MIN_SCORE = 0.5;
const MIN_DISTINCT = 0.04;

export function registerPage(maps: PageMaps, prep: PreparedPage, offsetPx: { dx: number; dy: number }): RegistrationFit | null {
  const dpi = prep.dpi;
  const mmPerPx = 25.4 / dpi;
  const matches: PatchMatch[] = [];
  for (const p of prep.patches) {
    const tx0 = p.cx / MID_FACTOR - PATCH_MID / 2 + offsetPx.dx / MID_FACTOR;
    const ty0 = p.cy / MID_FACTOR - PATCH_MID / 2 + offsetPx.dy / MID_FACTOR;
    const bx = Math.round(tx0);
    const by = Math.round(ty0);
    const m = nccSearch(maps.mid, maps.midIi, p.mid, bx - SEARCH_MID, by - SEARCH_MID, bx + SEARCH_MID, by + SEARCH_MID, 2);
    if (!m || m.score < MIN_SCORE || m.score - m.second < MIN_DISTINCT) continue;
    const fx = Math.round(m.x * (MID_FACTOR / FINE_FACTOR));
    const fy = Math.round(m.y * (MID_FACTOR / FINE_FACTOR));
    const f = nccSearch(maps.fine, maps.fineIi, p.fine, fx - 2, fy - 2, fx + 2, fy + 2, 1);
    if (!f || f.score < MIN_SCORE) continue;
    matches.push({
      sx: p.cx,
      sy: p.cy,
      tx: (f.x + PATCH_FINE / 2) * FINE_FACTOR,
      ty: (f.y + PATCH_FINE / 2) * FINE_FACTOR,
      score: f.score,
      inlier: true,
    });
  }
  if (matches.length < 6) return null;
  let transform: Affine | null = null;
  let kept = matches;
  for (let iter = 0; iter < 4; iter++) {
    const pts: Correspondence[] = kept.map((m) => ({ sx: m.sx * mmPerPx, sy: m.sy * mmPerPx, tx: m.tx, ty: m.ty, weight: m.score }));
    transform = fitAffine(pts);
    if (!transform) return null;
    const res = matches.map((m) => residualPx(transform!, m, mmPerPx));
    const sorted = kept.map((m) => residualPx(transform!, m, mmPerPx)).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    // Keep matches within 3 medians, never rejecting below 0.4 mm (the fax's own jitter).
    const limit = Math.max(3 * median, 0.4 / mmPerPx);
    const next = matches.filter((_, i) => res[i]! <= limit);
    if (next.length < 6) break;
    if (next.length === kept.length && next.every((m, i) => m === kept[i])) break;
    kept = next;
  }
  if (!transform) return null;
  const keptSet = new Set(kept);
  let ss = 0;
  for (const m of matches) {
    m.inlier = keptSet.has(m);
    if (m.inlier) ss += residualPx(transform, m, mmPerPx) ** 2;
  }
  return { transform, residualMm: Math.sqrt(ss / kept.length) * mmPerPx, inliers: kept.length, attempted: prep.patches.length, matches };
}

function residualPx(t: Affine, m: PatchMatch, mmPerPx: number): number {
  const [x, y] = apply(t, m.sx * mmPerPx, m.sy * mmPerPx);
  return Math.hypot(x - m.tx, y - m.ty);
}
