/**
 * Vector drawing instructions for a blank form, in millimetres from the top-left corner (y down).
 * A form layout produces these together with its template fields, so the PDF and the template
 * are made from the same numbers and cannot disagree.
 */

/** The PDF standard fonts: no embedding, no font files, identical on every machine. */
export type StandardFontName =
  | 'Helvetica'
  | 'Helvetica-Bold'
  | 'Helvetica-Oblique'
  | 'Times-Roman'
  | 'Times-Bold'
  | 'Times-Italic'
  | 'Times-BoldItalic'
  | 'Courier'
  | 'Courier-Bold';

export interface TextOp {
  op: 'text';
  /** Left end of the baseline, unless `align` says otherwise. */
  x: number;
  /** Baseline. */
  y: number;
  text: string;
  font: StandardFontName;
  sizePt: number;
  align?: 'left' | 'right' | 'center';
  /** 0 = black, 1 = white. */
  grey?: number;
}

export interface RectOp {
  op: 'rect';
  x: number;
  y: number;
  w: number;
  h: number;
  /** Outline width in mm; omitted = no outline. */
  stroke?: number;
  /** Fill grey level, 0 = black; omitted = no fill. */
  fill?: number;
}

export interface LineOp {
  op: 'line';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  width: number;
  dash?: [number, number];
}

export type DrawOp = TextOp | RectOp | LineOp;

export interface PageDrawing {
  widthMm: number;
  heightMm: number;
  ops: DrawOp[];
}

export const LETTER = { widthMm: 215.9, heightMm: 279.4 } as const;
export const MM_PER_PT = 25.4 / 72;
