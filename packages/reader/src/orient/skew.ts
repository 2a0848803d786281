/**
 * Skew by projection profiles: rows of text and printed rules make the row profile sharpest
 * when projected along their true angle. Columns of a form do the same for a page lying on its
 * side, so both are measured and the sharper one is believed. Coarse search at 50 dpi, fine
 * search at 100 dpi.
 */
import { type InkMap, poolMap } from '../image/inkMap.ts';

export interface SkewEstimate {
  /** Clockwise tilt of the content, in degrees; rotate by the opposite to correct. */
  deg: number;
  /** Sharpness of the row profile over that of the column profile: > 1 when lines run across. */
  rowsOverColumns: number;
  /** How much sharper the best angle is than no correction (1 = no structure found). */
  gain: number;
}

interface Points {
  x: Float32Array;
  y: Float32Array;
  span: number;
}

function inkPoints(m: InkMap, maxPoints: number): Points {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) if (m.data[i]! >= 0.5) n++;
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const x = new Float32Array(Math.ceil(n / step));
  const y = new Float32Array(x.length);
  let k = 0;
  let seen = 0;
  for (let yy = 0; yy < m.height; yy++) for (let xx = 0; xx < m.width; xx++) if (m.data[yy * m.width + xx]! >= 0.5 && seen++ % step === 0 && k < x.length) {
    x[k] = xx;
    y[k++] = yy;
  }
  return { x: x.subarray(0, k), y: y.subarray(0, k), span: Math.ceil(Math.hypot(m.width, m.height)) + 2 };
}

function sharpness(p: Points, bins: Float64Array, deg: number, rows: boolean): number {
  const t = (deg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  bins.fill(0);
  const { x: X, y: Y, span } = p;
  if (rows) for (let i = 0; i < X.length; i++) bins[(Y[i]! * c - X[i]! * s + span) | 0]! += 1;
  else for (let i = 0; i < X.length; i++) bins[(X[i]! * c + Y[i]! * s + span) | 0]! += 1;
  let e = 0;
  for (let i = 0; i < bins.length; i++) e += bins[i]! * bins[i]!;
  return e;
}

/** From the page's ink map at 100 dpi (factor 2 of the working resolution). */
export function estimateSkew(fineMap: InkMap, maxDeg = 6): SkewEstimate {
  const coarse = inkPoints(poolMap(fineMap, 2), 30_000);
  if (coarse.x.length < 100) return { deg: 0, rowsOverColumns: 1, gain: 1 };
  const cb = new Float64Array(2 * coarse.span);
  const scan = (rows: boolean): { deg: number; score: number } => {
    let best = { deg: 0, score: -1 };
    for (let d = -maxDeg; d <= maxDeg + 1e-9; d += 0.25) {
      const sc = sharpness(coarse, cb, d, rows);
      if (sc > best.score) best = { deg: d, score: sc };
    }
    return best;
  };
  const r = scan(true);
  const c = scan(false);
  const fine = inkPoints(fineMap, 60_000);
  const fb = new Float64Array(2 * fine.span);
  const refine = (rows: boolean, start: number): { deg: number; gain: number } => {
    let best = { deg: start, score: -1 };
    for (let d = start - 0.25; d <= start + 0.25 + 1e-9; d += 0.025) {
      const sc = sharpness(fine, fb, d, rows);
      if (sc > best.score) best = { deg: d, score: sc };
    }
    return { deg: best.deg, gain: best.score / sharpness(fine, fb, 0, rows) };
  };
  const byRows = refine(true, r.deg);
  const byCols = refine(false, c.deg);
  // Both projections are set up so that their best angle is the same clockwise tilt. The one
  // that straightening improves most is believed: a streak down the page is sharpest as it is
  // and would otherwise hide a tilt the text and rules show.
  const useRows = Math.max(byRows.gain, byCols.gain) > 1.02 ? byRows.gain >= byCols.gain : r.score >= c.score;
  const best = useRows ? byRows : byCols;
  return { deg: Math.round(best.deg * 100) / 100, rowsOverColumns: r.score / c.score, gain: best.gain };
}
