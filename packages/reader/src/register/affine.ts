/** Affine maps [a, b, c, d, e, f]: x' = a x + b y + c, y' = d x + e y + f. */
import type { RectPx } from '../types.ts';

export type Affine = [number, number, number, number, number, number];

export interface Correspondence {
  /** Template point (any unit). */
  sx: number;
  sy: number;
  /** Page point (pixels). */
  tx: number;
  ty: number;
  weight: number;
}

export function apply(t: Affine, x: number, y: number): [number, number] {
  return [t[0] * x + t[1] * y + t[2], t[3] * x + t[4] * y + t[5]];
}

export function invert(t: Affine): Affine {
  const [a, b, c, d, e, f] = t;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error('affine map is not invertible');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

export function compose(outer: Affine, inner: Affine): Affine {
  const [a1, b1, c1, d1, e1, f1] = outer;
  const [a2, b2, c2, d2, e2, f2] = inner;
  return [a1 * a2 + b1 * d2, a1 * b2 + b1 * e2, a1 * c2 + b1 * f2 + c1, d1 * a2 + e1 * d2, d1 * b2 + e1 * e2, d1 * c2 + e1 * f2 + f1];
}

/** Bounding box in pixels of a rectangle mapped through `t` (rounded outward to whole pixels). */
export function mapRect(t: Affine, r: { x: number; y: number; w: number; h: number }): RectPx {
  const pts = [apply(t, r.x, r.y), apply(t, r.x + r.w, r.y), apply(t, r.x, r.y + r.h), apply(t, r.x + r.w, r.y + r.h)];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x0 = Math.round(Math.min(...xs));
  const y0 = Math.round(Math.min(...ys));
  return { x: x0, y: y0, w: Math.round(Math.max(...xs)) - x0, h: Math.round(Math.max(...ys)) - y0 };
}

/** Weighted least-squares affine fit; null with fewer than 3 points or a degenerate spread. */
export function fitAffine(pts: Correspondence[]): Affine | null {
  if (pts.length < 3) return null;
  // Normal equations for [a b c] and [d e f] share the same 3x3 matrix.
  let sxx = 0, sxy = 0, sx = 0, syy = 0, sy = 0, sw = 0;
  let bx0 = 0, bx1 = 0, bx2 = 0, by0 = 0, by1 = 0, by2 = 0;
  for (const p of pts) {
    const w = p.weight;
    sxx += w * p.sx * p.sx;
    sxy += w * p.sx * p.sy;
    sx += w * p.sx;
    syy += w * p.sy * p.sy;
    sy += w * p.sy;
    sw += w;
    bx0 += w * p.sx * p.tx;
    bx1 += w * p.sy * p.tx;
    bx2 += w * p.tx;
    by0 += w * p.sx * p.ty;
    by1 += w * p.sy * p.ty;
    by2 += w * p.ty;
  }
  const m = [sxx, sxy, sx, sxy, syy, sy, sx, sy, sw];
  const solA = solve3(m, [bx0, bx1, bx2]);
  const solB = solve3(m, [by0, by1, by2]);
  if (!solA || !solB) return null;
  return [solA[0], solA[1], solA[2], solB[0], solB[1], solB[2]];
}

function solve3(m: number[], b: number[]): [number, number, number] | null {
  const [a11, a12, a13, a21, a22, a23, a31, a32, a33] = m as [number, number, number, number, number, number, number, number, number];
  const det = a11 * (a22 * a33 - a23 * a32) - a12 * (a21 * a33 - a23 * a31) + a13 * (a21 * a32 - a22 * a31);
  if (Math.abs(det) < 1e-9) return null;
  const [b1, b2, b3] = b as [number, number, number];
  const x = (b1 * (a22 * a33 - a23 * a32) - a12 * (b2 * a33 - a23 * b3) + a13 * (b2 * a32 - a22 * b3)) / det;
  const y = (a11 * (b2 * a33 - a23 * b3) - b1 * (a21 * a33 - a23 * a31) + a13 * (a21 * b3 - b2 * a31)) / det;
  const z = (a11 * (a22 * b3 - b2 * a32) - a12 * (a21 * b3 - b2 * a31) + b1 * (a21 * a32 - a22 * a31)) / det;
  return [x, y, z];
}

/** Scale (geometric mean of the axes) and rotation in degrees of the linear part. */
export function scaleAndRotation(t: Affine): { scale: number; rotationDeg: number; shear: number } {
  const [a, b, , d, e] = t;
  const sx = Math.hypot(a, d);
  const sy = Math.hypot(b, e);
  return { scale: Math.sqrt(Math.abs(a * e - b * d)), rotationDeg: (Math.atan2(d, a) * 180) / Math.PI, shear: sx > 0 && sy > 0 ? (a * b + d * e) / (sx * sy) : 0 };
}
