/**
 * Page flags raised while decoding (e.g. `image_omitted`: pdf.js left an image out of the
 * rendering) added to the page's reading, so the page goes to a person with the reason. Kept
 * apart from readPage: reading judges the pixels it was given, this says what they may lack.
 */
import type { DecodedPageWithFlags } from '../decode/decodePages.ts';
import type { PageReading } from '../types.ts';

export function withDecoderFlags(reading: PageReading, decoded: DecodedPageWithFlags): PageReading {
  const extra = (decoded.flags ?? []).filter((f) => !reading.flags.some((g) => g.code === f.code && g.message === f.message));
  return extra.length ? { ...reading, flags: [...extra, ...reading.flags] } : reading;
}
