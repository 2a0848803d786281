/**
 * A stand-in reading engine for server tests: it returns readings a test scripts per document
 * (by SHA-256), on the real page pixels of a PNG document. The real reader is tested in its own
 * package and end to end; here the server's handling of readings is what is under test.
 */
import { createHash } from 'node:crypto';
import type { CheckboxReading, FieldReading, Flag, PageReading, TemplateInput, TextReading } from '@nexession/reader';
import type { ReaderFactory, ReadingEngine } from '../requisitions/reading.ts';

export type Scripted = string | boolean | null | { value: string | boolean | null; flags?: Flag[]; confidence?: number; state?: 'review' };

export interface PageScript {
  template?: { id: string; version: number; page?: number };
  values?: Record<string, Scripted>;
  pageFlags?: Flag[];
}

function pngSize(png: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(png);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

export class FakeReader {
  readonly scripts = new Map<string, PageScript[]>();
  templates: TemplateInput[] = [];
  reads = 0;

  script(bytes: Uint8Array, pages: PageScript[]): void {
    this.scripts.set(createHash('sha256').update(bytes).digest('hex'), pages);
  }

  factory: ReaderFactory = async (templates) => {
    this.templates = templates;
    const self = this;
    const engine: ReadingEngine = {
      async *read(bytes) {
        self.reads++;
        const sha = createHash('sha256').update(bytes).digest('hex');
        const pages = self.scripts.get(sha) ?? [{}];
        for (const [index, s] of pages.entries()) yield self.page(bytes, index, s);
      },
      async close() {},
    };
    return engine;
  };

  page(png: Uint8Array, index: number, s: PageScript): PageReading {
    const { width, height } = pngSize(png);
    const dpi = 200;
    const k = dpi / 25.4;
    const tpl = s.template && this.templates.find((t) => t.definition.id === s.template!.id && t.definition.version === s.template!.version);
    const fields: FieldReading[] = [];
    if (tpl) {
      const tpage = tpl.definition.pages[s.template!.page ?? 0]!;
      for (const f of tpage.fields) {
        const region = { x: Math.round(f.region.x * k), y: Math.round(f.region.y * k), w: Math.round(f.region.w * k), h: Math.round(f.region.h * k) };
        const raw = s.values?.[f.key];
        const spec = raw !== null && typeof raw === 'object' ? raw : { value: raw ?? (f.kind === 'checkbox' ? false : null) };
        const flags = spec.flags ?? [];
        if (f.kind === 'checkbox') {
          const state = spec.state ?? (spec.value === true ? 'marked' : 'empty');
          const ratio = state === 'marked' ? 0.42 : state === 'review' ? 0.14 : 0.02;
          const r: CheckboxReading = {
            kind: 'checkbox',
            key: f.key,
            region,
            flags: state === 'review' && flags.length === 0 ? [{ code: 'checkbox_review_band', message: `fill ${ratio} is between 0.08 and 0.20` }] : flags,
            state,
            evidence: {
              expected: region,
              found: region,
              matchScore: 1,
              interior: { x: region.x + 2, y: region.y + 2, w: region.w - 4, h: region.h - 4 },
              binarisation: { rule: 'grey_below', threshold: 128 },
              dark: Math.round(ratio * (region.w - 4) * (region.h - 4)),
              total: (region.w - 4) * (region.h - 4),
              ratio,
              score: ratio,
              thresholds: { low: 0.08, high: 0.2, filled: 0.85 },
            },
          };
          fields.push(r);
        } else {
          const text = typeof spec.value === 'string' ? spec.value : null;
          const r: TextReading = {
            kind: 'text',
            key: f.key,
            region,
            flags,
            text,
            confidence: spec.confidence ?? (text ? 0.93 : 1),
            evidence: { engine: 'fake', words: text ? [{ text, confidence: 0.93, bbox: region }] : [], inkRatio: text ? 0.1 : 0, linesRemoved: false },
          };
          fields.push(r);
        }
      }
    }
    return {
      index,
      source: { format: 'png', widthPx: width, heightPx: height, xDpi: dpi, yDpi: dpi, widthMm: (width / dpi) * 25.4, heightMm: (height / dpi) * 25.4 },
      image: { width, height, dpi, png },
      orientation: { rotation: 0, skewDeg: 0 },
      classification: tpl
        ? { kind: 'template', templateId: tpl.definition.id, templateVersion: tpl.definition.version, page: s.template!.page ?? 0, score: 0.97 }
        : { kind: 'unrecognised', reason: 'no template matched', bestScore: 0.1 },
      registration: tpl ? { transform: [k, 0, 0, 0, k, 0], residualMm: 0.2, features: 12, scale: 1, rotationDeg: 0 } : null,
      gates: [],
      flags: s.pageFlags ?? (tpl ? [] : [{ code: 'unrecognised', message: 'no template matched this page' }]),
      fields,
      barcodes: [],
    };
  }
}

/** Values for a complete, releasable demo-outreach requisition (synthetic person). */
export function demoValues(lastName = 'QUILLFEATHER'): Record<string, Scripted> {
  return {
    patient_last_name: lastName,
    patient_first_name: 'Wren',
    patient_middle_name: null,
    patient_dob: '03/22/1984',
    patient_sex_f: true,
    patient_mrn: 'MRN-550021',
    patient_phone: '(555) 010-4477',
    patient_address: '12 Larkspur Lane',
    patient_city: 'Northfield',
    patient_state: 'MN',
    patient_zip: '55057',
    bill_insurance: true,
    insurance_payer: 'Acme Health Plan',
    insurance_member_id: 'ZX9988776',
    provider_name: 'Dr. Ada Fennimore',
    provider_npi: '1234567893',
    provider_phone: '(555) 010-2000',
    provider_practice: 'Northfield Family Clinic',
    provider_address: '400 Main St, Northfield MN 55057',
    icd10_codes: 'E11.9, I10',
    collection_date: '11/30/2026',
    collection_time: '08:15',
    test_cmp: true,
    test_tsh: true,
    test_hba1c: true,
    signature_date: '11/30/2026',
  };
}
