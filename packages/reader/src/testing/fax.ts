/**
 * What a fax does to a page, for tests: threshold to black and white at the sender, sample at
 * 204 x 98 dpi (standard) or 204 x 196 dpi (fine), 1728 pixels across, CCITT G4 TIFF.
 */
import sharp from 'sharp';
import type { GreyImage } from '../types.ts';

export async function faxTiff(page: GreyImage, dpi: number, mode: 'fine' | 'standard', opts: { rotate180?: boolean; noise?: number; streakX?: number } = {}): Promise<Uint8Array> {
  const yDpi = mode === 'fine' ? 196 : 98;
  const w = 1728;
  const h = Math.round((page.height / dpi) * yDpi);
  let img = sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } }).resize(Math.round((page.width / dpi) * 204), h, { fit: 'fill', kernel: 'linear' });
  if (opts.rotate180) img = img.rotate(180);
  const { data, info } = await img.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error('expected grey');
  // Pad or crop to the fax width, threshold, then add noise and a streak if asked.
  const out = Buffer.alloc(w * h, 255);
  for (let y = 0; y < h; y++) for (let x = 0; x < Math.min(w, info.width); x++) out[y * w + x] = data[y * info.width + x]! < 128 ? 0 : 255;
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  if (opts.noise) for (let i = 0; i < out.length; i++) if (rnd() < opts.noise) out[i] = out[i] === 0 ? 255 : 0;
  if (opts.streakX !== undefined) for (let y = 0; y < h; y++) for (let k = 0; k < 3; k++) out[y * w + opts.streakX + k] = 0;
  const tiff = await sharp(out, { raw: { width: w, height: h, channels: 1 } })
    .toColourspace('b-w')
    .tiff({ compression: 'ccittfax4', bitdepth: 1, xres: 204 / 25.4, yres: yDpi / 25.4, resolutionUnit: 'inch' })
    .toBuffer();
  return new Uint8Array(tiff);
}
