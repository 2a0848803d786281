/**
 * Paints a fill plan onto the 300 dpi raster of a blank form: text straight onto the page, each
 * checkbox mark on its own small layer (kept, so the ground truth can tell a box's own ink from a
 * neighbour's), then every mark multiplied onto the page like ink on paper.
 */
import { createCanvas } from '@napi-rs/canvas';
import type { RectPx } from '@nexession/reader';
import type { FormSource, TextTarget } from '../forms/sources.ts';
import type { SourcePage } from '../fax/simulate.ts';
import type { Rng } from '../random.ts';
import type { FillPlan } from './content.ts';
import { BOLD_TYPED, HAND_FACES, TYPED_FACES, registerFonts } from './fonts.ts';
import { type MarkKind, chooseMark, drawMark } from './marks.ts';
import { type DrawnText, drawFieldText } from './text.ts';

export const PAINT_DPI = 300;

export interface MarkLayer {
  kind: MarkKind;
  /** Where the layer sits on the page (px). */
  bounds: RectPx;
  /** Ink darkness 0..255 per pixel of `bounds` (0 = no ink). */
  ink: Uint8Array;
}

export interface PaintedText extends DrawnText {
  hand: boolean;
  family: string;
  /** The field's ink layer, like a mark's. */
  layer: MarkLayer;
}

export interface PaintedPage extends SourcePage {
  marks: Map<string, MarkLayer>;
  texts: Map<string, PaintedText>;
}

/** `forcedMarks`: the mark to draw for some boxes, instead of a random one (tests, demos). */
export async function paintPage(source: FormSource, plan: FillPlan, rng: Rng, forcedMarks: Readonly<Record<string, MarkKind>> = {}): Promise<PaintedPage> {
  registerFonts();
  const blank = await source.blankRaster(PAINT_DPI);
  const pxPerMm = PAINT_DPI / 25.4;
  const { width, height } = blank;
  const grey = blank.data.slice();

  // One typed face and one hand per page, as one EMR or one person would write.
  const typed = rng.pick(TYPED_FACES).family;
  const hand = rng.pick(HAND_FACES).family;
  const typedShare = rng.range(0.7, 1.0);
  const handInk = rng.chance(0.6) ? rng.int(10, 45) : rng.int(45, 85);
  const texts = new Map<string, PaintedText>();
  for (const t of source.targets) {
    if (t.kind !== 'text') continue;
    const intent = plan.texts.get(t.key);
    if (!intent || intent.value === null || intent.value === '') continue;
    const family = intent.hand ? hand : typed;
    // Each field on its own small layer, multiplied onto the page like ink.
    const pad = Math.round(3 * pxPerMm);
    const area = { x: Math.round(t.region.x * pxPerMm) - pad, y: Math.round(t.region.y * pxPerMm) - pad, w: Math.round(t.region.w * pxPerMm) + 2 * pad, h: Math.round(t.region.h * pxPerMm) + 2 * pad };
    const layer = createCanvas(area.w, area.h);
    const lctx = layer.getContext('2d');
    lctx.translate(-area.x, -area.y);
    const drawn = drawFieldText(lctx, t as TextTarget, intent.value, { hand: intent.hand, family, sizeShare: intent.hand ? rng.range(0.85, 1.05) : typedShare, ink: intent.hand ? handInk : rng.int(0, 25) }, rng, pxPerMm);
    const ink = inkOf(lctx.getImageData(0, 0, area.w, area.h).data, area.w * area.h);
    multiplyInk(grey, width, height, area, ink);
    texts.set(t.key, { ...drawn, hand: intent.hand, family, layer: { kind: 'none', bounds: area, ink } });
  }

  const printedMarks = source.id === 'ontario-2010' && plan.style === 'typed';
  const marks = new Map<string, MarkLayer>();
  for (const t of source.targets) {
    if (t.kind !== 'checkbox') continue;
    const intended = plan.boxes.get(t.key) ?? false;
    const chosen = chooseMark(rng, intended, printedMarks, plan.clearMarks);
    const kind = forcedMarks[t.key] ?? chosen;
    if (kind === 'none') {
      marks.set(t.key, { kind, bounds: { x: 0, y: 0, w: 0, h: 0 }, ink: new Uint8Array(0) });
      continue;
    }
    const box = toPx(t.box, pxPerMm);
    const interior = toPx(t.interior, pxPerMm);
    // Draw on a page-sized coordinate system translated to a small layer.
    const probe = drawBounds(box, pxPerMm);
    const layer = createCanvas(probe.w, probe.h);
    const lctx = layer.getContext('2d');
    lctx.translate(-probe.x, -probe.y);
    drawMark(lctx, kind, box, interior, rng, pxPerMm, BOLD_TYPED.family);
    const ink = inkOf(lctx.getImageData(0, 0, probe.w, probe.h).data, probe.w * probe.h);
    marks.set(t.key, { kind, bounds: probe, ink });
    multiplyInk(grey, width, height, probe, ink);
  }
  return { width, height, data: grey, pxPerMm, widthMm: blank.widthMm, heightMm: blank.heightMm, marks, texts };
}

/** Darkness 0..255 of a layer drawn in grey on transparent. */
function inkOf(rgba: Uint8ClampedArray, n: number): Uint8Array {
  const ink = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) ink[i] = Math.round(((255 - rgba[j]!) * rgba[j + 3]!) / 255);
  return ink;
}

/** Ink multiplies with what is printed beneath it. */
function multiplyInk(grey: Uint8Array, width: number, height: number, area: RectPx, ink: Uint8Array): void {
  for (let y = 0; y < area.h; y++) {
    const py = area.y + y;
    if (py < 0 || py >= height) continue;
    for (let x = 0; x < area.w; x++) {
      const px = area.x + x;
      if (px < 0 || px >= width) continue;
      const d = ink[y * area.w + x]!;
      if (d === 0) continue;
      const i = py * width + px;
      grey[i] = Math.round((grey[i]! * (255 - d)) / 255);
    }
  }
}

/** The layer for one box's mark: generous, since circles and spills reach well outside the box. */
function drawBounds(box: RectPx, pxPerMm: number): RectPx {
  const pad = Math.round(Math.max(box.w, box.h) * 1.2 + 3 * pxPerMm);
  return { x: box.x - pad, y: box.y - pad, w: box.w + 2 * pad, h: box.h + 2 * pad };
}

function toPx(r: { x: number; y: number; w: number; h: number }, k: number): RectPx {
  return { x: Math.round(r.x * k), y: Math.round(r.y * k), w: Math.round(r.w * k), h: Math.round(r.h * k) };
}
