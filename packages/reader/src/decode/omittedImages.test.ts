import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createReader } from '../read/createReader.ts';
import { withDecoderFlags } from '../read/decoderFlags.ts';
import { createInProcessReader } from '../read/reader.ts';
import { handmadePdf } from '../testing/handmadePdf.ts';
import { ONTARIO, readBytes } from '../testing/realdata.ts';
import type { PageReading, Reader } from '../types.ts';
import { type DecodedPageWithFlags, decodePages } from './decodePages.ts';
import { IMAGE_OMITTED, omittedImagePages } from './omittedImages.ts';

/** A 1-bit black image of w x h, Flate-compressed (all ones = black with /Decode [1 0]). */
function imageObject(w: number, h: number): string {
  const data = deflateSync(Buffer.alloc(Math.ceil(w / 8) * h, 0xff));
  return `<< /Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceGray /BitsPerComponent 1 /Decode [1 0] /Filter /FlateDecode /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream`;
}

function content(ops: string): string {
  return `<< /Length ${ops.length} >>\nstream\n${ops}\nendstream`;
}

/** Page 1 draws a 10000 x 7000 image (70 Mpx, over the 60 Mpx limit) over its whole area; page 2 a small one. */
function twoPagePdf(): Uint8Array {
  const page = (contents: number, image: number) =>
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im ${image} 0 R >> >> /Contents ${contents} 0 R >>`;
  return handmadePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>',
    page(5, 6),
    page(7, 8),
    content('q 612 0 0 792 0 0 cm /Im Do Q'),
    imageObject(10_000, 7_000),
    content('q 300 0 0 300 100 100 cm /Im Do Q'),
    imageObject(100, 100),
  ]);
}

function darkShare(p: DecodedPageWithFlags): number {
  let n = 0;
  for (const v of p.image.data) if (v < 128) n++;
  return n / p.image.data.length;
}

describe('image_omitted: a page drawn without an image over the pixel limit is flagged', () => {
  it('flags the page whose image pdf.js left out, and only that page', async () => {
    const pages: DecodedPageWithFlags[] = [];
    for await (const p of decodePages(twoPagePdf())) pages.push(p);
    expect(pages).toHaveLength(2);
    // The image meant to cover page 1 is not drawn: the page is blank. Page 2's image is drawn.
    expect(darkShare(pages[0]!)).toBeLessThan(0.001);
    expect(darkShare(pages[1]!)).toBeGreaterThan(0.1);
    expect(pages[0]!.flags).toEqual([
      { code: IMAGE_OMITTED, message: 'an image on this page is larger than the limit (10000 x 7000 px, over 60000000 px) and was not drawn; look at the original' },
    ]);
    expect(pages[1]!.flags).toBeUndefined();
  });

  it('finds nothing in the real Ontario blank (its images are all drawn)', async () => {
    expect((await omittedImagePages(readBytes(ONTARIO.pdf), 60_000_000)).size).toBe(0);
  });

  it('carries the decoder flag into the page reading, first and once', () => {
    const flag = { code: IMAGE_OMITTED, message: 'an image on this page ... was not drawn' };
    const reading = { flags: [{ code: 'unrecognised', message: 'x' }] } as unknown as PageReading;
    const decoded = { flags: [flag] } as unknown as DecodedPageWithFlags;
    const once = withDecoderFlags(reading, decoded);
    expect(once.flags).toEqual([flag, { code: 'unrecognised', message: 'x' }]);
    expect(withDecoderFlags(once, decoded).flags).toHaveLength(2);
    expect(withDecoderFlags(reading, {} as DecodedPageWithFlags)).toBe(reading);
  });
});

describe('image_omitted reaches the page reading', () => {
  async function flagsByPage(r: Pick<Reader, 'read'>): Promise<string[][]> {
    const out: string[][] = [];
    for await (const p of r.read(twoPagePdf())) out.push(p.flags.map((f) => f.code));
    return out;
  }

  it('in the calling thread', async () => {
    const r = await createInProcessReader({ templates: [] }, { text: null, barcodes: null, barcodeMode: 'off' });
    const flags = await flagsByPage(r);
    expect(flags[0]).toContain(IMAGE_OMITTED);
    expect(flags[1]).not.toContain(IMAGE_OMITTED);
  });

  it('through the thread pool', async () => {
    const r = await createReader({ templates: [], threads: 1, barcodes: 'off' });
    try {
      const flags = await flagsByPage(r);
      expect(flags[0]).toContain(IMAGE_OMITTED);
      expect(flags[1]).not.toContain(IMAGE_OMITTED);
    } finally {
      await r.close();
    }
  });
});
