/**
 * Screening before any reading: what the file is, how many pages of what size, and whether a
 * PDF carries anything a viewer could act on. Nothing is rendered or decoded into pixels.
 * Never throws: a file that cannot be understood is a refusal with the reason.
 */
import type { DocumentInfo, InspectLimits, InspectVerdict, InspectedPage, PdfActiveContent } from '../types.ts';
import { DEFAULT_LIMITS, MM_PER_INCH, WORKING_DPI } from './constants.ts';
import { RasterHeaderError, assumeDpi, readJpegHeader, readPngHeader } from './imageHeaders.ts';
import { emptyActiveContent, scanPdfBytes } from './pdfScan.ts';
import { errorMessage, isPasswordError, openPdf, pageSizePt } from './pdfjs.ts';
import { sniffFormat } from './sniff.ts';
import { TiffStructureError, compressionName, readTiffPages } from './tiffTags.ts';

/** TIFF compressions the decoder (libtiff through sharp) reads. */
const TIFF_DECODABLE = new Set([1, 2, 3, 4, 5, 7, 8, 32773, 32946]);

export async function inspectDocument(bytes: Uint8Array, limits: Partial<InspectLimits> = {}): Promise<InspectVerdict> {
  const lim: InspectLimits = { ...DEFAULT_LIMITS, ...limits };
  try {
    if (bytes.length === 0) return refuse(['the file is empty']);
    if (bytes.length > lim.maxBytes) return refuse([`the file is ${bytes.length} bytes, over the limit of ${lim.maxBytes}`]);
    const format = sniffFormat(bytes);
    if (format === null) return refuse(['the file is not a PDF, TIFF, PNG or JPEG (by its first bytes)']);
    if (format === 'pdf') return await inspectPdf(bytes, lim);
    const pages = format === 'tiff' ? inspectTiff(bytes, lim) : [rasterPage(format === 'png' ? readPngHeader(bytes) : readJpegHeader(bytes))];
    if (typeof pages === 'string') return refuse([pages]);
    const info: DocumentInfo = { format, bytes: bytes.length, pageCount: pages.length, pages };
    const reasons = pageLimitReasons(info, lim);
    return reasons.length ? refuse(reasons, info) : { ok: true, info };
  } catch (e) {
    if (e instanceof TiffStructureError || e instanceof RasterHeaderError) return refuse([`the image file is malformed: ${e.message}`]);
    return refuse([`the file could not be inspected: ${errorMessage(e)}`]);
  }
}

function refuse(reasons: string[], info?: DocumentInfo): InspectVerdict {
  const reason = reasons.length === 1 ? reasons[0]! : `${reasons[0]} (and ${reasons.length - 1} more: ${reasons.slice(1).join('; ')})`;
  return { ok: false, reason: capitalise(reason), reasons, ...(info ? { info } : {}) };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function pageLimitReasons(info: DocumentInfo, lim: InspectLimits): string[] {
  const reasons: string[] = [];
  if (info.pageCount > lim.maxPages) reasons.push(`the document has ${info.pageCount} pages, over the limit of ${lim.maxPages}`);
  info.pages.forEach((p, i) => {
    const px = p.widthPx * p.heightPx;
    if (px > lim.maxPixelsPerPage) reasons.push(`page ${i + 1} is ${p.widthPx} x ${p.heightPx} pixels, over the limit of ${lim.maxPixelsPerPage} pixels`);
  });
  return reasons;
}

function rasterPage(h: { width: number; height: number; xDpi: number | null; yDpi: number | null }, compression?: string): InspectedPage {
  const d = assumeDpi(h.width, h.height, h.xDpi, h.yDpi);
  return {
    widthPx: h.width,
    heightPx: h.height,
    xDpi: d.xDpi,
    yDpi: d.yDpi,
    widthMm: (h.width / d.xDpi) * MM_PER_INCH,
    heightMm: (h.height / d.yDpi) * MM_PER_INCH,
    dpiSource: d.assumed ? 'assumed' : 'header',
    ...(compression ? { compression } : {}),
  };
}

function inspectTiff(bytes: Uint8Array, lim: InspectLimits): InspectedPage[] | string {
  const tags = readTiffPages(bytes, lim.maxPages);
  const bad = tags.findIndex((t) => !TIFF_DECODABLE.has(t.compression));
  if (bad >= 0) return `TIFF page ${bad + 1} uses compression ${compressionName(tags[bad]!.compression)}, which the reader does not decode`;
  return tags.map((t) => rasterPage({ width: t.width, height: t.height, xDpi: t.xDpi, yDpi: t.yDpi }, compressionName(t.compression)));
}

async function inspectPdf(bytes: Uint8Array, lim: InspectLimits): Promise<InspectVerdict> {
  const active = scanPdfBytes(bytes);
  let pdf;
  try {
    pdf = await openPdf(bytes);
  } catch (e) {
    if (isPasswordError(e)) active.encrypted = true;
    else return refuse([...activeReasons(active), `the PDF cannot be parsed: ${errorMessage(e)}`]);
  }
  if (!pdf) return refuse(activeReasons(active));
  const doc = pdf.doc;
  try {
    const pageCount = doc.numPages;
    if (pageCount > lim.maxPages) return refuse([...activeReasons(active), `the document has ${pageCount} pages, over the limit of ${lim.maxPages}`]);
    const fromParser = emptyActiveContent();
    const docJs = await doc.getJSActions().catch(() => null);
    for (const key of keysOf(docJs)) fromParser.javascript.push(key === 'JavaScript' ? 'document' : key);
    const attachments = await doc.getAttachments().catch(() => null);
    // Counted, not named: an attachment's file name can carry PHI ("doe_jane.txt") and reasons are logged.
    const attached = keysOf(attachments).length;
    if (attached > 0) fromParser.embeddedFiles.push(`${attached} attached file${attached === 1 ? '' : 's'}`);
    const pages: InspectedPage[] = [];
    for (let n = 1; n <= pageCount; n++) {
      const page = await doc.getPage(n);
      const { w, h } = pageSizePt(page);
      const widthPx = Math.round((w / 72) * WORKING_DPI);
      const heightPx = Math.round((h / 72) * WORKING_DPI);
      pages.push({ widthPx, heightPx, xDpi: WORKING_DPI, yDpi: WORKING_DPI, widthMm: (w / 72) * MM_PER_INCH, heightMm: (h / 72) * MM_PER_INCH, dpiSource: 'render' });
      const pageJs = await page.getJSActions().catch(() => null);
      for (const key of keysOf(pageJs)) fromParser.javascript.push(`page ${n} ${key}`);
      const annotations = (await page.getAnnotations().catch(() => [])) as { annotationType?: number; actions?: Record<string, unknown>; subtype?: string }[];
      for (const a of annotations) {
        if (keysOf(a.actions).length) fromParser.javascript.push(`page ${n} ${a.subtype ?? 'annotation'} action`);
        if (a.annotationType === 17) fromParser.embeddedFiles.push(`page ${n} file attachment`);
      }
      page.cleanup();
    }
    const merged = merge(active, fromParser);
    const info: DocumentInfo = { format: 'pdf', bytes: bytes.length, pageCount, pages, pdf: merged };
    const reasons = [...activeReasons(merged), ...pageLimitReasons(info, lim)];
    return reasons.length ? refuse(reasons, info) : { ok: true, info };
  } finally {
    await pdf.close().catch(() => undefined);
  }
}

/** pdf.js answers with a Map or a plain object depending on the call and version. */
function keysOf(x: unknown): string[] {
  if (x instanceof Map) return [...x.keys()].map(String);
  if (typeof x === 'object' && x !== null) return Object.keys(x);
  return [];
}

function merge(a: PdfActiveContent, b: PdfActiveContent): PdfActiveContent {
  return {
    // The parser's names for where script sits ("OpenAction") read better: list them first.
    javascript: [...new Set([...b.javascript, ...a.javascript])],
    launch: [...new Set([...b.launch, ...a.launch])],
    embeddedFiles: [...new Set([...b.embeddedFiles, ...a.embeddedFiles])],
    encrypted: a.encrypted || b.encrypted,
    other: [...new Set([...b.other, ...a.other])],
  };
}

function activeReasons(a: PdfActiveContent): string[] {
  const r: string[] = [];
  const list = (xs: string[]): string => xs.slice(0, 3).join(', ') + (xs.length > 3 ? ', ...' : '');
  if (a.encrypted) r.push('PDF is encrypted');
  if (a.javascript.length) r.push(`PDF contains JavaScript (${list(a.javascript)})`);
  if (a.launch.length) r.push(`PDF contains a launch action (${list(a.launch)})`);
  if (a.embeddedFiles.length) r.push(`PDF contains embedded files (${list(a.embeddedFiles)})`);
  if (a.other.length) r.push(`PDF contains content screening refuses (${list(a.other)})`);
  return r;
}
