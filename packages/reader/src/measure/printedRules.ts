/**
 * The form's printed rules near a box, as rectangles: what a stroke may cross without being
 * part of it. Taken from the blank form (runs of ink at least 4 mm long, across or down), once
 * per blank and kept.
 */
import type { GreyImage, RectPx } from '../types.ts';
import { darkMask } from '../image/grey.ts';
import { type LineMasks, lineMasks } from '../image/lines.ts';
import { BLANK_INK_THRESHOLD, mmToPx } from '../template/blankAnalysis.ts';

const cache = new WeakMap<GreyImage, LineMasks>();

export function blankRules(blank: GreyImage, dpi: number): LineMasks {
  let m = cache.get(blank);
  if (!m) {
    m = lineMasks(darkMask(blank, BLANK_INK_THRESHOLD), blank.width, blank.height, Math.round(mmToPx(4, dpi)), 1);
    cache.set(blank, m);
  }
  return m;
}

/**
 * Rule rectangles of the blank inside `win` (blank pixels): runs along each row of the
 * horizontal mask (and each column of the vertical one), runs in neighbouring rows merged when
 * they start and end within a pixel or two of each other.
 */
export function ruleRects(m: LineMasks, win: RectPx): RectPx[] {
  const out: RectPx[] = [];
  const x0 = Math.max(0, win.x);
  const y0 = Math.max(0, win.y);
  const x1 = Math.min(m.width, win.x + win.w);
  const y1 = Math.min(m.height, win.y + win.h);
  const collect = (horizontal: boolean): void => {
    const mask = horizontal ? m.horizontal : m.vertical;
    const [l0, l1, a0, a1] = horizontal ? [y0, y1, x0, x1] : [x0, x1, y0, y1];
    let open: { r: RectPx; last: number; s: number; e: number }[] = [];
    for (let l = l0; l < l1; l++) {
      const runs: [number, number][] = [];
      let start = -1;
      for (let a = a0; a <= a1; a++) {
        const on = a < a1 && mask[horizontal ? l * m.width + a : a * m.width + l] === 1;
        if (on && start < 0) start = a;
        else if (!on && start >= 0) {
          runs.push([start, a - 1]);
          start = -1;
        }
      }
      const next: typeof open = [];
      for (const [s, e] of runs) {
        const o = open.find((q) => q.last === l - 1 && Math.abs(q.s - s) <= 2 && Math.abs(q.e - e) <= 2);
        if (o) {
          if (horizontal) {
            const nx0 = Math.min(o.r.x, s);
            const nx1 = Math.max(o.r.x + o.r.w - 1, e);
            o.r.x = nx0;
            o.r.w = nx1 - nx0 + 1;
            o.r.h++;
          } else {
            const ny0 = Math.min(o.r.y, s);
            const ny1 = Math.max(o.r.y + o.r.h - 1, e);
            o.r.y = ny0;
            o.r.h = ny1 - ny0 + 1;
            o.r.w++;
          }
          o.last = l;
          o.s = s;
          o.e = e;
          next.push(o);
          open = open.filter((q) => q !== o);
        } else {
          const r = horizontal ? { x: s, y: l, w: e - s + 1, h: 1 } : { x: l, y: s, w: 1, h: e - s + 1 };
          out.push(r);
          next.push({ r, last: l, s, e });
        }
      }
      open = next;
    }
  };
  collect(true);
  collect(false);
  return out;
}
