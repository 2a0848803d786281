/** The reader the other packages use. */
import type { Reader, ReaderOptions } from '../types.ts';
import { createInProcessReader } from './reader.ts';

export async function createReader(opts: ReaderOptions): Promise<Reader> {
  return createInProcessReader(opts, { text: null, barcodes: null, barcodeMode: 'off' });
}
