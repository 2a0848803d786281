/** A field's crop: its region of the normalised page image with a margin, as the reviewer sees it. */
import sharp from 'sharp';

export type Region = { x: number; y: number; w: number; h: number };

export async function cropRegion(pagePng: Buffer, region: Region, page: { width: number; height: number }): Promise<Buffer> {
  const margin = Math.max(8, Math.round(Math.min(region.w, region.h) * 0.3));
  const left = Math.min(page.width - 1, Math.max(0, Math.floor(region.x - margin)));
  const top = Math.min(page.height - 1, Math.max(0, Math.floor(region.y - margin)));
  const width = Math.max(1, Math.min(page.width - left, Math.ceil(region.w + 2 * margin)));
  const height = Math.max(1, Math.min(page.height - top, Math.ceil(region.h + 2 * margin)));
  return sharp(pagePng).extract({ left, top, width, height }).png().toBuffer();
}
