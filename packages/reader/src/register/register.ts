/**
 * Registration: the registration patches of the template are found again on the page (coarse
 * search at 50 dpi, refined at 100 dpi with sub-pixel peaks), and an affine map from template
 * millimetres to page pixels is fitted to them by weighted least squares with outlier
 * rejection. The residual of the kept matches, in millimetres, says how well the page fits.
 */
import type { GreyImage } from '../types.ts';
import { type InkMap, blurMap, gridPeaks, inkMap, nccGrid, nccSearch, poolMap } from '../image/inkMap.ts';
import { type Quarter, rotateRaster } from '../image/quarter.ts';
import { FINE_FACTOR, FORM_INK_THRESHOLD, MID_FACTOR, PATCH_FINE, PATCH_MID, type PreparedPage, type RegPatch } from '../read/prepare.ts';
import { type Affine, type Correspondence, apply, fitAffine } from './affine.ts';

export interface PageMaps {
  mid: InkMap;
  fine: InkMap;
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
  return { mid, fine: base };
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
/**
 * Once a fit places a patch within a pixel or two, the fine match only refines where it is: on a
 * harsh fax (noise, broken strokes, blur) the 100 dpi correlation of a patch found at 50 dpi falls
 * to 0.3-0.45 while its peak still sits where the fit says.
 */
const MIN_FINE_GUIDED = 0.3;
/** Candidate places per patch in the wide search, and how closely (map pixels, 1.5 mm) they must agree. */
const PEAKS_PER_PATCH = 3;
const AGREE = 3;
/** Patches that must agree on one shift before the page is placed at all. */
const MIN_AGREEING = 6;

/** Patches searched widely first; the fit from them places the rest within a pixel or two. */
const FIRST_PATCHES = 12;

export function registerPage(maps: PageMaps, prep: PreparedPage, offsetPx: { dx: number; dy: number }): RegistrationFit | null {
  const dpi = prep.dpi;
  const mmPerPx = 25.4 / dpi;
  const matches: PatchMatch[] = [];
  const refine = (p: RegPatch, mx: number, my: number): void => {
    const fx = Math.round(mx * (MID_FACTOR / FINE_FACTOR));
    const fy = Math.round(my * (MID_FACTOR / FINE_FACTOR));
    const f = nccSearch(maps.fine, p.fine, fx - 2, fy - 2, fx + 2, fy + 2, 1);
    if (!f || f.score < MIN_FINE_GUIDED) return;
    matches.push({ sx: p.cx, sy: p.cy, tx: (f.x + PATCH_FINE / 2) * FINE_FACTOR, ty: (f.y + PATCH_FINE / 2) * FINE_FACTOR, score: f.score, inlier: true });
  };
  const topLeft = (cx: number, cy: number): [number, number] => [Math.round(cx / MID_FACTOR - PATCH_MID / 2), Math.round(cy / MID_FACTOR - PATCH_MID / 2)];
  // Guided: a patch searched a pixel or two around where the fit so far puts it.
  const guided = (p: RegPatch, cx: number, cy: number): void => {
    const [bx, by] = topLeft(cx, cy);
    const m = nccSearch(maps.mid, p.mid, bx - 2, by - 2, bx + 2, by + 2, 2);
    if (m && m.score >= MIN_SCORE) refine(p, m.x, m.y);
  };
  // Wide: every good peak of a patch is a candidate place (a form's rows of boxes repeat); the
  // candidates of several patches that agree on one shift are taken, the rest left.
  const pending: { p: RegPatch; peaks: { x: number; y: number; score: number; dx: number; dy: number }[] }[] = [];
  const wide = (p: RegPatch, cx: number, cy: number): void => {
    const [bx, by] = topLeft(cx, cy);
    const g = nccGrid(maps.mid, p.mid, bx - SEARCH_MID, by - SEARCH_MID, bx + SEARCH_MID, by + SEARCH_MID);
    if (!g) return;
    const peaks = gridPeaks(g, MIN_SCORE, PEAKS_PER_PATCH).map((q) => ({ ...q, dx: q.x - bx, dy: q.y - by }));
    if (peaks.length) pending.push({ p, peaks });
  };
  const vote = (): void => {
    let best: { support: number; picks: { p: RegPatch; x: number; y: number }[] } | null = null;
    for (const c of pending) {
      for (const q of c.peaks) {
        let support = 0;
        const picks: { p: RegPatch; x: number; y: number }[] = [];
        for (const o of pending) {
          const agree = o.peaks.find((r) => Math.abs(r.dx - q.dx) <= AGREE && Math.abs(r.dy - q.dy) <= AGREE);
          if (!agree) continue;
          support += agree.score;
          picks.push({ p: o.p, x: agree.x, y: agree.y });
        }
        if (!best || support > best.support) best = { support, picks };
      }
    }
    if (!best || best.picks.length < MIN_AGREEING) return;
    for (const pick of best.picks) refine(pick.p, pick.x, pick.y);
    pending.length = 0;
  };
  // From the middle of the page outwards: the central patches are searched 3.5 mm around where
  // the coarse match puts them (a page printed at 97 % is off by more than that at its edges);
  // each further ring is searched a millimetre around where the fit so far puts it.
  const cx = prep.blank.width / 2;
  const cy = prep.blank.height / 2;
  const order = [...prep.patches].sort((a, b) => Math.hypot(a.cx - cx, a.cy - cy) - Math.hypot(b.cx - cx, b.cy - cy));
  let sofar: { transform: Affine } | null = null;
  for (let i = 0; i < order.length; i += FIRST_PATCHES) {
    for (const p of order.slice(i, i + FIRST_PATCHES)) {
      if (sofar) {
        const [x, y] = apply(sofar.transform, p.cx * mmPerPx, p.cy * mmPerPx);
        guided(p, x, y);
      } else wide(p, p.cx + offsetPx.dx, p.cy + offsetPx.dy);
    }
    if (!sofar) vote();
    if (matches.length >= 6) sofar = robustFit(matches, mmPerPx) ?? sofar;
  }
  if (matches.length < 6) return null;
  const fit = robustFit(matches, mmPerPx);
  if (!fit) return null;
  let ss = 0;
  for (const m of matches) {
    m.inlier = fit.kept.has(m);
    if (m.inlier) ss += residualPx(fit.transform, m, mmPerPx) ** 2;
  }
  return { transform: fit.transform, residualMm: Math.sqrt(ss / fit.kept.size) * mmPerPx, inliers: fit.kept.size, attempted: prep.patches.length, matches };
}

/** Weighted least squares, dropping matches beyond three median residuals (never below 0.4 mm). */
function robustFit(matches: PatchMatch[], mmPerPx: number): { transform: Affine; kept: Set<PatchMatch> } | null {
  let transform: Affine | null = null;
  let kept = matches;
  for (let iter = 0; iter < 4; iter++) {
    const pts: Correspondence[] = kept.map((m) => ({ sx: m.sx * mmPerPx, sy: m.sy * mmPerPx, tx: m.tx, ty: m.ty, weight: m.score }));
    const t = fitAffine(pts);
    if (!t) return null;
    transform = t;
    const res = matches.map((m) => residualPx(t, m, mmPerPx));
    const sorted = kept.map((m) => residualPx(t, m, mmPerPx)).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const limit = Math.max(3 * median, 0.4 / mmPerPx);
    const next = matches.filter((_, i) => res[i]! <= limit);
    if (next.length < 6) break;
    if (next.length === kept.length && next.every((m, i) => m === kept[i])) break;
    kept = next;
  }
  return transform ? { transform, kept: new Set(kept) } : null;
}

function residualPx(t: Affine, m: PatchMatch, mmPerPx: number): number {
  const [x, y] = apply(t, m.sx * mmPerPx, m.sy * mmPerPx);
  return Math.hypot(x - m.tx, y - m.ty);
}
