/**
 * Which pages pdf.js will draw without an image: any image over its `maxImageSize` (set in
 * pdfjs.ts against decompression bombs) is left out with only a console warning, so the page
 * renders blank or partial and the reviewer would not know. Such pages get a page flag.
 *
 * The byte scan (pdfScan.ts) lists image XObjects over the limit; only when there is one is the
 * document opened again, once with stopAtErrors (where pdf.js's "Image exceeded maximum allowed
 * size" is an error, raised before the image is decoded) and once without, to see on which page
 * the error falls. When no page owns up, every page is flagged: the file holds an image that is
 * not drawn somewhere.
 */
import type { Flag } from '../types.ts';
import { type OversizedImage, scanPdf } from './pdfScan.ts';
import { type OpenPdf, openPdf } from './pdfjs.ts';

export const IMAGE_OMITTED = 'image_omitted';

/** Page flags by 0-based page index; empty when every image is drawn. */
export async function omittedImagePages(bytes: Uint8Array, maxImageSize: number): Promise<Map<number, Flag>> {
  const out = new Map<number, Flag>();
  const oversized = scanPdf(bytes, { maxImagePixels: maxImageSize }).oversizedImages;
  if (oversized.length === 0) return out;
  const sizes = describe(oversized);
  const pages = await pagesDroppingImages(bytes, maxImageSize);
  if (pages.dropped.length > 0) {
    for (const i of pages.dropped) {
      out.set(i, {
        code: IMAGE_OMITTED,
        message: `an image on this page is larger than the limit (${sizes}, over ${maxImageSize} px) and was not drawn; look at the original`,
      });
    }
    return out;
  }
  for (let i = 0; i < pages.count; i++) {
    out.set(i, {
      code: IMAGE_OMITTED,
      message: `the document holds an image larger than the limit (${sizes}, over ${maxImageSize} px) that is not drawn, perhaps on this page; look at the original`,
    });
  }
  return out;
}

function describe(images: OversizedImage[]): string {
  const sizes = [...new Set(images.map((i) => `${i.width} x ${i.height} px`))];
  return sizes.length <= 2 ? sizes.join(' or ') : `${sizes.slice(0, 2).join(', ')} and ${sizes.length - 2} more`;
}

/**
 * pdf.js never rejects getOperatorList: with stopAtErrors the error just ends the page's list
 * (in practice, empty). A page whose list is shorter than with errors ignored hit an error, and
 * the file holds an image pdf.js drops: that is taken as the page dropping it.
 */
async function pagesDroppingImages(bytes: Uint8Array, maxImageSize: number): Promise<{ dropped: number[]; count: number }> {
  const strict = await openPdf(bytes, undefined, { stopAtErrors: true, maxImageSize }).catch(() => null);
  const lax = await openPdf(bytes, undefined, { maxImageSize }).catch(() => null);
  try {
    if (!strict || !lax) return { dropped: [], count: lax?.doc.numPages ?? strict?.doc.numPages ?? 0 };
    const dropped: number[] = [];
    for (let n = 1; n <= lax.doc.numPages; n++) {
      const [a, b] = await Promise.all([opCount(strict, n), opCount(lax, n)]);
      if (a !== null && b !== null && a < b) dropped.push(n - 1);
    }
    return { dropped, count: lax.doc.numPages };
  } finally {
    await strict?.close().catch(() => undefined);
    await lax?.close().catch(() => undefined);
  }
}

async function opCount(pdf: OpenPdf, n: number): Promise<number | null> {
  const page = await pdf.doc.getPage(n).catch(() => null);
  if (!page) return null;
  try {
    return (await page.getOperatorList()).fnArray.length;
  } catch {
    return null;
  } finally {
    page.cleanup();
  }
}
