/**
 * Test support: look at a drawn PDF the way an outsider would, through pdf.js, to check that
 * the blank really has the printed text and boxes where the template says.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const require = createRequire(import.meta.url);
const pdfjsRoot = path.dirname(require.resolve('pdfjs-dist/package.json'));
const MM_PER_PT = 25.4 / 72;

export interface PlacedText {
  text: string;
  /** Left end of the baseline, mm from the top-left corner. */
  x: number;
  y: number;
  w: number;
}

async function open(pdf: Uint8Array) {
  const task = getDocument({
    data: pdf.slice(),
    standardFontDataUrl: path.join(pdfjsRoot, 'standard_fonts') + path.sep,
    useSystemFonts: false,
    verbosity: 0,
  });
  const doc = await task.promise;
  return Object.assign(doc, { close: () => task.destroy() });
}

export async function textPositions(pdf: Uint8Array): Promise<PlacedText[]> {
  const doc = await open(pdf);
  try {
    const page = await doc.getPage(1);
    const [, , , H] = page.view as [number, number, number, number];
    const content = await page.getTextContent();
    const out: PlacedText[] = [];
    for (const item of content.items) {
      if (!('str' in item) || item.str.trim() === '') continue;
      const [, , , , e, f] = item.transform as number[];
      out.push({ text: item.str, x: e! * MM_PER_PT, y: (H - f!) * MM_PER_PT, w: item.width * MM_PER_PT });
    }
    return out;
  } finally {
    await doc.close();
  }
}

export interface GreyRaster {
  width: number;
  height: number;
  dpi: number;
  data: Uint8Array;
  /** Grey value at a point given in mm. */
  at(xMm: number, yMm: number): number;
}

export async function rasterise(pdf: Uint8Array, dpi: number): Promise<GreyRaster> {
  const doc = await open(pdf);
  try {
    const page = await doc.getPage(1);
    const viewport = page.getViewport({ scale: dpi / 72 });
    const factory = doc.canvasFactory as { create(w: number, h: number): { canvas: unknown; context: unknown } };
    const { canvas, context } = factory.create(Math.round(viewport.width), Math.round(viewport.height));
    const ctx = context as { fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
    ctx.fillStyle = '#fff';
    const width = Math.round(viewport.width);
    const height = Math.round(viewport.height);
    ctx.fillRect(0, 0, width, height);
    await page.render({ canvasContext: ctx as never, canvas: canvas as never, viewport }).promise;
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const data = new Uint8Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4]!;
    const pxPerMm = dpi / 25.4;
    return {
      width,
      height,
      dpi,
      data,
      at: (x, y) => data[Math.min(height - 1, Math.max(0, Math.round(y * pxPerMm))) * width + Math.min(width - 1, Math.max(0, Math.round(x * pxPerMm)))]!,
    };
  } finally {
    await doc.close();
  }
}
