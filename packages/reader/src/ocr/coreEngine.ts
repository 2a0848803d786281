/**
 * Tesseract (tesseract.js-core, WebAssembly) driven directly in the calling thread: one image per
 * page holding every field's cleaned writing, then one rectangle per field, each with its own
 * page-segmentation mode and character set. Against a worker per call this spares, for every
 * field, a PNG encode and decode, a message to another thread and the saving and restoring of all
 * of Tesseract's parameters, and it gives each letter's confidence. Offline: the model comes from
 * @tesseract.js-data/eng in node_modules; nothing is fetched or cached on disk.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { relaxedSimd, simd } from 'wasm-feature-detect';
import type { GreyImage, RectPx } from '../types.ts';

const require = createRequire(import.meta.url);

export type OcrModel = 'fast' | 'best' | 'fra';

/**
 * `fast` is tesseract.js-data's 4.0.0 English set, `best` its 4.0.0_best_int set (their LSTM
 * networks read alike: 4.0.0 adds the legacy engine, unused here); `fra` the French best_int set,
 * which also writes àâçèéêëîïôùûüÿñ.
 */
const MODEL: Record<OcrModel, { pkg: string; lang: string; dir: string }> = {
  fast: { pkg: '@tesseract.js-data/eng', lang: 'eng', dir: '4.0.0' },
  best: { pkg: '@tesseract.js-data/eng', lang: 'eng', dir: '4.0.0_best_int' },
  fra: { pkg: '@tesseract.js-data/fra', lang: 'fra', dir: '4.0.0_best_int' },
};

export interface OcrSymbol {
  text: string;
  /** 0..1 */
  confidence: number;
  /** In the pixels of the image given. */
  bbox: RectPx;
}

export interface OcrWordRead {
  text: string;
  /** 0..1 */
  confidence: number;
  bbox: RectPx;
  /** Line number within the rectangle read. */
  line: number;
  symbols: OcrSymbol[];
}

export interface OcrRequest {
  rect: RectPx;
  /** One line of text (PSM 7), or a block of lines (PSM 6). */
  singleLine: boolean;
  /** Characters Tesseract may produce; empty or absent = any. */
  whitelist?: string;
}

export interface FieldOcr {
  readonly name: string;
  /** Reads each rectangle of one image; word and letter boxes in that image's pixels. */
  read(image: GreyImage, requests: OcrRequest[], dpi: number): OcrWordRead[][];
  terminate(): void;
}

interface TessApi {
  Init(datapath: string, lang: string, oem: number): number;
  SetVariable(name: string, value: string): boolean;
  SetImageFile(exif: number, angle: number): void;
  SetSourceResolution(dpi: number): void;
  SetRectangle(left: number, top: number, width: number, height: number): void;
  Recognize(monitor: null): number;
  GetJSONText(): string;
  Clear(): void;
  End(): void;
}

interface TessModule {
  FS: { mkdir(p: string): void; writeFile(p: string, data: Uint8Array): void };
  TessBaseAPI: new () => TessApi;
}

interface JsonBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
interface JsonWord {
  text: string;
  confidence: number;
  bbox: JsonBox;
  symbols?: { text: string; confidence: number; bbox: JsonBox }[];
}
interface JsonPage {
  blocks?: { paragraphs: { lines: { words: JsonWord[] }[] }[] }[] | null;
}

async function loadCore(): Promise<TessModule> {
  // The build tesseract.js itself would choose on this machine.
  const variant = (await relaxedSimd()) ? 'tesseract-core-relaxedsimd-lstm' : (await simd()) ? 'tesseract-core-simd-lstm' : 'tesseract-core-lstm';
  const factory = require(`tesseract.js-core/${variant}`) as (opts: object) => Promise<TessModule>;
  // Tesseract's own chatter (table dumps on empty images) is not ours to print.
  return factory({ print: () => {}, printErr: () => {} });
}

export async function createFieldOcr(model: OcrModel = 'best'): Promise<FieldOcr> {
  const core = await loadCore();
  const m = MODEL[model];
  const langRoot = path.dirname(require.resolve(`${m.pkg}/package.json`));
  const corePkg = require('tesseract.js-core/package.json') as { version: string };
  core.FS.mkdir('/tessdata');
  core.FS.writeFile(`/tessdata/${m.lang}.traineddata`, gunzipSync(readFileSync(path.join(langRoot, m.dir, `${m.lang}.traineddata.gz`))));
  const api = new core.TessBaseAPI();
  // OEM 1: the LSTM recogniser only.
  if (api.Init('/tessdata', m.lang, 1) !== 0) throw new Error(`tesseract could not load ${m.lang} ${m.dir}`);
  // Tesseract re-reads a line as inverted text when it is unsure: forms are dark on light, so
  // that doubles the time for nothing.
  api.SetVariable('tessedit_do_invert', '0');
  let psm = '';
  let allowed = '';
  return {
    name: `tesseract.js-core ${corePkg.version} / ${m.lang} ${m.dir}`,
    read(image, requests, dpi) {
      if (requests.length === 0) return [];
      // PGM: leptonica reads it without decompressing anything.
      const header = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
      const pgm = new Uint8Array(header.length + image.data.length);
      pgm.set(header, 0);
      pgm.set(image.data, header.length);
      core.FS.writeFile('/input', pgm);
      api.SetImageFile(1, 0);
      api.SetSourceResolution(dpi);
      const out: OcrWordRead[][] = [];
      for (const r of requests) {
        const mode = r.singleLine ? '7' : '6';
        if (mode !== psm) api.SetVariable('tessedit_pageseg_mode', (psm = mode));
        const wl = r.whitelist ?? '';
        if (wl !== allowed) api.SetVariable('tessedit_char_whitelist', (allowed = wl));
        api.SetRectangle(r.rect.x, r.rect.y, r.rect.w, r.rect.h);
        api.Recognize(null);
        out.push(wordsOf(JSON.parse(api.GetJSONText()) as JsonPage));
      }
      api.Clear();
      return out;
    },
    terminate() {
      api.End();
    },
  };
}

const rect = (b: JsonBox): RectPx => ({ x: b.x0, y: b.y0, w: b.x1 - b.x0, h: b.y1 - b.y0 });
const unit = (c: number): number => Math.max(0, Math.min(1, c / 100));

function wordsOf(page: JsonPage): OcrWordRead[] {
  const words: OcrWordRead[] = [];
  let line = 0;
  for (const b of page.blocks ?? []) {
    for (const p of b.paragraphs) {
      for (const l of p.lines) {
        for (const w of l.words) {
          const text = w.text.trim();
          if (!text) continue;
          words.push({ text, confidence: unit(w.confidence), bbox: rect(w.bbox), line, symbols: (w.symbols ?? []).map((s) => ({ text: s.text, confidence: unit(s.confidence), bbox: rect(s.bbox) })) });
        }
        line++;
      }
    }
  }
  return words;
}
