import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { BASIC_OBJECTS, handmadePdf } from '../testing/handmadePdf.ts';
import { ONTARIO, readBytes } from '../testing/realdata.ts';
import { inspectDocument } from './inspect.ts';
import { scanPdf, scanPdfBytes } from './pdfScan.ts';

const CATALOG_WITH_ACTION = '<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>';
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** An object stream holding `objects` (numbered from `firstNum`), with the given dictionary extras. */
function objectStream(objects: string[], firstNum: number, dictExtra: string, opts: { keyword?: string; filter?: 'flate' | 'none' } = {}): string {
  let header = '';
  let body = '';
  objects.forEach((o, i) => {
    header += `${firstNum + i} ${body.length} `;
    body += `${o}\n`;
  });
  const content = Buffer.from(header + body, 'latin1');
  const data = opts.filter === 'none' ? content : deflateSync(content);
  const filter = opts.filter === 'none' ? '' : '/Filter /FlateDecode ';
  return `<< ${dictExtra} /N ${objects.length} /First ${header.length} ${filter}/Length ${data.length} >>\n${opts.keyword ?? 'stream\n'}${latin1(data)}\nendstream`;
}

describe('scanPdfBytes: names pdf.js could read are found', () => {
  it('finds a /JavaScript action hidden in a compressed object stream (pdf-lib)', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([612, 792]);
    const js = doc.context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of('app.alert(1)') });
    doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(js));
    const bytes = await doc.save({ useObjectStreams: true });
    expect(Buffer.from(bytes).includes('/JavaScript')).toBe(false);
    expect(scanPdfBytes(bytes).javascript.join(' ')).toMatch(/\/JavaScript in object stream \d+/);
  });

  it('finds JavaScript in an untyped object stream (only /First and /N), opened by "stream\\r"', () => {
    const stm = objectStream(['<< /S /JavaScript /JS (app.alert\\(1\\)) >>'], 4, '', { keyword: 'stream\r' });
    const bytes = handmadePdf([CATALOG_WITH_ACTION, BASIC_OBJECTS[1]!, BASIC_OBJECTS[2]!, '<< /Placeholder true >>', stm]);
    expect(latin1(bytes)).not.toContain('/Type /ObjStm');
    expect(scanPdfBytes(bytes).javascript).toContain('/JavaScript in object stream 5');
  });

  it('finds JavaScript in an object stream whose "stream" keyword is followed directly by data', () => {
    // pdf.js reads "stream" then skips to the next line end: the data starts after it.
    const stm = objectStream(['<< /S /Launch /F (cmd.exe) >>'], 4, '/Type /ObjStm', { keyword: 'stream<junk>\n', filter: 'none' });
    const bytes = handmadePdf([CATALOG_WITH_ACTION, BASIC_OBJECTS[1]!, BASIC_OBJECTS[2]!, '<< >>', stm]);
    expect(scanPdfBytes(bytes).launch).toContain('/Launch action in object stream 5');
  });

  it('reads an object stream object where its header says it starts, even inside what reads as a string', () => {
    // Front to back, "(<< /S /JavaScript >>)" is a string; the header points the object at the "<<" within it.
    const content = '<< /Note (<< /S /JavaScript /JS 1 >>) >>';
    const inner = content.indexOf('<<', 2);
    const header = `4 ${inner} `;
    const data = deflateSync(Buffer.from(header + content, 'latin1'));
    const stm = `<< /Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode /Length ${data.length} >>\nstream\n${latin1(data)}\nendstream`;
    const bytes = handmadePdf([CATALOG_WITH_ACTION, BASIC_OBJECTS[1]!, BASIC_OBJECTS[2]!, '<< >>', stm]);
    expect(scanPdfBytes(bytes).javascript).toContain('/JavaScript in object stream 5');
  });

  it('decodes #xx escapes in names (/J#61vaScript, /#4A#53, /Encr#79pt)', () => {
    const bytes = handmadePdf([CATALOG_WITH_ACTION, BASIC_OBJECTS[1]!, BASIC_OBJECTS[2]!, '<< /S /J#61vaScript /#4A#53 (x) >>'], '/Encr#79pt 9 0 R');
    const a = scanPdfBytes(bytes);
    expect(a.javascript).toEqual(['/JavaScript in object 4', '/JS in object 4']);
    expect(a.encrypted).toBe(true);
  });

  it('is not fooled by "stream" and "endstream" written inside strings (the old byte scan skipped between them)', () => {
    const bytes = handmadePdf([CATALOG_WITH_ACTION, BASIC_OBJECTS[1]!, BASIC_OBJECTS[2]!, '<< /T (stream\n) /S /Launch /F (x.exe) /U (endstream) >>']);
    expect(scanPdfBytes(bytes).launch).toEqual(['/Launch action in object 4']);
  });

  it('does not trust a /Length that is not followed by endstream: it reads on from the first endstream', () => {
    // pdf.js finds the Length wrong and looks for "endstream": the object after it is real.
    const stream = '<< /Length 99999 >>\nstream\nq Q\nendstream';
    const bytes = handmadePdf([CATALOG_WITH_ACTION, BASIC_OBJECTS[1]!, BASIC_OBJECTS[2]!, stream]);
    const text = latin1(bytes).replace('endobj\nxref', 'endobj\n9 0 obj << /S /JavaScript /JS (x) >> endobj\nxref');
    expect(scanPdfBytes(new Uint8Array(Buffer.from(text, 'latin1'))).javascript).toContain('/JavaScript in object 9');
  });

  it('reads an object whose header sits inside a string: a cross-reference offset can point there', () => {
    const bytes = handmadePdf([CATALOG_WITH_ACTION, BASIC_OBJECTS[1]!, BASIC_OBJECTS[2]!, '<< /Title (4 0 obj << /S /JavaScript /JS 5 >> endobj) >>']);
    expect(scanPdfBytes(bytes).javascript).toContain('/JavaScript in object 4 (inside other data)');
  });

  it('refuses an object stream it cannot decode, saying why', async () => {
    const lzw = `<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length 8 >>\nstream\n\x80\x0b\x60\x50\x22\x0c\x0c\x85\nendstream`;
    const broken = `<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length 8 >>\nstream\nnotzlib!\nendstream`;
    const predictor = objectStream(['<< >>'], 7, '/Type /ObjStm /DecodeParms << /Predictor 12 /Columns 4 >>');
    const bytes = handmadePdf([...BASIC_OBJECTS, lzw, broken, predictor]);
    const other = scanPdfBytes(bytes).other;
    expect(other).toContain('object stream 4 uses LZWDecode, which screening cannot read');
    expect(other).toContain('object stream 5 cannot be decompressed');
    expect(other).toContain('object stream 6 uses decode parameters (a predictor), which screening cannot read');
    const v = await inspectDocument(bytes);
    expect(!v.ok && v.reason).toMatch(/content screening refuses \(object stream 4 uses LZWDecode/);
  });

  it('sees /Encrypt in the trailer of an encrypted PDF', () => {
    const o = `(${'\x01'.repeat(32)})`;
    const bytes = handmadePdf([...BASIC_OBJECTS, `<< /Filter /Standard /V 1 /R 2 /O ${o} /U ${o} /P -4 >>`], '/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]');
    expect(scanPdfBytes(bytes).encrypted).toBe(true);
  });
});

describe('scanPdfBytes: what is not a name is no finding', () => {
  it('passes names written only inside literal and hex strings', async () => {
    const bytes = handmadePdf([
      '<< /Type /Catalog /Pages 2 0 R /Lang (en \\(see /JavaScript and \\) /JS\\) /Launch) /ID < /JavaScript /EmbeddedFile > >>',
      BASIC_OBJECTS[1]!,
      BASIC_OBJECTS[2]!,
    ]);
    expect(scanPdfBytes(bytes)).toEqual({ javascript: [], launch: [], embeddedFiles: [], encrypted: false, other: [] });
    // And the whole screening (pdf.js included) accepts it.
    expect((await inspectDocument(bytes)).ok).toBe(true);
  });

  it('passes a comment naming /JS and /Launch', async () => {
    const bytes = handmadePdf(['<< /Type /Catalog % no /JS here, nor /Launch\n/Pages 2 0 R >>', BASIC_OBJECTS[1]!, BASIC_OBJECTS[2]!]);
    expect(scanPdfBytes(bytes).javascript).toEqual([]);
    expect(scanPdfBytes(bytes).launch).toEqual([]);
    expect((await inspectDocument(bytes)).ok).toBe(true);
  });

  it('passes stream data holding "endstream" and /JS when /Length says it is data', async () => {
    const data = 'q Q\nendstream\n/JS /Launch\n';
    const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>';
    const bytes = handmadePdf([BASIC_OBJECTS[0]!, BASIC_OBJECTS[1]!, page, `<< /Length ${data.length} >>\nstream\n${data}\nendstream`]);
    expect(scanPdfBytes(bytes)).toEqual({ javascript: [], launch: [], embeddedFiles: [], encrypted: false, other: [] });
    expect((await inspectDocument(bytes)).ok).toBe(true);
  });

  it('reads the real Ontario blank whole: its JavaScript is found, and nothing it could not read', () => {
    const r = scanPdf(readBytes(ONTARIO.pdf), { maxImagePixels: 60_000_000 });
    // The form's field scripts are real JavaScript (inspect.test.ts: it is refused for that reason).
    expect(r.active.javascript.length).toBeGreaterThan(0);
    expect(r.active.other).toEqual([]);
    expect(r.active.launch).toEqual([]);
    expect(r.active.embeddedFiles).toEqual([]);
    expect(r.active.encrypted).toBe(false);
    expect(r.oversizedImages).toEqual([]);
  });

  it('never throws on hostile shapes: deep nesting, long digit runs, unterminated strings', () => {
    const cases = [
      '%PDF-1.7\n1 0 obj ' + '<< /A '.repeat(50_000),
      '%PDF-1.7\n' + '1'.repeat(200_000) + ' obj',
      '%PDF-1.7\n1 0 obj << /T (' + '('.repeat(10_000),
      '%PDF-1.7\n1 0 obj << /Length 5 >> stream',
      '%PDF-1.7\n' + '1 0 obj\n'.repeat(20_000),
    ];
    for (const c of cases) expect(() => scanPdfBytes(new Uint8Array(Buffer.from(c, 'latin1')))).not.toThrow();
  });
});
