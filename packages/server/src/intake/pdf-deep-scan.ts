/**
 * A second, stricter look at a PDF's bytes before anything reads it, on top of the reader's
 * screening (`inspectDocument`). The reader's byte scan skipped from any "stream" + line break
 * to the next "endstream", so the same words inside strings hid whatever lay between them, and it
 * decompressed only object streams whose "stream" keyword was followed directly by a line break
 * and whose dictionary said /Type /ObjStm; pdf.js is laxer on all three. A /Launch action hidden
 * in any of those ways passed screening (security review).
 *
 * Here: (1) every name anywhere in the raw file, strings and stream data included, is checked
 * (a chance "/Launch" in compressed bytes is vanishingly rare; a false alarm only quarantines);
 * (2) every object is found by its "n g obj" header wherever it sits, its dictionary read with a
 * real tokenizer (strings, hex strings, comments and nesting understood), and when it is an
 * object stream (/Type /ObjStm, or /First and /N, which is all pdf.js needs) its data is decoded
 * from the line after the stream keyword, whatever /Length says, and checked as well. An object
 * stream screening cannot decode is itself a reason to refuse. Findings name what and where,
 * never text from the file.
 */
import { constants, createInflate, inflateSync } from 'node:zlib';

/** Names that make a PDF refused, with what they are in words. */
const REFUSED: Record<string, string> = {
  JavaScript: 'JavaScript',
  Launch: 'a launch action',
  EmbeddedFile: 'an embedded file',
  EmbeddedFiles: 'embedded files',
  FileAttachment: 'a file attachment',
  GoToE: 'a GoToE action (embedded document)',
  ImportData: 'an ImportData action',
  SubmitForm: 'a SubmitForm action',
  RichMedia: 'RichMedia',
  XFA: 'an XFA form',
  Encrypt: 'encryption',
};

const MAX_DECODED_PER_STREAM = 64 * 1024 * 1024;
const MAX_DECODED_TOTAL = 256 * 1024 * 1024;
/** Tokens read per object dictionary before giving up on it (a dictionary is small). */
const MAX_TOKENS_PER_OBJECT = 20_000;
/** Object headers looked at; a file with more is refused as too complex to screen. */
const MAX_OBJECTS = 200_000;

const NAME = /\/([^\s/[\]()<>{}%\0]*)/g;
const WHITE = new Set([' ', '\t', '\n', '\r', '\f', '\0']);
const DELIM = new Set(['(', ')', '<', '>', '[', ']', '{', '}', '/', '%']);

function decodeName(raw: string): string {
  return raw.includes('#') ? raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : raw;
}

type Token = { kind: 'name'; value: string } | { kind: 'word'; value: string } | { kind: 'open' | 'close' | 'aopen' | 'aclose' | 'string' };

/** A PDF lexer over latin1 text, as pdf.js reads it: comments, strings and hex strings skipped whole. */
class Lexer {
  readonly text: string;
  pos: number;

  constructor(text: string, pos: number) {
    this.text = text;
    this.pos = pos;
  }

  next(): Token | null {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length && WHITE.has(t[this.pos]!)) this.pos++;
      if (this.pos >= t.length) return null;
      if (t[this.pos] !== '%') break;
      while (this.pos < t.length && t[this.pos] !== '\n' && t[this.pos] !== '\r') this.pos++;
    }
    const c = t[this.pos]!;
    if (c === '(') {
      let depth = 0;
      for (; this.pos < t.length; this.pos++) {
        const ch = t[this.pos];
        if (ch === '\\') this.pos++;
        else if (ch === '(') depth++;
        else if (ch === ')' && --depth === 0) break;
      }
      this.pos++;
      return { kind: 'string' };
    }
    if (c === '<' && t[this.pos + 1] === '<') {
      this.pos += 2;
      return { kind: 'open' };
    }
    if (c === '>' && t[this.pos + 1] === '>') {
      this.pos += 2;
      return { kind: 'close' };
    }
    if (c === '<') {
      const end = t.indexOf('>', this.pos);
      this.pos = end < 0 ? t.length : end + 1;
      return { kind: 'string' };
    }
    if (c === '[' || c === ']') {
      this.pos++;
      return { kind: c === '[' ? 'aopen' : 'aclose' };
    }
    const start = this.pos;
    if (c === '/') this.pos++;
    else if (DELIM.has(c)) {
      this.pos++; // a stray ")" or "{": skip it
      return this.next();
    }
    while (this.pos < t.length && !WHITE.has(t[this.pos]!) && !DELIM.has(t[this.pos]!)) this.pos++;
    const raw = t.slice(start, this.pos);
    return c === '/' ? { kind: 'name', value: decodeName(raw.slice(1)) } : { kind: 'word', value: raw };
  }
}

interface StreamDict {
  names: Set<string>;
  filters: string[];
  decodeParms: boolean;
}

type Top = Token | { kind: 'dict' };

/** Reads the object's top-level dictionary after "n g obj", and where its stream data starts. */
function readObject(text: string, from: number): { dict: StreamDict; dataStart: number | null } | null {
  const lx = new Lexer(text, from);
  const first = lx.next();
  if (!first || first.kind !== 'open') return null;
  // The dictionary's own tokens; a nested dictionary counts as one value.
  const top: Top[] = [];
  let depth = 1;
  for (let n = 0; depth > 0; n++) {
    if (n > MAX_TOKENS_PER_OBJECT) return null;
    const tok = lx.next();
    if (!tok) return null;
    if (tok.kind === 'open') {
      if (depth === 1) top.push({ kind: 'dict' });
      depth++;
    } else if (tok.kind === 'close') depth--;
    else if (depth === 1) top.push(tok);
  }
  const dict: StreamDict = { names: new Set(), filters: [], decodeParms: false };
  const isInt = (t: Top | undefined) => t?.kind === 'word' && /^\d+$/.test(t.value);
  /** Index after the value starting at i, and the names it holds (a name, or an array of names). */
  const value = (i: number): { next: number; names: string[] } => {
    const t = top[i];
    if (!t) return { next: i, names: [] };
    if (t.kind === 'name') return { next: i + 1, names: [t.value] };
    if (t.kind === 'aopen') {
      const names: string[] = [];
      let j = i + 1;
      let d = 1;
      for (; j < top.length && d > 0; j++) {
        const u = top[j]!;
        if (u.kind === 'aopen') d++;
        else if (u.kind === 'aclose') d--;
        else if (u.kind === 'name' && d === 1) names.push(u.value);
      }
      return { next: j, names };
    }
    if (isInt(t) && isInt(top[i + 1]) && top[i + 2]?.kind === 'word' && (top[i + 2] as { value: string }).value === 'R') return { next: i + 3, names: [] };
    return { next: i + 1, names: [] };
  };
  for (let i = 0; i < top.length; ) {
    const key = top[i]!;
    if (key.kind !== 'name') {
      i++;
      continue;
    }
    dict.names.add(key.value);
    const v = value(i + 1);
    if (key.value === 'Filter') dict.filters.push(...v.names);
    if (key.value === 'Type') for (const n of v.names) dict.names.add(`Type:${n}`);
    if (key.value === 'DecodeParms' || key.value === 'DP') dict.decodeParms = true;
    // An indirect /Filter cannot be read here: treat it as a filter screening does not know.
    if (key.value === 'Filter' && v.names.length === 0) dict.filters.push('(indirect)');
    i = Math.max(v.next, i + 2);
  }
  const after = lx.next();
  if (!after || after.kind !== 'word' || !after.value.startsWith('stream')) return { dict, dataStart: null };
  // pdf.js skips to the next line after the keyword, whatever stands between.
  let p = lx.pos;
  while (p < text.length && text[p] !== '\n' && text[p] !== '\r') p++;
  if (text[p] === '\r' && text[p + 1] === '\n') p++;
  return { dict, dataStart: Math.min(text.length, p + 1) };
}

function hexDecode(s: string): Buffer {
  const end = s.indexOf('>');
  const hex = (end < 0 ? s : s.slice(0, end)).replace(/[^0-9A-Fa-f]/g, '');
  return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
}

/** A page's content or image data larger than this, decompressed, is no requisition (40 Mpixel CMYK is 160 MB). */
export const MAX_EXPANDED_STREAM = 200 * 1024 * 1024;
const MAX_EXPANDED_TOTAL = 1024 * 1024 * 1024;

export interface DeepScanFinding {
  what: string;
  where: string;
}

export function deepScanPdf(bytes: Uint8Array): DeepScanFinding[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('latin1');
  const findings = new Map<string, DeepScanFinding>();
  const add = (what: string, where: string) => findings.set(`${what}|${where}`, { what, where });
  const names = (s: string, where: string) => {
    for (const m of s.matchAll(NAME)) {
      const what = REFUSED[decodeName(m[1]!)];
      if (what) add(what, where);
    }
  };

  names(text, 'the file');

  let decodedTotal = 0;
  let objects = 0;
  // Object headers wherever they are (pdf.js rebuilds a broken cross-reference table the same way).
  const header = /(\d+)(?:\s|%[^\r\n]*[\r\n])+(\d+)(?:\s|%[^\r\n]*[\r\n])+obj(?![A-Za-z])/g;
  for (const m of text.matchAll(header)) {
    if (++objects > MAX_OBJECTS) {
      add('too many objects to screen', 'the file');
      break;
    }
    const obj = readObject(text, m.index + m[0].length);
    if (!obj || obj.dataStart === null) continue;
    const { dict, dataStart } = obj;
    const isObjStm = dict.names.has('Type:ObjStm') || (dict.names.has('First') && dict.names.has('N'));
    if (!isObjStm) continue;
    const where = `object stream ${m[1]}`;
    const readable = dict.filters.every((f) => ['FlateDecode', 'Fl', 'ASCIIHexDecode', 'AHx'].includes(f));
    if (!readable || dict.decodeParms) {
      add('an object stream screening cannot decode', where);
      continue;
    }
    let data: Buffer = buf.subarray(dataStart);
    try {
      for (const f of dict.filters) {
        data = f === 'ASCIIHexDecode' || f === 'AHx' ? hexDecode(data.toString('latin1')) : inflateSync(data, { maxOutputLength: MAX_DECODED_PER_STREAM, finishFlush: constants.Z_SYNC_FLUSH });
      }
    } catch {
      add('an object stream screening cannot decode', where);
      continue;
    }
    if (dict.filters.length === 0) data = data.subarray(0, Math.min(data.length, MAX_DECODED_PER_STREAM));
    decodedTotal += data.length;
    if (decodedTotal > MAX_DECODED_TOTAL) {
      add('object streams too large to screen', 'the file');
      break;
    }
    names(data.toString('latin1'), where);
  }
  return [...findings.values()];
}

/** One sentence for the quarantine reason: what was found and where (at most three places). */
export function describeDeepScan(findings: DeepScanFinding[]): string | null {
  if (findings.length === 0) return null;
  const byWhat = new Map<string, string[]>();
  for (const f of findings) byWhat.set(f.what, [...(byWhat.get(f.what) ?? []), f.where]);
  const parts = [...byWhat].map(([what, wheres]) => `${what} (${wheres.slice(0, 3).join(', ')}${wheres.length > 3 ? ', ...' : ''})`);
  return `PDF contains ${parts.join('; ')}`;
}

/** How many bytes a zlib stream expands to, counted as it flows (nothing kept), stopping past `cap`. */
function expandedSize(data: Buffer, cap: number): Promise<number> {
  return new Promise((resolve) => {
    let n = 0;
    const inflate = createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
    const done = () => {
      inflate.removeAllListeners('data');
      inflate.destroy();
      resolve(n);
    };
    inflate.on('data', (chunk: Buffer) => {
      n += chunk.length;
      if (n > cap) done();
    });
    inflate.on('end', done);
    inflate.on('error', done);
    inflate.end(data);
  });
}

/**
 * Compression bombs: pdf.js decompresses a page's streams whole before drawing them, and a 255 KB
 * file whose content stream expands to 256 MB took 750 MB of memory to read (a few megabytes
 * more would take gigabytes). Every Flate stream is measured as it expands, keeping nothing.
 */
export async function measurePdfStreams(bytes: Uint8Array): Promise<DeepScanFinding[]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('latin1');
  const findings: DeepScanFinding[] = [];
  const header = /(\d+)(?:\s|%[^\r\n]*[\r\n])+(\d+)(?:\s|%[^\r\n]*[\r\n])+obj(?![A-Za-z])/g;
  let total = 0;
  let objects = 0;
  for (const m of text.matchAll(header)) {
    if (++objects > MAX_OBJECTS) break;
    const obj = readObject(text, m.index + m[0].length);
    if (!obj || obj.dataStart === null) continue;
    const first = obj.dict.filters[0];
    if (first !== 'FlateDecode' && first !== 'Fl') continue;
    const size = await expandedSize(buf.subarray(obj.dataStart), MAX_EXPANDED_STREAM);
    total += size;
    if (size > MAX_EXPANDED_STREAM) {
      findings.push({ what: `a compressed stream that expands to more than ${MAX_EXPANDED_STREAM / 1024 / 1024} MB`, where: `object ${m[1]}` });
      break;
    }
    if (total > MAX_EXPANDED_TOTAL) {
      findings.push({ what: `compressed streams that expand to more than ${MAX_EXPANDED_TOTAL / 1024 / 1024} MB in all`, where: 'the file' });
      break;
    }
  }
  return findings;
}
