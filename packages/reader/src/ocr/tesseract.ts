/**
 * Tesseract (tesseract.js, WebAssembly), offline: the English model comes from the
 * @tesseract.js-data/eng package in node_modules, nothing is fetched or cached on disk. Workers
 * are created once and reused for every field of every page.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import Tesseract from 'tesseract.js';
import type { GreyImage, RectPx } from '../types.ts';

const require = createRequire(import.meta.url);

export type OcrModel = 'fast' | 'best';

/** `fast` is tesseract.js-data's 4.0.0 set, `best` its 4.0.0_best_int set. */
const MODEL_DIR: Record<OcrModel, string> = { fast: '4.0.0', best: '4.0.0_best_int' };

export interface OcrWord {
  text: string;
  /** 0..1 */
  confidence: number;
  /** In the pixels of the image given. */
  bbox: RectPx;
  line: number;
}

export interface OcrEngine {
  readonly name: string;
  recognise(img: GreyImage, opts: { singleLine: boolean; whitelist?: string; dpi: number; sparse?: boolean }): Promise<OcrWord[]>;
  terminate(): Promise<void>;
}

export async function createOcrEngine(model: OcrModel = 'best'): Promise<OcrEngine> {
  const langRoot = path.dirname(require.resolve('@tesseract.js-data/eng/package.json'));
  const corePkg = require('tesseract.js/package.json') as { version: string };
  const worker = await Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
    langPath: path.join(langRoot, MODEL_DIR[model]),
    cacheMethod: 'none',
    gzip: true,
  });
  // Tesseract re-reads a line as inverted text when it is unsure: forms are dark on light,
  // so that doubles the time for nothing.
  await worker.setParameters({ tessedit_do_invert: '0' } as never);
  return {
    name: `tesseract.js ${corePkg.version} / eng ${MODEL_DIR[model]}`,
    async recognise(img, opts) {
      const png = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
      const params: Record<string, string> = {
        tessedit_pageseg_mode: opts.sparse ? '11' : opts.singleLine ? '7' : '6',
        tessedit_char_whitelist: opts.whitelist ?? '',
        // The crops are at the reader's working resolution; saying so spares Tesseract a guess.
        user_defined_dpi: String(opts.dpi),
      };
      // TSV, not the block tree: one line per word, a fraction of the data to pass between threads.
      const res = await worker.recognize(png, params as never, { tsv: true, text: false } as never);
      const words: OcrWord[] = [];
      for (const row of (res.data as { tsv?: string | null }).tsv?.split('\n') ?? []) {
        const c = row.split('\t');
        if (c[0] !== '5' || c.length < 12) continue;
        const text = c.slice(11).join('\t').trim();
        if (!text) continue;
        const [left, top, width, height, conf] = [Number(c[6]), Number(c[7]), Number(c[8]), Number(c[9]), Number(c[10])];
        // Block, paragraph and line numbers together name the line.
        const line = Number(c[2]) * 1e6 + Number(c[3]) * 1e3 + Number(c[4]);
        words.push({ text, confidence: Math.max(0, Math.min(1, conf / 100)), bbox: { x: left, y: top, w: width, h: height }, line });
      }
      return words;
    },
    async terminate() {
      await worker.terminate();
    },
  };
}
