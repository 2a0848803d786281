/**
 * A PDF lexer over latin1 text that splits tokens exactly as pdf.js's own Lexer does (its
 * whitespace and delimiter table, comments to the end of the line, literal strings with nested
 * parentheses and backslash escapes, hex strings up to '>', names with #xx escapes). Screening
 * must read bytes the way the parser that renders them does, or a name can hide in what one
 * reads as a string and the other as an object.
 */

/** pdf.js specialChars: 1 whitespace (NUL, TAB, LF, FF, CR, SP), 2 delimiter. */
const SPECIAL = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) SPECIAL[c] = 1;
for (const c of '()<>[]{}/%') SPECIAL[c.charCodeAt(0)] = 2;

export type Token =
  | { kind: 'name'; value: string; at: number }
  | { kind: 'word'; value: string; at: number }
  | { kind: 'open' | 'close' | 'aopen' | 'aclose' | 'string'; at: number };

/** A stretch the lexer read as something other than tokens (a string or a comment). */
export interface Skipped {
  from: number;
  to: number;
}

export function isSpace(code: number): boolean {
  return SPECIAL[code] === 1;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if ((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) return (c & 0x0f) + 9;
  return -1;
}

export class PdfLexer {
  readonly text: string;
  readonly end: number;
  pos: number;
  /** Called for every string and comment passed over. */
  readonly onSkip: ((s: Skipped) => void) | null;

  constructor(text: string, pos: number, end = text.length, onSkip: ((s: Skipped) => void) | null = null) {
    this.text = text;
    this.pos = pos;
    this.end = Math.min(end, text.length);
    this.onSkip = onSkip;
  }

  private code(i: number): number {
    return i < this.end ? this.text.charCodeAt(i) & 0xff : -1;
  }

  /** Skips whitespace and comments, as pdf.js does between tokens. */
  skipSpace(): void {
    for (;;) {
      const c = this.code(this.pos);
      if (c < 0) return;
      if (c === 0x25) {
        const from = this.pos;
        while (this.pos < this.end && this.code(this.pos) !== 0x0a && this.code(this.pos) !== 0x0d) this.pos++;
        this.onSkip?.({ from, to: this.pos });
        continue;
      }
      if (SPECIAL[c] !== 1) return;
      this.pos++;
    }
  }

  next(): Token | null {
    this.skipSpace();
    const at = this.pos;
    const c = this.code(at);
    if (c < 0) return null;
    switch (c) {
      case 0x28: // (
        this.skipLiteralString();
        this.onSkip?.({ from: at, to: this.pos });
        return { kind: 'string', at };
      case 0x3c: // <
        if (this.code(at + 1) === 0x3c) {
          this.pos += 2;
          return { kind: 'open', at };
        }
        // A hex string runs to the first '>' (pdf.js ignores anything else in it).
        this.pos = this.text.indexOf('>', at + 1);
        this.pos = this.pos < 0 || this.pos >= this.end ? this.end : this.pos + 1;
        this.onSkip?.({ from: at, to: this.pos });
        return { kind: 'string', at };
      case 0x3e: // >
        if (this.code(at + 1) === 0x3e) {
          this.pos += 2;
          return { kind: 'close', at };
        }
        this.pos++;
        return { kind: 'word', value: '>', at };
      case 0x5b:
        this.pos++;
        return { kind: 'aopen', at };
      case 0x5d:
        this.pos++;
        return { kind: 'aclose', at };
      case 0x7b:
      case 0x7d:
      case 0x29: // a stray ')' is an error to pdf.js; step over it
        this.pos++;
        return { kind: 'word', value: String.fromCharCode(c), at };
      case 0x2f:
        return { kind: 'name', value: this.readName(), at };
    }
    // A command or number: up to the next whitespace or delimiter.
    let p = at + 1;
    while (p < this.end && SPECIAL[this.code(p)] === 0) p++;
    this.pos = p;
    return { kind: 'word', value: this.text.slice(at, p), at };
  }

  /** From '(' to its matching ')', counting unescaped parentheses (pdf.js getString). */
  private skipLiteralString(): void {
    let depth = 1;
    let p = this.pos + 1;
    while (p < this.end) {
      const c = this.code(p);
      if (c === 0x5c) p += 2;
      else {
        if (c === 0x28) depth++;
        else if (c === 0x29 && --depth === 0) {
          p++;
          break;
        }
        p++;
      }
    }
    this.pos = Math.min(p, this.end);
  }

  /** pdf.js getName: #xx decoded; a '#' without two hex digits is kept as written. */
  private readName(): string {
    let p = this.pos + 1;
    let out = '';
    while (p < this.end) {
      let c = this.code(p);
      if (SPECIAL[c] !== 0) break;
      if (c !== 0x23) {
        out += String.fromCharCode(c);
        p++;
        continue;
      }
      p++;
      c = this.code(p);
      if (c < 0 || SPECIAL[c] !== 0) {
        out += '#';
        break;
      }
      const x = hexDigit(c);
      if (x < 0) {
        out += '#' + String.fromCharCode(c);
        p++;
        continue;
      }
      const c2 = this.code(p + 1);
      const x2 = c2 < 0 ? -1 : hexDigit(c2);
      if (x2 < 0) {
        out += '#' + String.fromCharCode(c);
        p++;
        if (c2 < 0 || SPECIAL[c2] !== 0) break;
        out += String.fromCharCode(c2);
        p++;
        continue;
      }
      out += String.fromCharCode((x << 4) | x2);
      p += 2;
    }
    this.pos = p;
    return out;
  }
}

/** pdf.js skipToNextLine: where stream data starts, after the first line end following `from`. */
export function afterLineEnd(text: string, from: number): number {
  let p = from;
  while (p < text.length) {
    const c = text.charCodeAt(p);
    if (c === 0x0d) return text.charCodeAt(p + 1) === 0x0a ? p + 2 : p + 1;
    if (c === 0x0a) return p + 1;
    p++;
  }
  return text.length;
}

/** pdf.js findStreamLength: "endstream", or the misspellings it also accepts, from `from`. */
const END_STREAM = /endstream|endsteam[\0\t\n\f\r ]|endstrea[\0\t\n\f\r ]/g;
export function findEndstream(text: string, from: number): number {
  END_STREAM.lastIndex = from;
  const m = END_STREAM.exec(text);
  return m ? m.index : -1;
}
