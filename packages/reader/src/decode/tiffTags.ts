/**
 * A bounded reader of TIFF page directories (IFDs): sizes, resolution per axis, compression.
 * Written here rather than borrowed because screening runs on hostile files: every offset is
 * bounds-checked, a directory chain that loops or runs past the page limit stops with a reason,
 * and no image data is touched.
 */

export interface TiffPageTags {
  /** Index of the directory in the file (what libtiff and sharp call the page). */
  ifdIndex: number;
  width: number;
  height: number;
  /** Pixels per inch, or null when the file does not say. */
  xDpi: number | null;
  yDpi: number | null;
  compression: number;
  bitsPerSample: number;
  samplesPerPixel: number;
  photometric: number | null;
}

export class TiffStructureError extends Error {}

const COMPRESSION_NAMES: Record<number, string> = {
  1: 'none',
  2: 'CCITT RLE',
  3: 'CCITT G3',
  4: 'CCITT G4',
  5: 'LZW',
  6: 'old JPEG',
  7: 'JPEG',
  8: 'Deflate',
  32773: 'PackBits',
  32946: 'Deflate',
};

export function compressionName(code: number): string {
  return COMPRESSION_NAMES[code] ?? `code ${code}`;
}

/** Read the page directories. Reduced-resolution images (thumbnails) are not pages. */
export function readTiffPages(bytes: Uint8Array, maxPages: number): TiffPageTags[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new TiffStructureError('TIFF header is truncated');
  const le = bytes[0] === 0x49;
  const u16 = (o: number): number => {
    if (o < 0 || o + 2 > bytes.length) throw new TiffStructureError(`TIFF offset ${o} is outside the file`);
    return view.getUint16(o, le);
  };
  const u32 = (o: number): number => {
    if (o < 0 || o + 4 > bytes.length) throw new TiffStructureError(`TIFF offset ${o} is outside the file`);
    return view.getUint32(o, le);
  };
  if (u16(2) !== 42) throw new TiffStructureError('not a classic TIFF (BigTIFF is not accepted)');

  const pages: TiffPageTags[] = [];
  const seen = new Set<number>();
  let ifd = u32(4);
  // Directories visited, thumbnails included: bounds the work on a file of many tiny IFDs.
  let directories = 0;
  while (ifd !== 0) {
    if (seen.has(ifd)) throw new TiffStructureError('TIFF page directories form a loop');
    seen.add(ifd);
    if (++directories > maxPages * 2 + 4) throw new TiffStructureError(`TIFF has more than ${maxPages} pages`);
    const count = u16(ifd);
    if (ifd + 2 + count * 12 + 4 > bytes.length) throw new TiffStructureError('TIFF page directory runs past the end of the file');
    const tags = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      const tag = u16(e);
      const type = u16(e + 2);
      const n = u32(e + 4);
      if (!WANTED.has(tag)) continue;
      tags.set(tag, readValues(type, n, e + 8, u16, u32));
    }
    const subfile = tags.get(254)?.[0] ?? 0;
    if ((subfile & 1) === 0) pages.push(pageFromTags(tags, directories - 1));
    if (pages.length > maxPages) throw new TiffStructureError(`TIFF has more than ${maxPages} pages`);
    ifd = u32(ifd + 2 + count * 12);
  }
  if (pages.length === 0) throw new TiffStructureError('TIFF has no pages');
  return pages;
}

const WANTED = new Set([254, 256, 257, 258, 259, 262, 277, 282, 283, 296]);

function readValues(type: number, n: number, valueField: number, u16: (o: number) => number, u32: (o: number) => number): number[] {
  // Only the first few values of the tags we read matter (bits per sample may repeat per channel).
  const take = Math.min(n, 4);
  const size = type === 3 ? 2 : type === 4 ? 4 : type === 5 ? 8 : 0;
  if (size === 0) return [];
  const at = n * size <= 4 ? valueField : u32(valueField);
  const out: number[] = [];
  for (let i = 0; i < take; i++) {
    if (type === 3) out.push(u16(at + i * 2));
    else if (type === 4) out.push(u32(at + i * 4));
    else {
      const num = u32(at + i * 8);
      const den = u32(at + i * 8 + 4);
      out.push(den === 0 ? 0 : num / den);
    }
  }
  return out;
}

/** X and Y resolution from the first directory of a TIFF structure (a JPEG's EXIF block). */
export function readTiffResolution(bytes: Uint8Array): { xDpi: number | null; yDpi: number | null } {
  if (bytes.length < 8) return { xDpi: null, yDpi: null };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = bytes[0] === 0x49;
  const u16 = (o: number): number => {
    if (o < 0 || o + 2 > bytes.length) throw new TiffStructureError(`TIFF offset ${o} is outside the file`);
    return view.getUint16(o, le);
  };
  const u32 = (o: number): number => {
    if (o < 0 || o + 4 > bytes.length) throw new TiffStructureError(`TIFF offset ${o} is outside the file`);
    return view.getUint32(o, le);
  };
  try {
    const ifd = u32(4);
    const count = u16(ifd);
    const tags = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      const tag = u16(e);
      if (tag === 282 || tag === 283 || tag === 296) tags.set(tag, readValues(u16(e + 2), u32(e + 4), e + 8, u16, u32));
    }
    tags.set(256, [1]);
    tags.set(257, [1]);
    const p = pageFromTags(tags, 0);
    return { xDpi: p.xDpi, yDpi: p.yDpi };
  } catch {
    return { xDpi: null, yDpi: null };
  }
}

function pageFromTags(tags: Map<number, number[]>, ifdIndex: number): TiffPageTags {
  const width = tags.get(256)?.[0];
  const height = tags.get(257)?.[0];
  if (!width || !height) throw new TiffStructureError('TIFF page has no width or height');
  const unit = tags.get(296)?.[0] ?? 2;
  const perInch = unit === 3 ? 2.54 : unit === 2 ? 1 : 0;
  const res = (tag: number): number | null => {
    const v = tags.get(tag)?.[0];
    if (!v || perInch === 0 || !Number.isFinite(v)) return null;
    const dpi = v * perInch;
    // A resolution outside what any fax or scanner produces is treated as absent.
    return dpi >= 20 && dpi <= 4800 ? dpi : null;
  };
  return {
    ifdIndex,
    width,
    height,
    xDpi: res(282),
    yDpi: res(283),
    compression: tags.get(259)?.[0] ?? 1,
    bitsPerSample: tags.get(258)?.[0] ?? 1,
    samplesPerPixel: tags.get(277)?.[0] ?? 1,
    photometric: tags.get(262)?.[0] ?? null,
  };
}
