/** Barcodes: a requisition-number label stuck in the Ontario form's "Laboratory Use Only" box, and a QR code on a page of no known form. */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBlank } from '../template/blankPages.ts';
import { barcodeImage, paste } from '../testing/barcodes.ts';
import { faxTiff } from '../testing/fax.ts';
import { ontarioTemplate } from '../testing/ontario.ts';
import { ONTARIO, readBytes } from '../testing/realdata.ts';
import type { BarcodeReading, GreyImage, PageReading, Reader, TemplateDefinition } from '../types.ts';
import { createReader } from './createReader.ts';

let reader: Reader;
let blank: GreyImage;
const LABEL = { x: 148, y: 12, w: 58, h: 25 }; // mm, inside "Laboratory Use Only"

beforeAll(async () => {
  const t = await ontarioTemplate();
  const withCode: TemplateDefinition = structuredClone(t);
  withCode.pages[0]!.fields.push({ kind: 'barcode', key: 'requisition_number', label: 'Requisition number label', region: LABEL });
  reader = await createReader({ templates: [{ definition: withCode, blank: readBytes(ONTARIO.pdf) }], threads: 0 });
  blank = (await decodeBlank(readBytes(ONTARIO.pdf), 200))[0]!.image;
});

afterAll(async () => {
  await reader.close();
});

async function readOne(bytes: Uint8Array): Promise<PageReading> {
  let page: PageReading | null = null;
  for await (const p of reader.read(bytes)) page = p;
  return page!;
}

describe('barcodes', () => {
  it('reads a Code 128 label in a template barcode field, through a fine-mode fax', async () => {
    const code = await barcodeImage('REQ-2024-000123', 'Code128', 2);
    const k = 200 / 25.4;
    // A white label stuck over the grey box.
    const page = paste(blank, code, Math.round((LABEL.x + 3) * k), Math.round((LABEL.y + 5) * k), true);
    const p = await readOne(await faxTiff(page, 200, 'fine'));
    expect(p.classification.kind).toBe('template');
    const r = p.fields.find((f) => f.key === 'requisition_number') as BarcodeReading;
    expect(r).toMatchObject({ kind: 'barcode', text: 'REQ-2024-000123', format: 'Code128', flags: [] });
  });

  it('says so when the barcode field holds no readable code', async () => {
    const p = await readOne(await faxTiff(blank, 200, 'fine'));
    const r = p.fields.find((f) => f.key === 'requisition_number') as BarcodeReading;
    expect(r.text).toBeNull();
    expect(r.flags.map((f) => f.code)).toEqual(['barcode_not_read']);
  });

  it('reads a QR code anywhere on a page no template recognises', async () => {
    const qr = await barcodeImage('PATIENT-LABEL-TEST-0001', 'QRCode', 6);
    const empty: GreyImage = { width: 1700, height: 2200, data: new Uint8Array(1700 * 2200).fill(255) };
    const page = paste(empty, qr, 300, 1500);
    const png = await sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } }).png().withMetadata({ density: 200 }).toBuffer();
    const p = await readOne(new Uint8Array(png));
    expect(p.classification.kind).toBe('unrecognised');
    expect(p.barcodes).toHaveLength(1);
    expect(p.barcodes[0]).toMatchObject({ text: 'PATIENT-LABEL-TEST-0001', format: 'QRCode' });
    expect(p.barcodes[0]!.region.x).toBeGreaterThanOrEqual(290);
    expect(p.barcodes[0]!.region.y).toBeGreaterThanOrEqual(1490);
  });
});
