/**
 * `second-lab`: the test request form of a second fictional laboratory, "Lakeshore Clinical
 * Laboratories". Deliberately unlike `demo-outreach`: Times and Courier instead of Helvetica,
 * write-in lines with the label to their left instead of grid cells, the patient's name in one
 * field, ISO dates, a comb for the NPI, tests in two columns with alphanumeric codes printed in
 * Courier at the end of each line, larger boxes and no corner marks. Everything is invented.
 */
import { builtInForm, type BuiltInForm } from '../built-in.ts';
import { FormBuilder, type LabelStyle, type TextFieldSpec } from '../layout/builder.ts';
import { LETTER } from '../layout/ops.ts';
import type { LabTest } from '../types.ts';

const L = 14;
const R = LETTER.widthMm - 14;
const W = R - L;
const LABEL: LabelStyle = { font: 'Times-Roman', sizePt: 9 };
const WRITE_H = 5.2;
const LINE_GAP = 8.2;

const TEST_COLUMNS: { heading: string; tests: { key: string; test: LabTest }[] }[][] = [
  [
    {
      heading: 'Chemistry',
      tests: [
        { key: 'ch_cmp', test: { code: 'CH105', name: 'Comprehensive Metabolic Panel' } },
        { key: 'ch_bmp', test: { code: 'CH101', name: 'Basic Metabolic Panel' } },
        { key: 'ch_lipid', test: { code: 'CH220', name: 'Lipid Profile' } },
        { key: 'ch_a1c', test: { code: 'CH340', name: 'Hemoglobin A1c' } },
        { key: 'ch_tsh', test: { code: 'CH410', name: 'TSH, 3rd Generation' } },
        { key: 'ch_vitd', test: { code: 'CH455', name: 'Vitamin D, 25-OH' } },
        { key: 'ch_psa', test: { code: 'CH470', name: 'PSA, Screening' } },
        { key: 'ch_ferritin', test: { code: 'CH515', name: 'Ferritin' } },
      ],
    },
    {
      heading: 'Hematology / Coagulation',
      tests: [
        { key: 'he_cbc', test: { code: 'HE210', name: 'CBC w/ Automated Diff' } },
        { key: 'he_ptinr', test: { code: 'HE305', name: 'Prothrombin Time / INR', requiresCollectionTime: true } },
        { key: 'he_ptt', test: { code: 'HE310', name: 'PTT', requiresCollectionTime: true } },
      ],
    },
  ],
  [
    {
      heading: 'Microbiology',
      tests: [
        { key: 'mb_urine_cx', test: { code: 'MB330', name: 'Culture, Urine', requiresSource: true } },
        { key: 'mb_wound_cx', test: { code: 'MB345', name: 'Culture, Wound', requiresSource: true } },
        { key: 'mb_ctng', test: { code: 'MB610', name: 'CT/NG by NAAT', requiresSource: true } },
        { key: 'mb_strep', test: { code: 'MB120', name: 'Group A Strep, Rapid', requiresSource: true } },
      ],
    },
    {
      heading: 'Urine / Serology / Cytology',
      tests: [
        { key: 'ur_ua', test: { code: 'UR010', name: 'Urinalysis, Complete' } },
        { key: 'ur_mab', test: { code: 'UR045', name: 'Microalbumin, Random Urine' } },
        { key: 'se_hiv', test: { code: 'SE700', name: 'HIV-1/2 Ag/Ab Screen' } },
        { key: 'se_hbsag', test: { code: 'SE720', name: 'Hepatitis B Surface Ag' } },
        { key: 'cy_pap', test: { code: 'CY900', name: 'Pap, Liquid-Based', gynCytology: true } },
        { key: 'cy_hpv', test: { code: 'CY950', name: 'HPV DNA, High Risk' } },
      ],
    },
  ],
];

function build(): BuiltInForm {
  const b = new FormBuilder(LETTER);
  const spec = (key: string, label: string, role: TextFieldSpec['role'], textType: TextFieldSpec['textType'], format?: string): TextFieldSpec =>
    format ? { key, label, role, textType, format } : { key, label, role, textType };
  const field = (s: TextFieldSpec, x: number, lineY: number, w: number) => b.underlineText(s, x, lineY, w, WRITE_H, LABEL);

  b.text(LETTER.widthMm / 2, 20, 'LAKESHORE CLINICAL LABORATORIES', 'Times-Bold', 17, { align: 'center' });
  b.text(LETTER.widthMm / 2, 25.5, 'Test Request Form', 'Times-Italic', 11, { align: 'center' });
  b.text(LETTER.widthMm / 2, 30, '88 Harbor Lane, Port Alder, MI 49000  -  Tel 555-020-7700  -  Fax 555-020-7701', 'Times-Roman', 8.5, { align: 'center' });
  b.rect(L, 32.5, W, 0.7, { fill: 0 });
  b.rect(L, 34.0, W, 0.25, { fill: 0 });

  // Patient (left) and physician (right) columns.
  const half = (W - 8) / 2;
  const xr = L + half + 8;
  let yl = 40;
  b.text(L, yl, 'PATIENT', 'Times-Bold', 10.5);
  b.text(xr, yl, 'PHYSICIAN / BILLING', 'Times-Bold', 10.5);
  yl += LINE_GAP;
  field(spec('pt_name', 'Name (Last, First MI):', 'patient.full_name', 'name'), L, yl, half);
  field(spec('dr_name', 'Physician:', 'provider.name', 'name'), xr, yl, half);
  yl += LINE_GAP;
  field(spec('pt_dob', 'Birth Date (YYYY-MM-DD):', 'patient.dob', 'date', 'YYYY-MM-DD'), L, yl, half * 0.72);
  {
    // NPI as a 10-cell comb with the label to its left.
    const lw = b.text(xr, yl - 0.6, 'NPI:', LABEL.font, LABEL.sizePt);
    b.combText(spec('dr_npi', 'NPI:', 'provider.npi', 'npi'), xr + lw + 1.5, yl - 5.4, 5.0, 6.0, 10, null);
  }
  yl += LINE_GAP;
  {
    const w = b.text(L, yl - 0.6, 'Sex:', LABEL.font, LABEL.sizePt);
    const size = 4;
    const m = b.box({ key: 'pt_sex_m', label: 'Male', role: 'patient.sex', value: 'M' }, L + w + 2, yl - 3.9, size, 0.35);
    const mw = b.text(L + w + 2 + size + 1.2, yl - 0.6, 'Male', LABEL.font, LABEL.sizePt);
    const fx = L + w + 2 + size + 1.2 + mw + 4;
    const f = b.box({ key: 'pt_sex_f', label: 'Female', role: 'patient.sex', value: 'F' }, fx, yl - 3.9, size, 0.35);
    b.text(fx + size + 1.2, yl - 0.6, 'Female', LABEL.font, LABEL.sizePt);
    b.group('pt_sex', 'Sex', 'one', [m, f]);
    field(spec('pt_chart', 'Chart #:', 'patient.mrn', 'identifier'), L + 48, yl, half - 48);
  }
  field(spec('dr_phone', 'Phone:', 'provider.phone', 'phone'), xr, yl, half);
  yl += LINE_GAP;
  field(spec('pt_address', 'Address:', 'patient.address_line', 'address'), L, yl, half);
  field(spec('dr_clinic', 'Clinic:', 'provider.clinic_name', 'free'), xr, yl, half);
  yl += LINE_GAP;
  field(spec('pt_city', 'City:', 'patient.city', 'address'), L, yl, half * 0.5);
  field(spec('pt_state', 'St:', 'patient.state', 'free'), L + half * 0.5 + 2, yl, half * 0.18);
  field(spec('pt_zip', 'Zip:', 'patient.postal_code', 'postal_code'), L + half * 0.68 + 4, yl, half * 0.32 - 4);
  field(spec('ins_payer', 'Insurance:', 'insurance.payer', 'free'), xr, yl, half);
  yl += LINE_GAP;
  field(spec('pt_phone', 'Phone:', 'patient.phone', 'phone'), L, yl, half);
  field(spec('ins_policy', 'Policy #:', 'insurance.member_id', 'identifier'), xr, yl, half * 0.56);
  field(spec('ins_group', 'Grp:', 'insurance.group_number', 'identifier'), xr + half * 0.56 + 2, yl, half * 0.44 - 2);
  yl += 4;
  b.rect(L, yl, W, 0.35, { fill: 0 });

  yl += LINE_GAP;
  field(spec('dx_codes', 'Diagnosis Codes (ICD-10):', 'order.icd10', 'icd10_list'), L, yl, W);
  yl += LINE_GAP;
  field(spec('coll_date', 'Collected (YYYY-MM-DD):', 'specimen.collection_date', 'date', 'YYYY-MM-DD'), L, yl, 72);
  field(spec('coll_time', 'Time:', 'specimen.collection_time', 'time', 'HH:mm'), L + 76, yl, 30);
  {
    const x0 = L + 118;
    const size = 4.4;
    const r = b.box({ key: 'prio_routine', label: 'Routine', role: 'other', value: 'routine' }, x0, yl - 4.2, size, 0.35);
    const rw = b.text(x0 + size + 1.4, yl - 0.6, 'Routine', 'Times-Bold', 10);
    const sx = x0 + size + 1.4 + rw + 6;
    const s = b.box({ key: 'prio_stat', label: 'STAT', role: 'order.stat' }, sx, yl - 4.2, size, 0.35);
    b.text(sx + size + 1.4, yl - 0.6, 'STAT', 'Times-Bold', 10);
    b.group('priority', 'Priority', 'at_most_one', [r, s]);
  }
  yl += LINE_GAP;
  field(spec('source', 'Specimen Source / Site:', 'specimen.source', 'free'), L, yl, W);
  yl += 5;

  // Tests: two columns, code in Courier at the end of each line.
  b.rect(L, yl, W, 0.7, { fill: 0 });
  b.text(L, yl + 5.2, 'TESTS REQUESTED', 'Times-Bold', 10.5);
  b.text(L + 40, yl + 5.2, '(mark each test ordered)', 'Times-Italic', 9);
  const colTop = yl + 8;
  const colW = (W - 8) / 2;
  const rowH = 5.6;
  let bottom = colTop;
  TEST_COLUMNS.forEach((sections, ci) => {
    const cx = L + ci * (colW + 8);
    let ry = colTop;
    for (const section of sections) {
      ry += 4.6;
      b.text(cx, ry, section.heading, 'Times-BoldItalic', 10);
      ry += 1.4;
      for (const row of section.tests) {
        const size = 4;
        b.box({ key: row.key, label: `${row.test.name} ${row.test.code}`, role: 'order.test', test: row.test }, cx + 1, ry + (rowH - size) / 2, size, 0.35);
        const nw = b.text(cx + 1 + size + 2, ry + rowH / 2 + 1.3, row.test.name, 'Times-Roman', 9.5);
        const codeW = b.text(cx + colW, ry + rowH / 2 + 1.3, row.test.code, 'Courier-Bold', 9, { align: 'right' });
        // Dotted leader between name and code, as in printed catalogues.
        const from = cx + 1 + size + 2 + nw + 1.5;
        const to = cx + colW - codeW - 1.5;
        if (to > from) b.line(from, ry + rowH / 2 + 1.2, to, ry + rowH / 2 + 1.2, 0.18, [0.25, 1.1]);
        ry += rowH;
      }
    }
    bottom = Math.max(bottom, ry);
  });
  b.line(L + colW + 4, colTop + 2, L + colW + 4, bottom, 0.25);
  yl = bottom + 2;
  b.rect(L, yl, W, 0.35, { fill: 0 });
  yl += LINE_GAP;
  field(spec('other_tests', 'Additional Tests:', 'order.test_other', 'free'), L, yl, W);
  yl += LINE_GAP;
  field(spec('notes', 'Clinical Notes:', 'order.comment', 'free'), L, yl, W);

  yl += 14;
  b.line(L, yl, L + 110, yl, 0.25);
  b.text(L, yl + 3.6, "Physician's Signature", 'Times-Italic', 9);
  field(spec('sign_date', 'Date:', 'signature.date', 'date', 'YYYY-MM-DD'), L + 120, yl, W - 120);

  b.text(L, 262, 'LCL-TRF-2  (rev. 2023-11)', 'Courier', 8);
  b.text(R, 262, 'Synthetic demonstration form', 'Times-Italic', 8, { align: 'right' });

  const { labForm, drawing } = b.build({ id: 'second-lab', version: 1, name: 'Lakeshore Clinical Laboratories: test request form (demo)' });
  return builtInForm(labForm, drawing);
}

export const secondLab: BuiltInForm = build();
