/**
 * Screening before anything reads a document: type by magic bytes, size, pages and pixels, and
 * active content in PDFs, by the reader's `inspectDocument`. The verdict is turned into a reason
 * in words that carries no PHI (embedded file names, for one, are counted, not quoted).
 */
import { inspectDocument, type DocumentInfo, type InspectVerdict } from '@nexession/reader';
import { plainBytes } from '../bytes.ts';
import { deepScanPdf, describeDeepScan, measurePdfStreams } from './pdf-deep-scan.ts';
import type { DocumentFormat } from '../db/schema.ts';

export interface ScreeningLimits {
  maxBytes: number;
  maxPages: number;
  maxPixelsPerPage: number;
}

export type Screening =
  | { accepted: true; format: DocumentFormat; pageCount: number; summary: Record<string, unknown> }
  | { accepted: false; format: DocumentFormat; pageCount: number | null; reason: string; summary: Record<string, unknown> };

function summarise(info: DocumentInfo | undefined): Record<string, unknown> {
  if (!info) return {};
  return {
    format: info.format,
    bytes: info.bytes,
    pageCount: info.pageCount,
    pages: info.pages.map((p) => ({ w: p.widthPx, h: p.heightPx, xDpi: p.xDpi, yDpi: p.yDpi, dpiSource: p.dpiSource, compression: p.compression ?? null })),
    ...(info.pdf
      ? {
          pdf: {
            javascript: info.pdf.javascript.length,
            launch: info.pdf.launch.length,
            embeddedFiles: info.pdf.embeddedFiles.length,
            encrypted: info.pdf.encrypted,
            other: info.pdf.other.length,
          },
        }
      : {}),
  };
}

/** Where script sits ("OpenAction", "page 2 Link action"), never names or text from the file. */
function safeLocations(xs: string[]): string {
  const clean = xs.filter((x) => !x.includes('"')).slice(0, 3);
  return clean.length ? ` (${clean.join(', ')}${xs.length > clean.length ? ', ...' : ''})` : '';
}

export function reasonFor(verdict: Extract<InspectVerdict, { ok: false }>): string {
  const pdf = verdict.info?.pdf;
  if (pdf) {
    const parts: string[] = [];
    if (pdf.encrypted) parts.push('PDF is encrypted');
    if (pdf.javascript.length) parts.push(`PDF contains JavaScript${safeLocations(pdf.javascript)}`);
    if (pdf.launch.length) parts.push(`PDF contains a launch action${safeLocations(pdf.launch)}`);
    if (pdf.embeddedFiles.length) parts.push(`PDF contains ${pdf.embeddedFiles.length} embedded file(s)`);
    if (pdf.other.length) parts.push(`PDF contains content screening refuses${safeLocations(pdf.other)}`);
    const limits = verdict.reasons.filter((r) => /over the limit/.test(r));
    const all = [...parts, ...limits];
    if (all.length) return all.join('; ');
  }
  return verdict.reasons.map((r) => r.replace(/"[^"]*"/g, '"…"')).join('; ') || verdict.reason;
}

export async function screenDocument(bytes: Uint8Array, limits: ScreeningLimits): Promise<Screening> {
  const verdict = await inspectDocument(plainBytes(bytes), limits);
  if (verdict.ok) {
    // The reader's screening said yes; a PDF gets a second, stricter look (pdf-deep-scan.ts).
    const deep = verdict.info.format === 'pdf' ? describeDeepScan([...deepScanPdf(bytes), ...(await measurePdfStreams(bytes))]) : null;
    if (deep) {
      return { accepted: false, format: 'pdf', pageCount: verdict.info.pageCount, reason: deep, summary: { ...summarise(verdict.info), deepScan: 'refused' } };
    }
    return { accepted: true, format: verdict.info.format, pageCount: verdict.info.pageCount, summary: summarise(verdict.info) };
  }
  return {
    accepted: false,
    format: verdict.info?.format ?? 'unknown',
    pageCount: verdict.info?.pageCount ?? null,
    reason: reasonFor(verdict),
    summary: { ...summarise(verdict.info), reasons: verdict.reasons.length },
  };
}
