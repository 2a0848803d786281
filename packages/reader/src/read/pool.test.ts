/**
 * The reader's thread pool: pages spread over threads come back in document order, with the
 * same readings the calling thread makes, and several documents can be read at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ontarioTemplate } from '../testing/ontario.ts';
import { ITU_G4, ONTARIO, readBytes } from '../testing/realdata.ts';
import type { PageReading, Reader, TemplateInput } from '../types.ts';
import { createReader } from './createReader.ts';

let templates: TemplateInput[];
let pooled: Reader;

beforeAll(async () => {
  templates = [{ definition: await ontarioTemplate(), blank: readBytes(ONTARIO.pdf) }];
  pooled = await createReader({ templates, threads: 2, barcodes: 'off' });
});

afterAll(async () => {
  await pooled.close();
});

async function all(r: Reader, bytes: Uint8Array): Promise<PageReading[]> {
  const out: PageReading[] = [];
  for await (const p of r.read(bytes)) out.push(p);
  return out;
}

/** What must not depend on where a page was read. */
const essence = (p: PageReading): unknown => ({ index: p.index, classification: p.classification, registration: p.registration, gates: p.gates, fields: p.fields, png: Buffer.from(p.image.png).toString('base64') });

describe('reader thread pool', () => {
  it('reads the same as the calling thread, page by page, in order', async () => {
    const inline = await createReader({ templates, threads: 0, barcodes: 'off' });
    try {
      const a = await all(pooled, readBytes(ONTARIO.faxStandard));
      const b = await all(inline, readBytes(ONTARIO.faxStandard));
      expect(a.map(essence)).toEqual(b.map(essence));
      expect(a[0]!.classification.kind).toBe('template');
    } finally {
      await inline.close();
    }
  });

  it('reads several documents at once, each in its own page order', async () => {
    const [itu, fine] = await Promise.all([all(pooled, readBytes(ITU_G4)), all(pooled, readBytes(ONTARIO.faxFine))]);
    expect(itu.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(itu.every((p) => p.classification.kind === 'unrecognised')).toBe(true);
    expect(fine).toHaveLength(1);
    expect(fine[0]!.classification.kind).toBe('template');
  });

  it('reports a document that cannot be decoded, and keeps working', async () => {
    await expect(all(pooled, new Uint8Array(Buffer.from('not a document')))).rejects.toThrow(/not a PDF, TIFF, PNG or JPEG/);
    const again = await all(pooled, readBytes(ONTARIO.faxFine));
    expect(again[0]!.classification.kind).toBe('template');
  });
});
