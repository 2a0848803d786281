/**
 * A small flowing-text writer over pdf-lib: A4 pages, wrapped lines, headings, images, a footer
 * on every page. The standard PDF fonts (no font file to ship) encode WinAnsi only: any other
 * character is written as its code point, e.g. "[U+0141]", so nothing is silently changed.
 */
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 42;
const FOOTER = 24;

export type FontName = 'regular' | 'bold' | 'mono';

export interface TextOptions {
  font?: FontName;
  size?: number;
  indent?: number;
  color?: 'normal' | 'muted' | 'bad' | 'good';
  /** Space after the block, in points. */
  after?: number;
}

const COLOURS = {
  normal: rgb(0, 0, 0),
  muted: rgb(0.35, 0.35, 0.35),
  bad: rgb(0.7, 0, 0),
  good: rgb(0, 0.4, 0),
};

export class PdfWriter {
  readonly doc: PDFDocument;
  readonly #fonts: Record<FontName, PDFFont>;
  readonly #charsets: Record<FontName, Set<number>>;
  #page: PDFPage;
  #y: number;

  private constructor(doc: PDFDocument, fonts: Record<FontName, PDFFont>) {
    this.doc = doc;
    this.#fonts = fonts;
    this.#charsets = {
      regular: new Set(fonts.regular.getCharacterSet()),
      bold: new Set(fonts.bold.getCharacterSet()),
      mono: new Set(fonts.mono.getCharacterSet()),
    };
    this.#page = doc.addPage([A4.width, A4.height]);
    this.#y = A4.height - MARGIN;
  }

  static async create(): Promise<PdfWriter> {
    const doc = await PDFDocument.create();
    const fonts = {
      regular: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      mono: await doc.embedFont(StandardFonts.Courier),
    };
    return new PdfWriter(doc, fonts);
  }

  get contentWidth(): number {
    return A4.width - 2 * MARGIN;
  }

  /** Text the font can draw: tabs become spaces, other characters their code point. */
  encodable(text: string, font: FontName): string {
    const set = this.#charsets[font];
    let out = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (ch === '\t') out += '    ';
      else if (set.has(cp)) out += ch;
      else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0').toUpperCase()}`;
      else out += `[U+${cp.toString(16).toUpperCase().padStart(4, '0')}]`;
    }
    return out;
  }

  #newPage(): void {
    this.#page = this.doc.addPage([A4.width, A4.height]);
    this.#y = A4.height - MARGIN;
  }

  #ensure(height: number): void {
    if (this.#y - height < MARGIN + FOOTER) this.#newPage();
  }

  /** Wraps one paragraph to the width: at spaces, or inside a word too long for a line. */
  #wrap(text: string, font: PDFFont, size: number, width: number): string[] {
    const lines: string[] = [];
    const fits = (s: string) => font.widthOfTextAtSize(s, size) <= width;
    let line = '';
    for (const word of text.split(/(?<= )/)) {
      if (fits(line + word)) {
        line += word;
        continue;
      }
      if (line) lines.push(line.trimEnd());
      line = '';
      let rest = word;
      while (!fits(rest)) {
        let n = rest.length;
        while (n > 1 && !fits(rest.slice(0, n))) n = Math.floor(n * 0.9);
        while (n < rest.length && fits(rest.slice(0, n + 1))) n++;
        lines.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
    }
    if (line || lines.length === 0) lines.push(line.trimEnd());
    return lines;
  }

  text(text: string, opts: TextOptions = {}): void {
    const fontName = opts.font ?? 'regular';
    const font = this.#fonts[fontName];
    const size = opts.size ?? 9;
    const indent = opts.indent ?? 0;
    const leading = size * 1.3;
    const width = this.contentWidth - indent;
    for (const paragraph of this.encodable(text, fontName).split('\n')) {
      for (const line of this.#wrap(paragraph, font, size, width)) {
        this.#ensure(leading);
        this.#y -= leading;
        if (line) this.#page.drawText(line, { x: MARGIN + indent, y: this.#y + size * 0.25, size, font, color: COLOURS[opts.color ?? 'normal'] });
      }
    }
    this.#y -= opts.after ?? 0;
  }

  heading(text: string, level: 1 | 2 | 3 = 2): void {
    const size = level === 1 ? 16 : level === 2 ? 12.5 : 10;
    this.#ensure(size * 3);
    this.#y -= level === 3 ? 4 : 10;
    this.text(text, { font: 'bold', size, after: 3 });
    if (level < 3) {
      this.#page.drawLine({ start: { x: MARGIN, y: this.#y + 1 }, end: { x: A4.width - MARGIN, y: this.#y + 1 }, thickness: 0.5, color: COLOURS.muted });
      this.#y -= 4;
    }
  }

  /** "label: value" with the value wrapped beside the label. */
  field(label: string, value: string, opts: { font?: FontName; indent?: number; color?: TextOptions['color'] } = {}): void {
    const size = 9;
    const indent = opts.indent ?? 0;
    const labelWidth = 120;
    const font = this.#fonts[opts.font ?? 'regular'];
    const lines = this.encodable(value, opts.font ?? 'regular')
      .split('\n')
      .flatMap((p) => this.#wrap(p, font, size, this.contentWidth - indent - labelWidth));
    const leading = size * 1.3;
    for (const [i, line] of lines.entries()) {
      this.#ensure(leading);
      this.#y -= leading;
      if (i === 0) this.#page.drawText(this.encodable(label, 'bold'), { x: MARGIN + indent, y: this.#y + size * 0.25, size, font: this.#fonts.bold });
      if (line) this.#page.drawText(line, { x: MARGIN + indent + labelWidth, y: this.#y + size * 0.25, size, font, color: COLOURS[opts.color ?? 'normal'] });
    }
  }

  gap(points = 6): void {
    this.#y -= points;
  }

  /** A PNG scaled to fit the box (never enlarged past 2x), with a thin frame. */
  async image(png: Uint8Array, opts: { maxWidth: number; maxHeight: number; indent?: number }): Promise<void> {
    const img = await this.doc.embedPng(png);
    const scale = Math.min(opts.maxWidth / img.width, opts.maxHeight / img.height, 2);
    const w = img.width * scale;
    const h = img.height * scale;
    this.#ensure(h + 6);
    this.#y -= h + 3;
    const x = MARGIN + (opts.indent ?? 0);
    this.#page.drawImage(img, { x, y: this.#y, width: w, height: h });
    this.#page.drawRectangle({ x, y: this.#y, width: w, height: h, borderColor: COLOURS.muted, borderWidth: 0.5 });
    this.#y -= 3;
  }

  /** Numbers every page ("page n of N") with a line that names the export (ids only). */
  footer(text: string): void {
    const pages = this.doc.getPages();
    for (const [i, page] of pages.entries()) {
      page.drawText(this.encodable(`${text} · page ${i + 1} of ${pages.length}`, 'regular'), {
        x: MARGIN,
        y: MARGIN / 2,
        size: 7,
        font: this.#fonts.regular,
        color: COLOURS.muted,
      });
    }
  }
}
