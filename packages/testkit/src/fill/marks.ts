/**
 * Checkbox marks as people make them, drawn with a pen that wobbles: ticks, crosses, solid fills,
 * circles around the box, small, faint, thick, spilling over the border, crossed out, a stray dot
 * near an empty box, and the ✕ an EMR prints. Each kind says what a careful reader should conclude.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { RectPx } from '@nexession/reader';
import type { Rng } from '../random.ts';

export const MARK_KINDS = ['tick', 'x', 'small', 'thick', 'faint', 'spill', 'fill', 'circle', 'crossed-out', 'printed', 'stray-dot', 'none'] as const;
export type MarkKind = (typeof MARK_KINDS)[number];

/**
 * What a careful person concludes from a mark alone, before any transmission loss:
 * `ambiguous` marks are those a careful person would query (a filled box on a tick form can mean
 * "cancelled"; a crossed-out mark; a circle around the box instead of a mark in it).
 */
export const MARK_MEANING: Record<MarkKind, { state: 'marked' | 'empty'; ambiguous?: string }> = {
  tick: { state: 'marked' },
  x: { state: 'marked' },
  small: { state: 'marked' },
  thick: { state: 'marked' },
  faint: { state: 'marked' },
  spill: { state: 'marked' },
  printed: { state: 'marked' },
  fill: { state: 'marked', ambiguous: 'filled box on a tick form' },
  circle: { state: 'marked', ambiguous: 'box circled, not marked inside' },
  'crossed-out': { state: 'empty', ambiguous: 'mark crossed out' },
  'stray-dot': { state: 'empty' },
  none: { state: 'empty' },
};

/** Marks a careful reader might query, or a fax might lose: a `clear` page draws a tick instead. */
const UNCLEAR: ReadonlySet<MarkKind> = new Set(['small', 'faint', 'fill', 'circle', 'crossed-out']);

export function chooseMark(rng: Rng, intended: boolean, printedPage: boolean, clear = false): MarkKind {
  const kind = drawMarkKind(rng, intended, printedPage);
  return clear && UNCLEAR.has(kind) ? 'tick' : kind;
}

function drawMarkKind(rng: Rng, intended: boolean, printedPage: boolean): MarkKind {
  if (!intended) return rng.chance(0.045) ? 'stray-dot' : 'none';
  if (printedPage && rng.chance(0.85)) return 'printed';
  return rng.weighted([
    ['tick', 30],
    ['x', 22],
    ['small', 7],
    ['thick', 6],
    ['faint', 6],
    ['spill', 9],
    ['fill', 1.5],
    ['circle', 1.5],
    ['crossed-out', 1.5],
  ] as const);
}

interface Pen {
  width: number;
  grey: number;
}

/** A pen stroke through points, each nudged a little, drawn as smooth curves. */
function stroke(ctx: SKRSContext2D, rng: Rng, pts: [number, number][], pen: Pen, wobble: number, smooth = true): void {
  const jittered = pts.map(([x, y]) => [x + rng.normal(0, wobble), y + rng.normal(0, wobble)] as [number, number]);
  ctx.strokeStyle = `rgb(${pen.grey},${pen.grey},${pen.grey})`;
  ctx.lineWidth = pen.width * rng.range(0.85, 1.15);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(jittered[0]![0], jittered[0]![1]);
  if (!smooth) {
    for (const [x, y] of jittered.slice(1)) ctx.lineTo(x, y);
    ctx.stroke();
    return;
  }
  for (let i = 1; i < jittered.length - 1; i++) {
    const [x1, y1] = jittered[i]!;
    const [x2, y2] = jittered[i + 1]!;
    ctx.quadraticCurveTo(x1, y1, (x1 + x2) / 2, (y1 + y2) / 2);
  }
  const last = jittered[jittered.length - 1]!;
  ctx.lineTo(last[0], last[1]);
  ctx.stroke();
}

function tickPoints(cx: number, cy: number, s: number, rng: Rng): [number, number][] {
  const a = rng.range(-0.15, 0.15);
  return [
    [cx - 0.45 * s, cy + (0.0 + a) * s],
    [cx - 0.25 * s, cy + 0.2 * s],
    [cx - 0.1 * s, cy + 0.38 * s],
    [cx + 0.15 * s, cy - 0.05 * s],
    [cx + 0.5 * s, cy - 0.5 * s],
  ];
}

export interface DrawnMark {
  kind: MarkKind;
  /** Everything the mark touched, padded: the area to composite and to measure. */
  bounds: RectPx;
}

/**
 * Draws one mark for a box. `box` is the printed box (px), `interior` the area inside its outline.
 * `printedFont` is the family used for EMR-printed marks.
 */
export function drawMark(ctx: SKRSContext2D, kind: MarkKind, box: RectPx, interior: RectPx, rng: Rng, pxPerMm: number, printedFont: string): DrawnMark {
  const cx = interior.x + interior.w / 2 + rng.normal(0, interior.w * 0.06);
  const cy = interior.y + interior.h / 2 + rng.normal(0, interior.h * 0.06);
  const s = Math.min(interior.w, interior.h);
  const ink = rng.chance(0.6) ? rng.int(10, 45) : rng.int(45, 85); // black or blue ballpoint
  const pen: Pen = { width: rng.range(0.3, 0.5) * pxPerMm, grey: ink };
  const wobble = 0.04 * s;
  const pad = Math.round(2.5 * pxPerMm);
  let bounds: RectPx = { x: box.x - pad, y: box.y - pad, w: box.w + 2 * pad, h: box.h + 2 * pad };

  switch (kind) {
    case 'none':
      break;
    case 'tick':
      stroke(ctx, rng, tickPoints(cx, cy, s * rng.range(0.8, 1.0), rng), pen, wobble);
      break;
    case 'x': {
      const r = s * rng.range(0.36, 0.46);
      stroke(ctx, rng, [[cx - r, cy - r], [cx, cy], [cx + r, cy + r]], pen, wobble);
      stroke(ctx, rng, [[cx + r, cy - r], [cx, cy], [cx - r, cy + r]], pen, wobble);
      break;
    }
    case 'small': {
      const small = s * rng.range(0.35, 0.5);
      if (rng.chance(0.5)) stroke(ctx, rng, tickPoints(cx, cy, small, rng), pen, wobble * 0.5);
      else {
        const r = small / 2;
        stroke(ctx, rng, [[cx - r, cy - r], [cx + r, cy + r]], pen, wobble * 0.5);
        stroke(ctx, rng, [[cx + r, cy - r], [cx - r, cy + r]], pen, wobble * 0.5);
      }
      break;
    }
    case 'thick': {
      const thick = { ...pen, width: rng.range(0.8, 1.2) * pxPerMm };
      stroke(ctx, rng, tickPoints(cx, cy, s * 0.9, rng), thick, wobble);
      break;
    }
    case 'faint': {
      // Pencil, pressed lightly.
      const pencil = { width: rng.range(0.25, 0.4) * pxPerMm, grey: rng.int(150, 200) };
      if (rng.chance(0.5)) stroke(ctx, rng, tickPoints(cx, cy, s * 0.9, rng), pencil, wobble);
      else {
        const r = s * 0.4;
        stroke(ctx, rng, [[cx - r, cy - r], [cx + r, cy + r]], pencil, wobble);
        stroke(ctx, rng, [[cx + r, cy - r], [cx - r, cy + r]], pencil, wobble);
      }
      break;
    }
    case 'spill': {
      // A big mark in a hurry: it starts or ends well outside the box.
      const big = s * rng.range(1.4, 1.9);
      const ox = rng.range(-0.2, 0.25) * s;
      const oy = rng.range(-0.25, 0.1) * s;
      if (rng.chance(0.6)) stroke(ctx, rng, tickPoints(cx + ox, cy + oy, big, rng), pen, wobble * 1.5);
      else {
        const r = big * 0.45;
        stroke(ctx, rng, [[cx - r + ox, cy - r + oy], [cx + r + ox, cy + r + oy]], pen, wobble * 1.5);
        stroke(ctx, rng, [[cx + r + ox, cy - r + oy], [cx - r + ox, cy + r + oy]], pen, wobble * 1.5);
      }
      bounds = grow(bounds, Math.round(s));
      break;
    }
    case 'fill': {
      // Scribbled solid, back and forth, to the edges of the box.
      const fillPen = { ...pen, width: rng.range(0.5, 0.8) * pxPerMm };
      const pts: [number, number][] = [];
      const rows = Math.max(4, Math.round(interior.h / (fillPen.width * 0.6)));
      for (let i = 0; i <= rows; i++) {
        const y = interior.y + (interior.h * i) / rows;
        pts.push(i % 2 === 0 ? [interior.x, y] : [interior.x + interior.w, y]);
      }
      // Straight strokes edge to edge: the box ends up solid, as a person filling it means it.
      stroke(ctx, rng, pts, fillPen, wobble * 0.4, false);
      break;
    }
    case 'circle': {
      const rx = box.w * rng.range(0.75, 1.0);
      const ry = box.h * rng.range(0.7, 0.95);
      const start = rng.range(0, Math.PI * 2);
      const pts: [number, number][] = [];
      const bx = box.x + box.w / 2;
      const by = box.y + box.h / 2;
      for (let a = 0; a <= Math.PI * 2.15; a += Math.PI / 10) pts.push([bx + rx * Math.cos(start + a), by + ry * Math.sin(start + a)]);
      stroke(ctx, rng, pts, pen, wobble);
      bounds = grow(bounds, Math.round(Math.max(rx, ry)));
      break;
    }
    case 'crossed-out': {
      // A mark, then scribbled over to cancel it.
      const r = s * 0.4;
      stroke(ctx, rng, [[cx - r, cy - r], [cx + r, cy + r]], pen, wobble);
      stroke(ctx, rng, [[cx + r, cy - r], [cx - r, cy + r]], pen, wobble);
      const pts: [number, number][] = [];
      for (let i = 0; i < 7; i++) pts.push([box.x - 0.2 * s + (i * box.w * 1.4) / 6, cy + (i % 2 === 0 ? -0.25 : 0.25) * s]);
      stroke(ctx, rng, pts, { ...pen, width: pen.width * 1.4 }, wobble);
      bounds = grow(bounds, Math.round(s * 0.5));
      break;
    }
    case 'printed': {
      // The EMR prints a ✕ in a text font, centred on the box.
      ctx.fillStyle = 'rgb(0,0,0)';
      // A glyph of the EMR's font size, whatever the box: about the box, never tiny.
      const size = Math.max(2.4 * pxPerMm, Math.min(Math.min(box.w, box.h) * 0.95, 3.2 * pxPerMm));
      ctx.font = `${size}px "${printedFont}"`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('X', interior.x + interior.w / 2, interior.y + interior.h / 2 + size * 0.04);
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      break;
    }
    case 'stray-dot': {
      // A pen rested near the box: a dot just outside it, beside it (above or below would often be
      // inside the next box of a column).
      const side = rng.int(0, 1);
      const gap = rng.range(0.7, 1.6) * pxPerMm;
      const r = rng.range(0.3, 0.5) * pxPerMm;
      const along = rng.range(0.2, 0.8);
      const [dx, dy] =
        side === 0 ? [box.x - gap, box.y + box.h * along] : side === 1 ? [box.x + box.w + gap, box.y + box.h * along] : side === 2 ? [box.x + box.w * along, box.y - gap] : [box.x + box.w * along, box.y + box.h + gap];
      ctx.fillStyle = `rgb(${ink},${ink},${ink})`;
      ctx.beginPath();
      ctx.ellipse(dx, dy, r, r * rng.range(0.7, 1), 0, 0, Math.PI * 2);
      ctx.fill();
      bounds = grow(bounds, Math.round(pxPerMm));
      break;
    }
  }
  return { kind, bounds };
}

function grow(r: RectPx, d: number): RectPx {
  return { x: r.x - d, y: r.y - d, w: r.w + 2 * d, h: r.h + 2 * d };
}
