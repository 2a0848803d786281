/**
 * Builds a form page from the same numbers twice: vector drawing instructions for the blank PDF,
 * and the reader's template fields with their lab meanings. Units are millimetres, origin at the
 * top-left corner, y down (the template's convention).
 */
import type {
  CheckboxField,
  CheckboxGroup,
  RectMm,
  TemplateDefinition,
  TemplateField,
  TextField,
  TextType,
} from '@nexession/reader';
import type { FieldRole, LabFieldMeaning, LabForm, LabTest } from '../types.ts';
import type { DrawOp, PageDrawing, StandardFontName } from './ops.ts';
import { textWidthMm } from './text-width.ts';

export interface TextFieldSpec {
  key: string;
  label: string;
  role: FieldRole;
  textType: TextType;
  format?: string;
}

export interface CheckboxSpec {
  key: string;
  label: string;
  role: FieldRole;
  value?: string;
  test?: LabTest;
}

export interface LabelStyle {
  font: StandardFontName;
  sizePt: number;
}

export class FormBuilder {
  readonly widthMm: number;
  readonly heightMm: number;
  readonly ops: DrawOp[] = [];
  private readonly fields: TemplateField[] = [];
  private readonly groups: CheckboxGroup[] = [];
  private readonly meanings: Record<string, LabFieldMeaning> = {};

  constructor(page: { widthMm: number; heightMm: number }) {
    this.widthMm = page.widthMm;
    this.heightMm = page.heightMm;
  }

  // ------------------------------------------------------------------ plain drawing

  text(x: number, y: number, text: string, font: StandardFontName, sizePt: number, opts: { align?: 'left' | 'right' | 'center'; grey?: number } = {}): number {
    this.ops.push({ op: 'text', x, y, text, font, sizePt, ...opts });
    return textWidthMm(text, font, sizePt);
  }

  rect(x: number, y: number, w: number, h: number, opts: { stroke?: number; fill?: number }): void {
    this.ops.push({ op: 'rect', x, y, w, h, ...opts });
  }

  line(x1: number, y1: number, x2: number, y2: number, width: number, dash?: [number, number]): void {
    this.ops.push(dash ? { op: 'line', x1, y1, x2, y2, width, dash } : { op: 'line', x1, y1, x2, y2, width });
  }

  /** A black band with white text: a section heading, and a strong feature to register on. */
  band(x: number, y: number, w: number, h: number, title: string, font: StandardFontName, sizePt: number): void {
    this.rect(x, y, w, h, { fill: 0 });
    this.text(x + 1.5, y + h / 2 + sizePt * 0.35 * 0.3528 * 1.0, title, font, sizePt, { grey: 1 });
  }

  /** Solid corner squares; the reader may use them but must not depend on them. */
  cornerMarks(inset: number, size: number): void {
    const right = this.widthMm - inset - size;
    const bottom = this.heightMm - inset - size;
    for (const [x, y] of [[inset, inset], [right, inset], [inset, bottom], [right, bottom]] as const) {
      this.rect(x, y, size, size, { fill: 0 });
    }
  }

  // ------------------------------------------------------------------ fields

  /**
   * A grid cell with its label printed small in the top-left corner and the write-in area below.
   * The region is inset from the cell borders, so no printed line lies inside it.
   */
  cellText(spec: TextFieldSpec, x: number, y: number, w: number, h: number, label: LabelStyle, border = 0.25): TextField {
    this.rect(x, y, w, h, { stroke: border });
    this.text(x + 0.9, y + 0.9 + label.sizePt * 0.3528 * 0.75, spec.label, label.font, label.sizePt);
    const strip = 0.9 + label.sizePt * 0.3528 + 0.4;
    return this.addText(spec, { x: x + 0.6, y: y + strip, w: w - 1.2, h: h - strip - 0.5 }, false);
  }

  /**
   * A write-in line with the label printed to its left (or not at all when `label` is null).
   * The region spans the writing height above the line and a little below it, so the printed
   * line lies inside the region.
   */
  underlineText(spec: TextFieldSpec, x: number, lineY: number, w: number, writeHeight: number, label: LabelStyle | null, lineWidth = 0.2): TextField {
    let fx = x;
    if (label) {
      fx += this.text(x, lineY - 0.6, spec.label, label.font, label.sizePt) + 1.2;
    }
    const fw = x + w - fx;
    this.line(fx, lineY, fx + fw, lineY, lineWidth);
    return this.addText(spec, { x: fx, y: lineY - writeHeight, w: fw, h: writeHeight + 1.2 }, true);
  }

  /** A row of comb cells (one character each) with the label above; the region is the comb. */
  combText(spec: TextFieldSpec, x: number, y: number, cellW: number, h: number, cells: number, label: LabelStyle | null, opts: { separatorsAfter?: number[]; lineWidth?: number } = {}): TextField {
    const lw = opts.lineWidth ?? 0.2;
    if (label) this.text(x, y - 0.8, spec.label, label.font, label.sizePt);
    const w = cellW * cells;
    this.rect(x, y, w, h, { stroke: lw });
    for (let i = 1; i < cells; i++) {
      const sep = opts.separatorsAfter?.includes(i) ?? false;
      // Comb ticks rise a third of the way, as on printed forms; separators run the full height.
      this.line(x + i * cellW, sep ? y : y + h * 0.62, x + i * cellW, y + h, sep ? lw * 1.6 : lw);
    }
    return this.addText(spec, { x, y, w, h }, true);
  }

  /** A square checkbox; the field region is the square's outer edge. */
  box(spec: CheckboxSpec, x: number, y: number, size: number, stroke = 0.3): CheckboxField {
    this.rect(x, y, size, size, { stroke });
    return this.addCheckbox(spec, { x, y, w: size, h: size });
  }

  group(key: string, label: string, rule: CheckboxGroup['rule'], members: CheckboxField[]): void {
    for (const m of members) m.group = key;
    this.groups.push({ key, label, rule, members: members.map((m) => m.key) });
  }

  // ------------------------------------------------------------------ result

  build(meta: { id: string; version: number; name: string }): { labForm: LabForm; drawing: PageDrawing } {
    const template: TemplateDefinition = {
      id: meta.id,
      version: meta.version,
      name: meta.name,
      pages: [{ widthMm: this.widthMm, heightMm: this.heightMm, fields: this.fields, groups: this.groups }],
    };
    return {
      labForm: { template, meanings: this.meanings, reviewOrder: this.fields.map((f) => f.key) },
      drawing: { widthMm: this.widthMm, heightMm: this.heightMm, ops: this.ops },
    };
  }

  private addText(spec: TextFieldSpec, region: RectMm, printedLines: boolean): TextField {
    const field: TextField = { kind: 'text', key: spec.key, label: spec.label, region: round(region), textType: spec.textType, printedLines };
    if (spec.format) field.format = spec.format;
    this.register(field, { role: spec.role });
    return field;
  }

  private addCheckbox(spec: CheckboxSpec, region: RectMm): CheckboxField {
    const field: CheckboxField = { kind: 'checkbox', key: spec.key, label: spec.label, region: round(region), style: 'square' };
    const meaning: LabFieldMeaning = { role: spec.role };
    if (spec.value !== undefined) meaning.value = spec.value;
    if (spec.test) meaning.test = spec.test;
    this.register(field, meaning);
    return field;
  }

  private register(field: TemplateField, meaning: LabFieldMeaning): void {
    if (this.meanings[field.key]) throw new Error(`duplicate field key ${field.key}`);
    this.fields.push(field);
    this.meanings[field.key] = meaning;
  }
}

/** Regions are stored to 0.01 mm so the JSON stays readable and stable. */
function round(r: RectMm): RectMm {
  const q = (v: number) => Math.round(v * 100) / 100;
  return { x: q(r.x), y: q(r.y), w: q(r.w), h: q(r.h) };
}
