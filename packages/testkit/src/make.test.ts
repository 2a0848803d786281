import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RectPx } from '@nexession/reader';
import { demoOutreach } from '@nexession/forms';
import { type FaxedRequisition, makeDemoFaxes, makeFaxedRequisition, planRequisition } from './make.ts';
import { readTiffTags } from './testing/tiff-tags.ts';
import type { CheckboxTruth, TextTruth } from './truth.ts';

async function decode(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Share of pixels darker than 128 inside a rectangle shrunk by `inset` pixels. */
function darkShare(img: { width: number; height: number; data: Uint8Array }, r: RectPx, inset = 1): number {
  let dark = 0;
  let total = 0;
  for (let y = Math.max(0, r.y + inset); y < Math.min(img.height, r.y + r.h - inset); y++) {
    for (let x = Math.max(0, r.x + inset); x < Math.min(img.width, r.x + r.w - inset); x++) {
      total++;
      if (img.data[y * img.width + x]! < 128) dark++;
    }
  }
  return total === 0 ? 0 : dark / total;
}

const boxes = (r: FaxedRequisition) => Object.entries(r.truth.fields).filter((e): e is [string, CheckboxTruth] => e[1].kind === 'checkbox');
const texts = (r: FaxedRequisition) => Object.entries(r.truth.fields).filter((e): e is [string, TextTruth] => e[1].kind === 'text');

describe('makeFaxedRequisition', () => {
  it('is reproducible: the same seed gives the same bytes and truth; another seed does not', async () => {
    const a = await makeFaxedRequisition({ form: 'demo-outreach', seed: 'repro', mode: 'fine', format: 'tiff-g4' });
    const b = await makeFaxedRequisition({ form: 'demo-outreach', seed: 'repro', mode: 'fine', format: 'tiff-g4' });
    const c = await makeFaxedRequisition({ form: 'demo-outreach', seed: 'repro2', mode: 'fine', format: 'tiff-g4' });
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(JSON.stringify(a.truth)).toBe(JSON.stringify(b.truth));
    expect(Buffer.from(a.bytes).equals(Buffer.from(c.bytes))).toBe(false);
    expect(a.patient.id).not.toBe(c.patient.id);
  });

  it.each([
    ['fine', 'tiff-g4', 4, 196, 2156],
    ['fine', 'tiff-g3', 3, 196, 2156],
    ['standard', 'tiff-g4', 4, 98, 1078],
    ['standard', 'tiff-g3', 3, 98, 1078],
  ] as const)('writes %s mode as %s with compression %i, 204x%i dpi tags, and it decodes', async (mode, format, compression, yDpi, rows) => {
    const r = await makeFaxedRequisition({ form: 'second-lab', seed: `tags-${mode}-${format}`, mode, format, severity: 'clean' });
    const tags = readTiffTags(r.bytes);
    expect(tags).toMatchObject({ compression, bitsPerSample: 1, width: 1728, resolutionUnit: 2 });
    expect(tags.xResolution).toBeCloseTo(204, 3);
    expect(tags.yResolution).toBeCloseTo(yDpi, 3);
    expect(tags.height).toBe(r.truth.output.heightPx);
    expect(r.truth.output).toMatchObject({ xDpi: 204, yDpi, widthPx: 1728, bilevel: true });
    expect(tags.height).toBe(rows);
    const img = await decode(r.bytes);
    expect([img.width, img.height]).toEqual([1728, rows]);
    // A page of a form: mostly white, some black.
    const dark = img.data.reduce((n, v) => n + (v < 128 ? 1 : 0), 0) / img.data.length;
    expect(dark).toBeGreaterThan(0.02);
    expect(dark).toBeLessThan(0.3);
  });

  it('puts every drawn mark inside its box on the output, and leaves unmarked boxes white (clean fax)', async () => {
    for (const form of ['demo-outreach', 'ontario-2010'] as const) {
      const r = await makeFaxedRequisition({ form, seed: 'ticks', mode: 'fine', format: 'png', severity: 'clean', upsideDown: false, style: 'hand' });
      const img = await decode(r.bytes);
      let marked = 0;
      for (const [key, t] of boxes(r)) {
        const share = darkShare(img, t.regionPx);
        if (t.mark === 'tick' || t.mark === 'x' || t.mark === 'thick' || t.mark === 'spill') {
          marked++;
          expect(share, `${form} ${key} (${t.mark}) has ink inside its box`).toBeGreaterThan(0.04);
        } else if (t.mark === 'none' && !t.ambiguous) {
          expect(share, `${form} ${key} is white inside`).toBeLessThan(0.01);
        }
      }
      expect(marked, `${form} has marked boxes`).toBeGreaterThan(0);
    }
  });

  it('maps boxes correctly through skew, scale, offset and an upside-down page', async () => {
    const marks = { test_cbc: 'x', test_tsh: 'thick', test_pap: 'tick', test_cmp: 'x' } as const;
    const r = await makeFaxedRequisition({ form: 'demo-outreach', seed: 'turned', channel: 'scan-300-bw', format: 'png', severity: 'harsh', upsideDown: true, marks, blankness: 0 });
    expect(r.truth.profile.upsideDown).toBe(true);
    expect(r.truth.degradations).toContain('upside_down');
    const img = await decode(r.bytes);
    for (const key of Object.keys(marks)) {
      const t = r.truth.fields[key] as CheckboxTruth;
      expect(t.mark).toBe(marks[key as keyof typeof marks]);
      if (t.ambiguous) continue; // e.g. cut off a short page
      expect(darkShare(img, t.regionPx), `${key} ink inside its box on the turned page`).toBeGreaterThan(0.04);
    }
    // On an upside-down page the box near the top of the form lands near the bottom of the image.
    const sex = r.truth.fields.patient_sex_m as CheckboxTruth;
    expect(sex.regionPx.y).toBeGreaterThan(r.truth.output.heightPx / 2);
  });

  it('writes text where the truth says, and leaves blank fields blank (clean scan)', async () => {
    const r = await makeFaxedRequisition({ form: 'demo-outreach', seed: 'text', channel: 'scan-300-grey', format: 'png', severity: 'clean', upsideDown: false });
    const img = await decode(r.bytes);
    let written = 0;
    const lined = new Set(demoOutreach.labForm.template.pages[0]!.fields.filter((f) => f.kind === 'text' && f.printedLines).map((f) => f.key));
    for (const [key, t] of texts(r)) {
      if (lined.has(key)) continue; // a printed write-in line lies inside the region
      const share = darkShare(img, t.regionPx, 2);
      if (t.value === null) expect(share, `${key} is blank`).toBeLessThan(0.002);
      else {
        written++;
        expect(share, `${key} has ink for "${t.value.length} chars"`).toBeGreaterThan(0.01);
      }
    }
    expect(written).toBeGreaterThan(10);
  });

  it('marks what a careful person would query as ambiguous: a filled box, a crossed-out mark, a circled box', async () => {
    const r = await makeFaxedRequisition({
      form: 'demo-outreach',
      seed: 'ambiguous',
      mode: 'fine',
      severity: 'clean',
      upsideDown: false,
      marks: { test_cbc: 'fill', test_tsh: 'crossed-out', test_lipid: 'circle', test_psa: 'tick', test_hcv: 'stray-dot' },
    });
    const f = r.truth.fields as Record<string, CheckboxTruth>;
    expect(f.test_cbc).toMatchObject({ mark: 'fill', state: 'marked', ambiguous: 'filled box on a tick form' });
    expect(f.test_tsh).toMatchObject({ mark: 'crossed-out', state: 'empty', ambiguous: 'mark crossed out' });
    expect(f.test_lipid).toMatchObject({ mark: 'circle', ambiguous: 'box circled, not marked inside' });
    expect(f.test_psa).toMatchObject({ mark: 'tick', state: 'marked', intended: 'marked' });
    expect(f.test_psa!.ambiguous).toBeUndefined();
    expect(f.test_hcv).toMatchObject({ mark: 'stray-dot', state: 'empty' });
    expect(f.test_hcv!.ambiguous).toBeUndefined();
  });

  it('records a faint pencil mark that the fax threshold erased as empty (what arrived), with the intent kept', async () => {
    const marks = { test_cbc: 'faint', test_tsh: 'faint', test_lipid: 'faint', test_psa: 'faint', test_ferritin: 'faint', test_hcv: 'faint' } as const;
    const r = await makeFaxedRequisition({ form: 'demo-outreach', seed: 'faint', mode: 'standard', severity: 'clean', upsideDown: false, marks });
    for (const key of Object.keys(marks)) {
      const t = r.truth.fields[key] as CheckboxTruth;
      expect(t.intended).toBe('marked');
      // Either it arrived (marked), it did not (empty), or partly (ambiguous): never marked with nothing visible.
      if (t.state === 'marked' && !t.ambiguous) expect(t.visibleInk!).toBeGreaterThanOrEqual(0.5);
      if (t.state === 'empty') expect(t.visibleInk ?? 0).toBeLessThan(0.15);
    }
  });
});

describe('gyn-cytology requisitions', () => {
  it('mark the patient sex in one of F, M, Other as the patient is, and the truth has every box', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const { plan, patient, source } = await planRequisition({ form: 'gyn-cytology', seed: `sex-${i}` });
      expect(source.templateVersion).toBe(2);
      const marked = ['pt_sex_f', 'pt_sex_m', 'pt_sex_o'].filter((k) => plan.boxes.get(k));
      // Left blank now and then, as on other forms; never the wrong sex, never two.
      expect(marked.length).toBeLessThanOrEqual(1);
      if (marked[0]) expect(marked[0]).toBe(patient.sex === 'F' ? 'pt_sex_f' : 'pt_sex_m');
      seen.add(patient.sex);
    }
    expect(seen.has('F')).toBe(true);
    const r = await makeFaxedRequisition({ form: 'gyn-cytology', seed: 'sex-truth', mode: 'fine', format: 'tiff-g4', severity: 'clean', complete: true });
    const sex = ['pt_sex_f', 'pt_sex_m', 'pt_sex_o'].map((k) => r.truth.fields[k] as CheckboxTruth);
    expect(sex.every((t) => t?.kind === 'checkbox')).toBe(true);
    expect(sex.filter((t) => t.state === 'marked')).toHaveLength(1);
    expect(sex[r.patient.sex === 'F' ? 0 : 1]!.state).toBe('marked');
    expect(sex[2]!.state).toBe('empty');
  });
});

describe('makeDemoFaxes', () => {
  it('makes varied, mostly clean faxes, the first one STAT', async () => {
    const faxes = await makeDemoFaxes(4, 'demo');
    expect(faxes).toHaveLength(4);
    // Every built-in form, the Pap requisition included (it asks for the patient's sex since v2).
    expect(faxes.map((f) => f.truth.form)).toContain('gyn-cytology');
    expect(faxes[0]!.truth.stat).toBe(true);
    expect((faxes[0]!.truth.fields.stat as CheckboxTruth).state).toBe('marked');
    // Two built-in forms, and the Ontario requisition when ../shared/realdata is there.
    expect(new Set(faxes.map((f) => f.truth.form)).size).toBeGreaterThanOrEqual(faxes.some((f) => f.truth.form === 'ontario-2010') ? 3 : 2);
    // Marks a careful reader would query, or a fax might lose, are for the test set, not the demo
    // (whose faxes are releasable when read correctly: server/src/requisitions/validation/demo-faxes.test.ts).
    for (const f of faxes) {
      for (const t of Object.values(f.truth.fields)) if ('mark' in t) expect(['faint', 'fill', 'circle', 'crossed-out', 'small']).not.toContain(t.mark);
    }
    expect(faxes.every((f) => !f.truth.profile.upsideDown && f.truth.profile.severity !== 'harsh')).toBe(true);
  });
});
