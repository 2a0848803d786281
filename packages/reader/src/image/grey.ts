/** Small operations on 8-bit grey images (0 = black). All pure; none keeps a reference to its input. */
import sharp from 'sharp';
import type { GreyImage, RectPx } from '../types.ts';
import { type Quarter, rotateRaster } from './quarter.ts';

export function blankImage(width: number, height: number, value = 255): GreyImage {
  return { width, height, data: new Uint8Array(width * height).fill(value) };
}

/** 1 where the pixel is strictly darker than `threshold`. */
export function darkMask(img: GreyImage, threshold: number): Uint8Array {
  const out = new Uint8Array(img.data.length);
  const d = img.data;
  for (let i = 0; i < d.length; i++) out[i] = d[i]! < threshold ? 1 : 0;
  return out;
}

/** Copy of a rectangle; parts outside the image are white. */
export function cropGrey(img: GreyImage, r: RectPx): GreyImage {
  const out = blankImage(Math.max(0, r.w), Math.max(0, r.h));
  for (let y = 0; y < r.h; y++) {
    const sy = r.y + y;
    if (sy < 0 || sy >= img.height) continue;
    const x0 = Math.max(0, -r.x);
    const x1 = Math.min(r.w, img.width - r.x);
    if (x1 <= x0) continue;
    out.data.set(img.data.subarray(sy * img.width + r.x + x0, sy * img.width + r.x + x1), y * r.w + x0);
  }
  return out;
}

/** Mean of each f x f block (the last partial blocks are averaged over what exists). */
export function downsample(img: GreyImage, f: number): GreyImage {
  const w = Math.ceil(img.width / f);
  const h = Math.ceil(img.height / f);
  const sum = new Uint32Array(w * h);
  const cnt = new Uint32Array(w * h);
  for (let y = 0; y < img.height; y++) {
    const row = ((y / f) | 0) * w;
    for (let x = 0; x < img.width; x++) {
      const k = row + ((x / f) | 0);
      sum[k]! += img.data[y * img.width + x]!;
      cnt[k]!++;
    }
  }
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(sum[i]! / cnt[i]!);
  return { width: w, height: h, data };
}

export function rotateQuarter(img: GreyImage, rotation: Quarter): GreyImage {
  return rotateRaster(img.data, img.width, img.height, rotation);
}

/**
 * Rotation by a small angle about the centre, same size, bilinear, white where nothing maps.
 * Positive degrees turn the content clockwise (y down). Fixed-point (16.16) arithmetic: this
 * runs on every skewed page.
 */
export function rotateSmall(img: GreyImage, deg: number): GreyImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(w * h).fill(255);
  const a = (deg * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const ONE = 65536;
  const dxs = Math.round(c * ONE);
  const dys = Math.round(-s * ONE);
  const maxX = (w - 1) * ONE;
  const maxY = (h - 1) * ONE;
  for (let y = 0; y < h; y++) {
    const dy = y - cy;
    // Inverse map: output (x, y) samples the source at the point rotated back by -a.
    const sx0 = (c * -cx + s * dy + cx) * ONE;
    const sy0 = (-s * -cx + c * dy + cy) * ONE;
    // The run of x whose source lies inside the image (both coordinates are linear in x).
    let xa = 0;
    let xb = w - 1;
    const clip = (p0: number, dp: number, max: number): void => {
      if (dp === 0) {
        if (p0 < 0 || p0 >= max) xb = -1;
        return;
      }
      const lo = (0 - p0) / dp;
      const hi = (max - 1 - p0) / dp;
      xa = Math.max(xa, Math.ceil(Math.min(lo, hi)));
      xb = Math.min(xb, Math.floor(Math.max(lo, hi)));
    };
    clip(sx0, dxs, maxX);
    clip(sy0, dys, maxY);
    let sx = Math.round(sx0 + xa * dxs);
    let sy = Math.round(sy0 + xa * dys);
    const row = y * w;
    for (let x = xa; x <= xb; x++, sx += dxs, sy += dys) {
      const x0 = sx >> 16;
      const y0 = sy >> 16;
      const fx = sx & 0xffff;
      const fy = sy & 0xffff;
      const i = y0 * w + x0;
      const p00 = data[i]!;
      const p01 = data[i + 1]!;
      const p10 = data[i + w]!;
      const p11 = data[i + w + 1]!;
      const top = p00 * ONE + (p01 - p00) * fx;
      const bot = p10 * ONE + (p11 - p10) * fx;
      out[row + x] = (top + (((bot - top) / ONE) * fy) + 32768) / ONE;
    }
  }
  return { width: w, height: h, data: out };
}

/** Lossless grey PNG: the stored page image every region refers to. */
export async function encodePng(img: GreyImage): Promise<Uint8Array> {
  const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } })
    .png({ compressionLevel: 3, adaptiveFiltering: false, palette: false })
    .toBuffer();
  // A copy in ordinary memory: it can be transferred to another thread and outlives sharp's buffer.
  return new Uint8Array(buf);
}

export async function decodePngGrey(png: Uint8Array): Promise<GreyImage> {
  const { data, info } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`expected a grey PNG, got ${info.channels} channels`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export async function resizeGrey(img: GreyImage, width: number, height: number): Promise<GreyImage> {
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Count of pixels strictly below `threshold` inside a rectangle (clipped to the image). */
export function countDark(img: GreyImage, r: RectPx, threshold: number): { dark: number; total: number } {
  let dark = 0;
  let total = 0;
  const x0 = Math.max(0, r.x);
  const x1 = Math.min(img.width, r.x + r.w);
  const y0 = Math.max(0, r.y);
  const y1 = Math.min(img.height, r.y + r.h);
  for (let y = y0; y < y1; y++) {
    const row = y * img.width;
    for (let x = x0; x < x1; x++) if (img.data[row + x]! < threshold) dark++;
    total += Math.max(0, x1 - x0);
  }
  return { dark, total };
}
