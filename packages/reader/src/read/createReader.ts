/** The reader the other packages use: a pool of page-reading threads, or the calling thread. */
import os from 'node:os';
import type { Reader, ReaderOptions } from '../types.ts';
import { createBarcodeService } from '../barcode/zxing.ts';
import { WORKING_DPI } from '../decode/constants.ts';
import { createTextService } from '../ocr/textService.ts';
import { createPool } from './pool.ts';
import { prepareTemplate } from './prepare.ts';
import { createInProcessReader } from './reader.ts';

export async function createReader(opts: ReaderOptions): Promise<Reader> {
  const threads = opts.threads ?? os.availableParallelism();
  const ocrModel = opts.ocrModel ?? 'best';
  const barcodeMode = opts.barcodes ?? 'fields';
  const dpi = opts.dpi ?? WORKING_DPI;
  if (threads <= 0) {
    const text = await createTextService(ocrModel);
    const reader = await createInProcessReader(opts, { text, barcodes: createBarcodeService(), barcodeMode });
    return {
      read: (bytes) => reader.read(bytes),
      async close() {
        await reader.close();
        await text.close();
      },
    };
  }
  // Templates are prepared once here and handed to every thread as plain data.
  const prepared = await Promise.all(opts.templates.map((t) => prepareTemplate(t, dpi)));
  return createPool({ pages: prepared.flatMap((p) => p.pages), ocrModel, ocrWorkers: opts.ocrWorkers ?? 1, barcodeMode }, threads, dpi);
}

