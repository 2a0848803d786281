/**
 * Barcodes and QR codes (pre-printed requisition numbers, patient labels) with zxing-wasm. Its
 * WebAssembly comes from node_modules (by default the library fetches it from a CDN at run
 * time, which the reader must never do).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import type { GreyImage, RectPx } from '../types.ts';
import type { BarcodeService } from '../read/readPage.ts';

const require = createRequire(import.meta.url);
let prepared: Promise<unknown> | null = null;

function prepare(): Promise<unknown> {
  prepared ??= (() => {
    const wasm = fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    return prepareZXingModule({
      overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer },
      fireImmediately: true,
    });
  })();
  return prepared;
}

const OPTIONS: ReaderOptions = {
  formats: ['Code128', 'Code39', 'Code93', 'Codabar', 'ITF', 'EAN-13', 'EAN-8', 'UPC-A', 'QRCode', 'DataMatrix', 'PDF417', 'Aztec'],
  tryHarder: true,
  tryRotate: true,
  tryInvert: false,
  maxNumberOfSymbols: 16,
};

export interface FoundBarcode {
  text: string;
  format: string;
  region: RectPx;
}

export async function scanBarcodes(img: GreyImage, area?: RectPx): Promise<FoundBarcode[]> {
  await prepare();
  const r = area ?? { x: 0, y: 0, w: img.width, h: img.height };
  const rgba = new Uint8ClampedArray(r.w * r.h * 4);
  for (let y = 0; y < r.h; y++) {
    const sy = r.y + y;
    for (let x = 0; x < r.w; x++) {
      const sx = r.x + x;
      const v = sy >= 0 && sy < img.height && sx >= 0 && sx < img.width ? img.data[sy * img.width + sx]! : 255;
      const o = (y * r.w + x) * 4;
      rgba[o] = rgba[o + 1] = rgba[o + 2] = v;
      rgba[o + 3] = 255;
    }
  }
  // zxing-wasm reads any object shaped like the DOM's ImageData.
  const imageData = { data: rgba, width: r.w, height: r.h, colorSpace: 'srgb' } as unknown as Parameters<typeof readBarcodes>[0];
  const results = await readBarcodes(imageData, OPTIONS);
  return results
    .filter((b) => b.isValid && b.text)
    .map((b) => {
      const p = b.position;
      const xs = [p.topLeft.x, p.topRight.x, p.bottomLeft.x, p.bottomRight.x];
      const ys = [p.topLeft.y, p.topRight.y, p.bottomLeft.y, p.bottomRight.y];
      const x0 = Math.floor(Math.min(...xs));
      const y0 = Math.floor(Math.min(...ys));
      return { text: b.text, format: b.format, region: { x: x0 + r.x, y: y0 + r.y, w: Math.ceil(Math.max(...xs)) - x0, h: Math.ceil(Math.max(...ys)) - y0 } };
    });
}

export function createBarcodeService(): BarcodeService {
  return {
    async scan(page, regions) {
      if (!regions) return scanBarcodes(page);
      const out: FoundBarcode[] = [];
      const margin = 40;
      for (const r of regions) out.push(...(await scanBarcodes(page, { x: r.x - margin, y: r.y - margin, w: r.w + 2 * margin, h: r.h + 2 * margin })));
      return out;
    },
  };
}
