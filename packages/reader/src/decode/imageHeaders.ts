import { readTiffResolution } from './tiffTags.ts';

/**
 * Pixel size and per-axis resolution from PNG and JPEG headers, read without decoding pixels.
 * (sharp reports one density for both axes; a fax saved as PNG can have different X and Y.)
 */

export interface RasterHeader {
  width: number;
  height: number;
  /** One bit per pixel, black and white. */
  bilevel: boolean;
  xDpi: number | null;
  yDpi: number | null;
}

export class RasterHeaderError extends Error {}

export function readPngHeader(b: Uint8Array): RasterHeader {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 8;
  let width = 0;
  let height = 0;
  let bilevel = false;
  let xDpi: number | null = null;
  let yDpi: number | null = null;
  let chunks = 0;
  while (o + 8 <= b.length && chunks++ < 10_000) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(b[o + 4]!, b[o + 5]!, b[o + 6]!, b[o + 7]!);
    if (o + 12 + len > b.length) break;
    if (type === 'IHDR' && len >= 8) {
      width = view.getUint32(o + 8);
      height = view.getUint32(o + 12);
      bilevel = b[o + 16] === 1 && b[o + 17] === 0;
    } else if (type === 'pHYs' && len >= 9) {
      const px = view.getUint32(o + 8);
      const py = view.getUint32(o + 12);
      if (b[o + 16] === 1) {
        xDpi = plausibleDpi(px * 0.0254);
        yDpi = plausibleDpi(py * 0.0254);
      }
    } else if (type === 'IDAT' || type === 'IEND') {
      break;
    }
    o += 12 + len;
  }
  if (!width || !height) throw new RasterHeaderError('PNG has no image header');
  return { width, height, bilevel, xDpi, yDpi };
}

export function readJpegHeader(b: Uint8Array): RasterHeader {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 2;
  let width = 0;
  let height = 0;
  let xDpi: number | null = null;
  let yDpi: number | null = null;
  let segments = 0;
  while (o + 4 <= b.length && segments++ < 10_000) {
    if (b[o] !== 0xff) throw new RasterHeaderError('JPEG marker structure is broken');
    const marker = b[o + 1]!;
    if (marker === 0xff) {
      o += 1;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      o += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break;
    const len = view.getUint16(o + 2);
    if (len < 2 || o + 2 + len > b.length) throw new RasterHeaderError('JPEG segment runs past the end of the file');
    const s = o + 4;
    if (marker === 0xe0 && len >= 14 && b[s] === 0x4a && b[s + 1] === 0x46 && b[s + 2] === 0x49 && b[s + 3] === 0x46 && b[s + 4] === 0) {
      const units = b[s + 7];
      const xd = view.getUint16(s + 8);
      const yd = view.getUint16(s + 10);
      const perInch = units === 1 ? 1 : units === 2 ? 2.54 : 0;
      if (perInch) {
        xDpi = plausibleDpi(xd * perInch);
        yDpi = plausibleDpi(yd * perInch);
      }
    } else if (marker === 0xe1 && xDpi === null && len >= 16 && Buffer.from(b.subarray(s, s + 6)).toString('latin1') === 'Exif\0\0') {
      const r = readTiffResolution(b.subarray(s + 6, o + 2 + len));
      xDpi = r.xDpi;
      yDpi = r.yDpi;
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && len >= 7) {
      height = view.getUint16(s + 1);
      width = view.getUint16(s + 3);
    }
    o += 2 + len;
  }
  if (!width || !height) throw new RasterHeaderError('JPEG has no frame header');
  return { width, height, bilevel: false, xDpi, yDpi };
}

export function plausibleDpi(v: number): number | null {
  // 25.4 dpi (1 pixel per mm) is what libvips writes when it knows no resolution.
  if (Math.abs(v - 25.4) < 0.01) return null;
  return Number.isFinite(v) && v >= 20 && v <= 4800 ? v : null;
}

/**
 * When a file states no resolution, assume one from its pixel width: fax widths (1728, 2048,
 * 2432 px: A4, B4, A3 paper) are 204 dpi across and, when the page is short for its width, 98 dpi down (standard
 * mode); anything else is taken as a letter-width page (8.5 in).
 */
export function assumeDpi(width: number, height: number, xDpi: number | null, yDpi: number | null): { xDpi: number; yDpi: number; assumed: boolean } {
  // A stated resolution that makes the page smaller than a card or bigger than A2 is a tool's
  // default (72 dpi is common), not the scanner's: ignore it.
  const plausiblePage = (dx: number, dy: number): boolean => {
    const w = (width / dx) * 25.4;
    const h = (height / dy) * 25.4;
    return w >= 40 && h >= 40 && w <= 600 && h <= 600;
  };
  if (xDpi && yDpi && plausiblePage(xDpi, yDpi)) return { xDpi, yDpi, assumed: false };
  if (xDpi && yDpi) xDpi = yDpi = null;
  if (xDpi || yDpi) {
    const d = (xDpi ?? yDpi)!;
    if (plausiblePage(d, d)) return { xDpi: d, yDpi: d, assumed: true };
  }
  const faxWidths = [1728, 2048, 2432];
  if (faxWidths.includes(width)) {
    // Every fax width is 8 pixels per mm (wider pages are wider paper, not finer dots).
    const standard = height / width < 0.9;
    return { xDpi: 204, yDpi: standard ? 98 : 196, assumed: true };
  }
  const d = Math.max(72, Math.min(1200, width / 8.5));
  return { xDpi: d, yDpi: d, assumed: true };
}
