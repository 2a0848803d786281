import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ITU_G4, ONTARIO, readBytes } from '../testing/realdata.ts';
import type { DecodedPage, GreyImage } from '../types.ts';
import { decodePages } from './decodePages.ts';

async function all(bytes: Uint8Array): Promise<DecodedPage[]> {
  const out: DecodedPage[] = [];
  for await (const p of decodePages(bytes)) out.push(p);
  return out;
}

/** Share of dark pixels per row: where the form's horizontal structure sits. */
function rowProfile(img: GreyImage): Float64Array {
  const p = new Float64Array(img.height);
  for (let y = 0; y < img.height; y++) {
    let n = 0;
    for (let x = 0; x < img.width; x++) if (img.data[y * img.width + x]! < 128) n++;
    p[y] = n / img.width;
  }
  return p;
}

function bestShift(a: Float64Array, b: Float64Array, range: number): { shift: number; score: number } {
  let best = { shift: 0, score: -Infinity };
  for (let s = -range; s <= range; s++) {
    let sum = 0;
    for (let y = Math.max(0, -s); y < Math.min(a.length, b.length - s); y++) sum += a[y]! * b[y + s]!;
    if (sum > best.score) best = { shift: s, score: sum };
  }
  return best;
}

/** Replace the pHYs chunk (pixels per metre per axis) sharp writes after IHDR. */
function withPhys(png: Uint8Array, xPpm: number, yPpm: number): Uint8Array {
  const ihdrEnd = 8 + 12 + 13;
  const existing = Buffer.from(png.subarray(ihdrEnd, ihdrEnd + 8)).toString('latin1', 4, 8) === 'pHYs' ? 21 : 0;
  const body = Buffer.alloc(13);
  body.write('pHYs', 0, 'latin1');
  body.writeUInt32BE(xPpm, 4);
  body.writeUInt32BE(yPpm, 8);
  body[12] = 1;
  const chunk = Buffer.alloc(12 + 9);
  chunk.writeUInt32BE(9, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), 17);
  return new Uint8Array(Buffer.concat([Buffer.from(png.subarray(0, ihdrEnd)), chunk, Buffer.from(png.subarray(ihdrEnd + existing))]));
}

describe('decodePages', () => {
  it('reads a 204 x 98 dpi standard-mode fax at its true physical size, in square pixels', async () => {
    const [std] = await all(readBytes(ONTARIO.faxStandard));
    const [fine] = await all(readBytes(ONTARIO.faxFine));
    expect(std!.source).toMatchObject({ format: 'tiff', widthPx: 1728, heightPx: 1078, xDpi: 204, yDpi: 98, compression: 'CCITT G3' });
    expect(std!.source.heightMm).toBeCloseTo(279.4, 1); // a letter page
    expect(std!.dpi).toBe(200);
    // Normalised: 200 dpi both ways, so the image is letter-sized in millimetres.
    expect((std!.image.width / 200) * 25.4).toBeCloseTo(215.2, 0);
    expect((std!.image.height / 200) * 25.4).toBeCloseTo(279.4, 0);
    expect(std!.image.data.length).toBe(std!.image.width * std!.image.height);
    // And the content sits where the fine-mode fax of the same form has it: the form's
    // horizontal structure lines up row for row (a page left at 98 dpi would be half as tall).
    expect(fine!.image.height).toBe(std!.image.height);
    const { shift } = bestShift(rowProfile(fine!.image), rowProfile(std!.image), 40);
    expect(Math.abs(shift)).toBeLessThanOrEqual(2);
  });

  it('decodes the 8-page ITU G4 TIFF page by page, in order', async () => {
    const gen = decodePages(readBytes(ITU_G4));
    const first = await gen.next();
    expect(first.done).toBe(false);
    expect(first.value).toMatchObject({ index: 0, source: { compression: 'CCITT G4', xDpi: 200, yDpi: 200 } });
    const rest: number[] = [];
    for await (const p of gen) rest.push(p.index);
    expect(rest).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Pages differ (each is its own chart), so decoding did not repeat page 0.
    const pages = await all(readBytes(ITU_G4));
    const ink = pages.map((p) => p.image.data.reduce((n, v) => n + (v < 128 ? 1 : 0), 0));
    expect(new Set(ink).size).toBe(8);
  });

  it('renders a vector PDF at 200 dpi with its page size in mm', async () => {
    const [p] = await all(readBytes(ONTARIO.pdf));
    expect(p!.image.width).toBe(1700);
    expect(p!.image.height).toBe(2200);
    expect(p!.source.widthMm).toBeCloseTo(215.9, 1);
    // The form is drawn: a real share of dark pixels, not a blank canvas.
    const dark = p!.image.data.reduce((n, v) => n + (v < 128 ? 1 : 0), 0) / p!.image.data.length;
    expect(dark).toBeGreaterThan(0.02);
  });

  it('honours different X and Y resolution in a PNG (pHYs)', async () => {
    const png = await sharp({ create: { width: 1632, height: 784, channels: 3, background: '#fff' } }).png().toBuffer();
    // 204 x 98 dpi in pixels per metre.
    const bytes = withPhys(new Uint8Array(png), Math.round(204 / 0.0254), Math.round(98 / 0.0254));
    const [p] = await all(bytes);
    expect(p!.source.xDpi).toBeCloseTo(204, 0);
    expect(p!.source.yDpi).toBeCloseTo(98, 0);
    expect(p!.image.width).toBe(1600);
    expect(p!.image.height).toBe(1600);
  });

  it('reads a JPEG at its JFIF density', async () => {
    const jpeg = await sharp({ create: { width: 1500, height: 900, channels: 3, background: '#fff' } }).jpeg().withMetadata({ density: 300 }).toBuffer();
    const [p] = await all(new Uint8Array(jpeg));
    expect(p!.source).toMatchObject({ format: 'jpeg', xDpi: 300, yDpi: 300 });
    expect([p!.image.width, p!.image.height]).toEqual([1000, 600]);
  });

  it('refuses a page over the pixel limit instead of decoding it', async () => {
    const gen = decodePages(readBytes(ITU_G4), { maxPixelsPerPage: 1_000_000 });
    await expect(gen.next()).rejects.toThrow(/over the limit/);
  });
});
