/**
 * Where the ink in a box goes: the dark pixels counted in the interior are followed outwards
 * through touching dark pixels, across the form's printed rules (at most `printBudget` pixels of
 * print in a row, so a stroke crosses a rule but does not run along it), and every pixel reached
 * outside the box is tallied by its distance from the box. A mark made in the box stays in it; a
 * circle round the next box, a line through the box (a streak on the glass, a strike-through), a
 * neighbour's mark reaching in or a mark spilling out of the box carry on well past its edge.
 *
 * Also the largest patch of touching dark pixels inside the interior: a stroke, however small the
 * share of a big box it covers, is not fax noise, which comes in specks.
 *
 * Pure functions of the page image and the rectangles given: the reader and the recomputation
 * call exactly these on the same stored image.
 */
import type { GreyImage, RectPx } from '../types.ts';

export interface ReachInput {
  /** Pixels are dark when grey is below `threshold` with at least `minDarkNeighbours` dark neighbours. */
  threshold: number;
  minDarkNeighbours: number;
  /** The box as found on the page (outline included for squares). */
  box: RectPx;
  /** The interior counted. */
  interior: RectPx;
  /** How far around the box to follow ink, pixels. */
  radius: number;
  /** The form's printed rules and outlines near the box (page pixels, already widened). */
  print: RectPx[];
  /** Pixels of print a path may cross in a row. */
  printBudget: number;
}

export interface ReachResult {
  /** Dark pixels of the interior, not on print: where the following starts. */
  inside: number;
  /**
   * Dark pixels reached outside the box, not on print, by distance from the box (index 0: one
   * pixel beyond its edge, index k: k + 1 pixels, chessboard distance), up to `radius`.
   */
  outside: number[];
}

export interface Patch {
  /** Pixels in the largest patch of touching dark pixels inside the interior, not on print. */
  pixels: number;
  /** Its bounding box, page pixels. */
  rect: RectPx;
}

const inRect = (r: RectPx, x: number, y: number): boolean => x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;

/** Dark by the counting rule (see `countRect`): 1, else 0; pixels off the image are not dark. */
function darkAt(img: GreyImage, x: number, y: number, t: number, minN: number): boolean {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return false;
  const d = img.data;
  const w = img.width;
  if (d[y * w + x]! >= t) return false;
  if (minN <= 0) return true;
  let n = 0;
  for (let dy = -1; dy <= 1; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= img.height) continue;
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      if ((dx || dy) && xx >= 0 && xx < w && d[yy * w + xx]! < t) n++;
    }
  }
  return n >= minN;
}

/** The window the following is confined to: the box and `radius` pixels all round it. */
function windowOf(a: ReachInput): RectPx {
  return { x: a.box.x - a.radius, y: a.box.y - a.radius, w: a.box.w + 2 * a.radius, h: a.box.h + 2 * a.radius };
}

function masks(img: GreyImage, a: ReachInput): { win: RectPx; dark: Uint8Array; print: Uint8Array } {
  const win = windowOf(a);
  const dark = new Uint8Array(win.w * win.h);
  const print = new Uint8Array(win.w * win.h);
  for (let y = 0; y < win.h; y++) {
    for (let x = 0; x < win.w; x++) {
      const px = win.x + x;
      const py = win.y + y;
      if (darkAt(img, px, py, a.threshold, a.minDarkNeighbours)) dark[y * win.w + x] = 1;
    }
  }
  for (const r of a.print) {
    for (let y = Math.max(0, r.y - win.y); y < Math.min(win.h, r.y + r.h - win.y); y++) {
      for (let x = Math.max(0, r.x - win.x); x < Math.min(win.w, r.x + r.w - win.x); x++) print[y * win.w + x] = 1;
    }
  }
  return { win, dark, print };
}

export function reach(img: GreyImage, a: ReachInput): ReachResult {
  const { win, dark, print } = masks(img, a);
  const W = win.w;
  const H = win.h;
  // Best remaining print budget with which each pixel was reached (-1: not reached). The set
  // reached is the same whatever the order of visits: a pixel is reached when some path to it
  // crosses no more than `printBudget` print pixels in a row.
  const budget = new Int16Array(W * H).fill(-1);
  const queue: number[] = [];
  let inside = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (!dark[i] || print[i] || !inRect(a.interior, win.x + x, win.y + y)) continue;
      inside++;
      budget[i] = a.printBudget;
      queue.push(i);
    }
  }
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    const b = budget[i]!;
    const x = i % W;
    const y = (i - x) / W;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= H) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if ((!dx && !dy) || xx < 0 || xx >= W) continue;
        const j = yy * W + xx;
        if (!dark[j]) continue;
        const nb = print[j] ? b - 1 : a.printBudget;
        if (nb < 0 || nb <= budget[j]!) continue;
        budget[j] = nb;
        queue.push(j);
      }
    }
  }
  const outside = new Array<number>(a.radius).fill(0);
  const B = a.box;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (budget[i]! < 0 || print[i]) continue;
      const px = win.x + x;
      const py = win.y + y;
      const d = Math.max(B.x - px, px - (B.x + B.w - 1), B.y - py, py - (B.y + B.h - 1));
      if (d >= 1 && d <= a.radius) outside[d - 1]!++;
    }
  }
  return { inside, outside };
}

/** The largest 8-connected patch of dark pixels (by the counting rule) inside `r`, not on print. */
export function largestPatch(img: GreyImage, r: RectPx, threshold: number, minDarkNeighbours: number, print: RectPx[]): Patch {
  const W = Math.max(0, r.w);
  const H = Math.max(0, r.h);
  const dark = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const px = r.x + x;
      const py = r.y + y;
      if (print.some((p) => inRect(p, px, py))) continue;
      if (darkAt(img, px, py, threshold, minDarkNeighbours)) dark[y * W + x] = 1;
    }
  }
  let best: Patch = { pixels: 0, rect: { x: r.x, y: r.y, w: 0, h: 0 } };
  const seen = new Uint8Array(W * H);
  const stack: number[] = [];
  for (let s = 0; s < dark.length; s++) {
    if (!dark[s] || seen[s]) continue;
    seen[s] = 1;
    stack.push(s);
    let n = 0;
    let x0 = W;
    let y0 = H;
    let x1 = -1;
    let y1 = -1;
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % W;
      const y = (i - x) / W;
      n++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= H) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= W) continue;
          const j = yy * W + xx;
          if (dark[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    // Ties go to the first patch found (row by row from the top left): the same on every run.
    if (n > best.pixels) best = { pixels: n, rect: { x: r.x + x0, y: r.y + y0, w: x1 - x0 + 1, h: y1 - y0 + 1 } };
  }
  return best;
}
