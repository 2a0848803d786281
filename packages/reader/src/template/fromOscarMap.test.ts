import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBlank } from './blankPages.ts';
import { parseOscarMap } from './oscarMap.ts';
import { ONTARIO_SQUARES, ontarioTemplate } from '../testing/ontario.ts';
import { ONTARIO, readBytes } from '../testing/realdata.ts';
import type { CheckboxField, GreyImage, TemplateDefinition, TextField } from '../types.ts';

let t: TemplateDefinition;
let blank: GreyImage;
const entries = parseOscarMap(fs.readFileSync(ONTARIO.map, 'utf8'));
const px = (mm: number): number => Math.round((mm * 200) / 25.4);
const ink = (img: GreyImage, x0: number, y0: number, x1: number, y1: number): number => {
  let n = 0;
  let d = 0;
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++, n++) if (img.data[y * img.width + x]! < 160) d++;
  return d / n;
};

beforeAll(async () => {
  t = await ontarioTemplate();
  blank = (await decodeBlank(readBytes(ONTARIO.pdf), 200))[0]!.image;
});

describe('templateFromOscarMap (Ontario 2010)', () => {
  it('has one field per map line: 62 checkboxes and 57 text fields, keyed by the OSCAR names', () => {
    const fields = t.pages[0]!.fields;
    expect(fields.filter((f) => f.kind === 'checkbox')).toHaveLength(62);
    expect(fields.filter((f) => f.kind === 'text')).toHaveLength(57);
    expect(new Set(fields.map((f) => f.key))).toEqual(new Set(entries.map((e) => e.name)));
    expect(t.pages[0]!.widthMm).toBeCloseTo(215.9, 1);
  });

  it('finds the drawn square for square boxes and the "x"-column cell for the others', () => {
    const boxes = t.pages[0]!.fields.filter((f): f is CheckboxField => f.kind === 'checkbox');
    for (const b of boxes) expect(b.style, b.key).toBe(ONTARIO_SQUARES.includes(b.key) ? 'square' : 'cell');
  });

  it('places every box over its tick anchor, at the size printed', () => {
    const boxes = t.pages[0]!.fields.filter((f): f is CheckboxField => f.kind === 'checkbox');
    for (const b of boxes) {
      const e = entries.find((x) => x.name === b.key)!;
      const ax = ((e.x + 0.4 * e.size) * 25.4) / 72;
      const ay = ((e.y - 0.3 * e.size) * 25.4) / 72;
      const { x, y, w, h } = b.region;
      expect(ax, b.key).toBeGreaterThan(x - 2.5);
      expect(ax, b.key).toBeLessThan(x + w + 2.5);
      expect(ay, b.key).toBeGreaterThan(y - 2.5);
      expect(ay, b.key).toBeLessThan(y + h + 2.5);
      if (b.style === 'square') {
        expect(w).toBeGreaterThan(2.2);
        expect(w).toBeLessThan(3);
      } else {
        expect(w).toBeGreaterThan(3.5);
        expect(w).toBeLessThan(6);
        expect(h).toBeGreaterThan(3.2);
        expect(h).toBeLessThan(6.5);
      }
    }
  });

  it('puts squares exactly on the printed outline, and cells between the printed rules', () => {
    for (const b of t.pages[0]!.fields.filter((f): f is CheckboxField => f.kind === 'checkbox')) {
      const x0 = px(b.region.x);
      const y0 = px(b.region.y);
      const x1 = px(b.region.x + b.region.w) - 1;
      const y1 = px(b.region.y + b.region.h) - 1;
      if (b.style === 'square') {
        // The outline is about one pixel wide: its row and column are (nearly) all ink.
        expect(Math.max(ink(blank, x0, y0, x1, y0), ink(blank, x0, y0 + 1, x1, y0 + 1)), `${b.key} top edge`).toBeGreaterThan(0.8);
        expect(Math.max(ink(blank, x0, y0, x0, y1), ink(blank, x0 + 1, y0, x0 + 1, y1)), `${b.key} left edge`).toBeGreaterThan(0.8);
        expect(ink(blank, x0 + 4, y0 + 4, x1 - 4, y1 - 4), `${b.key} inside`).toBe(0);
      } else {
        // A rule just outside the left and right of the cell, paper inside it.
        expect(ink(blank, x0 - 2, y0 + 3, x0 - 1, y1 - 3), `${b.key} left rule`).toBeGreaterThan(0.3);
        expect(ink(blank, x1 + 1, y0 + 3, x1 + 2, y1 - 3), `${b.key} right rule`).toBeGreaterThan(0.3);
        expect(ink(blank, x0 + 2, y0 + 2, x1 - 2, y1 - 2), `${b.key} inside`).toBeLessThan(0.02);
      }
    }
  });

  it('labels boxes with the words printed beside them', () => {
    const label = (k: string): string => t.pages[0]!.fields.find((f) => f.key === k)!.label;
    expect(label('b_tsh')).toBe('TSH');
    expect(label('b_glucose')).toBe('Glucose');
    expect(label('b_glucose_random')).toBe('Random');
    expect(label('male')).toBe('M');
    expect(label('psa_total')).toBe('Total PSA');
    expect(label('m_chlamydia')).toMatch(/^Chlamydia/);
    expect(label('i_prenatal')).toMatch(/^Prenatal: ABO, RhD/);
  });

  it('infers text types from the names and groups from the form', () => {
    const text = (k: string): TextField => t.pages[0]!.fields.find((f) => f.key === k) as TextField;
    expect(text('patientBirthYear').textType).toBe('digits');
    expect(text('healthNumber').textType).toBe('identifier');
    expect(text('phoneNumber').textType).toBe('phone');
    expect(text('patientLastName').textType).toBe('name');
    expect(text('patientPC').textType).toBe('postal_code');
    expect(text('o_specimenCollectionDate')).toMatchObject({ textType: 'date', format: 'YYYY/MM/DD' });
    expect(text('m_specimenCollectionTime').textType).toBe('time');
    const sex = t.pages[0]!.groups.find((g) => g.key === 'sex');
    expect(sex).toMatchObject({ rule: 'one', members: ['male', 'female'] });
    const male = t.pages[0]!.fields.find((f) => f.key === 'male') as CheckboxField;
    expect(male.group).toBe('sex');
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });
});
