/**
 * Text reading on the real Ontario form: values typed into it, some of them spoilt on purpose
 * (blurred, cut through, accents the English model cannot write, a date that is no date). What a
 * broken reader gets wrong here: a spoilt value read wrongly without a flag, an accent silently
 * dropped, a value "corrected", or the one-pass page read giving other text than reading each
 * field alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmRect } from '../read/readPage.ts';
import { decodeBlank } from '../template/blankPages.ts';
import { ontarioTemplate } from '../testing/ontario.ts';
import { ONTARIO, readBytes } from '../testing/realdata.ts';
import { drawTexts } from '../testing/typedText.ts';
import type { GreyImage, RectPx, TextField, TextReading } from '../types.ts';
import { type FieldOcr, createFieldOcr } from './coreEngine.ts';
import { type FieldToRead, readTextFields } from './readText.ts';

const DPI = 200;
const WRITTEN: Record<string, string> = {
  clinicName: 'Harbour Clinic',
  phoneNumber: '416-555-0123',
  patientLastName: 'Muñoz',
  patientFirstName: 'Jürgen',
  clinicAddress: '12 King Street West',
  // Not a date: read as written and flagged, never "corrected".
  o_specimenCollectionDate: '2024/13/45',
  practitionerNo: '123456',
  patientCity: 'Toronto',
  aci: 'Type 2 diabetes, follow-up',
};
/** Spoilt after typing: a person could not be sure of these. */
const BLURRED = 'practitionerNo';
const CUT = 'patientCity';

let eng: FieldOcr;
let fra: FieldOcr;
let page: GreyImage;
let blank: GreyImage;
let toRead: FieldToRead[];
let batched: TextReading[];

beforeAll(async () => {
  [eng, fra] = await Promise.all([createFieldOcr('best'), createFieldOcr('fra')]);
  const template = await ontarioTemplate();
  blank = (await decodeBlank(readBytes(ONTARIO.pdf), DPI))[0]!.image;
  const fields = template.pages[0]!.fields.filter((f): f is TextField => f.kind === 'text');
  page = drawTexts(blank, fields.filter((f) => WRITTEN[f.key]).map((f) => ({ region: f.region, text: WRITTEN[f.key]! })), DPI);
  const byKey = new Map(fields.map((f) => [f.key, f]));
  blur(page, mmRect(byKey.get(BLURRED)!.region, DPI), 4);
  cutTop(page, mmRect(byKey.get(CUT)!.region, DPI));
  toRead = fields.map((f) => ({ field: f, region: mmRect(f.region, DPI), blankRegion: mmRect(f.region, DPI) }));
  batched = readTextFields(eng, page, blank, toRead, DPI, { second: fra });
}, 60_000);

afterAll(() => {
  eng.terminate();
  fra.terminate();
});

const reading = (key: string): TextReading => batched.find((r) => r.key === key)!;

describe('reading text fields', () => {
  it('reads plain typed values exactly and lets them through unflagged', () => {
    for (const key of ['clinicName', 'phoneNumber', 'clinicAddress', 'aci']) {
      expect(reading(key).text, key).toBe(WRITTEN[key]);
      expect(reading(key).flags, key).toEqual([]);
    }
  });

  it('never drops an accent silently: the value is read with it, or flagged', () => {
    for (const key of ['patientLastName', 'patientFirstName']) {
      const r = reading(key);
      if (r.flags.length === 0) expect(r.text, key).toBe(WRITTEN[key]);
      else expect(r.flags.map((f) => f.code), key).toEqual(expect.arrayContaining([expect.stringMatching(/^ocr_/)]));
    }
    // The English model alone writes "Munoz" here: the mark above the n is what gives it away.
    const alone = readTextFields(eng, page, blank, toRead.filter((f) => f.field.key === 'patientLastName'), DPI)[0]!;
    expect(alone.text === WRITTEN.patientLastName || alone.flags.some((f) => f.code === 'ocr_unread_mark')).toBe(true);
  });

  it('flags a blurred value and a value cut through, instead of guessing', () => {
    for (const key of [BLURRED, CUT]) {
      const r = reading(key);
      expect(r.flags.length, `${key} read ${JSON.stringify(r.text)} unflagged`).toBeGreaterThan(0);
    }
  });

  it('keeps a value that fails its type as read, with the reason', () => {
    const r = reading('o_specimenCollectionDate');
    expect(r.text).toBe(WRITTEN.o_specimenCollectionDate);
    expect(r.parsed).toBeUndefined();
    expect(r.flags.map((f) => f.code)).toContain('date_invalid');
  });

  it('reports an empty field as empty, without reading it', () => {
    const empty = batched.filter((r) => !WRITTEN[r.key] && r.key !== 'patientChartNo');
    expect(empty.length).toBeGreaterThan(20);
    for (const r of empty) expect({ key: r.key, text: r.text, words: r.evidence.words }).toEqual({ key: r.key, text: null, words: [] });
  });

  it('gives the same text and flags reading the page in one pass as reading each field alone', () => {
    const single = readTextFields(eng, page, blank, toRead, DPI, { second: fra, batch: false });
    expect(single.map((r) => [r.key, r.text, r.flags.map((f) => f.code)])).toEqual(batched.map((r) => [r.key, r.text, r.flags.map((f) => f.code)]));
  });

  it('puts word boxes on the page, over the writing', () => {
    const r = reading('clinicName');
    const region = r.region;
    expect(r.evidence.words.map((w) => w.text)).toEqual(['Harbour', 'Clinic']);
    for (const w of r.evidence.words) {
      expect(w.bbox.x).toBeGreaterThanOrEqual(region.x - 10);
      expect(w.bbox.x + w.bbox.w).toBeLessThanOrEqual(region.x + region.w + 10);
      expect(w.bbox.y).toBeGreaterThanOrEqual(region.y - 10);
      expect(w.bbox.y + w.bbox.h).toBeLessThanOrEqual(region.y + region.h + 10);
    }
  });

  it('flags both fields when writing lies where two areas overlap, about as near the middle of each', async () => {
    // The OSCAR map gives the patient's postal code and chart number one and the same box: the
    // machine cannot tell which of the two a value written there is.
    const template = await ontarioTemplate();
    const fields = template.pages[0]!.fields.filter((f): f is TextField => f.kind === 'text');
    const pc = fields.find((f) => f.key === 'patientPC')!;
    const chart = fields.find((f) => f.key === 'patientChartNo')!;
    const written = drawTexts(blank, [{ region: pc.region, text: 'M5V 2T6' }], DPI);
    const both = [pc, chart].map((f) => ({ field: f, region: mmRect(f.region, DPI), blankRegion: mmRect(f.region, DPI) }));
    const [rPc, rChart] = readTextFields(eng, written, blank, both, DPI, { second: fra });
    for (const r of [rPc!, rChart!]) {
      const shared = r.flags.find((f) => f.code === 'ocr_writing_shared');
      expect(shared, r.key).toBeDefined();
      expect(shared!.message).toMatch(/check which field it was written in/);
    }
    // Writing in the middle of its own area, clear of the others (the address lines above), is not.
    expect(reading('clinicAddress').flags.map((f) => f.code)).not.toContain('ocr_writing_shared');
  });
});


/** Box blur of radius r over a rectangle, in place. */
function blur(img: GreyImage, rect: RectPx, r: number): void {
  const src = Uint8Array.from(img.data);
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    for (let x = rect.x; x < rect.x + rect.w; x++) {
      let s = 0;
      let n = 0;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
        s += src[(y + dy) * img.width + x + dx]!;
        n++;
      }
      img.data[y * img.width + x] = Math.round(s / n);
    }
  }
}

/** Whites out the upper part of the writing (a page cut or folded through a line of text). */
function cutTop(img: GreyImage, rect: RectPx): void {
  const y1 = rect.y + Math.round(rect.h * 0.6);
  for (let y = rect.y; y < y1; y++) img.data.fill(255, y * img.width + rect.x, y * img.width + rect.x + rect.w);
}
