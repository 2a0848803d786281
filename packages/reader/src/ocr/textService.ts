/** The OCR side of a reading thread: one Tesseract, driven in this thread, kept warm. */
import type { TextService } from '../read/readPage.ts';
import { type OcrModel, createFieldOcr } from './coreEngine.ts';
import { readTextFields } from './readText.ts';

export async function createTextService(model: OcrModel): Promise<TextService> {
  const ocr = await createFieldOcr(model);
  // The second opinion: a model trained on other text (French), which also writes the accented
  // letters the English one cannot.
  const second = await createFieldOcr('fra');
  return {
    async readFields(page, blank, fields, dpi) {
      return readTextFields(ocr, page, blank, fields, dpi, { second });
    },
    async close() {
      ocr.terminate();
      second.terminate();
    },
  };
}
