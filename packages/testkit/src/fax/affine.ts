/** 2-D affine maps as [a, b, c, d, e, f]: x' = a x + b y + c, y' = d x + e y + f (the reader's convention). */
export type Affine = [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** `second ∘ first`: apply `first`, then `second`. */
export function compose(second: Affine, first: Affine): Affine {
  const [a2, b2, c2, d2, e2, f2] = second;
  const [a1, b1, c1, d1, e1, f1] = first;
  return [a2 * a1 + b2 * d1, a2 * b1 + b2 * e1, a2 * c1 + b2 * f1 + c2, d2 * a1 + e2 * d1, d2 * b1 + e2 * e1, d2 * c1 + e2 * f1 + f2];
}

export function invert(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error('singular affine map');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

export function apply(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

export const translate = (tx: number, ty: number): Affine => [1, 0, tx, 0, 1, ty];
export const scale = (sx: number, sy: number): Affine => [sx, 0, 0, 0, sy, 0];
export function rotate(rad: number): Affine {
  const c = Math.cos(rad);
  const s = Math.sin(rad);
  return [c, -s, 0, s, c, 0];
}

/** Bounding box of a rectangle's four corners after a map. */
export function mapRectBounds(m: Affine, r: { x: number; y: number; w: number; h: number }): { x: number; y: number; w: number; h: number } {
  const pts = [apply(m, r.x, r.y), apply(m, r.x + r.w, r.y), apply(m, r.x, r.y + r.h), apply(m, r.x + r.w, r.y + r.h)];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}
