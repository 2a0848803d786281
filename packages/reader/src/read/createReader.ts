/** The reader the other packages use. */
import type { Reader, ReaderOptions } from '../types.ts';
import { createBarcodeService } from '../barcode/zxing.ts';
import { readTextFields } from '../ocr/readText.ts';
import { type OcrEngine, createOcrEngine } from '../ocr/tesseract.ts';
import type { TextService } from './readPage.ts';
import { createInProcessReader } from './reader.ts';

export async function createReader(opts: ReaderOptions): Promise<Reader> {
  const text = await createTextService(opts.ocrModel ?? 'best', opts.ocrWorkers ?? 1);
  const reader = await createInProcessReader(opts, { text, barcodes: createBarcodeService(), barcodeMode: opts.barcodes ?? 'fields' });
  return {
    read: (bytes) => reader.read(bytes),
    async close() {
      await reader.close();
      await text.close();
    },
  };
}

/** OCR workers, created once; fields of a page are shared out over them. */
export async function createTextService(model: 'fast' | 'best', workers: number): Promise<TextService> {
  const engines: OcrEngine[] = [];
  for (let i = 0; i < Math.max(1, workers); i++) engines.push(await createOcrEngine(model));
  return {
    async readFields(page, blank, fields, dpi) {
      if (engines.length === 1) return readTextFields(engines[0]!, page, blank, fields, dpi);
      const parts = engines.map((e, i) => readTextFields(e, page, blank, fields.filter((_, k) => k % engines.length === i), dpi));
      const results = (await Promise.all(parts)).flat();
      const order = new Map(fields.map((f, i) => [f.field.key, i]));
      return results.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
    },
    async close() {
      await Promise.all(engines.map((e) => e.terminate()));
    },
  };
}
