/** Typed text drawn into template text fields of a rendered form, for tests (Arimo, a metric Arial clone). */
import { createRequire } from 'node:module';
import path from 'node:path';
import { GlobalFonts, ImageData, createCanvas } from '@napi-rs/canvas';
import type { GreyImage, RectMm } from '../types.ts';

const require = createRequire(import.meta.url);
let registered = false;

function registerFont(): void {
  if (registered) return;
  const dir = path.join(path.dirname(require.resolve('@fontsource/arimo/package.json')), 'files');
  GlobalFonts.registerFromPath(path.join(dir, 'arimo-latin-400-normal.woff2'), 'Arimo');
  registered = true;
}

/** Draws each text left-aligned in its region, baseline 75 % down, about 3.2 mm high capitals. */
export function drawTexts(page: GreyImage, items: { region: RectMm; text: string; sizeMm?: number }[], dpi: number): GreyImage {
  registerFont();
  const canvas = createCanvas(page.width, page.height);
  const ctx = canvas.getContext('2d');
  const rgba = new Uint8ClampedArray(page.width * page.height * 4);
  for (let i = 0; i < page.data.length; i++) {
    const v = page.data[i]!;
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = 255;
  }
  ctx.putImageData(new ImageData(rgba, page.width, page.height), 0, 0);
  const k = dpi / 25.4;
  ctx.fillStyle = 'rgb(15,15,15)';
  for (const it of items) {
    const size = (it.sizeMm ?? 3.2) * k;
    ctx.font = `${Math.round(size / 0.72)}px Arimo`;
    ctx.fillText(it.text, (it.region.x + 1.5) * k, (it.region.y + it.region.h * 0.75) * k);
  }
  const out = ctx.getImageData(0, 0, page.width, page.height).data;
  const data = new Uint8Array(page.width * page.height);
  for (let i = 0; i < data.length; i++) data[i] = out[i * 4]!;
  return { width: page.width, height: page.height, data };
}
