import type { DocumentFormat } from '../types.ts';

/**
 * The format by magic bytes only; never by file name or declared type. A PDF may have up to
 * 1024 bytes of junk before `%PDF-` (readers accept it, so screening must too).
 */
export function sniffFormat(bytes: Uint8Array): DocumentFormat | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0x00) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0x00 && b[3] === 0x2a))) return 'tiff';
  if (pdfHeaderOffset(b) >= 0) return 'pdf';
  return null;
}

/** Offset of `%PDF-` within the first 1024 bytes, or -1. */
export function pdfHeaderOffset(b: Uint8Array): number {
  const end = Math.min(b.length - 5, 1024);
  for (let i = 0; i <= end; i++) {
    if (b[i] === 0x25 && b[i + 1] === 0x50 && b[i + 2] === 0x44 && b[i + 3] === 0x46 && b[i + 4] === 0x2d) return i;
  }
  return -1;
}
