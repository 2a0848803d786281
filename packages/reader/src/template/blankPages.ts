/** A blank form's pages, decoded and normalised like any page the reader reads. */
import { decodePages } from '../decode/decodePages.ts';
import type { DecodedPage } from '../types.ts';

export async function decodeBlank(blank: Uint8Array, dpi: number): Promise<DecodedPage[]> {
  const pages: DecodedPage[] = [];
  // Blank forms are a page or a few: holding them all is fine.
  for await (const p of decodePages(blank, { dpi, maxPages: 20 })) pages.push(p);
  if (pages.length === 0) throw new Error('the blank form has no pages');
  return pages;
}
