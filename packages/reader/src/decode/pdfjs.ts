/**
 * pdf.js, loaded for reading only: no scripting, no XFA, no network, no font loading into a
 * DOM; its helper data (standard fonts, CMaps, wasm decoders) comes from node_modules.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DEFAULT_LIMITS } from './constants.ts';

const require = createRequire(import.meta.url);
const pdfjsRoot = path.dirname(require.resolve('pdfjs-dist/package.json'));
const dir = (name: string): string => path.join(pdfjsRoot, name) + path.sep;

export interface OpenPdf {
  doc: PDFDocumentProxy;
  canvasFactory: CanvasFactory;
  close(): Promise<void>;
}

/** The document's own canvas factory (its @napi-rs/canvas build; another copy fails, see TRIED.md). */
export interface CanvasFactory {
  create(w: number, h: number): { canvas: unknown; context: CanvasContext };
  destroy(entry: { canvas: unknown; context: CanvasContext }): void;
}

export interface CanvasContext {
  fillStyle: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}

export async function openPdf(bytes: Uint8Array, password?: string, opts: { stopAtErrors?: boolean; maxImageSize?: number } = {}): Promise<OpenPdf> {
  // pdf.js takes ownership of (and may detach) the buffer it is given: give it a copy.
  const task = pdfjs.getDocument({
    data: bytes.slice(),
    ...(password !== undefined ? { password } : {}),
    verbosity: 0,
    enableXfa: false,
    disableFontFace: true,
    useSystemFonts: false,
    standardFontDataUrl: dir('standard_fonts'),
    cMapUrl: dir('cmaps'),
    wasmUrl: dir('wasm'),
    iccUrl: dir('iccs'),
    // With stopAtErrors an image over maxImageSize is an error instead of a warning: the only
    // way pdf.js tells which page it left an image out of (omittedImages.ts).
    stopAtErrors: opts.stopAtErrors ?? false,
    // A tiny PDF can draw one huge, highly compressed image (a 730 KB file holding a 16000 x
    // 16000 image took 54 s and 3.8 GB to render): pdf.js leaves out any image over this many
    // pixels instead of decoding it, so such a page renders without it (flagged: omittedImages.ts).
    maxImageSize: opts.maxImageSize ?? DEFAULT_LIMITS.maxPixelsPerPage,
  });
  try {
    const doc = await task.promise;
    return { doc, canvasFactory: doc.canvasFactory as CanvasFactory, close: () => task.destroy() };
  } catch (e) {
    await task.destroy().catch(() => undefined);
    throw e;
  }
}

export function isPasswordError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: string }).name === 'PasswordException';
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
  return String(e);
}

/** Page size in PDF points after /Rotate, from the crop box pdf.js uses for rendering. */
export function pageSizePt(page: { view: number[]; rotate: number; userUnit: number }): { w: number; h: number } {
  const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = page.view;
  const u = page.userUnit || 1;
  let w = Math.abs(x1 - x0) * u;
  let h = Math.abs(y1 - y0) * u;
  if (page.rotate % 180 !== 0) [w, h] = [h, w];
  return { w, h };
}
