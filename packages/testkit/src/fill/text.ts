/**
 * Writes a value into a text field: typed (an EMR printout or a typewriter) or hand-style (a
 * script-like font, glyph by glyph with jitter in position, angle, size and stroke weight).
 * The value is shortened only when it cannot fit, and the function returns what it really drew,
 * so the ground truth is always the drawn text.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { TextTarget } from '../forms/sources.ts';
import type { Rng } from '../random.ts';
import { capRatio } from './fonts.ts';

export interface TextStyle {
  hand: boolean;
  family: string;
  /** Share of the largest size that fits (typed pages use one size throughout). */
  sizeShare: number;
  ink: number;
}

export interface DrawnText {
  value: string;
  sizePt: number;
}

const PX_PER_PT_AT = (pxPerMm: number) => (pxPerMm * 25.4) / 72;

export function drawFieldText(ctx: SKRSContext2D, target: TextTarget, value: string, style: TextStyle, rng: Rng, pxPerMm: number): DrawnText {
  const capMaxPx = target.capMaxMm * pxPerMm;
  const ratio = capRatio(style.family);
  let sizePx = (capMaxPx / ratio) * style.sizeShare;
  const minSizePx = Math.max(6 * PX_PER_PT_AT(pxPerMm), sizePx * 0.6);
  ctx.fillStyle = `rgb(${style.ink},${style.ink},${style.ink})`;
  ctx.strokeStyle = ctx.fillStyle;
  const setFont = (px: number) => {
    ctx.font = `${px}px "${style.family}"`;
  };

  if (target.comb) {
    // One character per cell; characters that are not letters or digits are left out, as people do.
    const chars = [...value.replace(/[^\p{L}\p{N}]/gu, '')].slice(0, target.comb.cells);
    sizePx = Math.min(sizePx, (target.comb.cellW * pxPerMm * 0.8) / 0.62);
    setFont(sizePx);
    chars.forEach((ch, i) => {
      const cx = (target.comb!.x + target.comb!.cellW * (i + 0.5)) * pxPerMm;
      const w = ctx.measureText(ch).width;
      glyph(ctx, ch, cx - w / 2, target.baselineMm * pxPerMm, style, rng, sizePx);
    });
    return { value: chars.join(''), sizePt: sizePx / PX_PER_PT_AT(pxPerMm) };
  }

  const margin = Math.min(0.9, target.region.w * 0.06);
  const left = (target.region.x + margin) * pxPerMm;
  const avail = (target.region.w - 2 * margin) * pxPerMm;
  const spacing = style.hand ? 1.06 : 1;
  const width = (s: string, px: number) => {
    setFont(px);
    return ctx.measureText(s).width * spacing;
  };
  let text = value;
  while (width(text, sizePx) > avail && sizePx > minSizePx) sizePx *= 0.94;
  while (width(text, sizePx) > avail && text.length > 1) {
    const cut = text.lastIndexOf(' ');
    text = cut > 0 ? text.slice(0, cut).replace(/[,\s]+$/, '') : text.slice(0, -1);
  }
  setFont(sizePx);
  const total = width(text, sizePx);
  let x = target.align === 'right' ? left + avail - total : left + (style.hand ? rng.range(0, Math.max(0, Math.min(avail - total, 3 * pxPerMm))) : 0);
  const baseline = target.baselineMm * pxPerMm;
  if (!style.hand) {
    ctx.fillText(text, x, baseline);
    return { value: text, sizePt: sizePx / PX_PER_PT_AT(pxPerMm) };
  }
  const slope = rng.normal(0, 0.012);
  for (const ch of text) {
    const w = ctx.measureText(ch).width;
    glyph(ctx, ch, x, baseline + slope * (x - left), style, rng, sizePx);
    x += w * spacing;
  }
  return { value: text, sizePt: sizePx / PX_PER_PT_AT(pxPerMm) };
}

function glyph(ctx: SKRSContext2D, ch: string, x: number, baseline: number, style: TextStyle, rng: Rng, sizePx: number): void {
  if (!style.hand) {
    ctx.fillText(ch, x, baseline);
    return;
  }
  ctx.save();
  ctx.translate(x + rng.normal(0, sizePx * 0.012), baseline + rng.normal(0, sizePx * 0.025));
  ctx.rotate(rng.normal(0, 0.045));
  const s = rng.range(0.94, 1.06);
  ctx.scale(s, s * rng.range(0.95, 1.05));
  ctx.fillText(ch, 0, 0);
  // Pen pressure: some glyphs get a heavier outline.
  const extra = rng.range(0, sizePx * 0.035);
  if (extra > sizePx * 0.012) {
    ctx.lineWidth = extra;
    ctx.strokeText(ch, 0, 0);
  }
  ctx.restore();
}
