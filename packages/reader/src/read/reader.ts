/**
 * The reader: templates prepared once, then documents read page by page. Each page is decoded,
 * read and handed over before the next is decoded (bounded memory on long faxes).
 */
import type { PageReading, Reader, ReaderOptions } from '../types.ts';
import { WORKING_DPI } from '../decode/constants.ts';
import { decodePages } from '../decode/decodePages.ts';
import { withDecoderFlags } from './decoderFlags.ts';
import { type PreparedPage, prepareTemplate } from './prepare.ts';
import { type PageServices, readPage } from './readPage.ts';

export async function createInProcessReader(opts: ReaderOptions, services: PageServices): Promise<Reader & { pages: PreparedPage[] }> {
  const dpi = opts.dpi ?? WORKING_DPI;
  const prepared = await Promise.all(opts.templates.map((t) => prepareTemplate(t, dpi)));
  const pages = prepared.flatMap((p) => p.pages);
  return {
    pages,
    async *read(bytes: Uint8Array): AsyncGenerator<PageReading> {
      for await (const p of decodePages(bytes, { dpi })) yield withDecoderFlags(await readPage(p, pages, services), p);
    },
    async close() {},
  };
}
