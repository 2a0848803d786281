/**
 * Sends a painted page through a simulated fax or scanner: places it on the paper (scale, skew,
 * offset, upside down), samples it at the channel's resolution per axis, and adds what real
 * channels add (blur, threshold or halftone, broken strokes, salt and pepper, streaks, the sender's
 * header line, a short page). Seeded and deterministic.
 */
import { createCanvas } from '@napi-rs/canvas';
import type { GreyImage } from '@nexession/reader';
import { registerFonts } from '../fill/fonts.ts';
import type { Rng } from '../random.ts';
import { type Affine, compose, invert, rotate, scale, translate } from './affine.ts';
import { CHANNEL_SPECS, type Profile } from './profile.ts';

export interface SourcePage extends GreyImage {
  /** Pixels per mm of the source raster. */
  pxPerMm: number;
  widthMm: number;
  heightMm: number;
}

export interface TransmittedPage {
  image: GreyImage;
  xDpi: number;
  yDpi: number;
  bilevel: boolean;
  /** Template millimetres → output pixels (what the reader's registration should recover). */
  forward: Affine;
  /** Output pixels → template millimetres. */
  inverse: Affine;
}

/** Where a point of the form (mm) lands on the output image (px), for this page and profile. */
export function pageGeometry(widthMm: number, heightMm: number, p: Profile): { forward: Affine; widthPx: number; heightPx: number } {
  const spec = CHANNEL_SPECS[p.channel];
  const kx = spec.xDpi / 25.4;
  const ky = spec.yDpi / 25.4;
  const cx = widthMm / 2;
  const cy = heightMm / 2;
  // On paper: scale and skew about the page centre, then the offset.
  let m: Affine = translate(-cx, -cy);
  m = compose(scale(p.scaleX, p.scaleY), m);
  m = compose(rotate((p.skewDeg * Math.PI) / 180), m);
  m = compose(translate(cx + p.offsetXMm, cy + p.offsetYMm), m);
  // Fed upside down: the scanner sees the paper turned half a turn.
  if (p.upsideDown) m = compose([-1, 0, widthMm, 0, -1, heightMm], m);
  // Sampled at the channel's resolution; a fax line is 1728 pixels, centred on the paper.
  const fullW = widthMm * kx;
  const widthPx = spec.widthPx ?? Math.round(fullW);
  m = compose([kx, 0, -(fullW - widthPx) / 2, 0, ky, 0], m);
  const heightPx = Math.round(heightMm * ky * p.keptHeight);
  return { forward: m, widthPx, heightPx };
}

export function transmit(page: SourcePage, p: Profile, rng: Rng, header: string | null): TransmittedPage {
  const spec = CHANNEL_SPECS[p.channel];
  const { forward, widthPx, heightPx } = pageGeometry(page.widthMm, page.heightMm, p);
  const inverse = invert(forward);
  const out = resample(page, inverse, widthPx, heightPx, spec.xDpi, spec.yDpi);

  if (p.blur > 0) blur(out, widthPx, heightPx, Math.min(1, p.blur / 1.5));
  if (!spec.bilevel) {
    // Paper tone, sensor noise: the page stays grey.
    const k = p.paper / 255;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * k + rng.normal(0, p.greyNoise);
  }
  const img = new Uint8Array(widthPx * heightPx);
  if (spec.bilevel) {
    if (p.halftone) ditherBayer(out, img, widthPx, heightPx);
    else for (let i = 0; i < out.length; i++) img[i] = out[i]! < p.threshold ? 0 : 255;
  } else {
    for (let i = 0; i < out.length; i++) img[i] = Math.max(0, Math.min(255, Math.round(out[i]!)));
  }
  const dark = spec.bilevel ? 0 : 40;
  const light = spec.bilevel ? 255 : Math.round(p.paper);
  if (p.brokenStrokes > 0) breakStrokes(img, widthPx, heightPx, p.brokenStrokes, rng, light);
  if (p.saltPepper > 0) {
    const n = Math.round(widthPx * heightPx * p.saltPepper);
    for (let i = 0; i < n; i++) {
      const x = rng.int(0, widthPx - 1);
      const y = rng.int(0, heightPx - 1);
      const v = rng.chance(0.6) ? dark : light;
      // Specks are a pixel or two, like on a noisy line.
      const r = rng.chance(0.3) ? 1 : 0;
      for (let dy = 0; dy <= r; dy++) for (let dx = 0; dx <= r; dx++) if (x + dx < widthPx && y + dy < heightPx) img[(y + dy) * widthPx + x + dx] = v;
    }
  }
  for (const s of p.streaks) {
    const x0 = Math.round(s.at * widthPx);
    const w = Math.max(1, Math.round((s.widthMm * spec.xDpi) / 25.4));
    const y0 = Math.round(s.from * heightPx);
    const y1 = Math.round(s.to * heightPx);
    for (let y = y0; y < y1; y++) for (let x = x0; x < Math.min(widthPx, x0 + w); x++) img[y * widthPx + x] = dark;
  }
  if (header) drawHeader(img, widthPx, heightPx, spec.xDpi, spec.yDpi, header, spec.bilevel);
  return { image: { width: widthPx, height: heightPx, data: img }, xDpi: spec.xDpi, yDpi: spec.yDpi, bilevel: spec.bilevel, forward, inverse };
}

/** Area-averaged sampling: several bilinear samples per output pixel when the output is coarser. */
function resample(page: SourcePage, inverse: Affine, w: number, h: number, xDpi: number, yDpi: number): Float32Array {
  const out = new Float32Array(w * h);
  const srcDpi = page.pxPerMm * 25.4;
  const nx = Math.max(1, Math.ceil(srcDpi / xDpi - 0.01));
  const ny = Math.max(1, Math.ceil(srcDpi / yDpi - 0.01));
  const [a, b, c, d, e, f] = inverse;
  const k = page.pxPerMm;
  const sw = page.width;
  const sh = page.height;
  const src = page.data;
  const n = nx * ny;
  const ak = a * k;
  const dk = d * k;
  const maxX = sw - 1;
  const maxY = sh - 1;
  for (let v = 0; v < h; v++) {
    const row = v * w;
    for (let j = 0; j < ny; j++) {
      const oy = v + (j + 0.5) / ny;
      const bx = (b * oy + c) * k - 0.5;
      const by = (e * oy + f) * k - 0.5;
      for (let i = 0; i < nx; i++) {
        const off = (i + 0.5) / nx;
        for (let u = 0; u < w; u++) {
          const ox = u + off;
          const sx = ak * ox + bx;
          const sy = dk * ox + by;
          if (sx < 0 || sy < 0 || sx >= maxX || sy >= maxY) {
            out[row + u]! += 255;
            continue;
          }
          const x0 = sx | 0;
          const y0 = sy | 0;
          const fx = sx - x0;
          const fy = sy - y0;
          const p = y0 * sw + x0;
          const s00 = src[p]!;
          const s01 = src[p + 1]!;
          const s10 = src[p + sw]!;
          const top = s00 + (s01 - s00) * fx;
          const bot = s10 + (src[p + sw + 1]! - s10) * fx;
          out[row + u]! += top + (bot - top) * fy;
        }
      }
    }
    for (let u = 0; u < w; u++) out[row + u]! /= n;
  }
  return out;
}

function blur(buf: Float32Array, w: number, h: number, k: number): void {
  const copy = buf.slice();
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const mean = (copy[i - w - 1]! + copy[i - w]! + copy[i - w + 1]! + copy[i - 1]! + copy[i]! + copy[i + 1]! + copy[i + w - 1]! + copy[i + w]! + copy[i + w + 1]!) / 9;
      buf[i] = copy[i]! * (1 - k) + mean * k;
    }
  }
}

const BAYER4 = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5];

function ditherBayer(src: Float32Array, dst: Uint8Array, w: number, h: number): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const t = ((BAYER4[(y & 3) * 4 + (x & 3)]! + 0.5) / 16) * 255;
      dst[y * w + x] = src[y * w + x]! < t ? 0 : 255;
    }
  }
}

/** Drop-outs along strokes: small light blobs where dark pixels were. */
function breakStrokes(img: Uint8Array, w: number, h: number, share: number, rng: Rng, light: number): void {
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (img[i]! < 128 && rng.next() < share) {
        img[i] = light;
        if (rng.chance(0.5)) img[i + (rng.chance(0.5) ? 1 : w)] = light;
      }
    }
  }
}

/** The sender's header line, in the output's own pixels (pixels may be non-square). */
function drawHeader(img: Uint8Array, w: number, h: number, xDpi: number, yDpi: number, text: string, bilevel: boolean): void {
  registerFonts();
  const heightSq = Math.round((4.2 * xDpi) / 25.4);
  const canvas = createCanvas(w, heightSq);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, heightSq);
  ctx.fillStyle = '#000';
  ctx.font = `${Math.round((2.6 * xDpi) / 25.4)}px "NX Cousine"`;
  ctx.fillText(text, Math.round((4 * xDpi) / 25.4), Math.round(heightSq * 0.72));
  const rgba = ctx.getImageData(0, 0, w, heightSq).data;
  const rows = Math.min(h, Math.round((heightSq * yDpi) / xDpi));
  for (let y = 0; y < rows; y++) {
    const sy = Math.min(heightSq - 1, Math.floor((y * xDpi) / yDpi));
    for (let x = 0; x < w; x++) {
      const v = rgba[(sy * w + x) * 4]!;
      if (v < 128) img[y * w + x] = 0;
      else if (!bilevel && v < 230) img[y * w + x] = Math.min(img[y * w + x]!, v);
    }
  }
}
