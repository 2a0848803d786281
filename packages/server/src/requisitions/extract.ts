/**
 * What a requisition's fields say, by meaning: the patient, the requester, the tests marked,
 * the specimen, the Pap answers. Shared by validation and by the order handed to delivery, so
 * both see the same values. Values are transcribed: nothing is completed, mapped or corrected;
 * only dates and times are read in the form's own format (a problem when that is not possible).
 */
import type { LabFieldMeaning, LabForm, LabTest } from '@nexession/forms';
import type { ReviewState } from '../db/schema.ts';
import { dateFromParts, parseDate, parseTime, type Parsed } from './dates.ts';
import type { FieldValue } from './fields.ts';

export interface FieldView {
  key: string;
  role: string;
  kind: 'checkbox' | 'text' | 'barcode';
  meaning: LabFieldMeaning;
  /** The value that counts: the person's once reviewed, the machine's until then. */
  value: FieldValue;
  state: ReviewState;
  /** Template format for dates and times, e.g. "MM/DD/YYYY". */
  format?: string;
}

/** Present on the page; attested blank by a person; blank; or the form has no such field. */
export type Presence = 'present' | 'attested_blank' | 'blank' | 'not_on_form';

export interface Element<T> {
  presence: Presence;
  value: T | null;
  problem?: string;
}

const nonEmpty = (v: FieldValue): v is string => typeof v === 'string' && v.trim().length > 0;

export class Extract {
  readonly fields: FieldView[];

  constructor(fields: FieldView[]) {
    this.fields = fields;
  }

  static fromForm(form: LabForm, views: Omit<FieldView, 'format'>[]): Extract {
    const formats = new Map<string, string>();
    for (const p of form.template.pages) for (const f of p.fields) if (f.kind === 'text' && f.format) formats.set(f.key, f.format);
    return new Extract(views.map((v) => (formats.has(v.key) ? { ...v, format: formats.get(v.key)! } : v)));
  }

  withRole(role: string): FieldView[] {
    return this.fields.filter((f) => f.role === role);
  }

  #presence(fs: FieldView[], has: (f: FieldView) => boolean): Presence {
    if (fs.length === 0) return 'not_on_form';
    if (fs.some(has)) return 'present';
    if (fs.every((f) => f.state === 'absent_on_source')) return 'attested_blank';
    return 'blank';
  }

  /**
   * Text of every field with this role, joined with ", " in form order. A checkbox that stands
   * for a value of the role (specimen source "Cervical") counts with that value when marked.
   */
  text(role: string): Element<string> {
    const fs = this.withRole(role).filter((f) => f.kind !== 'checkbox' || f.meaning.value !== undefined);
    const valueOf = (f: FieldView): string | null =>
      f.kind === 'checkbox' ? (f.value === true ? f.meaning.value!.trim() : null) : nonEmpty(f.value) ? f.value.trim() : null;
    const values = fs.map(valueOf).filter((v): v is string => v !== null && v.length > 0);
    return { presence: this.#presence(fs, (f) => valueOf(f) !== null), value: values.length ? values.join(', ') : null };
  }

  /** For roles answered by checkboxes standing for a value (sex M/F, Y/N): the marked box's value. */
  choice(role: string): Element<string> {
    const boxes = this.withRole(role).filter((f) => f.kind === 'checkbox');
    const texts = this.withRole(role).filter((f) => f.kind !== 'checkbox');
    const marked = [...new Set(boxes.filter((f) => f.value === true).map((f) => f.meaning.value ?? ''))];
    const typed = texts.map((f) => f.value).filter(nonEmpty).map((v) => v.trim());
    const all = [...marked, ...typed];
    const presence = this.#presence([...boxes, ...texts], (f) => (f.kind === 'checkbox' ? f.value === true : nonEmpty(f.value)));
    if (new Set(all.map((v) => v.toUpperCase())).size > 1) return { presence, value: null, problem: `more than one answer marked (${all.length})` };
    return { presence, value: all[0] ?? null };
  }

  date(role: string): Element<string> {
    const fs = this.withRole(role).filter((f) => f.kind !== 'checkbox');
    const f = fs.find((x) => nonEmpty(x.value));
    const presence = this.#presence(fs, (x) => nonEmpty(x.value));
    if (!f) return { presence, value: null };
    const p = parseDate(f.value as string, f.format);
    return p.ok ? { presence, value: p.value } : { presence, value: null, problem: p.problem };
  }

  time(role: string): Element<string> {
    const e = this.text(role);
    if (!e.value) return e;
    const p = parseTime(e.value);
    return p.ok ? { presence: e.presence, value: p.value } : { presence: e.presence, value: null, problem: p.problem };
  }

  /** Date of birth: one field, or separate year, month and day fields. */
  dob(): Element<string> {
    const whole = this.date('patient.dob');
    if (whole.presence !== 'not_on_form') return whole;
    const y = this.text('patient.dob_year');
    const m = this.text('patient.dob_month');
    const d = this.text('patient.dob_day');
    const parts = [y, m, d];
    if (parts.every((p) => p.presence === 'not_on_form')) return { presence: 'not_on_form', value: null };
    if (parts.every((p) => p.presence === 'attested_blank')) return { presence: 'attested_blank', value: null };
    if (parts.every((p) => p.presence !== 'present')) return { presence: 'blank', value: null };
    const parsed: Parsed = dateFromParts(y.value, m.value, d.value);
    return parsed.ok ? { presence: 'present', value: parsed.value } : { presence: 'present', value: null, problem: parsed.problem };
  }

  /** HL7 table 0001 code as confirmed (M, F, U, O, A, N); "male"/"female" written out are read as M/F. */
  sex(): Element<string> {
    const c = this.choice('patient.sex');
    if (!c.value) return c;
    const v = c.value.trim().toUpperCase();
    const code = v === 'MALE' ? 'M' : v === 'FEMALE' ? 'F' : v;
    if (!['M', 'F', 'U', 'O', 'A', 'N'].includes(code)) return { ...c, value: null, problem: 'sex must be M, F, U, O, A or N' };
    return { ...c, value: code };
  }

  /** Yes/no answers (Pap history): checkbox values "Y"/"N", or Y/N/yes/no typed. */
  yesNo(role: string): Element<'Y' | 'N'> {
    const c = this.choice(role);
    if (!c.value) return c as Element<'Y' | 'N'>;
    const v = c.value.trim().toUpperCase();
    const yn = v === 'Y' || v === 'YES' ? 'Y' : v === 'N' || v === 'NO' ? 'N' : null;
    return yn ? { ...c, value: yn } : { ...c, value: null, problem: 'Y or N expected' };
  }

  /** Tests ordered: marked test boxes (as printed) and tests a person typed into an "other" field. */
  tests(): { test: LabTest; key: string }[] {
    const out: { test: LabTest; key: string }[] = [];
    for (const f of this.fields) {
      if (f.role === 'order.test' && f.kind === 'checkbox' && f.value === true && f.meaning.test) out.push({ test: f.meaning.test, key: f.key });
      if (f.role === 'order.test_other' && nonEmpty(f.value)) out.push({ test: { code: f.value.trim(), name: f.value.trim() }, key: f.key });
    }
    return out;
  }

  /** ICD-10 codes exactly as written, in order; a list field splits on commas, semicolons and spaces. */
  icd10(): string[] {
    return this.withRole('order.icd10')
      .map((f) => f.value)
      .filter(nonEmpty)
      .flatMap((v) => v.split(/[,;\s]+/))
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  stat(): boolean {
    return this.withRole('order.stat').some((f) => f.value === true);
  }
}
