import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckboxField, TextField } from '@nexession/reader';
import { builtInForms } from './index.ts';
import { labFormProblems } from './validate.ts';
import { type GreyRaster, type PlacedText, rasterise, textPositions } from './testing/pdf-probe.ts';

const DPI = 200;
/** pdf.js reports runs of spaces as one. */
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

describe.each(builtInForms.map((f) => [f.id, f] as const))('built-in form %s', (_id, form) => {
  const page = form.labForm.template.pages[0]!;
  const checkboxes = page.fields.filter((f): f is CheckboxField => f.kind === 'checkbox');
  const texts = page.fields.filter((f): f is TextField => f.kind === 'text');
  let pdf: Uint8Array;
  let placed: PlacedText[];
  let raster: GreyRaster;

  beforeAll(async () => {
    pdf = await form.drawBlank();
    placed = await textPositions(pdf);
    raster = await rasterise(pdf, DPI);
  });

  it('is a complete lab form: every field has a meaning, every test box a code, regions on the page', () => {
    expect(labFormProblems(form.labForm)).toEqual([]);
    const tests = checkboxes.filter((c) => form.labForm.meanings[c.key]?.role === 'order.test');
    expect(tests.length).toBeGreaterThanOrEqual(5);
    for (const c of tests) expect(form.labForm.meanings[c.key]!.test!.code).toMatch(/\S/);
  });

  it('names each test as the lab knows it: a footnote mark stays on the page, out of the name', () => {
    for (const c of checkboxes) {
      const test = form.labForm.meanings[c.key]?.test;
      if (!test) continue;
      expect(test.name, c.key).not.toMatch(/[*†‡§]\s*$/);
      expect(c.label, c.key).not.toMatch(/[*†‡§]\s*$/);
    }
  });

  it('is a letter page and the PDF has that size', async () => {
    expect(page.widthMm).toBeCloseTo(215.9, 1);
    expect(page.heightMm).toBeCloseTo(279.4, 1);
    expect(raster.width).toBe(Math.round((215.9 / 25.4) * DPI));
  });

  it('draws the same bytes every time', async () => {
    expect(Buffer.from(await form.drawBlank()).equals(Buffer.from(pdf))).toBe(true);
  });

  it('prints each test code just right of its box, on the same line', () => {
    for (const c of checkboxes) {
      const test = form.labForm.meanings[c.key]?.test;
      if (!test) continue;
      const r = c.region;
      const hit = placed.find(
        (p) => p.text.includes(test.code) && p.x > r.x + r.w - 0.5 && p.x < r.x + r.w + 120 && p.y > r.y && p.y < r.y + r.h + 1.5,
      );
      expect(hit, `${c.key}: code ${test.code} beside its box`).toBeDefined();
      // Nothing else lies between the box and its code on that line except the test's own name.
      expect(hit!.x - (r.x + r.w)).toBeLessThan(test.code.length > 6 ? 120 : 80);
    }
  });

  it('has a printed square outline exactly where each checkbox region is, and a white interior', () => {
    for (const c of checkboxes) {
      const { x, y, w, h } = c.region;
      const edges = [
        [x + w / 2, y],
        [x + w / 2, y + h],
        [x, y + h / 2],
        [x + w, y + h / 2],
      ] as const;
      for (const [ex, ey] of edges) {
        expect(raster.at(ex, ey), `${c.key} outline at ${ex.toFixed(1)},${ey.toFixed(1)} mm`).toBeLessThan(110);
      }
      // Interior, away from the outline: white.
      for (const [fx, fy] of [[0.5, 0.5], [0.3, 0.3], [0.7, 0.7], [0.3, 0.7], [0.7, 0.3]] as const) {
        expect(raster.at(x + w * fx, y + h * fy), `${c.key} interior`).toBeGreaterThan(200);
      }
      // Just outside the outline the paper is white on at least three sides (labels may sit on one).
      const outside = [
        raster.at(x + w / 2, y - 0.7),
        raster.at(x + w / 2, y + h + 0.7),
        raster.at(x - 0.7, y + h / 2),
        raster.at(x + w + 0.7, y + h / 2),
      ].filter((v) => v > 200).length;
      expect(outside, `${c.key} stands free`).toBeGreaterThanOrEqual(3);
    }
  });

  it('prints each text field label next to its region and keeps its write-in area empty', () => {
    for (const f of texts) {
      const r = f.region;
      const near = placed.find((p) => {
        const printed = norm(p.text);
        if (printed === '' || !(norm(f.label).startsWith(printed) || printed.startsWith(norm(f.label)))) return false;
        const above = p.y <= r.y + 0.5 && p.y >= r.y - 7 && p.x >= r.x - 2 && p.x <= r.x + r.w;
        const left = p.x + p.w <= r.x + 0.5 && p.x + p.w >= r.x - 6 && p.y >= r.y && p.y <= r.y + r.h + 1;
        return above || left;
      });
      expect(near, `${f.key}: label "${f.label}" next to its region`).toBeDefined();
      if (!f.printedLines) {
        for (let fy = 0.15; fy < 0.9; fy += 0.2) {
          for (let fx = 0.05; fx < 1; fx += 0.1) {
            expect(raster.at(r.x + r.w * fx, r.y + r.h * fy), `${f.key} write-in area is blank`).toBeGreaterThan(200);
          }
        }
      }
    }
  });
});

describe('demo-outreach', () => {
  const form = builtInForms.find((f) => f.id === 'demo-outreach')!;

  it('still prints the footnote mark after the tests that need a source, and its footnote', async () => {
    const placed = await textPositions(await form.drawBlank());
    const printed = placed.map((p) => norm(p.text));
    expect(printed).toContain('Throat Culture *');
    expect(printed).toContain('* Specimen source required.');
    expect(form.labForm.meanings.test_throat!.test).toMatchObject({ code: '60200', name: 'Throat Culture', requiresSource: true });
  });

  it('declares the printed order of the provider name, so the server can split it', () => {
    const provider = form.labForm.template.pages[0]!.fields.find((f) => f.key === 'provider_name') as TextField;
    expect(provider.label).toBe('ORDERING PROVIDER (LAST, FIRST)');
    expect(provider.format).toBe('LAST, FIRST');
  });
});

describe('gyn-cytology', () => {
  const form = builtInForms.find((f) => f.id === 'gyn-cytology')!;
  const page = form.labForm.template.pages[0]!;

  it('asks for the patient sex, (c)(3): one of F, M, Other, each box standing for its HL7 code, beside its printed letter', async () => {
    expect(form.labForm.template.version).toBe(2);
    const sexBoxes = page.fields.filter((f): f is CheckboxField => f.kind === 'checkbox' && form.labForm.meanings[f.key]?.role === 'patient.sex');
    expect(sexBoxes.map((f) => form.labForm.meanings[f.key]!.value)).toEqual(['F', 'M', 'O']);
    expect(page.groups.find((g) => g.key === 'pt_sex')).toMatchObject({ rule: 'one', members: sexBoxes.map((f) => f.key) });
    const placed = await textPositions(await form.drawBlank());
    for (const [f, printed] of sexBoxes.map((f, i) => [f, ['F', 'M', 'Other'][i]!] as const)) {
      const r = f.region;
      const hit = placed.find((p) => norm(p.text) === printed && p.x > r.x + r.w && p.x < r.x + r.w + 3 && p.y > r.y && p.y < r.y + r.h + 1.5);
      expect(hit, `${f.key}: "${printed}" right of its box`).toBeDefined();
    }
    expect(placed.some((p) => norm(p.text) === 'Sex (check one)')).toBe(true);
    // The sex sits under the date of birth and overlaps no other field.
    const dob = page.fields.find((f) => f.key === 'pt_dob')!.region;
    const group = sexBoxes.map((f) => f.region);
    expect(Math.abs(group[0]!.x - dob.x)).toBeLessThan(6);
    expect(group[0]!.y).toBeGreaterThan(dob.y + dob.h);
    const overlaps = (a: { x: number; y: number; w: number; h: number }, b: typeof a) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    for (const s of sexBoxes) {
      for (const other of page.fields) if (other.key !== s.key) expect(overlaps(s.region, other.region), `${s.key} overlaps ${other.key}`).toBe(false);
    }
  });
});

describe('labFormProblems', () => {
  it('reports a field without meaning, a test without code, a region off the page and a bad group', () => {
    const base = builtInForms[0]!.labForm;
    const form = structuredClone(base);
    const fields = form.template.pages[0]!.fields;
    const aTest = fields.find((f) => form.meanings[f.key]?.role === 'order.test')!;
    form.meanings[aTest.key] = { role: 'order.test', test: { code: ' ', name: 'X' } };
    const aText = fields.find((f) => f.kind === 'text')!;
    delete form.meanings[aText.key];
    fields[fields.length - 1]!.region = { x: 210, y: 270, w: 20, h: 20 };
    form.template.pages[0]!.groups.push({ key: 'g', label: 'g', rule: 'one', members: ['nope'] });
    const problems = labFormProblems(form);
    expect(problems).toContain(`test box ${aTest.key} has no test code`);
    expect(problems).toContain(`field ${aText.key} has no meaning`);
    expect(problems.some((p) => p.includes('lies outside page'))).toBe(true);
    expect(problems.some((p) => p.startsWith('group g names nope'))).toBe(true);
  });

  it('reports a footnote mark in a test name and a name format the server cannot split by', () => {
    const form = structuredClone(builtInForms[0]!.labForm);
    const fields = form.template.pages[0]!.fields;
    const aTest = fields.find((f) => form.meanings[f.key]?.role === 'order.test')!;
    form.meanings[aTest.key] = { role: 'order.test', test: { code: '60200', name: 'Throat Culture *' } };
    const aName = fields.find((f): f is TextField => f.kind === 'text' && f.textType === 'name')!;
    aName.format = 'FIRST LAST';
    const problems = labFormProblems(form);
    expect(problems.some((p) => p.startsWith(`test box ${aTest.key}: the name "Throat Culture *" ends with a footnote mark`))).toBe(true);
    expect(problems.some((p) => p.startsWith(`field ${aName.key}: name format "FIRST LAST"`))).toBe(true);
  });

  it('reports a sex box standing for a value the server does not accept (an "X" could be marked, never released)', () => {
    const form = structuredClone(builtInForms.find((f) => f.id === 'gyn-cytology')!.labForm);
    expect(labFormProblems(form)).toEqual([]);
    form.meanings.pt_sex_o = { role: 'patient.sex', value: 'X' };
    expect(labFormProblems(form)).toEqual(['checkbox pt_sex_o stands for sex "X", which is not one the server accepts (F, M, O, U, A, N)']);
  });
});
