/**
 * A small, forgiving HL7 v2 parser for ACKs and for the LIS simulator. It reads what it can
 * from real-world messages (LF or CRLF separators, segments run together on one line, raw line
 * breaks inside text, undeclared character sets, malformed datatypes) and reports each oddity
 * as a stated problem. It never throws on bad input: `parseHl7` returns `{ ok: false }` with a
 * reason only when there is no usable MSH at all.
 *
 * Problems carry positions and codes, never field values: a message is PHI.
 */
import { type Delimiters, type HexDecoder, STANDARD_DELIMITERS, type UnescapeProblem, unescapeText } from './escape.ts';

export type ParseProblemCode =
  | 'leading_garbage'
  | 'missing_encoding_characters'
  | 'duplicate_delimiters'
  | 'lf_segment_separator'
  | 'segment_continuation'
  | 'run_together_segments'
  | 'bad_segment_name'
  | 'control_character'
  | 'undeclared_charset_not_utf8'
  | 'invalid_utf8'
  | 'unsupported_charset';

export interface ParseProblem {
  code: ParseProblemCode;
  /** 1-based line of the input the problem was found on, when it has one. */
  line?: number;
  detail: string;
}

export interface Hl7Segment {
  name: string;
  /**
   * Raw (still escaped) fields, indexed by HL7 field number: `fields[3]` is PID-3. For MSH,
   * `fields[1]` is the field separator and `fields[2]` the encoding characters, as HL7 counts.
   * `fields[0]` is the segment name.
   */
  fields: string[];
  /** 1-based line of the input where the segment starts. */
  line: number;
}

export interface Hl7Message {
  delimiters: Delimiters;
  segments: Hl7Segment[];
  problems: ParseProblem[];
  /** How `\Xhh\` escapes are decoded: the message's character set. */
  decodeHex: HexDecoder;
}

export type ParseResult =
  | { ok: true; message: Hl7Message }
  | { ok: false; error: string; problems: ParseProblem[] };

/** Segment ids we split on when a sender ran two segments together on one line. */
const KNOWN_SEGMENTS = new Set([
  'MSH', 'MSA', 'ERR', 'EVN', 'SFT', 'NTE', 'PID', 'PD1', 'PV1', 'PV2', 'NK1', 'IN1', 'IN2', 'IN3', 'GT1',
  'AL1', 'ORC', 'TQ1', 'TQ2', 'OBR', 'OBX', 'DG1', 'SPM', 'SAC', 'TCD', 'FT1', 'CTI', 'BLG', 'ROL', 'PRT',
]);

const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;

interface Line {
  text: string;
  number: number;
  /** The separator that ended the previous line, kept so a continuation can be rejoined. */
  joinedBy: string;
}

function splitLines(text: string, problems: ParseProblem[]): Line[] {
  const lines: Line[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  let number = 1;
  let joinedBy = '';
  let sawLf = false;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push({ text: text.slice(start, m.index), number, joinedBy });
    if (m[0] !== '\r') sawLf = true;
    joinedBy = m[0];
    start = m.index + m[0].length;
    number += 1;
  }
  lines.push({ text: text.slice(start), number, joinedBy });
  if (sawLf) problems.push({ code: 'lf_segment_separator', detail: 'segments are separated by LF or CRLF instead of CR' });
  return lines;
}

function readDelimiters(header: string, problems: ParseProblem[]): Delimiters | string {
  if (header.length < 4) return 'MSH segment too short to carry its field separator';
  const field = header[3]!;
  if (/[A-Za-z0-9\s]/.test(field)) return 'MSH-1 is not a usable field separator';
  const end = header.indexOf(field, 4);
  const chars = end < 0 ? header.slice(4) : header.slice(4, end);
  if (chars.length < 4) {
    problems.push({ code: 'missing_encoding_characters', line: 1, detail: `MSH-2 has ${chars.length} of 4 encoding characters; standard ones assumed for the rest` });
  }
  const d: Delimiters = {
    field,
    component: chars[0] ?? STANDARD_DELIMITERS.component,
    repetition: chars[1] ?? STANDARD_DELIMITERS.repetition,
    escape: chars[2] ?? STANDARD_DELIMITERS.escape,
    subcomponent: chars[3] ?? STANDARD_DELIMITERS.subcomponent,
  };
  const all = [d.field, d.component, d.repetition, d.escape, d.subcomponent];
  if (new Set(all).size !== all.length) return 'MSH-1 and MSH-2 repeat a delimiter';
  return d;
}

/** Splits a line where a sender ran segments together (`...value OBX|1|...`). */
function splitRunTogether(line: Line, d: Delimiters, problems: ParseProblem[]): string[] {
  const parts: string[] = [];
  const marker = new RegExp(` ([A-Z][A-Z0-9]{2})${escapeRegExp(d.field)}`, 'g');
  let start = 0;
  for (let m = marker.exec(line.text); m; m = marker.exec(line.text)) {
    if (!KNOWN_SEGMENTS.has(m[1]!)) continue;
    parts.push(line.text.slice(start, m.index));
    start = m.index + 1;
  }
  if (parts.length === 0) return [line.text];
  parts.push(line.text.slice(start));
  problems.push({ code: 'run_together_segments', line: line.number, detail: `${parts.length} segments on one line; split before each known segment id` });
  return parts;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function splitSegment(text: string, d: Delimiters): string[] {
  const name = text.slice(0, 3);
  if (name === 'MSH') {
    const rest = text.slice(4).split(d.field);
    // rest[0] is MSH-2; HL7 counts the separator itself as MSH-1.
    return [name, d.field, ...rest];
  }
  const parts = text.split(d.field);
  parts[0] = name;
  return parts;
}

/** Parses HL7 v2 text. Leading whitespace, NUL bytes and a byte-order mark before MSH are tolerated and reported. */
export function parseHl7(text: string, decodeHex?: HexDecoder): ParseResult {
  const problems: ParseProblem[] = [];
  const start = text.indexOf('MSH');
  if (start < 0) return { ok: false, error: 'no MSH segment', problems };
  if (start > 0) {
    if (!/^[\s\0\uFEFF]*$/.test(text.slice(0, start))) {
      return { ok: false, error: 'text before MSH is not whitespace', problems };
    }
    problems.push({ code: 'leading_garbage', line: 1, detail: `${start} whitespace, NUL or BOM characters before MSH` });
  }
  const body = text.slice(start);
  const delims = readDelimiters(body, problems);
  if (typeof delims === 'string') return { ok: false, error: delims, problems };

  const segments: Hl7Segment[] = [];
  for (const line of splitLines(body, problems)) {
    if (line.text.length === 0) continue;
    if (/[\0-\x08\x0B\x0C\x0E-\x1F\x7F]/.test(line.text)) {
      problems.push({ code: 'control_character', line: line.number, detail: 'unescaped control character inside a segment' });
    }
    const name = line.text.slice(0, 3);
    const startsSegment = SEGMENT_NAME.test(name) && (line.text.length === 3 || line.text[3] === delims.field);
    if (!startsSegment) {
      const previous = segments.at(-1);
      if (previous && line.joinedBy !== '') {
        // A raw line break inside a field (e.g. NTE text): rejoin it with the break it had.
        const lastIndex = previous.fields.length - 1;
        previous.fields[lastIndex] = `${previous.fields[lastIndex]}${line.joinedBy}${line.text}`;
        problems.push({ code: 'segment_continuation', line: line.number, detail: 'line does not start a segment; joined to the previous segment as a raw line break' });
        continue;
      }
      problems.push({ code: 'bad_segment_name', line: line.number, detail: 'line does not start with a segment id' });
      continue;
    }
    for (const part of splitRunTogether(line, delims, problems)) {
      segments.push({ name: part.slice(0, 3), fields: splitSegment(part, delims), line: line.number });
    }
  }
  if (segments[0]?.name !== 'MSH') return { ok: false, error: 'first segment is not MSH', problems };
  return { ok: true, message: { delimiters: delims, segments, problems, decodeHex: decodeHex ?? defaultHex } };
}

const defaultHex: HexDecoder = (bytes) => new TextDecoder('utf-8').decode(bytes);

// --- character sets -------------------------------------------------------------------------

/** MSH-18 values (HL7 table 0211) we decode; anything else is read as Windows-1252 and reported. */
function decoderFor(msh18: string): { label: string; decode: (b: Uint8Array) => string } | null {
  const v = msh18.trim().toUpperCase();
  if (v === '' ) return null;
  if (v === 'UNICODE UTF-8' || v === 'UTF-8' || v === 'UTF8') return { label: 'utf-8', decode: (b) => new TextDecoder('utf-8').decode(b) };
  if (v === 'ASCII') return { label: 'ascii', decode: (b) => new TextDecoder('windows-1252').decode(b) };
  // WHATWG maps the ISO-8859-1 label to Windows-1252; in the field "8859/1" senders often mean it.
  if (v === '8859/1') return { label: 'iso-8859-1', decode: (b) => new TextDecoder('windows-1252').decode(b) };
  if (/^8859\/(\d+)$/.test(v)) {
    const n = v.split('/')[1];
    try {
      const td = new TextDecoder(`iso-8859-${n}`);
      return { label: `iso-8859-${n}`, decode: (b) => td.decode(b) };
    } catch {
      return null;
    }
  }
  return null;
}

function readMsh18(bytes: Uint8Array): string {
  // MSH up to the first segment break, as Latin-1 (every byte one character: safe for ASCII delimiters).
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString('latin1');
  const start = head.indexOf('MSH');
  if (start < 0) return '';
  const msh = head.slice(start).split(/\r|\n/)[0] ?? '';
  const sep = msh[3];
  if (!sep) return '';
  return msh.split(sep)[17]?.split(msh[4] ?? '^')[0] ?? '';
}

export interface DecodedText {
  text: string;
  charset: string;
  problems: ParseProblem[];
  decodeHex: HexDecoder;
}

/**
 * Bytes → text by MSH-18. Without MSH-18 the bytes must be UTF-8; when they are not, they are
 * read as Windows-1252 and the problem is reported (the pitfall of ISO-8859-1 senders that do
 * not declare it).
 */
export function decodeHl7Bytes(bytes: Uint8Array): DecodedText {
  const problems: ParseProblem[] = [];
  const msh18 = readMsh18(bytes);
  const declared = decoderFor(msh18);
  if (declared) return { text: declared.decode(bytes), charset: declared.label, problems, decodeHex: declared.decode };
  if (msh18.trim() !== '') problems.push({ code: 'unsupported_charset', detail: 'MSH-18 names a character set we do not decode; read as Windows-1252' });
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text, charset: 'utf-8', problems, decodeHex: (b) => new TextDecoder('utf-8').decode(b) };
  } catch {
    if (msh18.trim() === '') problems.push({ code: 'undeclared_charset_not_utf8', detail: 'no MSH-18 and the bytes are not UTF-8; read as Windows-1252' });
    const td = new TextDecoder('windows-1252');
    return { text: td.decode(bytes), charset: 'windows-1252', problems, decodeHex: (b) => td.decode(b) };
  }
}

/** Bytes as received (e.g. an MLLP frame's content) → parsed message. */
export function parseHl7Bytes(bytes: Uint8Array): ParseResult {
  const decoded = decodeHl7Bytes(bytes);
  const result = parseHl7(decoded.text, decoded.decodeHex);
  if (result.ok) result.message.problems.unshift(...decoded.problems);
  else result.problems.unshift(...decoded.problems);
  return result;
}

// --- reading values -------------------------------------------------------------------------

export function segmentsNamed(message: Hl7Message, name: string): Hl7Segment[] {
  return message.segments.filter((s) => s.name === name);
}

export function firstSegment(message: Hl7Message, name: string): Hl7Segment | undefined {
  return message.segments.find((s) => s.name === name);
}

/** The raw text of field `n` (all repetitions, still escaped), or '' when absent. */
export function rawField(segment: Hl7Segment, n: number): string {
  return segment.fields[n] ?? '';
}

export interface ValuePath {
  /** 1-based repetition. */
  rep?: number;
  /** 1-based component. */
  comp?: number;
  /** 1-based subcomponent. */
  sub?: number;
}

/**
 * One unescaped value: field `n`, repetition, component, subcomponent (all 1-based, default 1).
 * MSH-1 and MSH-2 are returned as they are (they are the delimiters, not escaped text).
 */
export function value(message: Hl7Message, segment: Hl7Segment, n: number, path: ValuePath = {}, problems?: UnescapeProblem[]): string {
  const raw = rawField(segment, n);
  if (segment.name === 'MSH' && (n === 1 || n === 2)) return raw;
  const d = message.delimiters;
  const rep = raw.split(d.repetition)[(path.rep ?? 1) - 1] ?? '';
  const comp = rep.split(d.component)[(path.comp ?? 1) - 1] ?? '';
  const sub = comp.split(d.subcomponent)[(path.sub ?? 1) - 1] ?? '';
  return unescapeText(sub, d, problems, message.decodeHex);
}

/** Number of repetitions present in field `n` (0 when empty). */
export function repetitionCount(message: Hl7Message, segment: Hl7Segment, n: number): number {
  const raw = rawField(segment, n);
  return raw === '' ? 0 : raw.split(message.delimiters.repetition).length;
}

export interface MessageHeader {
  messageCode: string;
  triggerEvent: string;
  structure: string;
  controlId: string;
  processingId: string;
  version: string;
  charset: string;
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  time: string;
}

export function header(message: Hl7Message): MessageHeader {
  const msh = message.segments[0]!;
  const v = (n: number, comp = 1) => value(message, msh, n, { comp });
  return {
    sendingApplication: v(3),
    sendingFacility: v(4),
    receivingApplication: v(5),
    receivingFacility: v(6),
    time: v(7),
    messageCode: v(9, 1),
    triggerEvent: v(9, 2),
    structure: v(9, 3),
    controlId: v(10),
    processingId: v(11),
    version: v(12),
    charset: v(18),
  };
}
