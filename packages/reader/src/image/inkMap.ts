/**
 * Ink density maps: the share of dark pixels in each f x f block. Comparing forms on these
 * rather than on grey values makes a bilevel fax, a grey scan and a rendered PDF look alike.
 */
import type { GreyImage } from '../types.ts';

export interface InkMap {
  width: number;
  height: number;
  /** Scale: source pixels per map pixel. */
  factor: number;
  data: Float32Array;
}

export function inkMap(img: GreyImage, threshold: number, factor: number): InkMap {
  const w = Math.ceil(img.width / factor);
  const h = Math.ceil(img.height / factor);
  const acc = new Float32Array(w * h);
  const src = img.data;
  const iw = img.width;
  for (let y = 0; y < img.height; y++) {
    const row = ((y / factor) | 0) * w;
    const base = y * iw;
    for (let x = 0; x < iw; x++) if (src[base + x]! < threshold) acc[row + ((x / factor) | 0)]! += 1;
  }
  const inv = 1 / (factor * factor);
  for (let i = 0; i < acc.length; i++) acc[i]! *= inv;
  return { width: w, height: h, factor, data: acc };
}

/** Box blur of radius r (separable), keeping the size. */
export function blurMap(m: InkMap, r: number): InkMap {
  if (r <= 0) return m;
  const { width: w, height: h } = m;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const n = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    let s = 0;
    for (let x = -r; x <= r; x++) s += m.data[y * w + Math.min(w - 1, Math.max(0, x))]!;
    for (let x = 0; x < w; x++) {
      tmp[y * w + x] = s / n;
      s += m.data[y * w + Math.min(w - 1, x + r + 1)]! - m.data[y * w + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let s = 0;
    for (let y = -r; y <= r; y++) s += tmp[Math.min(h - 1, Math.max(0, y)) * w + x]!;
    for (let y = 0; y < h; y++) {
      out[y * w + x] = s / n;
      s += tmp[Math.min(h - 1, y + r + 1) * w + x]! - tmp[Math.max(0, y - r) * w + x]!;
    }
  }
  return { width: w, height: h, factor: m.factor, data: out };
}

export interface Patch {
  width: number;
  height: number;
  /** Zero-mean values. */
  values: Float32Array;
  norm: number;
}

export function makePatch(m: InkMap, x0: number, y0: number, pw: number, ph: number): Patch | null {
  if (x0 < 0 || y0 < 0 || x0 + pw > m.width || y0 + ph > m.height) return null;
  const values = new Float32Array(pw * ph);
  let mean = 0;
  for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) mean += values[y * pw + x] = m.data[(y0 + y) * m.width + x0 + x]!;
  mean /= pw * ph;
  let norm = 0;
  for (let i = 0; i < values.length; i++) {
    const v = (values[i]! -= mean);
    norm += v * v;
  }
  norm = Math.sqrt(norm);
  return norm > 1e-6 ? { width: pw, height: ph, values, norm } : null;
}

export interface NccPeak {
  /** Top-left of the best window, sub-pixel. */
  x: number;
  y: number;
  score: number;
  /** Best score at least `exclusion` away from the peak: a repeated pattern has a high one. */
  second: number;
}

/** NCC scores of a patch over a block of top-left positions: `scores[(y - y0) * w + (x - x0)]`. */
export interface NccGrid {
  x0: number;
  y0: number;
  w: number;
  h: number;
  scores: Float32Array;
}

/**
 * Normalised cross-correlation of a patch over top-left positions [x0..x1] x [y0..y1] (clipped to
 * the map). The window's sum and sum of squares are taken in the same pass as the dot product: no
 * integral images (large arrays per page) are needed for the few hundred positions searched.
 */
export function nccGrid(m: InkMap, p: Patch, x0: number, y0: number, x1: number, y1: number): NccGrid | null {
  const xs = Math.max(0, x0);
  const ys = Math.max(0, y0);
  const xe = Math.min(m.width - p.width, x1);
  const ye = Math.min(m.height - p.height, y1);
  if (xe < xs || ye < ys) return null;
  const gw = xe - xs + 1;
  const gh = ye - ys + 1;
  const scores = new Float32Array(gw * gh);
  const n = p.width * p.height;
  const md = m.data;
  const pv = p.values;
  const mw = m.width;
  const pw = p.width;
  const ph = p.height;
  for (let y = ys; y <= ye; y++) {
    for (let x = xs; x <= xe; x++) {
      let dot = 0;
      let s = 0;
      let q = 0;
      for (let py = 0; py < ph; py++) {
        let row = (y + py) * mw + x;
        let prow = py * pw;
        for (let px = 0; px < pw; px++, row++, prow++) {
          const v = md[row]!;
          dot += v * pv[prow]!;
          s += v;
          q += v * v;
        }
      }
      const varI = q - (s * s) / n;
      scores[(y - ys) * gw + (x - xs)] = varI > 1e-9 ? dot / (Math.sqrt(varI) * p.norm) : 0;
    }
  }
  return { x0: xs, y0: ys, w: gw, h: gh, scores };
}

/** Parabolic sub-pixel position of grid cell (bx, by), in map coordinates. */
function subPixel(g: NccGrid, bx: number, by: number): { x: number; y: number } {
  const at = (x: number, y: number): number | null => (x >= 0 && y >= 0 && x < g.w && y < g.h ? g.scores[y * g.w + x]! : null);
  const c = g.scores[by * g.w + bx]!;
  const sub = (l: number | null, r: number | null): number => {
    if (l === null || r === null) return 0;
    const den = l - 2 * c + r;
    return den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / den)) : 0;
  };
  return { x: g.x0 + bx + sub(at(bx - 1, by), at(bx + 1, by)), y: g.y0 + by + sub(at(bx, by - 1), at(bx, by + 1)) };
}

/** Best position in a grid, with the best score at least `exclusion` cells away from it. */
export function gridPeak(g: NccGrid, exclusion = 2): NccPeak {
  let best = -Infinity;
  let bi = 0;
  for (let k = 0; k < g.scores.length; k++) {
    if (g.scores[k]! > best) {
      best = g.scores[k]!;
      bi = k;
    }
  }
  const bx = bi % g.w;
  const by = (bi - bx) / g.w;
  let second = -Infinity;
  for (let k = 0; k < g.scores.length; k++) {
    const x = k % g.w;
    const y = (k - x) / g.w;
    if (Math.abs(x - bx) > exclusion || Math.abs(y - by) > exclusion) second = Math.max(second, g.scores[k]!);
  }
  return { ...subPixel(g, bx, by), score: best, second: Number.isFinite(second) ? second : -1 };
}

/**
 * Local maxima of a grid (at least as high as their 8 neighbours) scoring `minScore` or more,
 * best first, at most `max`: the places a repeated pattern (rows of boxes) could match.
 */
export function gridPeaks(g: NccGrid, minScore: number, max: number): { x: number; y: number; score: number }[] {
  const out: { x: number; y: number; score: number }[] = [];
  for (let y = 0; y < g.h; y++) {
    for (let x = 0; x < g.w; x++) {
      const v = g.scores[y * g.w + x]!;
      if (v < minScore) continue;
      let top = true;
      for (let dy = -1; dy <= 1 && top; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if ((dx || dy) && xx >= 0 && yy >= 0 && xx < g.w && yy < g.h && g.scores[yy * g.w + xx]! > v) {
            top = false;
            break;
          }
        }
      }
      if (top) out.push({ ...subPixel(g, x, y), score: v });
    }
  }
  return out.sort((a, b) => b.score - a.score).slice(0, max);
}

/** The best match of a patch over top-left positions [x0..x1] x [y0..y1] (see `nccGrid`). */
export function nccSearch(m: InkMap, p: Patch, x0: number, y0: number, x1: number, y1: number, exclusion = 2): NccPeak | null {
  const g = nccGrid(m, p, x0, y0, x1, y1);
  return g ? gridPeak(g, exclusion) : null;
}

/** Mean of k x k blocks of a map: the ink map at a coarser scale, without touching the image again. */
export function poolMap(m: InkMap, k: number): InkMap {
  const w = Math.ceil(m.width / k);
  const h = Math.ceil(m.height / k);
  const acc = new Float32Array(w * h);
  for (let y = 0; y < m.height; y++) {
    const row = ((y / k) | 0) * w;
    for (let x = 0; x < m.width; x++) acc[row + ((x / k) | 0)]! += m.data[y * m.width + x]!;
  }
  const inv = 1 / (k * k);
  for (let i = 0; i < acc.length; i++) acc[i]! *= inv;
  return { width: w, height: h, factor: m.factor * k, data: acc };
}
