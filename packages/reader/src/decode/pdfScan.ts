/**
 * Raw screening of PDF bytes for active or hidden content, independent of any PDF parser.
 * A hostile file may be shaped to hide from one parser, so screening also reads the objects
 * itself: every name outside stream data, and every name inside object streams (/ObjStm, where
 * objects are stored compressed). Names are compared after #xx escapes are decoded
 * (/J#61vaScript is /JavaScript). Stream data other than object streams is not scanned for
 * names: page content and images may hold any bytes, and a chance "/JS" there is not an action.
 */
import { constants, inflateSync } from 'node:zlib';
import type { PdfActiveContent } from '../types.ts';

const MAX_INFLATED_PER_STREAM = 64 * 1024 * 1024;
const MAX_INFLATED_TOTAL = 256 * 1024 * 1024;

type Finding = keyof Omit<PdfActiveContent, 'encrypted'> | 'encrypted';

const NAME_FINDINGS: Record<string, { kind: Finding; what: string }> = {
  JavaScript: { kind: 'javascript', what: '/JavaScript' },
  JS: { kind: 'javascript', what: '/JS' },
  Launch: { kind: 'launch', what: '/Launch action' },
  EmbeddedFile: { kind: 'embeddedFiles', what: '/EmbeddedFile' },
  EmbeddedFiles: { kind: 'embeddedFiles', what: '/EmbeddedFiles' },
  FileAttachment: { kind: 'embeddedFiles', what: 'file attachment annotation' },
  Encrypt: { kind: 'encrypted', what: '/Encrypt' },
  XFA: { kind: 'other', what: 'XFA form' },
  RichMedia: { kind: 'other', what: 'RichMedia' },
  GoToE: { kind: 'other', what: 'GoToE action (embedded document)' },
  ImportData: { kind: 'other', what: 'ImportData action' },
  SubmitForm: { kind: 'other', what: 'SubmitForm action' },
};

export function emptyActiveContent(): PdfActiveContent {
  return { javascript: [], launch: [], embeddedFiles: [], encrypted: false, other: [] };
}

export function scanPdfBytes(bytes: Uint8Array): PdfActiveContent {
  const out = emptyActiveContent();
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const streamStart = /(?<!end)stream(?:\r\n|\n|\r)/g;
  let pos = 0;
  let inflatedTotal = 0;
  for (;;) {
    streamStart.lastIndex = pos;
    const m = streamStart.exec(text);
    const regionEnd = m ? m.index : text.length;
    const region = text.slice(pos, regionEnd);
    scanNames(region, lastObjectLabel(region), out);
    if (!m) break;
    const dataStart = m.index + m[0].length;
    const end = text.indexOf('endstream', dataStart);
    const dataEnd = end < 0 ? text.length : end;
    const dict = lastDict(region);
    if (dict !== null && hasName(dict, 'ObjStm')) {
      const label = `object stream ${lastObjectLabel(region) ?? '?'}`;
      const decoded = decodeObjectStream(dict, bytes.subarray(dataStart, dataEnd), label, out);
      if (decoded !== null) {
        inflatedTotal += decoded.length;
        if (inflatedTotal > MAX_INFLATED_TOTAL) {
          out.other.push('object streams decompress to more than 256 MB');
          break;
        }
        scanNames(Buffer.from(decoded).toString('latin1'), label, out);
      }
    }
    if (end < 0) break;
    pos = end + 'endstream'.length;
  }
  dedupe(out);
  return out;
}

function scanNames(region: string, where: string | null, out: PdfActiveContent): void {
  const nameRe = /\/([^\s/[\]()<>{}%]+)/g;
  for (const m of region.matchAll(nameRe)) {
    const name = decodeName(m[1]!);
    const f = NAME_FINDINGS[name];
    if (!f) continue;
    const label = where ? `${f.what} in ${where}` : f.what;
    if (f.kind === 'encrypted') out.encrypted = true;
    else out[f.kind].push(label);
  }
}

function decodeName(raw: string): string {
  return raw.includes('#') ? raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : raw;
}

function hasName(dict: string, name: string): boolean {
  for (const m of dict.matchAll(/\/([^\s/[\]()<>{}%]+)/g)) if (decodeName(m[1]!) === name) return true;
  return false;
}

function lastObjectLabel(region: string): string | null {
  const re = /(\d+)\s+(\d+)\s+obj\b/g;
  let last: string | null = null;
  for (const m of region.matchAll(re)) last = `object ${m[1]}`;
  return last;
}

/** The dictionary text of the last object in the region (the stream's own dictionary). */
function lastDict(region: string): string | null {
  // The last "obj" keyword before the stream opens the stream's own object ("endobj" of the
  // previous object comes before it).
  const from = region.lastIndexOf('obj');
  return from < 0 ? region.slice(-4096) : region.slice(from);
}

function decodeObjectStream(dict: string, data: Uint8Array, label: string, out: PdfActiveContent): Uint8Array | null {
  const filters = [...dict.matchAll(/\/([^\s/[\]()<>{}%]+)/g)].map((m) => decodeName(m[1]!)).filter((n) => FILTER_NAMES.has(n));
  if (filters.length === 0) return data;
  if (filters.length > 1 || (filters[0] !== 'FlateDecode' && filters[0] !== 'Fl')) {
    out.other.push(`${label} uses ${filters.join(', ')}, which screening cannot read`);
    return null;
  }
  if (/\/Predictor\s+(\d+)/.test(dict) && Number(/\/Predictor\s+(\d+)/.exec(dict)![1]) > 1) {
    out.other.push(`${label} uses a predictor, which screening cannot read`);
    return null;
  }
  try {
    return inflateSync(data, { maxOutputLength: MAX_INFLATED_PER_STREAM, finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    out.other.push(`${label} cannot be decompressed`);
    return null;
  }
}

const FILTER_NAMES = new Set([
  'FlateDecode', 'Fl', 'LZWDecode', 'LZW', 'ASCIIHexDecode', 'AHx', 'ASCII85Decode', 'A85', 'RunLengthDecode', 'RL',
  'CCITTFaxDecode', 'CCF', 'DCTDecode', 'DCT', 'JBIG2Decode', 'JPXDecode', 'Crypt',
]);

function dedupe(out: PdfActiveContent): void {
  const cap = (xs: string[]): string[] => {
    const u = [...new Set(xs)];
    return u.length > 5 ? [...u.slice(0, 5), `and ${u.length - 5} more`] : u;
  };
  out.javascript = cap(out.javascript);
  out.launch = cap(out.launch);
  out.embeddedFiles = cap(out.embeddedFiles);
  out.other = cap(out.other);
}
