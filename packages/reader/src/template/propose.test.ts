/**
 * The blank-form proposal on the real Ontario 2010 requisition, measured against the OSCAR map:
 * a map checkbox counts as found when a proposed box covers it (intersection over union above
 * one half) and the proposed label is the label printed beside it (written out below by hand,
 * from the form, independently of the reader).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ontarioTemplate } from '../testing/ontario.ts';
import { ONTARIO, readBytes } from '../testing/realdata.ts';
import type { RectMm, TemplateDefinition } from '../types.ts';
import { proposeTemplate } from './propose.ts';

/** What is printed beside each box of the map (the start of it, for long labels). */
const PRINTED: Record<string, string> = {
  ohip: 'OHIP/Insured', thirdParty: 'Third Party / Uninsured', wcb: 'WSIB', copy2clinician: 'Copy to: Clinician/Practitioner', male: 'M', female: 'F',
  b_glucose: 'Glucose', b_glucose_random: 'Random', b_glucose_fasting: 'Fasting', b_hba1c: 'HbA1C', b_tsh: 'TSH', b_creatinine: 'Creatinine (eGFR)',
  b_uricAcid: 'Uric Acid', b_sodium: 'Sodium', b_potassium: 'Potassium', b_chloride: 'Chloride', b_ck: 'CK', b_alt: 'ALT', b_alkPhosphatase: 'Alk. Phosphatase',
  b_bilirubin: 'Bilirubin', b_albumin: 'Albumin', b_lipidAssessment: 'Lipid Assessment', b_vitaminB12: 'Vitamin B12', b_ferritin: 'Ferritin',
  b_acRatioUrine: 'Albumin / Creatinine Ratio, Urine', b_urinalysis: 'Urinalysis (Chemical)', b_neonatalBilirubin: 'Neonatal Bilirubin',
  b_therapeuticDrugMonitoring: 'Therapeutic Drug Monitoring', h_cbc: 'CBC', h_prothrombinTime: 'Prothrombin Time (INR)', i_pregnancyTest: 'Pregnancy test (Urine)',
  i_mononucleosisScreen: 'Mononucleosis Screen', i_rubella: 'Rubella', i_prenatal: 'Prenatal: ABO, RhD, Antibody Screen', i_repeatPrenatalAntibodies: 'Repeat Prenatal Antibodies',
  m_cervical: 'Cervical', m_vaginal: 'Vaginal', m_vaginalRectal: 'Vaginal / Rectal – Group B Strep', m_chlamydia: 'Chlamydia', m_gc: 'GC', m_sputum: 'Sputum',
  m_throat: 'Throat', m_wound: 'Wound', m_urine: 'Urine', m_stoolCulture: 'Stool Culture', m_stoolOvaParasites: 'Stool Ova & Parasites', m_otherSwabsPus: 'Other Swabs / Pus',
  // The last row of the microbiology column is an unlabelled box with a line to write a test on.
  m_blank: '',
  v_acuteHepatitis: 'Acute Hepatitis', v_chronicHepatitis: 'Chronic Hepatitis', v_immuneStatus: 'Immune Status / Previous Exposure', v_immune_HepatitisA: 'Hepatitis A',
  v_immune_HepatitisB: 'Hepatitis B', v_immune_HepatitisC: 'Hepatitis C', psa_total: 'Total PSA', psa_free: 'Free PSA', psa_insured: 'Insured – Meets OHIP eligibility criteria',
  psa_uninsured: 'Uninsured – Screening', vitd_insured: 'Insured – Meets OHIP eligibility criteria', vitd_uninsured: 'Uninsured – Patient responsible for payment',
  fobt_nonCCC: 'FOBT (non CCC)', fobt_CCC: 'ColonCancerCheck FOBT (CCC)',
};

const norm = (s: string): string => s.toLowerCase().replace(/[’']/g, "'").replace(/[^a-z0-9']+/g, ' ').trim();

function iou(a: RectMm, b: RectMm): number {
  const x = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const y = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  return (x * y) / (a.w * a.h + b.w * b.h - x * y);
}

function score(proposal: TemplateDefinition, map: TemplateDefinition): { found: string[]; missed: string[] } {
  const props = proposal.pages[0]!.fields.filter((f) => f.kind === 'checkbox');
  const found: string[] = [];
  const missed: string[] = [];
  for (const b of map.pages[0]!.fields.filter((f) => f.kind === 'checkbox')) {
    const best = props.map((p) => ({ p, s: iou(p.region, b.region) })).sort((x, y) => y.s - x.s)[0];
    const label = PRINTED[b.key];
    const ok = best !== undefined && best.s > 0.5 && label !== undefined && label !== '' && norm(best.p.label).startsWith(norm(label));
    (ok ? found : missed).push(b.key);
  }
  return { found, missed };
}

let map: TemplateDefinition;

beforeAll(async () => {
  map = await ontarioTemplate();
});

describe('proposeTemplate (Ontario 2010 blank)', () => {
  it('has the printed label of every map checkbox written out', () => {
    expect(Object.keys(PRINTED).sort()).toEqual(map.pages[0]!.fields.filter((f) => f.kind === 'checkbox').map((f) => f.key).sort());
  });

  it('finds at least 90 % of the map\'s checkboxes with the right label, from the PDF', async () => {
    const proposal = await proposeTemplate(readBytes(ONTARIO.pdf));
    const { found, missed } = score(proposal, map);
    const rate = found.length / (found.length + missed.length);
    console.info(`proposal from the PDF: ${found.length}/${found.length + missed.length} = ${(rate * 100).toFixed(1)} % (missed: ${missed.join(', ')})`);
    expect(rate).toBeGreaterThanOrEqual(0.9);
    // Not by proposing everything: few boxes the map does not have.
    const extra = proposal.pages[0]!.fields.filter((f) => f.kind === 'checkbox' && !map.pages[0]!.fields.some((m) => m.kind === 'checkbox' && iou(m.region, f.region) > 0.5));
    expect(extra.length).toBeLessThanOrEqual(5);
    // Squares and "x"-column cells are told apart.
    const style = (key: string): string | undefined => {
      const m = map.pages[0]!.fields.find((f) => f.key === key)!;
      const p = proposal.pages[0]!.fields.find((f) => f.kind === 'checkbox' && iou(f.region, m.region) > 0.5);
      return p?.kind === 'checkbox' ? p.style : undefined;
    };
    expect(style('male')).toBe('square');
    expect(style('b_tsh')).toBe('cell');
    // And write-in areas with their printed labels.
    const texts = proposal.pages[0]!.fields.filter((f) => f.kind === 'text').map((f) => f.label);
    expect(texts.some((l) => /Health Number/.test(l))).toBe(true);
    expect(JSON.parse(JSON.stringify(proposal))).toEqual(proposal);
  });

  it('works from an image of the blank too (a fine-mode fax), reading labels by OCR', async () => {
    const proposal = await proposeTemplate(readBytes(ONTARIO.faxFine));
    const { found, missed } = score(proposal, map);
    const rate = found.length / (found.length + missed.length);
    console.info(`proposal from the fine fax: ${found.length}/${found.length + missed.length} = ${(rate * 100).toFixed(1)} % (missed: ${missed.join(', ')})`);
    // Thin box outlines partly vanish in a fax: a lower bar than from the PDF.
    expect(rate).toBeGreaterThanOrEqual(0.75);
  });
});
