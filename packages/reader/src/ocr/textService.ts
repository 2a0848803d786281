/** The OCR side of a reading thread. */
import type { TextService } from '../read/readPage.ts';
import { readTextFields } from './readText.ts';
import { type OcrEngine, createOcrEngine } from './tesseract.ts';

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
