/**
 * A page-reading thread: holds the prepared templates, one OCR engine and a barcode reader,
 * created once, and reads the pages it is sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBarcodeService } from '../barcode/zxing.ts';
import type { DecodedPage } from '../types.ts';
import { createTextService } from '../ocr/textService.ts';
import type { PreparedPage } from './prepare.ts';
import { readPage } from './readPage.ts';

export interface WorkerSetup {
  pages: PreparedPage[];
  ocrModel: 'fast' | 'best';
  ocrWorkers: number;
  barcodeMode: 'page' | 'fields' | 'off';
}

export type WorkerRequest = { id: number; page: DecodedPage } | { close: true };
export type WorkerResponse = { id: number; ok: true; reading: import('../types.ts').PageReading } | { id: number; ok: false; error: string } | { ready: true };

const setup = workerData as WorkerSetup;
const port = parentPort!;
const text = await createTextService(setup.ocrModel);
const services = { text, barcodes: createBarcodeService(), barcodeMode: setup.barcodeMode };
port.postMessage({ ready: true } satisfies WorkerResponse);

port.on('message', async (msg: WorkerRequest) => {
  if ('close' in msg) {
    await text.close();
    port.close();
    return;
  }
  try {
    const reading = await readPage(msg.page, setup.pages, services);
    port.postMessage({ id: msg.id, ok: true, reading } satisfies WorkerResponse, [reading.image.png.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ id: msg.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies WorkerResponse);
  }
});
