/**
 * Decoding, page by page: each page is decoded, normalised to square-pixel 8-bit grey at the
 * working resolution and handed over before the next is touched, so a 50-page fax never holds
 * more than one page in memory (plus the file itself).
 */
import sharp from 'sharp';
import type { DecodeOptions, DecodedPage, DocumentFormat, Flag, GreyImage, SourcePageInfo } from '../types.ts';
import { DEFAULT_LIMITS, MM_PER_INCH, WORKING_DPI } from './constants.ts';
import { assumeDpi, readJpegHeader, readPngHeader } from './imageHeaders.ts';
import { omittedImagePages } from './omittedImages.ts';
import { openPdf, pageSizePt } from './pdfjs.ts';
import { sniffFormat } from './sniff.ts';
import { compressionName, readTiffPages } from './tiffTags.ts';

export class DecodeError extends Error {}

/**
 * A decoded page with what decoding itself could not do right (e.g. an image pdf.js left out),
 * for the page's flags (read/decoderFlags.ts). Kept out of the `DecodedPage` contract for now.
 */
export type DecodedPageWithFlags = DecodedPage & { flags?: Flag[] };

export async function* decodePages(bytes: Uint8Array, opts: DecodeOptions = {}): AsyncGenerator<DecodedPageWithFlags> {
  const dpi = opts.dpi ?? WORKING_DPI;
  const maxPixels = opts.maxPixelsPerPage ?? DEFAULT_LIMITS.maxPixelsPerPage;
  const maxPages = opts.maxPages ?? DEFAULT_LIMITS.maxPages;
  const format = sniffFormat(bytes);
  if (format === null) throw new DecodeError('not a PDF, TIFF, PNG or JPEG');
  if (format === 'pdf') {
    yield* decodePdf(bytes, dpi, maxPixels, maxPages);
    return;
  }
  if (format === 'tiff') {
    const pages = readTiffPages(bytes, maxPages);
    for (let i = 0; i < pages.length; i++) {
      const t = pages[i]!;
      const d = assumeDpi(t.width, t.height, t.xDpi, t.yDpi);
      yield await decodeRaster(bytes, 'tiff', i, t.ifdIndex, t.width, t.height, d.xDpi, d.yDpi, dpi, maxPixels, compressionName(t.compression));
    }
    return;
  }
  const h = format === 'png' ? readPngHeader(bytes) : readJpegHeader(bytes);
  const d = assumeDpi(h.width, h.height, h.xDpi, h.yDpi);
  yield await decodeRaster(bytes, format, 0, 0, h.width, h.height, d.xDpi, d.yDpi, dpi, maxPixels);
}

async function decodeRaster(
  bytes: Uint8Array,
  format: DocumentFormat,
  index: number,
  page: number,
  width: number,
  height: number,
  xDpi: number,
  yDpi: number,
  dpi: number,
  maxPixels: number,
  compression?: string,
): Promise<DecodedPage> {
  if (width * height > maxPixels) throw new DecodeError(`page ${index + 1} is ${width} x ${height} pixels, over the limit of ${maxPixels}`);
  const outW = Math.max(1, Math.round((width * dpi) / xDpi));
  const outH = Math.max(1, Math.round((height * dpi) / yDpi));
  const { data, info } = await sharp(bytes, { page, limitInputPixels: maxPixels, failOn: 'error' })
    .flatten({ background: '#ffffff' })
    .greyscale()
    // Per-axis resampling turns a 204 x 98 dpi fax into square pixels at its true size.
    .resize(outW, outH, { fit: 'fill', kernel: 'linear' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new DecodeError(`decoder returned ${info.channels} channels`);
  const source: SourcePageInfo = {
    format,
    widthPx: width,
    heightPx: height,
    xDpi,
    yDpi,
    widthMm: (width / xDpi) * MM_PER_INCH,
    heightMm: (height / yDpi) * MM_PER_INCH,
    ...(compression ? { compression } : {}),
  };
  const image: GreyImage = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  return { index, source, image, dpi };
}

async function* decodePdf(bytes: Uint8Array, dpi: number, maxPixels: number, maxPages: number): AsyncGenerator<DecodedPageWithFlags> {
  const pdf = await openPdf(bytes);
  const doc = pdf.doc;
  try {
    if (doc.numPages > maxPages) throw new DecodeError(`the document has ${doc.numPages} pages, over the limit of ${maxPages}`);
    // openPdf leaves out images over this size; say on which pages.
    const omitted = await omittedImagePages(bytes, DEFAULT_LIMITS.maxPixelsPerPage);
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const { w, h } = pageSizePt(page);
      const scale = dpi / 72;
      const viewport = page.getViewport({ scale: scale * (page.userUnit || 1) });
      const width = Math.round(viewport.width);
      const height = Math.round(viewport.height);
      if (width * height > maxPixels) throw new DecodeError(`page ${n} renders to ${width} x ${height} pixels, over the limit of ${maxPixels}`);
      const entry = pdf.canvasFactory.create(width, height);
      try {
        entry.context.fillStyle = '#ffffff';
        entry.context.fillRect(0, 0, width, height);
        await page.render({ canvasContext: entry.context as never, canvas: entry.canvas as never, viewport }).promise;
        const rgba = entry.context.getImageData(0, 0, width, height).data;
        const source: SourcePageInfo = {
          format: 'pdf',
          widthPx: width,
          heightPx: height,
          xDpi: dpi,
          yDpi: dpi,
          widthMm: (w / 72) * MM_PER_INCH,
          heightMm: (h / 72) * MM_PER_INCH,
        };
        const flag = omitted.get(n - 1);
        yield { index: n - 1, source, image: rgbaToGrey(rgba, width, height), dpi, ...(flag ? { flags: [flag] } : {}) };
      } finally {
        pdf.canvasFactory.destroy(entry);
        page.cleanup();
      }
    }
  } finally {
    await pdf.close();
  }
}

function rgbaToGrey(rgba: Uint8ClampedArray, width: number, height: number): GreyImage {
  const out = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < out.length; i++, j += 4) {
    // Rec. 601 luma in integers; the page was painted white first, so alpha is opaque.
    out[i] = (rgba[j]! * 299 + rgba[j + 1]! * 587 + rgba[j + 2]! * 114 + 500) / 1000;
  }
  return { width, height, data: out };
}
