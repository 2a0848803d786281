import { StandardFontEmbedder } from 'pdf-lib';
import type { StandardFontName } from './ops.ts';
import { MM_PER_PT } from './ops.ts';

const embedders = new Map<StandardFontName, StandardFontEmbedder>();

/** Width in mm of `text` set in a PDF standard font: synchronous, from the fonts' AFM metrics. */
export function textWidthMm(text: string, font: StandardFontName, sizePt: number): number {
  let e = embedders.get(font);
  if (!e) {
    e = StandardFontEmbedder.for(font as Parameters<typeof StandardFontEmbedder.for>[0]);
    embedders.set(font, e);
  }
  return e.widthOfTextAtSize(text, sizePt) * MM_PER_PT;
}
