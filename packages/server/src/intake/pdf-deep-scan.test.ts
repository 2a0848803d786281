import { describe, expect, it } from 'vitest';
import { contentBombPdf, evasivePdfs, handmadePdf, hostilePdfs, hugeImagePdf, objectStreamPdf } from '../test/files.ts';
import { deepScanPdf, describeDeepScan, MAX_EXPANDED_STREAM, measurePdfStreams } from './pdf-deep-scan.ts';

const PAGES = ['<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'];

describe('the server’s second look at PDF bytes', () => {
  it('passes plain PDFs, object streams included, and words like "stream" in strings', () => {
    expect(deepScanPdf(handmadePdf(['<< /Type /Catalog /Pages 2 0 R >>', ...PAGES]))).toEqual([]);
    expect(deepScanPdf(objectStreamPdf('<< /Producer (scanner) /Title (stream endstream obj) >>'))).toEqual([]);
    expect(deepScanPdf(handmadePdf(['<< /Type /Catalog /Pages 2 0 R /Lang (stream\n) /PageMode (endstream) >>', ...PAGES]))).toEqual([]);
  });

  it('finds each evasion the reader’s scan missed, and says where', () => {
    const reasons = Object.fromEntries(Object.entries(evasivePdfs).map(([k, make]) => [k, describeDeepScan(deepScanPdf(make()))]));
    expect(reasons).toEqual({
      launchBehindStrings: 'PDF contains a launch action (the file)',
      launchAnnotationBehindStrings: 'PDF contains a launch action (the file)',
      launchInObjectStreamWithSpace: 'PDF contains a launch action (object stream 5)',
      launchInUntypedObjectStream: 'PDF contains a launch action (object stream 5)',
      launchAfterEndstreamInObjectStream: 'PDF contains a launch action (object stream 5)',
      submitFormInObjectStreamBehindStrings: 'PDF contains a SubmitForm action (object stream 5)',
    });
    for (const make of Object.values(hostilePdfs)) expect(deepScanPdf(make()).length).toBeGreaterThan(0);
  });

  it('finds names written with #xx escapes, and refuses object streams it cannot decode', () => {
    expect(describeDeepScan(deepScanPdf(handmadePdf(['<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /L#61unch /F (x) >> >>', ...PAGES])))).toBe('PDF contains a launch action (the file)');
    const lzw = objectStreamPdf('<< /S /Launch >>').toString('latin1').replace('/Filter /FlateDecode', '/Filter /LZWDecode    ');
    expect(describeDeepScan(deepScanPdf(Buffer.from(lzw, 'latin1')))).toBe('PDF contains an object stream screening cannot decode (object stream 5)');
    const predictor = objectStreamPdf('<< /Producer (x) >>').toString('latin1').replace('/Filter /FlateDecode', '/Filter /FlateDecode /DecodeParms << /Predictor 12 >>');
    expect(deepScanPdf(Buffer.from(predictor, 'latin1')).map((f) => f.what)).toEqual(['an object stream screening cannot decode']);
  });

  it('quotes nothing from the file', () => {
    const reason = describeDeepScan(deepScanPdf(hostilePdfs.embeddedFile()))!;
    expect(reason).not.toContain('doe_jane');
  });

  // Found by the security review: a 255 KB PDF whose content stream expands to 256 MB took
  // 750 MB of memory to read; pdf.js decompresses each stream whole, so a few megabytes more
  // would take gigabytes. Streams are measured as they expand, keeping nothing.
  it('finds a stream that expands past the limit, without holding it, and passes ordinary ones', async () => {
    const bomb = await contentBombPdf(MAX_EXPANDED_STREAM / 1024 / 1024 + 8);
    expect(bomb.length).toBeLessThan(400_000);
    expect(await measurePdfStreams(bomb)).toEqual([{ what: 'a compressed stream that expands to more than 200 MB', where: 'object 4' }]);
    expect(await measurePdfStreams(await contentBombPdf(2))).toEqual([]);
    expect(await measurePdfStreams(hugeImagePdf(200, 200))).toEqual([]);
  });
});
