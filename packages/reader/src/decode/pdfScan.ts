/**
 * Raw screening of PDF bytes for active or hidden content, independent of pdf.js's object model
 * but tokenised by its rules (pdfLexer.ts). A name counts where a parser could read it as a
 * name: strings, hex strings and comments are passed over, so "/JS" written inside a string or a
 * comment is no finding; stream data is passed over by its direct /Length when "endstream"
 * follows it there (as pdf.js checks), else up to the first "endstream".
 *
 * Three places a parser may read objects that a front-to-back pass does not:
 * - object streams (/Type /ObjStm, or any stream with /First or /N, which is all pdf.js asks):
 *   decoded and read, both front to back and from each object offset their header declares (an
 *   offset may point into what reads as a string front to back). One that cannot be decoded is
 *   itself a finding: screening does not pass what it could not read.
 * - an "n g obj" header inside a string, comment or stream data: a cross-reference offset or
 *   pdf.js's recovery scan can start an object there, so it is read as an object too.
 * Findings name what and where, never text from the file.
 */
import { constants, inflateRawSync, inflateSync } from 'node:zlib';
import type { PdfActiveContent } from '../types.ts';
import { PdfLexer, type Skipped, type Token, afterLineEnd, findEndstream } from './pdfLexer.ts';

const MAX_INFLATED_PER_STREAM = 64 * 1024 * 1024;
const MAX_INFLATED_TOTAL = 256 * 1024 * 1024;
/** Tokens read in all; a requisition has tens of thousands. */
const MAX_TOKENS = 20_000_000;
const MAX_HEADERS = 200_000;
const MAX_DEPTH = 64;

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

/** An image XObject pdf.js will leave out when drawing (over `maxImagePixels`). */
export interface OversizedImage {
  width: number;
  height: number;
  where: string;
}

export interface PdfScanResult {
  active: PdfActiveContent;
  oversizedImages: OversizedImage[];
}

export interface PdfScanOptions {
  /** Image XObjects with more pixels than this are listed in `oversizedImages` (default: none listed). */
  maxImagePixels?: number;
}

export function emptyActiveContent(): PdfActiveContent {
  return { javascript: [], launch: [], embeddedFiles: [], encrypted: false, other: [] };
}

export function scanPdfBytes(bytes: Uint8Array): PdfActiveContent {
  return scanPdf(bytes).active;
}

export function scanPdf(bytes: Uint8Array, opts: PdfScanOptions = {}): PdfScanResult {
  const scan = new Scan(opts.maxImagePixels ?? Infinity);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const file: Source = { bytes, text };
  const skipped: Skipped[] = [];
  try {
    scan.walk(file, 0, text.length, null, skipped);
    scan.shadowObjects(file, skipped);
  } catch (e) {
    if (!(e instanceof ScanLimit)) throw e;
    scan.out.other.push(e.message);
  }
  dedupe(scan.out);
  return { active: scan.out, oversizedImages: scan.oversized };
}

interface Source {
  bytes: Uint8Array;
  text: string;
}

type Value =
  | { k: 'int'; n: number }
  | { k: 'name'; v: string }
  | { k: 'names'; v: string[] }
  | { k: 'dict'; d: Dict }
  | { k: 'ref' }
  | { k: 'other' };
type Dict = Map<string, Value>;

class ScanLimit extends Error {}

const INT = /^[+-]?\d+$/;

/** Tokens with lookahead, every name checked as it is read. */
class Reader {
  readonly lx: PdfLexer;
  private readonly buf: Token[] = [];
  private readonly scan: Scan;
  where: string | null;

  constructor(scan: Scan, lx: PdfLexer, where: string | null) {
    this.scan = scan;
    this.lx = lx;
    this.where = where;
  }

  peek(i = 0): Token | null {
    while (this.buf.length <= i) {
      const t = this.lx.next();
      if (!t) return null;
      this.scan.count();
      if (t.kind === 'name') this.scan.name(t.value, this.where);
      this.buf.push(t);
    }
    return this.buf[i]!;
  }

  take(): Token | null {
    const t = this.peek();
    this.buf.shift();
    return t;
  }

  /** Moves to `pos`, dropping lookahead (only called with nothing looked ahead). */
  seek(pos: number): void {
    this.buf.length = 0;
    this.lx.pos = pos;
  }

  value(depth: number): Value {
    const t = this.take();
    if (!t) return { k: 'other' };
    if (t.kind === 'name') return { k: 'name', v: t.value };
    if (t.kind === 'open') return depth < MAX_DEPTH ? { k: 'dict', d: this.dict(depth + 1) } : { k: 'other' };
    if (t.kind === 'aopen') return depth < MAX_DEPTH ? this.array(depth + 1) : { k: 'other' };
    if (t.kind === 'word' && INT.test(t.value)) {
      const a = this.peek(0);
      const b = this.peek(1);
      if (a?.kind === 'word' && INT.test(a.value) && b?.kind === 'word' && b.value === 'R') {
        this.take();
        this.take();
        return { k: 'ref' };
      }
      return { k: 'int', n: Number(t.value) };
    }
    return { k: 'other' };
  }

  /** After "<<": keys and values up to ">>" (malformed keys are stepped over, as pdf.js does). */
  dict(depth: number): Dict {
    const d: Dict = new Map();
    for (;;) {
      const t = this.peek();
      if (!t) return d;
      if (t.kind === 'close') {
        this.take();
        return d;
      }
      this.take();
      if (t.kind !== 'name') continue;
      d.set(t.value, this.value(depth));
    }
  }

  private array(depth: number): Value {
    const names: string[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.kind === 'aclose') {
        this.take();
        break;
      }
      const v = this.value(depth);
      if (v.k === 'name') names.push(v.v);
    }
    return { k: 'names', v: names };
  }
}

class Scan {
  readonly out = emptyActiveContent();
  readonly oversized: OversizedImage[] = [];
  private readonly maxImagePixels: number;
  private tokens = 0;
  private inflated = 0;

  constructor(maxImagePixels: number) {
    this.maxImagePixels = maxImagePixels;
  }

  count(): void {
    if (++this.tokens > MAX_TOKENS) throw new ScanLimit('the file has too many tokens to screen');
  }

  name(name: string, where: string | null): void {
    const f = NAME_FINDINGS[name];
    if (!f) return;
    if (f.kind === 'encrypted') this.out.encrypted = true;
    else this.out[f.kind].push(where ? `${f.what} in ${where}` : f.what);
  }

  /**
   * Front to back over [from, end): objects, their dictionaries and streams. Strings, comments
   * and stream data passed over are added to `skipped` when given.
   */
  walk(src: Source, from: number, end: number, where: string | null, skipped: Skipped[] | null, stopAtEndobj = false): void {
    const onSkip = skipped ? (s: Skipped) => skipped.push(s) : null;
    const r = new Reader(this, new PdfLexer(src.text, from, end, onSkip), where);
    for (;;) {
      const t = r.peek();
      if (!t) return;
      if (t.kind === 'word' && INT.test(t.value)) {
        const g = r.peek(1);
        const o = r.peek(2);
        if (g?.kind === 'word' && INT.test(g.value) && o?.kind === 'word' && o.value === 'obj') {
          r.where = `object ${t.value}${stopAtEndobj ? ' (inside other data)' : ''}`;
          r.take();
          r.take();
          r.take();
          continue;
        }
      }
      r.take();
      if (t.kind === 'word' && t.value === 'endobj' && stopAtEndobj) return;
      if (t.kind !== 'open') continue;
      const d = r.dict(1);
      const s = r.peek();
      if (s?.kind !== 'word' || s.value !== 'stream') continue;
      r.take();
      const data = this.streamData(src.text, d, s.at + 'stream'.length, end);
      if (!data) continue; // no endstream anywhere: pdf.js refuses the object; read on as tokens
      skipped?.push({ from: data.start, to: data.end });
      this.stream(src, d, data.start, data.end, r.where);
      r.seek(data.resume);
    }
  }

  /** Where a stream's data starts and ends, as pdf.js's makeStream decides. */
  private streamData(text: string, d: Dict, afterKeyword: number, end: number): { start: number; end: number; resume: number } | null {
    const start = afterLineEnd(text, afterKeyword);
    const len = d.get('Length');
    if (len?.k === 'int' && len.n >= 0) {
      const lx = new PdfLexer(text, start + len.n, end);
      const t = lx.next();
      if (t?.kind === 'word' && t.value === 'endstream') return { start, end: start + len.n, resume: lx.pos };
    }
    const e = findEndstream(text, start);
    return e < 0 ? null : { start, end: e, resume: e };
  }

  private stream(src: Source, d: Dict, start: number, end: number, where: string | null): void {
    const type = d.get('Type');
    const subtype = d.get('Subtype');
    if (subtype?.k === 'name' && subtype.v === 'Image') {
      const w = d.get('Width') ?? d.get('W');
      const h = d.get('Height') ?? d.get('H');
      if (w?.k === 'int' && h?.k === 'int' && w.n * h.n > this.maxImagePixels) this.oversized.push({ width: w.n, height: h.n, where: where ?? 'an image' });
    }
    const isObjStm = (type?.k === 'name' && type.v === 'ObjStm') || d.has('First') || d.has('N');
    if (!isObjStm) return;
    const label = `object stream ${where?.replace(/^object /, '') ?? '?'}`;
    const decoded = this.decode(d, src.bytes.subarray(start, end), label);
    if (!decoded) return;
    const text = Buffer.from(decoded.buffer, decoded.byteOffset, decoded.byteLength).toString('latin1');
    const inner: Source = { bytes: decoded, text };
    this.walk(inner, 0, text.length, label, null);
    // Each object where the header says it starts: pdf.js reads one object from there.
    const first = d.get('First');
    const offsets = this.objStmOffsets(text, first?.k === 'int' ? first.n : null);
    if (offsets === null) {
      // A header screening cannot follow: every name in the content counts, strings included.
      for (const m of text.matchAll(/\/([^\0\t\n\f\r ()<>[\]{}/%]*)/g)) this.name(decodeNameLoose(m[1]!), label);
      return;
    }
    for (const at of offsets) {
      const r = new Reader(this, new PdfLexer(text, at), label);
      r.value(0);
    }
  }

  private objStmOffsets(text: string, first: number | null): number[] | null {
    if (first === null || first < 0 || first > text.length) return null;
    const words = text.slice(0, first).trim().split(/[\0\t\n\f\r ]+/).filter((w) => w.length > 0);
    if (words.length % 2 !== 0 || !words.every((w) => /^\d+$/.test(w))) return null;
    const out: number[] = [];
    for (let i = 1; i < words.length; i += 2) out.push(first + Number(words[i]));
    return out;
  }

  private decode(d: Dict, data: Uint8Array, label: string): Uint8Array | null {
    const fv = d.get('F') ?? d.get('Filter');
    const filters = fv === undefined ? [] : fv.k === 'name' ? [fv.v] : fv.k === 'names' ? fv.v : null;
    if (filters === null) {
      this.out.other.push(`${label} names its filter indirectly, which screening cannot read`);
      return null;
    }
    const parms = d.get('DecodeParms') ?? d.get('DP');
    if (parms !== undefined && !(parms.k === 'dict' && noPredictor(parms.d))) {
      this.out.other.push(`${label} uses decode parameters (a predictor), which screening cannot read`);
      return null;
    }
    let out: Uint8Array = data;
    for (const f of filters) {
      if (f === 'FlateDecode' || f === 'Fl') {
        const r = inflateLikePdfjs(out);
        if (r === 'too-large') {
          this.out.other.push(`${label} decompresses to more than ${MAX_INFLATED_PER_STREAM / 1024 / 1024} MB`);
          return null;
        }
        if (r === null) {
          this.out.other.push(`${label} cannot be decompressed`);
          return null;
        }
        out = r;
      } else if (f === 'ASCIIHexDecode' || f === 'AHx') out = hexDecode(out);
      else {
        this.out.other.push(`${label} uses ${f}, which screening cannot read`);
        return null;
      }
    }
    this.inflated += out.length;
    if (this.inflated > MAX_INFLATED_TOTAL) throw new ScanLimit(`object streams decompress to more than ${MAX_INFLATED_TOTAL / 1024 / 1024} MB`);
    return out;
  }

  /**
   * Every "n g obj" header that lies in a string, comment or stream data of the front-to-back
   * pass is read as an object too, up to the next header.
   */
  shadowObjects(file: Source, skipped: Skipped[]): void {
    const header = /(?<![0-9])(\d{1,10})(?:[\0\t\n\f\r ]|%[^\r\n%]*)+(\d{1,10})(?:[\0\t\n\f\r ]|%[^\r\n%]*)*obj/g;
    const starts: { at: number; num: string }[] = [];
    for (const m of file.text.matchAll(header)) {
      if (starts.length >= MAX_HEADERS) throw new ScanLimit('the file has too many objects to screen');
      starts.push({ at: m.index, num: m[1]! });
    }
    skipped.sort((a, b) => a.from - b.from);
    let k = 0;
    let reach = -1; // furthest end among skipped ranges starting at or before the header
    for (let i = 0; i < starts.length; i++) {
      const h = starts[i]!;
      while (k < skipped.length && skipped[k]!.from <= h.at) reach = Math.max(reach, skipped[k++]!.to);
      if (h.at >= reach) continue;
      const next = starts[i + 1]?.at ?? file.text.length;
      this.walk(file, h.at, next, `object ${h.num} (inside other data)`, null, true);
    }
  }
}

function noPredictor(d: Dict): boolean {
  const p = d.get('Predictor');
  return p === undefined || (p.k === 'int' && p.n <= 1);
}

/** pdf.js's FlateStream ignores the Adler-32 check and a truncated end: so does screening. */
function inflateLikePdfjs(data: Uint8Array): Uint8Array | null | 'too-large' {
  const opts = { maxOutputLength: MAX_INFLATED_PER_STREAM, finishFlush: constants.Z_SYNC_FLUSH };
  for (const run of [() => inflateSync(data, opts), () => inflateRawSync(data.subarray(2), opts)]) {
    try {
      return run();
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) return 'too-large';
    }
  }
  return null;
}

function hexDecode(data: Uint8Array): Uint8Array {
  const s = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  const end = s.indexOf('>');
  const hex = (end < 0 ? s : s.slice(0, end)).replace(/[^0-9A-Fa-f]/g, '');
  return new Uint8Array(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
}

function decodeNameLoose(raw: string): string {
  return raw.includes('#') ? raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : raw;
}

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
