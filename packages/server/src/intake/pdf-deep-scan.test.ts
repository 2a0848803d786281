import { describe, expect, it } from 'vitest';
import { evasivePdfs, handmadePdf, hostilePdfs, objectStreamPdf } from '../test/files.ts';
import { deepScanPdf, describeDeepScan } from './pdf-deep-scan.ts';

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
});
