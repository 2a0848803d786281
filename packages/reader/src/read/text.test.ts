/**
 * Text fields of the real Ontario form, typed in the test and sent through a simulated fine-mode
 * fax: read per field with the form's print removed, empty fields skipped, and every value
 * that is not exactly what was written carries a flag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBlank } from '../template/blankPages.ts';
import { faxTiff } from '../testing/fax.ts';
import { ontarioTemplate } from '../testing/ontario.ts';
import { ONTARIO, readBytes } from '../testing/realdata.ts';
import { drawTexts } from '../testing/typedText.ts';
import type { PageReading, Reader, TemplateDefinition, TextReading } from '../types.ts';
import { createReader } from './createReader.ts';

const VALUES: Record<string, string> = {
  reqProvName: 'Dr Ada Lovelace',
  clinicName: 'Harbour Clinic',
  clinicAddress: '12 King Street West',
  practitionerNo: '123456',
  healthNumber: '1234 567 890',
  version: 'AB',
  patientBirthYear: '1975',
  patientBirthDay: '23',
  phoneNumber: '416-555-0123',
  patientLastName: "O'BRIEN-SMITH",
  patientFirstName: 'Mary Anne',
  patientAddress: '45 Queen Street East',
  patientCity: 'Toronto',
  o_specimenCollectionDate: '2024/03/15',
  m_specimenCollectionTime: '14:30',
  aci: 'Type 2 diabetes, follow-up',
};

let template: TemplateDefinition;
let reader: Reader;
let page: PageReading;

beforeAll(async () => {
  template = await ontarioTemplate();
  reader = await createReader({ templates: [{ definition: template, blank: readBytes(ONTARIO.pdf) }], threads: 0 });
  const blank = (await decodeBlank(readBytes(ONTARIO.pdf), 200))[0]!.image;
  const fields = template.pages[0]!.fields.filter((f) => f.kind === 'text' && VALUES[f.key]);
  const filled = drawTexts(blank, fields.map((f) => ({ region: f.region, text: VALUES[f.key]! })), 200);
  for await (const p of reader.read(await faxTiff(filled, 200, 'fine'))) page = p;
});

afterAll(async () => {
  await reader.close();
});

const text = (key: string): TextReading => page.fields.find((f) => f.key === key) as TextReading;

describe('text fields (Ontario form, fine-mode fax)', () => {
  it('reads typed values exactly, keeping word confidences and the engine', () => {
    // (The health number's digits touch its printed comb: read, but not always exactly; then flagged.)
    for (const key of ['reqProvName', 'clinicAddress', 'practitionerNo', 'version', 'phoneNumber', 'patientFirstName', 'patientAddress', 'patientCity', 'aci']) {
      expect(text(key).text, key).toBe(VALUES[key]);
    }
    const name = text('patientFirstName');
    expect(name.evidence.engine).toMatch(/^tesseract\.js-core 7\.\d+\.\d+ \/ (eng|fra) 4\.0\.0/);
    expect(name.evidence.words.map((w) => w.text)).toEqual(['Mary', 'Anne']);
    for (const w of name.evidence.words) {
      expect(w.confidence).toBeGreaterThan(0.5);
      // Word boxes are on the page, inside the field's region (with its margin).
      expect(w.bbox.x).toBeGreaterThanOrEqual(name.region.x - 10);
      expect(w.bbox.x + w.bbox.w).toBeLessThanOrEqual(name.region.x + name.region.w + 10);
    }
  });

  it('reports dates and times as written, with the ISO form the format allows', () => {
    expect(text('o_specimenCollectionDate')).toMatchObject({ text: '2024/03/15', parsed: '2024-03-15' });
    expect(text('m_specimenCollectionTime')).toMatchObject({ text: '14:30', parsed: '14:30' });
  });

  it('skips fields with no ink: null, no OCR, the form print removed', () => {
    const empty = page.fields.filter((f): f is TextReading => f.kind === 'text' && !VALUES[f.key] && f.text === null);
    expect(empty.length).toBeGreaterThan(25);
    for (const f of empty) {
      expect(f.evidence.words).toEqual([]);
      expect(f.flags).toEqual([]);
    }
    // The comb of the health number box is printed inside the field: it was removed, not read.
    expect(text('healthNumber').evidence.linesRemoved).toBe(true);
  });

  it('flags every value that is not what was written', () => {
    const silent: string[] = [];
    for (const f of page.fields) {
      if (f.kind !== 'text') continue;
      // The OSCAR map puts the chart number and the postal code on the same spot of this form.
      if (f.key === 'patientChartNo') continue;
      const truth = VALUES[f.key] ?? null;
      if (f.text !== truth && f.flags.length === 0) silent.push(`${f.key}: read ${JSON.stringify(f.text)}, written ${JSON.stringify(truth)}`);
    }
    expect(silent).toEqual([]);
  });
});
