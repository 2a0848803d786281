/**
 * The forms the test set fills: Nexession's own drawn forms, and the real Ontario 2010 requisition
 * read at run time from ../shared/realdata (never copied into the repository). Each becomes a
 * `FormSource`: the blank PDF and, per field, where a person writes or marks.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckboxGroup, RectMm, TemplateDefinition, TextType } from '@nexession/reader';
import { type BuiltInForm, type FieldRole, type LabFieldMeaning, type LabTest, ONTARIO_2010_MEANINGS, getBuiltInForm } from '@nexession/forms';
import { type RasterPage, rasterisePdf } from '../raster/rasterise-pdf.ts';
import { type OscarRow, parseOscarMap } from './oscar-map.ts';

export const FORM_IDS = ['demo-outreach', 'second-lab', 'gyn-cytology', 'ontario-2010'] as const;
export type FormId = (typeof FORM_IDS)[number];

export interface TextTarget {
  kind: 'text';
  key: string;
  role: FieldRole;
  textType: TextType;
  format?: string;
  /** The template's region for the field (mm). */
  region: RectMm;
  /** Where a person's writing sits: baseline (mm from top) and the tallest capital that fits. */
  baselineMm: number;
  capMaxMm: number;
  /** Comb boxes: one character per cell. */
  comb?: { cells: number; x: number; cellW: number };
  /** Right-aligned fields (the OSCAR map says so for the chart number, which shares a box). */
  align?: 'left' | 'right';
}

export interface BoxTarget {
  kind: 'checkbox';
  key: string;
  role: FieldRole;
  value?: string;
  test?: LabTest;
  group?: string;
  /** The box or cell as printed (mm). */
  box: RectMm;
  /** Inside the printed outline: where a mark counts. */
  interior: RectMm;
  style: 'square' | 'cell';
}

export type FillTarget = TextTarget | BoxTarget;

export interface FormSource {
  id: FormId;
  templateId: string;
  templateVersion: number;
  widthMm: number;
  heightMm: number;
  blankPdf: Uint8Array;
  targets: FillTarget[];
  groups: CheckboxGroup[];
  meanings: Record<string, LabFieldMeaning>;
  /** Patients' address style. */
  country: 'US' | 'CA';
  /** For drawn forms, the template the reader is given; for Ontario, the reader makes it from the map. */
  template: TemplateDefinition | null;
  /** The OSCAR map text (Ontario only), for the reader's `templateFromOscarMap`. */
  oscarMap?: string;
  blankRaster(dpi: number): Promise<RasterPage>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../../..');

/** ../shared/realdata beside the repository, or NEXESSION_REALDATA. */
export function realdataDir(): string {
  return process.env.NEXESSION_REALDATA ?? path.resolve(REPO_ROOT, '../shared/realdata');
}

export const ONTARIO_DIR = () => path.join(realdataDir(), 'ontario-labreq-2010');

const cache = new Map<FormId, Promise<FormSource>>();

export function loadFormSource(id: FormId): Promise<FormSource> {
  let p = cache.get(id);
  if (!p) {
    p = id === 'ontario-2010' ? loadOntario() : loadBuiltIn(id);
    cache.set(id, p);
  }
  return p;
}

function rasterCache(pdf: Uint8Array): (dpi: number) => Promise<RasterPage> {
  const byDpi = new Map<number, Promise<RasterPage>>();
  return (dpi) => {
    let r = byDpi.get(dpi);
    if (!r) {
      r = rasterisePdf(pdf, dpi);
      byDpi.set(dpi, r);
    }
    return r;
  };
}

const inset = (r: RectMm, d: number): RectMm => ({ x: r.x + d, y: r.y + d, w: r.w - 2 * d, h: r.h - 2 * d });
const PT = 25.4 / 72;
const CAP_PER_MM = 0.7; // cap height as a share of the em, for the fonts used

async function loadBuiltIn(id: Exclude<FormId, 'ontario-2010'>): Promise<FormSource> {
  const form = getBuiltInForm(id);
  if (!form) throw new Error(`no built-in form ${id}`);
  const blankPdf = await form.drawBlank();
  const page = form.labForm.template.pages[0]!;
  const targets: FillTarget[] = page.fields.flatMap((f): FillTarget[] => {
    const meaning = form.labForm.meanings[f.key]!;
    if (f.kind === 'checkbox') {
      const t: BoxTarget = { kind: 'checkbox', key: f.key, role: meaning.role, box: f.region, interior: inset(f.region, 0.6), style: f.style };
      if (meaning.value !== undefined) t.value = meaning.value;
      if (meaning.test) t.test = meaning.test;
      if (f.group) t.group = f.group;
      return [t];
    }
    if (f.kind !== 'text') return [];
    return [textTargetFromDrawing(form, f.key, meaning.role, f.textType, f.region, f.format)];
  });
  return {
    id,
    templateId: form.labForm.template.id,
    templateVersion: form.labForm.template.version,
    widthMm: page.widthMm,
    heightMm: page.heightMm,
    blankPdf,
    targets,
    groups: page.groups,
    meanings: form.labForm.meanings,
    country: 'US',
    template: form.labForm.template,
    blankRaster: rasterCache(blankPdf),
  };
}

/** Where writing goes in a drawn field: above its write-in line, in its comb cells, or low in its cell. */
function textTargetFromDrawing(form: BuiltInForm, key: string, role: FieldRole, textType: TextType, region: RectMm, format?: string): TextTarget {
  const inside = (x: number, y: number) => x >= region.x - 0.01 && x <= region.x + region.w + 0.01 && y >= region.y - 0.01 && y <= region.y + region.h + 0.01;
  const lines = form.drawing.ops.filter((o) => o.op === 'line' && inside(o.x1, o.y1) && inside(o.x2, o.y2));
  const verticals = lines.filter((o) => o.op === 'line' && Math.abs(o.x1 - o.x2) < 0.01);
  const horizontal = lines.find((o) => o.op === 'line' && Math.abs(o.y1 - o.y2) < 0.01);
  const t: TextTarget = { kind: 'text', key, role, textType, region, baselineMm: region.y + region.h * 0.78, capMaxMm: region.h * 0.55 };
  if (format) t.format = format;
  if (verticals.length > 0) {
    const cells = verticals.length + 1;
    t.comb = { cells, x: region.x, cellW: region.w / cells };
    t.baselineMm = region.y + region.h * 0.8;
    t.capMaxMm = region.h * 0.6;
  } else if (horizontal && horizontal.op === 'line') {
    t.baselineMm = horizontal.y1 - 0.7;
    t.capMaxMm = Math.min(4.2, t.baselineMm - region.y - 0.4);
  } else {
    t.capMaxMm = Math.min(4.2, t.baselineMm - region.y - 0.5);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Ontario 2010

const ONTARIO_GROUPS: CheckboxGroup[] = [
  { key: 'sex', label: 'Sex', rule: 'one', members: ['male', 'female'] },
  { key: 'payment', label: 'Check one', rule: 'one', members: ['ohip', 'thirdParty', 'wcb'] },
  { key: 'hepatitis', label: 'Viral Hepatitis (check one only)', rule: 'at_most_one', members: ['v_acuteHepatitis', 'v_chronicHepatitis', 'v_immuneStatus'] },
  { key: 'glucose_timing', label: 'Glucose: Random or Fasting', rule: 'at_most_one', members: ['b_glucose_random', 'b_glucose_fasting'] },
  { key: 'psa_billing', label: 'PSA: specify one', rule: 'at_most_one', members: ['psa_insured', 'psa_uninsured'] },
  { key: 'vitd', label: 'Vitamin D', rule: 'at_most_one', members: ['vitd_insured', 'vitd_uninsured'] },
  { key: 'fobt', label: 'FOBT (check one)', rule: 'at_most_one', members: ['fobt_nonCCC', 'fobt_CCC'] },
];

const ONTARIO_TEXT_TYPES: Record<string, TextType> = {
  healthNumber: 'identifier', version: 'identifier', patientBirthYear: 'digits', patientBirthMth: 'digits', patientBirthDay: 'digits',
  patientLastName: 'name', patientFirstName: 'name', reqProvName: 'name', provName: 'name', copyLname: 'name', copyFname: 'name',
  patientAddress: 'address', patientCity: 'address', patientPC: 'postal_code', clinicAddress: 'address', clinicCity: 'address', clinicPC: 'postal_code',
  phoneNumber: 'phone', clinicianContactUrgent: 'phone', b_cliniciansTelNo: 'phone', b_patientsTelNo: 'phone',
  o_specimenCollectionDate: 'date', b_dateSigned: 'date', m_specimenCollectionTime: 'time', practitionerNo: 'digits', cpsoNo: 'digits',
  patientChartNo: 'identifier', hcType: 'free',
};

async function loadOntario(): Promise<FormSource> {
  const dir = ONTARIO_DIR();
  const [blankPdf, mapText] = await Promise.all([readFile(path.join(dir, 'labReqForm2010.pdf')), readFile(path.join(dir, 'labReqPrintEncounterForm2010.txt'), 'utf8')]);
  const blank = new Uint8Array(blankPdf);
  const raster = rasterCache(blank);
  const page300 = await raster(300);
  const rows = parseOscarMap(mapText);
  const group = new Map(ONTARIO_GROUPS.flatMap((g) => g.members.map((m) => [m, g.key] as const)));
  const targets = rows.map((row): FillTarget => {
    const meaning = ONTARIO_2010_MEANINGS[row.key] ?? { role: 'other' as const };
    if (row.kind === 'checkbox') {
      const { box, style } = locateOntarioBox(page300, row);
      const t: BoxTarget = { kind: 'checkbox', key: row.key, role: meaning.role, box, interior: inset(box, style === 'square' ? 0.45 : 0.35), style };
      if (meaning.value !== undefined) t.value = meaning.value;
      if (meaning.test) t.test = meaning.test;
      const g = group.get(row.key);
      if (g) t.group = g;
      return t;
    }
    return ontarioTextTarget(row, meaning.role);
  });
  return {
    id: 'ontario-2010',
    templateId: 'ontario-2010',
    templateVersion: 1,
    widthMm: page300.widthMm,
    heightMm: page300.heightMm,
    blankPdf: blank,
    targets,
    groups: ONTARIO_GROUPS,
    meanings: { ...ONTARIO_2010_MEANINGS },
    country: 'CA',
    template: null,
    oscarMap: mapText,
    blankRaster: raster,
  };
}

function ontarioTextTarget(row: OscarRow, role: FieldRole): TextTarget {
  const textType = ONTARIO_TEXT_TYPES[row.key] ?? 'free';
  if (row.boxPt) {
    const b = row.boxPt;
    const region = { x: b.x1 * PT, y: b.y1 * PT, w: (b.x2 - b.x1) * PT, h: (b.y2 - b.y1) * PT };
    // Write on the first line of the box; the EMR prints there too.
    const lineH = Math.min(region.h, 11 * PT);
    const t: TextTarget = { kind: 'text', key: row.key, role, textType, region, baselineMm: region.y + lineH - 0.7, capMaxMm: Math.min(3.6, lineH * CAP_PER_MM) };
    if (row.align === 'right') t.align = 'right';
    return t;
  }
  // A name line without a box: the map gives the baseline.
  const region = { x: row.xPt * PT, y: (row.yPt - 9) * PT, w: 170 * PT, h: 11 * PT };
  return { kind: 'text', key: row.key, role, textType, region, baselineMm: row.yPt * PT, capMaxMm: 2.8 };
}

/**
 * Finds the printed box or "x"-column cell around an OSCAR tick anchor on the 300 dpi blank:
 * from the tick's centre, walk outwards to the first printed line on each side. The anchor is the
 * tick's baseline, so the centre is a little above it.
 */
export function locateOntarioBox(page: RasterPage, row: OscarRow): { box: RectMm; style: 'square' | 'cell' } {
  const pxPerMm = page.dpi / 25.4;
  const glyph = { x: row.xPt * PT, y: (row.yPt - row.sizePt * 0.72) * PT, w: row.sizePt * 0.78 * PT, h: row.sizePt * 0.72 * PT };
  let cx = Math.round((glyph.x + glyph.w / 2) * pxPerMm);
  let cy = Math.round((glyph.y + glyph.h / 2) * pxPerMm);
  const dark = (x: number, y: number) => x >= 0 && y >= 0 && x < page.width && y < page.height && page.data[y * page.width + x]! < 150;
  const span = Math.round(0.6 * pxPerMm);
  const isVerticalLine = (x: number) => {
    let n = 0;
    for (let y = cy - span; y <= cy + span; y++) if (dark(x, y) || dark(x - 1, y) || dark(x + 1, y)) n++;
    return n >= span * 2 * 0.85;
  };
  const isHorizontalLine = (y: number) => {
    let n = 0;
    for (let x = cx - span; x <= cx + span; x++) if (dark(x, y) || dark(x, y - 1) || dark(x, y + 1)) n++;
    return n >= span * 2 * 0.85;
  };
  const walk = (dx: number, dy: number, limitMm: number): number | null => {
    const limit = Math.round(limitMm * pxPerMm);
    for (let d = 1; d <= limit; d++) {
      const x = cx + dx * d;
      const y = cy + dy * d;
      if (dx !== 0 ? isVerticalLine(x) : isHorizontalLine(y)) return dx !== 0 ? x : y;
    }
    return null;
  };
  let left = walk(-1, 0, 7);
  let right = walk(1, 0, 7);
  if (left !== null && right !== null) cx = Math.round((left + right) / 2);
  let top = walk(0, -1, 4);
  let bottom = walk(0, 1, 4);
  if (top !== null && bottom !== null && bottom - top < 6.5 * pxPerMm) {
    // Centre on what was found and look again: small squares need a centred probe.
    cy = Math.round((top + bottom) / 2);
    left = walk(-1, 0, 7);
    right = walk(1, 0, 7);
    if (left !== null && right !== null) cx = Math.round((left + right) / 2);
    top = walk(0, -1, 4);
    bottom = walk(0, 1, 4);
  }
  if (left === null || right === null) return { box: glyph, style: 'cell' };
  const x = left / pxPerMm;
  const w = (right - left) / pxPerMm;
  if (w < 1.8 || w > 7.5) return { box: glyph, style: 'cell' };
  if (top !== null && bottom !== null) {
    const box = { x, y: top / pxPerMm, w, h: (bottom - top) / pxPerMm };
    if (box.h >= 1.8 && box.h <= 6.5) {
      // Drawn squares on this form are under 3 mm; cells of the "x" column are larger.
      return { box, style: Math.max(box.w, box.h) < 3.2 ? 'square' : 'cell' };
    }
  }
  // A tall cell (a test whose label runs over several lines): a person marks beside the first line.
  return { box: { x, y: cy / pxPerMm - 2, w, h: 4 }, style: 'cell' };
}
