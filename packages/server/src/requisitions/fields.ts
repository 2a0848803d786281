/**
 * From one form instance's page readings and its LabForm to the fields a person reviews: what
 * the machine read (value, confidence, checkbox numbers, evidence, flags) and what it means
 * (role, test as printed). Pure: no database, no clock.
 */
import type { CheckboxReading, FieldReading, Flag, PageReading, RectPx, TemplateField } from '@nexession/reader';
import type { LabFieldMeaning, LabForm } from '@nexession/forms';

export type FieldValue = string | boolean | null;

export interface CheckboxNumbers {
  state: 'marked' | 'empty' | 'review';
  ratio: number;
  score: number;
  low: number;
  high: number;
  filled: number;
  dark: number;
  total: number;
  interior: RectPx;
  threshold: number;
  blank?: { dark: number; total: number; ratio: number };
}

export interface ReadField {
  key: string;
  label: string;
  section: string;
  order: number;
  kind: 'checkbox' | 'text' | 'barcode';
  role: string;
  meaning: LabFieldMeaning;
  /** Document page index. */
  page: number;
  region: RectPx;
  method: 'checkbox' | 'ocr' | 'barcode' | 'manual';
  machineValue: FieldValue;
  confidence: number | null;
  checkbox: CheckboxNumbers | null;
  /** Reader evidence, kept sealed (OCR words are PHI). */
  evidence: unknown;
  flags: Flag[];
}

const SECTIONS: [RegExp, string][] = [
  [/^patient\./, 'Patient'],
  [/^insurance\./, 'Insurance'],
  [/^provider\./, 'Ordering provider'],
  [/^order\.test/, 'Tests'],
  [/^order\.(stat|icd10|comment)/, 'Order'],
  [/^specimen\./, 'Specimen'],
  [/^pap\./, 'Pap (gynecologic cytology)'],
];

export function sectionOf(role: string): string {
  for (const [re, name] of SECTIONS) if (re.test(role)) return name;
  return 'Other';
}

export function checkboxNumbers(r: CheckboxReading): CheckboxNumbers {
  const e = r.evidence;
  return {
    state: r.state,
    ratio: e.ratio,
    score: e.score,
    low: e.thresholds.low,
    high: e.thresholds.high,
    filled: e.thresholds.filled,
    dark: e.dark,
    total: e.total,
    interior: e.interior,
    threshold: e.binarisation.threshold,
    ...(e.blank ? { blank: e.blank } : {}),
  };
}

function machineValueOf(r: FieldReading): FieldValue {
  if (r.kind === 'checkbox') return r.state === 'marked' ? true : r.state === 'empty' ? false : null;
  return r.text;
}

/** Maps a template region (mm) onto the page with the registration, or by dpi alone. */
export function regionOnPage(field: TemplateField, page: PageReading): RectPx {
  const t = page.registration?.transform;
  const { x, y, w, h } = field.region;
  if (t) {
    const [a, b, c, d, e, f] = t;
    const xs = [x, x + w].flatMap((px) => [y, y + h].map((py) => a * px + b * py + c));
    const ys = [x, x + w].flatMap((px) => [y, y + h].map((py) => d * px + e * py + f));
    const x0 = Math.min(...xs);
    const y0 = Math.min(...ys);
    return { x: Math.round(x0), y: Math.round(y0), w: Math.round(Math.max(...xs) - x0), h: Math.round(Math.max(...ys) - y0) };
  }
  const k = page.image.dpi / 25.4;
  return { x: Math.round(x * k), y: Math.round(y * k), w: Math.round(w * k), h: Math.round(h * k) };
}

/**
 * Fields of one form instance: `pages[i]` is the document page that is template page i. Page
 * flags (gates failed, skew) are repeated on every field of that page: the person confirming a
 * field must see why its page is doubtful.
 */
export function fieldsFromReadings(form: LabForm, pages: PageReading[]): ReadField[] {
  const order = new Map(form.reviewOrder.map((k, i) => [k, i]));
  const out: ReadField[] = [];
  form.template.pages.forEach((tpage, ti) => {
    const page = pages[ti];
    if (!page) return;
    const readings = new Map(page.fields.map((f) => [f.key, f]));
    for (const tf of tpage.fields) {
      const meaning = form.meanings[tf.key] ?? { role: 'other' as const };
      const reading = readings.get(tf.key);
      const flags: Flag[] = [...(reading?.flags ?? []), ...page.flags];
      if (!reading) flags.push({ code: 'not_read', message: 'the reader returned nothing for this field' });
      out.push({
        key: tf.key,
        label: tf.label,
        section: sectionOf(meaning.role),
        order: order.get(tf.key) ?? 10_000 + out.length,
        kind: tf.kind,
        role: meaning.role,
        meaning,
        page: page.index,
        region: reading?.region ?? regionOnPage(tf, page),
        method: !reading ? 'manual' : reading.kind === 'checkbox' ? 'checkbox' : reading.kind === 'text' ? 'ocr' : 'barcode',
        machineValue: reading ? machineValueOf(reading) : null,
        confidence: reading?.kind === 'text' ? reading.confidence : null,
        checkbox: reading?.kind === 'checkbox' ? checkboxNumbers(reading) : null,
        evidence: reading && 'evidence' in reading ? reading.evidence : reading?.kind === 'barcode' ? { format: reading.format } : null,
        flags: dedupeFlags(flags),
      });
    }
  });
  return out.sort((a, b) => a.order - b.order);
}

function dedupeFlags(flags: Flag[]): Flag[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const k = `${f.code}\0${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** STAT when the STAT box is marked; STAT-until-decided when its reading is unclear or flagged. */
export function priorityOf(fields: ReadField[]): { priority: 'stat' | 'routine'; unsure: boolean } {
  const stat = fields.filter((f) => f.role === 'order.stat');
  if (stat.some((f) => f.machineValue === true)) return { priority: 'stat', unsure: stat.some((f) => f.flags.length > 0) };
  if (stat.some((f) => f.machineValue === null || f.flags.length > 0)) return { priority: 'stat', unsure: true };
  return { priority: 'routine', unsure: false };
}

/**
 * Splits a document's pages into form instances: a run of pages 0..n-1 of one template is one
 * requisition; every run of unrecognised pages (or pages out of order) is one requisition for a
 * person to classify.
 */
export type PageGroup =
  | { kind: 'form'; templateId: string; templateVersion: number; pages: PageReading[] }
  | { kind: 'unrecognised'; pages: PageReading[] };

export function groupPages(pages: PageReading[], pageCountOf: (id: string, version: number) => number | undefined): PageGroup[] {
  const groups: PageGroup[] = [];
  let current: PageGroup | null = null;
  for (const p of pages) {
    const c = p.classification;
    if (c.kind === 'template') {
      const total = pageCountOf(c.templateId, c.templateVersion);
      const continues =
        current?.kind === 'form' &&
        current.templateId === c.templateId &&
        current.templateVersion === c.templateVersion &&
        c.page === current.pages.length &&
        total !== undefined &&
        current.pages.length < total;
      if (continues) {
        current!.pages.push(p);
      } else if (c.page === 0 && total !== undefined) {
        current = { kind: 'form', templateId: c.templateId, templateVersion: c.templateVersion, pages: [p] };
        groups.push(current);
      } else {
        if (current?.kind !== 'unrecognised') {
          current = { kind: 'unrecognised', pages: [] };
          groups.push(current);
        }
        current.pages.push(p);
      }
    } else {
      if (current?.kind !== 'unrecognised') {
        current = { kind: 'unrecognised', pages: [] };
        groups.push(current);
      }
      current.pages.push(p);
    }
  }
  return groups;
}
