/**
 * Writes a transmitted page as the file a lab receives: CCITT G4 or G3 TIFF (1 bit, X and Y
 * resolution tags as sent), PDF (the page image at its physical size), PNG or JPEG (with the
 * resolution recorded per axis).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import type { GreyImage } from '@nexession/reader';
import type { OutputFormat } from './profile.ts';

const run = promisify(execFile);

export interface EncodeInput {
  image: GreyImage;
  xDpi: number;
  yDpi: number;
  bilevel: boolean;
  jpegQuality?: number;
}

export interface Encoded {
  bytes: Uint8Array;
  mime: string;
  compression: string;
}

const raw = (img: GreyImage) => sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 1 } });

export async function encodePage(input: EncodeInput, format: OutputFormat): Promise<Encoded> {
  switch (format) {
    case 'tiff-g4':
      return { bytes: await tiffG4(input), mime: 'image/tiff', compression: 'ccitt-g4' };
    case 'tiff-g3':
      return { bytes: await tiffG3(input), mime: 'image/tiff', compression: 'ccitt-g3' };
    case 'png':
      return { bytes: await png(input), mime: 'image/png', compression: 'deflate' };
    case 'jpeg':
      return { bytes: await jpeg(input), mime: 'image/jpeg', compression: 'jpeg' };
    case 'pdf':
      return { bytes: await pdf(input), mime: 'application/pdf', compression: input.bilevel ? 'flate-1bit' : 'jpeg' };
  }
}

async function tiffG4(input: EncodeInput): Promise<Uint8Array> {
  // libvips writes CCITT only from a one-band image interpreted as black-and-white.
  const buf = await raw(input.image)
    .threshold(128)
    .toColourspace('b-w')
    .tiff({ compression: 'ccittfax4', bitdepth: 1, xres: input.xDpi / 25.4, yres: input.yDpi / 25.4, resolutionUnit: 'inch' })
    .toBuffer();
  return new Uint8Array(buf);
}

/** G3 through libtiff's tiffcp (Debian libtiff-tools); it keeps the resolution tags. */
async function tiffG3(input: EncodeInput): Promise<Uint8Array> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nx-g3-'));
  try {
    const src = path.join(dir, 'in.tif');
    const dst = path.join(dir, 'out.tif');
    await writeFile(src, await tiffG4(input));
    try {
      await run('tiffcp', ['-c', 'g3', src, dst]);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') throw new Error('tiffcp not found: install Debian libtiff-tools to write G3 TIFF');
      throw e;
    }
    return new Uint8Array(await readFile(dst));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function png(input: EncodeInput): Promise<Uint8Array> {
  const s = input.bilevel ? raw(input.image).threshold(128).png({ palette: true, colours: 2 }) : raw(input.image).png();
  return setPngResolution(new Uint8Array(await s.toBuffer()), input.xDpi, input.yDpi);
}

async function jpeg(input: EncodeInput): Promise<Uint8Array> {
  const buf = new Uint8Array(await raw(input.image).jpeg({ quality: input.jpegQuality ?? 85 }).toBuffer());
  return setJfifResolution(buf, input.xDpi, input.yDpi);
}

async function pdf(input: EncodeInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const fixed = new Date('2024-03-01T00:00:00Z');
  doc.setCreationDate(fixed);
  doc.setModificationDate(fixed);
  doc.setProducer('Nexession testkit fax simulator');
  // Scanners put grey pages in PDFs as JPEG; bilevel pages go in losslessly.
  const img = input.bilevel
    ? await doc.embedPng(await raw(input.image).threshold(128).png({ palette: true, colours: 2 }).toBuffer())
    : await doc.embedJpg(await raw(input.image).jpeg({ quality: input.jpegQuality ?? 85 }).toBuffer());
  const w = (input.image.width / input.xDpi) * 72;
  const h = (input.image.height / input.yDpi) * 72;
  const page = doc.addPage([w, h]);
  page.drawImage(img, { x: 0, y: 0, width: w, height: h });
  return doc.save({ useObjectStreams: false });
}

/** Replaces (or inserts) the PNG pHYs chunk: pixels per metre on each axis. */
export function setPngResolution(png: Uint8Array, xDpi: number, yDpi: number): Uint8Array {
  const chunks: Uint8Array[] = [png.subarray(0, 8)];
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let off = 8;
  let inserted = false;
  const phys = physChunk(xDpi, yDpi);
  while (off < png.length) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    const end = off + 12 + len;
    if (type === 'pHYs') {
      off = end;
      continue;
    }
    if (!inserted && type === 'IDAT') {
      chunks.push(phys);
      inserted = true;
    }
    chunks.push(png.subarray(off, end));
    off = end;
  }
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

function physChunk(xDpi: number, yDpi: number): Uint8Array {
  const c = new Uint8Array(21);
  const v = new DataView(c.buffer);
  v.setUint32(0, 9);
  c.set([0x70, 0x48, 0x59, 0x73], 4); // "pHYs"
  v.setUint32(8, Math.round(xDpi / 0.0254));
  v.setUint32(12, Math.round(yDpi / 0.0254));
  c[16] = 1; // unit: metre
  v.setUint32(17, crc32(c.subarray(4, 17)));
  return c;
}

/** Sets the JFIF APP0 density (dots per inch, per axis) when the file has a JFIF header. */
export function setJfifResolution(jpg: Uint8Array, xDpi: number, yDpi: number): Uint8Array {
  const out = jpg.slice();
  if (out[2] === 0xff && out[3] === 0xe0 && String.fromCharCode(...out.subarray(6, 10)) === 'JFIF') {
    out[13] = 1;
    out[14] = (xDpi >> 8) & 0xff;
    out[15] = xDpi & 0xff;
    out[16] = (yDpi >> 8) & 0xff;
    out[17] = yDpi & 0xff;
  }
  return out;
}
