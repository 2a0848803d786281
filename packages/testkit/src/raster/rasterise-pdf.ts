/**
 * Rasterises one page of a PDF to 8-bit grey with pdf.js, at a given resolution, with the
 * document's own canvas factory (TRIED.md: a separately created canvas breaks pdf.js).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { GreyImage } from '@nexession/reader';

const require = createRequire(import.meta.url);
const pdfjsRoot = path.dirname(require.resolve('pdfjs-dist/package.json'));

interface Ctx2d {
  fillStyle: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}

export interface RasterPage extends GreyImage {
  dpi: number;
  widthMm: number;
  heightMm: number;
}

export async function rasterisePdf(pdf: Uint8Array, dpi: number, pageNumber = 1): Promise<RasterPage> {
  const task = getDocument({
    data: pdf.slice(),
    standardFontDataUrl: path.join(pdfjsRoot, 'standard_fonts') + path.sep,
    cMapUrl: path.join(pdfjsRoot, 'cmaps') + path.sep,
    cMapPacked: true,
    useSystemFonts: false,
    verbosity: 0,
  });
  try {
    const doc = await task.promise;
    const page = await doc.getPage(pageNumber);
    const viewport = page.getViewport({ scale: dpi / 72 });
    const width = Math.round(viewport.width);
    const height = Math.round(viewport.height);
    const factory = doc.canvasFactory as { create(w: number, h: number): { canvas: unknown; context: unknown } };
    const { canvas, context } = factory.create(width, height);
    const ctx = context as Ctx2d;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    await page.render({ canvasContext: ctx as never, canvas: canvas as never, viewport }).promise;
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const data = new Uint8Array(width * height);
    for (let i = 0, j = 0; i < data.length; i++, j += 4) {
      // Rec. 601 luma: coloured print turns into the grey a scanner would see.
      data[i] = (rgba[j]! * 299 + rgba[j + 1]! * 587 + rgba[j + 2]! * 114 + 500) / 1000;
    }
    const [x0, y0, x1, y1] = page.view as [number, number, number, number];
    return { width, height, data, dpi, widthMm: ((x1 - x0) * 25.4) / 72, heightMm: ((y1 - y0) * 25.4) / 72 };
  } finally {
    await task.destroy();
  }
}
