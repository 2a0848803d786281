/**
 * Checkbox decisions on the real Ontario 2010 form, with marks drawn in the test (ticks, X,
 * fills, faint, small, thick, circles, crossed out, stray dots), as a clean scan and through a
 * simulated fax in fine and standard mode. The target is zero silent errors: a mark is never
 * read as empty, an empty box never as marked, and every ambiguous mark goes to a person.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodePngGrey } from '../image/grey.ts';
import { recomputeCheckbox } from '../measure/recompute.ts';
import { decodeBlank } from '../template/blankPages.ts';
import { faxTiff } from '../testing/fax.ts';
import { type TestMark, drawMarks } from '../testing/marks.ts';
import { ontarioTemplate } from '../testing/ontario.ts';
import { ONTARIO, readBytes } from '../testing/realdata.ts';
import type { CheckboxReading, GreyImage, PageReading, Reader, TemplateDefinition } from '../types.ts';
import { mmRect } from './readPage.ts';
import { createInProcessReader } from './reader.ts';

// One mark per box; groups get at most one mark (the group rule has its own test).
const MARKS: Record<string, TestMark> = {
  ohip: 'tick', male: 'x', b_glucose: 'tick', b_glucose_random: 'small', b_hba1c: 'x', b_tsh: 'fill', b_creatinine: 'faint',
  b_uricAcid: 'small', b_sodium: 'thick', b_potassium: 'circle', b_chloride: 'crossed-out', b_ck: 'stray-dot', b_alt: 'spill',
  b_alkPhosphatase: 'tick', b_bilirubin: 'x', b_albumin: 'none', b_lipidAssessment: 'tick', b_vitaminB12: 'crossed-out',
  b_ferritin: 'circle', b_acRatioUrine: 'x', b_urinalysis: 'stray-dot', h_cbc: 'tick', h_prothrombinTime: 'x', i_pregnancyTest: 'thick',
  i_mononucleosisScreen: 'fill', i_rubella: 'spill', i_prenatal: 'x', m_cervical: 'crossed-out', m_vaginal: 'tick', m_chlamydia: 'circle',
  m_gc: 'small', m_sputum: 'faint', m_throat: 'stray-dot', m_wound: 'x', v_acuteHepatitis: 'tick', v_immune_HepatitisA: 'x',
  v_immune_HepatitisB: 'tick', v_immune_HepatitisC: 'crossed-out', psa_total: 'circle', psa_free: 'stray-dot', psa_insured: 'spill',
  vitd_uninsured: 'fill', fobt_CCC: 'tick', copy2clinician: 'thick',
};
const MARKED: TestMark[] = ['tick', 'x', 'small', 'thick', 'spill'];
const AMBIGUOUS: TestMark[] = ['fill', 'circle', 'crossed-out'];
const EMPTY: TestMark[] = ['none', 'stray-dot'];
/** Marks that may reach into the box next door. */
const MESSY: TestMark[] = ['fill', 'circle', 'crossed-out', 'spill', 'thick'];

let template: TemplateDefinition;
let blank: GreyImage;
let reader: Reader;

beforeAll(async () => {
  template = await ontarioTemplate();
  blank = (await decodeBlank(readBytes(ONTARIO.pdf), 200))[0]!.image;
  reader = await createInProcessReader({ templates: [{ definition: template, blank: readBytes(ONTARIO.pdf) }] }, { text: null, barcodes: null, barcodeMode: 'off' });
});

/** Boxes touching this one (stacked cells of an "x" column). */
function neighbours(key: string): string[] {
  const all = template.pages[0]!.fields.filter((f) => f.kind === 'checkbox');
  const me = all.find((f) => f.key === key)!.region;
  return all
    .filter((f) => f.key !== key)
    .filter((f) => {
      const r = f.region;
      const xOverlap = Math.min(r.x + r.w, me.x + me.w) - Math.max(r.x, me.x);
      const gap = Math.max(r.y - (me.y + me.h), me.y - (r.y + r.h));
      return xOverlap > 0 && gap < 1.5;
    })
    .map((f) => f.key);
}

function filledForm(marks: Record<string, TestMark>): GreyImage {
  const boxes = template.pages[0]!.fields.filter((f) => f.kind === 'checkbox');
  return drawMarks(blank, boxes.map((b) => ({ box: mmRect(b.region, 200), kind: marks[b.key] ?? 'none' })), 200);
}

async function readOne(bytes: Uint8Array): Promise<PageReading> {
  const pages: PageReading[] = [];
  for await (const p of reader.read(bytes)) pages.push(p);
  expect(pages).toHaveLength(1);
  return pages[0]!;
}

async function png(img: GreyImage): Promise<Uint8Array> {
  return new Uint8Array(await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } }).png().withMetadata({ density: 200 }).toBuffer());
}

function boxes(p: PageReading): Map<string, CheckboxReading> {
  return new Map(p.fields.filter((f): f is CheckboxReading => f.kind === 'checkbox').map((f) => [f.key, f]));
}

/** Every disagreement a reviewer would not be warned about. */
function silentErrors(p: PageReading, marks: Record<string, TestMark>, faxed: boolean): string[] {
  const errors: string[] = [];
  for (const [key, r] of boxes(p)) {
    const kind = marks[key] ?? 'none';
    if (MARKED.includes(kind) && r.state === 'empty') errors.push(`${key}: ${kind} read as empty`);
    if (EMPTY.includes(kind) && r.state === 'marked') errors.push(`${key}: ${kind} read as marked`);
    if (AMBIGUOUS.includes(kind) && r.state !== 'review') errors.push(`${key}: ${kind} read as ${r.state}, not sent to review`);
    // Pencil pressed lightly survives a grey scan; a fax's black-and-white threshold erases it.
    if (kind === 'faint' && !faxed && r.state === 'empty') errors.push(`${key}: faint mark read as empty`);
  }
  return errors;
}

describe('checkboxes on the Ontario form', () => {
  const cases: { name: string; faxed: boolean; noisy: boolean; make: (img: GreyImage) => Promise<Uint8Array> }[] = [
    { name: 'clean 200 dpi scan', faxed: false, noisy: false, make: png },
    { name: 'fax, fine mode (204 x 196)', faxed: true, noisy: false, make: (img) => faxTiff(img, 200, 'fine') },
    { name: 'fax, standard mode (204 x 98) with 0.5 % noise', faxed: true, noisy: true, make: (img) => faxTiff(img, 200, 'standard', { noise: 0.005 }) },
  ];
  for (const c of cases) {
    it(`has no silent errors: ${c.name}`, async () => {
      const p = await readOne(await c.make(filledForm(MARKS)));
      expect(p.classification).toMatchObject({ kind: 'template', templateId: 'ontario-2010' });
      expect(p.gates.filter((g) => !g.passed)).toEqual([]);
      expect(silentErrors(p, MARKS, c.faxed)).toEqual([]);
      const b = boxes(p);
      expect(b.size).toBe(62);
      // Not by flagging everything: plain ticks and crosses are read as marked, empty boxes as
      // empty, except next to a mark that reaches into them (a circle round the next box...).
      const quiet = (key: string): boolean => neighbours(key).every((n) => !MESSY.includes(MARKS[n] ?? 'none'));
      for (const [key, kind] of Object.entries(MARKS)) if ((kind === 'tick' || kind === 'x') && quiet(key)) expect(b.get(key)!.state, `${key} (${kind})`).toBe('marked');
      // Noise specks can put a small empty box into the review band (flagged, never marked).
      const emptiesFlagged = [...b].filter(([key, r]) => !MARKS[key] && quiet(key) && r.state !== 'empty').map(([key]) => key);
      expect(emptiesFlagged.length, emptiesFlagged.join(', ')).toBeLessThanOrEqual(c.noisy ? 2 : 0);
      const quietCount = [...b.keys()].filter((k) => (MARKS[k] === 'tick' || MARKS[k] === 'x' || !MARKS[k]) && quiet(k)).length;
      expect(quietCount).toBeGreaterThan(25);
      // Each ambiguous kind is flagged for its own reason.
      expect(b.get('b_tsh')!.flags.map((f) => f.code)).toContain('checkbox_filled');
      expect(b.get('b_potassium')!.flags.map((f) => f.code)).toContain('checkbox_ink_around');
      expect(b.get('b_chloride')!.state).toBe('review');
    });
  }

  it('turns an upside-down fax and reads it the same', async () => {
    const p = await readOne(await faxTiff(filledForm(MARKS), 200, 'fine', { rotate180: true }));
    expect(p.orientation.rotation).toBe(180);
    expect(p.classification.kind).toBe('template');
    expect(silentErrors(p, MARKS, true)).toEqual([]);
    expect(boxes(p).get('b_hba1c')!.state).toBe('marked');
  });

  it('flags two marks in a "check one" group, and boxes a vertical streak runs through', async () => {
    const marks: Record<string, TestMark> = { male: 'tick', female: 'x', h_cbc: 'tick' };
    const img = filledForm(marks);
    // A streak down the Hematology "x" column, through h_cbc and the empty boxes below it.
    const cbc = template.pages[0]!.fields.find((f) => f.key === 'h_cbc')!;
    const streakX = Math.round(((cbc.region.x + cbc.region.w / 2) * 204) / 25.4);
    const p = await readOne(await faxTiff(img, 200, 'fine', { streakX }));
    const b = boxes(p);
    for (const k of ['male', 'female']) {
      expect(b.get(k)!.state).toBe('review');
      expect(b.get(k)!.flags.map((f) => f.code)).toContain('group_multiple');
    }
    const streaked = [...b.values()].filter((r) => r.flags.some((f) => f.code === 'vertical_streak')).map((r) => r.key);
    expect(streaked).toContain('h_cbc');
    expect(streaked).toContain('h_prothrombinTime');
    expect(streaked.every((k) => b.get(k)!.state === 'review')).toBe(true);
    expect(p.gates.find((g) => g.code === 'streaks')).toMatchObject({ passed: false });
    // Boxes away from the streak are unaffected.
    expect(b.get('b_tsh')!.state).toBe('empty');
  });

  it('recomputes every stored number exactly from the stored page image', async () => {
    const p = await readOne(await faxTiff(filledForm(MARKS), 200, 'standard'));
    const stored = JSON.parse(JSON.stringify(p.fields)) as CheckboxReading[]; // as the server stores it
    const img = await decodePngGrey(p.image.png);
    expect([img.width, img.height]).toEqual([p.image.width, p.image.height]);
    let n = 0;
    for (const r of stored.filter((f) => f.kind === 'checkbox')) {
      const again = await recomputeCheckbox(p.image.png, r.evidence);
      expect(again.matchesStored, r.key).toBe(true);
      expect({ dark: again.dark, total: again.total, ratio: again.ratio, score: again.score }).toEqual({ dark: r.evidence.dark, total: r.evidence.total, ratio: r.evidence.ratio, score: r.evidence.score });
      expect(r.evidence.dots).toBeDefined();
      expect(again.evidence.dots).toEqual(r.evidence.dots);
      expect(again.evidence.faint).toEqual(r.evidence.faint);
      expect(again.evidence.profile).toEqual(r.evidence.profile);
      expect(r.evidence.profile!.rows.reduce((a, b) => a + b, 0)).toBe(r.evidence.dark);
      // The thresholds alone give the stored state unless a stated extra reason made it `review`.
      const extra = r.flags.some((f) => ['group_multiple', 'vertical_streak'].includes(f.code));
      if (!extra) expect(again.state, r.key).toBe(r.state);
      n++;
    }
    expect(n).toBe(62);
    // And a tampered number is detected.
    const r0 = stored.find((f) => f.key === 'b_hba1c')!;
    const tampered = await recomputeCheckbox(p.image.png, { ...r0.evidence, dark: r0.evidence.dark + 1 });
    expect(tampered.matchesStored).toBe(false);
    const tamperedDots = await recomputeCheckbox(p.image.png, { ...r0.evidence, dots: { ...r0.evidence.dots!, dark: r0.evidence.dots!.dark + 1 } });
    expect(tamperedDots.matchesStored).toBe(false);
    expect(r0.evidence.faint).toBeDefined();
    const tamperedFaint = await recomputeCheckbox(p.image.png, { ...r0.evidence, faint: { ...r0.evidence.faint!, dark: r0.evidence.faint!.dark + 1 } });
    expect(tamperedFaint.matchesStored).toBe(false);
    const rows = [...r0.evidence.profile!.rows];
    rows[0] = rows[0]! + 1;
    expect((await recomputeCheckbox(p.image.png, { ...r0.evidence, profile: { ...r0.evidence.profile!, rows } })).matchesStored).toBe(false);
  });
});
