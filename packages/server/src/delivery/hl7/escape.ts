/**
 * HL7 v2 escaping: the only transformation a confirmed value goes through on its way into a
 * message. Escaping is lossless by construction: `unescapeText(escapeText(v)) === v` for every
 * well-formed string, including a value that is only a backslash, line breaks and accents.
 */

export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

/** What we always write in MSH-1 and MSH-2: `|` and `^~\&`. */
export const STANDARD_DELIMITERS: Delimiters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};

const HEX = '0123456789ABCDEF';

function hexByte(code: number): string {
  return HEX[code >> 4]! + HEX[code & 15]!;
}

/**
 * C0 controls (and DEL) are written as `\Xhh\` hex escapes. Tab stays as it is. This matters
 * for more than looks: an unescaped CR would end the segment, and an unescaped 0x0B or 0x1C
 * would break the MLLP frame. A CR/LF run becomes one escape (`\X0D0A\`), so the receiver gets
 * the exact line-break bytes the person confirmed (FT's `\.br\` would lose CR versus CRLF).
 */
function isEscapedControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}

/**
 * Escapes one text value (a component or subcomponent) for the given delimiters.
 * A value that is exactly `""` (two double quotes) would be read as HL7's explicit null, so it
 * is written as `\X2222\`, which decodes back to the same two characters.
 */
export function escapeText(value: string, d: Delimiters = STANDARD_DELIMITERS): string {
  if (value === '""') return `${d.escape}X2222${d.escape}`;
  let out = '';
  let hexRun = '';
  const flushHex = () => {
    if (hexRun) {
      out += `${d.escape}X${hexRun}${d.escape}`;
      hexRun = '';
    }
  };
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (isEscapedControl(code)) {
      hexRun += hexByte(code);
      continue;
    }
    flushHex();
    if (ch === d.escape) out += `${d.escape}E${d.escape}`;
    else if (ch === d.field) out += `${d.escape}F${d.escape}`;
    else if (ch === d.component) out += `${d.escape}S${d.escape}`;
    else if (ch === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (ch === d.repetition) out += `${d.escape}R${d.escape}`;
    else out += ch;
  }
  flushHex();
  return out;
}

export interface UnescapeProblem {
  code: 'unterminated_escape' | 'bad_hex_escape' | 'unknown_escape';
  /** Offset in the escaped text; no value is ever copied into a problem (it may be PHI). */
  offset: number;
}

/**
 * Turns `\Xhh..\` bytes into text. The bytes are in the message's character set; the parser
 * passes a decoder for it (UTF-8 by default).
 */
export type HexDecoder = (bytes: Uint8Array) => string;

const utf8Hex: HexDecoder = (bytes) => new TextDecoder('utf-8').decode(bytes);

/**
 * Reverses `escapeText` and also understands what other senders write: `\.br\` (a line break in
 * FT/TX text) becomes `\n`; other formatting commands (`\H\`, `\N\`, `\.sp\`, `\Cxxxx\`, ...)
 * are kept verbatim and reported, never guessed at. A stray escape character with no closing
 * one is kept as a literal character and reported.
 */
export function unescapeText(
  text: string,
  d: Delimiters = STANDARD_DELIMITERS,
  problems?: UnescapeProblem[],
  decodeHex: HexDecoder = utf8Hex,
): string {
  if (!text.includes(d.escape)) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== d.escape) {
      out += ch;
      i += 1;
      continue;
    }
    const end = text.indexOf(d.escape, i + 1);
    if (end < 0) {
      problems?.push({ code: 'unterminated_escape', offset: i });
      out += text.slice(i);
      break;
    }
    const body = text.slice(i + 1, end);
    const next = end + 1;
    if (body === 'E') out += d.escape;
    else if (body === 'F') out += d.field;
    else if (body === 'S') out += d.component;
    else if (body === 'T') out += d.subcomponent;
    else if (body === 'R') out += d.repetition;
    else if (body === '.br') out += '\n';
    else if (body.startsWith('X')) {
      const hex = body.slice(1);
      if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) {
        problems?.push({ code: 'bad_hex_escape', offset: i });
        out += text.slice(i, next);
      } else {
        const bytes = new Uint8Array(hex.length / 2);
        for (let b = 0; b < bytes.length; b += 1) bytes[b] = Number.parseInt(hex.slice(b * 2, b * 2 + 2), 16);
        out += decodeHex(bytes);
      }
    } else {
      problems?.push({ code: 'unknown_escape', offset: i });
      out += text.slice(i, next);
    }
    i = next;
  }
  return out;
}
