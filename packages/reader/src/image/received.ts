/**
 * Which pixels of the normalised page image came from the page as received. Straightening a
 * skewed page turns its corners out of the frame and brings white in at the edges; a box there
 * was never seen, however white it looks.
 */
import type { RectPx } from '../types.ts';
import type { Quarter } from './quarter.ts';

export interface ReceivedArea {
  /** Width and height of the received (decoded) page, before any turn. */
  width: number;
  height: number;
  /** The straightening applied (`rotateSmall` by this many degrees), then the quarter turn. */
  rotateDeg: number;
  rotation: Quarter;
}

/** Whether the point (x, y) of the final image was sampled from inside the received page. */
export function receivedAt(a: ReceivedArea, x: number, y: number): boolean {
  // Undo the quarter turn (see `rotateRaster`): final (x, y) to the straightened frame (u, v).
  const { width: w, height: h } = a;
  let u = x;
  let v = y;
  if (a.rotation === 90) {
    u = y;
    v = h - 1 - x;
  } else if (a.rotation === 180) {
    u = w - 1 - x;
    v = h - 1 - y;
  } else if (a.rotation === 270) {
    u = w - 1 - y;
    v = x;
  }
  // Undo the straightening (the inverse map of `rotateSmall`).
  const t = (a.rotateDeg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const sx = c * (u - cx) + s * (v - cy) + cx;
  const sy = -s * (u - cx) + c * (v - cy) + cy;
  return sx >= 0 && sy >= 0 && sx <= w - 1 && sy <= h - 1;
}

/** Whether all of a rectangle of the final image came from the received page. */
export function receivedRect(a: ReceivedArea, r: RectPx): boolean {
  const x1 = r.x + r.w - 1;
  const y1 = r.y + r.h - 1;
  // The received area is convex (a turned rectangle): its corners decide.
  return receivedAt(a, r.x, r.y) && receivedAt(a, x1, r.y) && receivedAt(a, r.x, y1) && receivedAt(a, x1, y1);
}
