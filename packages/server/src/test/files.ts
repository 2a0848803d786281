/** Small synthetic files for intake tests: PNGs written by hand, hostile PDFs, and real fax paths. */
import { deflateSync, crc32 } from 'node:zlib';

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

export const REALDATA = '/work/shared/realdata';
export const ONTARIO_FINE_G3 = `${REALDATA}/ontario-labreq-2010/labReqForm2010_fax_fine_g3.tif`;
export const ONTARIO_STANDARD_G3 = `${REALDATA}/ontario-labreq-2010/labReqForm2010_fax_standard_g3.tif`;
export const ONTARIO_BLANK_PDF = `${REALDATA}/ontario-labreq-2010/labReqForm2010.pdf`;
export const ONTARIO_MAP = `${REALDATA}/ontario-labreq-2010/labReqPrintEncounterForm2010.txt`;
export const ITU_G4 = `${REALDATA}/itu-fax-test-charts/itu1-8_g4.tif`;
