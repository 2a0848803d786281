/** Barcode images for tests, drawn by zxing-wasm's writer from its local WebAssembly. */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer';
import type { GreyImage } from '../types.ts';

const require = createRequire(import.meta.url);
let ready: Promise<unknown> | null = null;

export async function barcodeImage(text: string, format: 'Code128' | 'QRCode', scale: number): Promise<GreyImage> {
  ready ??= (() => {
    const wasm = fs.readFileSync(require.resolve('zxing-wasm/writer/zxing_writer.wasm'));
    return prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer }, fireImmediately: true });
  })();
  await ready;
  const res = await writeBarcode(text, { format, scale });
  if (!res.image) throw new Error(res.error || 'barcode not written');
  const { data, info } = await sharp(Buffer.from(await res.image.arrayBuffer())).flatten({ background: '#fff' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Pastes an image onto a page; as a `sticker` it covers what is printed under it (a white label). */
export function paste(page: GreyImage, img: GreyImage, left: number, top: number, sticker = false): GreyImage {
  const out = { width: page.width, height: page.height, data: page.data.slice() };
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
    const px = left + x;
    const py = top + y;
    if (px < 0 || py < 0 || px >= page.width || py >= page.height) continue;
    const v = img.data[y * img.width + x]!;
    out.data[py * page.width + px] = sticker ? v : Math.min(out.data[py * page.width + px]!, v);
  }
  return out;
}
