import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { BASIC_OBJECTS, handmadePdf } from '../testing/handmadePdf.ts';
import { ITU_G4, ONTARIO, readBytes } from '../testing/realdata.ts';
import { inspectDocument } from './inspect.ts';
import { sniffFormat } from './sniff.ts';

async function cleanPdf(): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  doc.addPage([612, 792]).drawText('Requisition', { x: 72, y: 700 });
  return doc;
}

async function saved(doc: PDFDocument): Promise<Uint8Array> {
  // pdf-lib writes objects into compressed object streams by default: screening must look inside.
  return doc.save({ useObjectStreams: true });
}

describe('sniffFormat', () => {
  it('knows each format by its magic bytes only', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).png().toBuffer();
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    expect(sniffFormat(new Uint8Array(png))).toBe('png');
    expect(sniffFormat(new Uint8Array(jpeg))).toBe('jpeg');
    expect(sniffFormat(readBytes(ONTARIO.faxFine))).toBe('tiff');
    expect(sniffFormat(readBytes(ONTARIO.pdf))).toBe('pdf');
    expect(sniffFormat(new Uint8Array(Buffer.from('junk before %PDF-1.4 header')))).toBe('pdf');
    expect(sniffFormat(new Uint8Array(Buffer.from('GIF89a....')))).toBeNull();
    expect(sniffFormat(new Uint8Array(0))).toBeNull();
  });
});

describe('inspectDocument: real fax files', () => {
  it('reports per-axis resolution and true size of a 204 x 98 dpi standard-mode fax', async () => {
    const v = await inspectDocument(readBytes(ONTARIO.faxStandard));
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.info.format).toBe('tiff');
    expect(v.info.pageCount).toBe(1);
    const p = v.info.pages[0]!;
    expect([p.widthPx, p.heightPx, p.xDpi, p.yDpi]).toEqual([1728, 1078, 204, 98]);
    expect(p.widthMm).toBeCloseTo(215.2, 0);
    expect(p.heightMm).toBeCloseTo(279.4, 0);
    expect(p.compression).toBe('CCITT G3');
  });

  it('counts the pages of the multi-page ITU G4 TIFF', async () => {
    const v = await inspectDocument(readBytes(ITU_G4));
    expect(v.ok && v.info.pageCount).toBe(8);
    expect(v.ok && v.info.pages.every((p) => p.compression === 'CCITT G4')).toBe(true);
  });

  it('refuses by size, page count and pixel limits', async () => {
    const bytes = readBytes(ITU_G4);
    const small = await inspectDocument(bytes, { maxBytes: 1000 });
    expect(small.ok).toBe(false);
    expect(!small.ok && small.reason).toMatch(/over the limit of 1000/);
    const pages = await inspectDocument(bytes, { maxPages: 3 });
    expect(!pages.ok && pages.reason).toMatch(/more than 3 pages/);
    const pixels = await inspectDocument(bytes, { maxPixelsPerPage: 1_000_000 });
    expect(!pixels.ok && pixels.reason).toMatch(/1728 x 2376 pixels, over the limit/);
  });

  it('flags the real Ontario blank: it is a fillable form carrying JavaScript', async () => {
    const v = await inspectDocument(readBytes(ONTARIO.pdf));
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(/JavaScript/);
    // Screening still describes the document for the quarantine record.
    expect(!v.ok && v.info?.pages[0]?.widthMm).toBeCloseTo(215.9, 1);
  });
});

describe('inspectDocument: hostile PDFs', () => {
  it('accepts a plain PDF', async () => {
    const v = await inspectDocument(await saved(await cleanPdf()));
    expect(v).toMatchObject({ ok: true, info: { format: 'pdf', pageCount: 1, pages: [{ widthPx: 1700, heightPx: 2200 }] } });
  });

  it('refuses JavaScript run on opening (OpenAction)', async () => {
    const doc = await cleanPdf();
    const js = doc.context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of('app.alert(1)') });
    doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(js));
    const v = await inspectDocument(await saved(doc));
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(/^PDF contains JavaScript \(OpenAction/);
  });

  it('refuses document-level JavaScript in the Names tree', async () => {
    const doc = await cleanPdf();
    const js = doc.context.register(doc.context.obj({ S: 'JavaScript', JS: PDFString.of('this.print()') }));
    const tree = doc.context.obj({ Names: [PDFString.of('x'), js] });
    doc.catalog.set(PDFName.of('Names'), doc.context.obj({ JavaScript: doc.context.register(tree) }));
    const v = await inspectDocument(await saved(doc));
    expect(!v.ok && v.reasons.join(' ')).toMatch(/JavaScript/);
  });

  it('refuses a launch action hidden in a compressed object stream', async () => {
    const doc = await cleanPdf();
    const launch = doc.context.obj({ Type: 'Action', S: 'Launch', F: PDFString.of('cmd.exe') });
    doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(launch));
    const bytes = await saved(doc);
    // The name is not visible in the raw bytes: only decompressing the object stream finds it.
    expect(Buffer.from(bytes).includes('/Launch')).toBe(false);
    const v = await inspectDocument(bytes);
    expect(!v.ok && v.reason).toMatch(/launch action/);
  });

  it('refuses embedded files', async () => {
    const doc = await cleanPdf();
    await doc.attach(new Uint8Array(Buffer.from('MZ not really')), 'invoice.exe', { mimeType: 'application/octet-stream' });
    const v = await inspectDocument(await saved(doc));
    expect(!v.ok && v.reason).toMatch(/embedded files/);
  });

  it('refuses an encrypted PDF', async () => {
    const o = `(${'\x01'.repeat(32)})`;
    const bytes = handmadePdf([...BASIC_OBJECTS, `<< /Filter /Standard /V 1 /R 2 /O ${o} /U ${o} /P -4 >>`], '/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]');
    const v = await inspectDocument(bytes);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reasons).toContain('PDF is encrypted');
  });

  it('sees through escaped names (/J#61vaScript)', async () => {
    const bytes = handmadePdf([
      '<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>',
      BASIC_OBJECTS[1]!,
      BASIC_OBJECTS[2]!,
      '<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>',
    ]);
    const v = await inspectDocument(bytes);
    expect(!v.ok && v.reason).toMatch(/JavaScript/);
  });

  it('never throws on malformed input: it refuses with a reason', async () => {
    const cases: Uint8Array[] = [
      new Uint8Array(Buffer.from('%PDF-1.7\n garbage garbage')),
      new Uint8Array(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>')),
      new Uint8Array([0x49, 0x49, 0x2a, 0x00]), // TIFF header cut short
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), // PNG without IHDR
      new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff]), // JPEG with an impossible segment
      new Uint8Array(Buffer.from('plain text, not a document')),
      new Uint8Array(0),
    ];
    for (const bytes of cases) {
      const v = await inspectDocument(bytes);
      expect(v.ok).toBe(false);
      expect(!v.ok && v.reason.length).toBeGreaterThan(10);
    }
  });

  it('refuses a TIFF whose page directories loop', async () => {
    // II*\0, first IFD at 8 with width and height, next IFD pointing back to 8.
    const b = Buffer.alloc(8 + 2 + 2 * 12 + 4);
    b.write('II', 0, 'latin1');
    b.writeUInt16LE(42, 2);
    b.writeUInt32LE(8, 4);
    b.writeUInt16LE(2, 8);
    [256, 257].forEach((tag, i) => {
      const e = 10 + i * 12;
      b.writeUInt16LE(tag, e);
      b.writeUInt16LE(3, e + 2);
      b.writeUInt32LE(1, e + 4);
      b.writeUInt16LE(100, e + 8);
    });
    b.writeUInt32LE(8, 34);
    const v = await inspectDocument(new Uint8Array(b));
    expect(!v.ok && v.reason).toMatch(/loop/);
  });
});
