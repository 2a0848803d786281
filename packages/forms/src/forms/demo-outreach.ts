/**
 * `demo-outreach`: the outpatient requisition of a fictional US outreach laboratory, "Northfield
 * Regional Laboratory". A grid of bordered cells with small labels (the common US style), black
 * section bands, square checkboxes with the lab's five-digit codes printed beside each test, and
 * corner marks. All names, addresses and codes are invented.
 */
import { FormBuilder, type LabelStyle, type TextFieldSpec } from '../layout/builder.ts';
import { LETTER } from '../layout/ops.ts';
import type { CheckboxField } from '@nexession/reader';
import type { LabTest } from '../types.ts';
import { builtInForm, type BuiltInForm } from '../built-in.ts';

const L = 12;
const R = LETTER.widthMm - 12;
const W = R - L;
const CELL_H = 9.5;
const BAND_H = 4.6;
const LABEL: LabelStyle = { font: 'Helvetica', sizePt: 5.8 };
const BAND_FONT = 'Helvetica-Bold' as const;

interface TestRow {
  key: string;
  /** The test as the lab knows it: its name carries no footnote mark. */
  test: LabTest;
  /** Printed after the name: `*` refers to the footnote "Specimen source required". */
  footnote?: '*';
}

/** Test panel in three columns: each column a heading and its tests, codes as printed. */
const TEST_COLUMNS: { heading: string; tests: TestRow[] }[] = [
  {
    heading: 'CHEMISTRY',
    tests: [
      { key: 'test_cmp', test: { code: '20020', name: 'Comprehensive Metabolic Panel' } },
      { key: 'test_bmp', test: { code: '20010', name: 'Basic Metabolic Panel' } },
      { key: 'test_lipid', test: { code: '20300', name: 'Lipid Panel' } },
      { key: 'test_hba1c', test: { code: '20450', name: 'Hemoglobin A1c' } },
      { key: 'test_hepatic', test: { code: '20030', name: 'Hepatic Function Panel' } },
      { key: 'test_glucose', test: { code: '20100', name: 'Glucose, Fasting' } },
      { key: 'test_magnesium', test: { code: '20500', name: 'Magnesium' } },
      { key: 'test_iron', test: { code: '20600', name: 'Iron and TIBC' } },
      { key: 'test_uric', test: { code: '20700', name: 'Uric Acid' } },
    ],
  },
  {
    heading: 'ENDOCRINE / HEMATOLOGY',
    tests: [
      { key: 'test_tsh', test: { code: '30100', name: 'TSH' } },
      { key: 'test_ft4', test: { code: '30110', name: 'Free T4' } },
      { key: 'test_vitd', test: { code: '30500', name: 'Vitamin D, 25-Hydroxy' } },
      { key: 'test_psa', test: { code: '30400', name: 'PSA, Total' } },
      { key: 'test_ferritin', test: { code: '30300', name: 'Ferritin' } },
      { key: 'test_b12', test: { code: '30200', name: 'Vitamin B12 and Folate' } },
      { key: 'test_cbc', test: { code: '10010', name: 'CBC with Differential' } },
      { key: 'test_ptinr', test: { code: '10300', name: 'PT/INR', requiresCollectionTime: true } },
      { key: 'test_esr', test: { code: '10400', name: 'Sed Rate (ESR)' } },
    ],
  },
  {
    heading: 'MICROBIOLOGY / CYTOLOGY',
    tests: [
      { key: 'test_ua', test: { code: '40010', name: 'Urinalysis, Reflex Micro' } },
      { key: 'test_urine_culture', test: { code: '60010', name: 'Urine Culture', requiresSource: true }, footnote: '*' },
      { key: 'test_ct_ng', test: { code: '60500', name: 'Chlamydia/GC NAAT', requiresSource: true }, footnote: '*' },
      { key: 'test_throat', test: { code: '60200', name: 'Throat Culture', requiresSource: true }, footnote: '*' },
      { key: 'test_pap', test: { code: '80100', name: 'Pap Test, ThinPrep (GYN)', gynCytology: true } },
      { key: 'test_hpv', test: { code: '80200', name: 'HPV, High-Risk' } },
      { key: 'test_hcv', test: { code: '70100', name: 'Hepatitis C Antibody' } },
      { key: 'test_strep', test: { code: '60700', name: 'Strep A Screen', requiresSource: true }, footnote: '*' },
      { key: 'test_stool', test: { code: '60300', name: 'Stool Culture', requiresSource: true }, footnote: '*' },
    ],
  },
];

function t(key: string, label: string, role: TextFieldSpec['role'], textType: TextFieldSpec['textType'], format?: string): TextFieldSpec {
  return format ? { key, label, role, textType, format } : { key, label, role, textType };
}

function build(): BuiltInForm {
  const b = new FormBuilder(LETTER);
  b.cornerMarks(6, 4.5);

  // Header. The top 12 mm stay free of fields: fax machines print their header line there.
  b.text(L, 18, 'NORTHFIELD REGIONAL LABORATORY', 'Helvetica-Bold', 14);
  b.text(L, 22.6, 'Outreach Services  |  1200 Meridian Parkway, Suite 300  |  Springfield, IL 62704', 'Helvetica', 7.2);
  b.text(L, 26.2, 'Client Services (555) 010-4400   |   Fax (555) 010-4401   |   CLIA 99D9999999 (demo)', 'Helvetica', 7.2);
  b.text(R, 18, 'LABORATORY REQUISITION', 'Helvetica-Bold', 12, { align: 'right' });
  b.text(R, 22.6, 'Outpatient / Outreach', 'Helvetica', 8, { align: 'right' });
  b.text(R, 26.2, 'Form NRL-100  Rev. 03/2024', 'Helvetica', 6.5, { align: 'right' });
  b.rect(L, 28.4, W, 0.9, { fill: 0 });

  let y = 31;
  const band = (title: string) => {
    b.band(L, y, W, BAND_H, title, BAND_FONT, 8);
    y += BAND_H;
  };
  /** One row of grid cells, left to right, filling the width. */
  const row = (cells: [number, (x: number, y: number, w: number) => void][]) => {
    let x = L;
    for (const [w, draw] of cells) {
      draw(x, y, w);
      x += w;
    }
    y += CELL_H;
  };
  const cell = (spec: TextFieldSpec) => (x: number, cy: number, w: number) => {
    b.cellText(spec, x, cy, w, CELL_H, LABEL);
  };
  /** A cell holding a label and a few labelled boxes (e.g. "Sex (check one)  [ ] M  [ ] F"). */
  const boxCell = (label: string, boxes: { key: string; text: string; role: TextFieldSpec['role']; value: string }[], group?: { key: string; rule: 'one' | 'at_most_one' | 'any' }) => (x: number, cy: number, w: number) => {
    b.rect(x, cy, w, CELL_H, { stroke: 0.25 });
    b.text(x + 0.9, cy + 0.9 + LABEL.sizePt * 0.3528 * 0.75, label, LABEL.font, LABEL.sizePt);
    const size = 3.4;
    let bx = x + 2;
    const members: CheckboxField[] = [];
    for (const bo of boxes) {
      const by = cy + CELL_H - size - 1.2;
      members.push(b.box({ key: bo.key, label: bo.text, role: bo.role, value: bo.value }, bx, by, size));
      const tw = b.text(bx + size + 1, by + size - 0.5, bo.text, 'Helvetica', 7.5);
      bx += size + 1 + tw + 3.5;
    }
    if (group) b.group(group.key, label, group.rule, members);
  };

  band('PATIENT INFORMATION');
  row([
    [62, cell(t('patient_last_name', 'PATIENT LAST NAME', 'patient.last_name', 'name'))],
    [50, cell(t('patient_first_name', 'FIRST NAME', 'patient.first_name', 'name'))],
    [40, cell(t('patient_middle_name', 'MIDDLE NAME', 'patient.middle_name', 'name'))],
    [W - 152, cell(t('patient_dob', 'DATE OF BIRTH (MM/DD/YYYY)', 'patient.dob', 'date', 'MM/DD/YYYY'))],
  ]);
  row([
    [34, boxCell('SEX (CHECK ONE)', [
      { key: 'patient_sex_m', text: 'M', role: 'patient.sex', value: 'M' },
      { key: 'patient_sex_f', text: 'F', role: 'patient.sex', value: 'F' },
    ], { key: 'patient_sex', rule: 'one' })],
    [58, cell(t('patient_mrn', 'MRN / PATIENT ID', 'patient.mrn', 'identifier'))],
    [50, cell(t('patient_phone', 'PATIENT PHONE', 'patient.phone', 'phone'))],
    [W - 142, cell(t('patient_location', 'ROOM / LOCATION', 'other', 'free'))],
  ]);
  row([
    [92, cell(t('patient_address', 'STREET ADDRESS', 'patient.address_line', 'address'))],
    [52, cell(t('patient_city', 'CITY', 'patient.city', 'address'))],
    [18, cell(t('patient_state', 'STATE', 'patient.state', 'free'))],
    [W - 162, cell(t('patient_zip', 'ZIP CODE', 'patient.postal_code', 'postal_code'))],
  ]);

  y += 1.6;
  band('BILLING / INSURANCE');
  row([
    [66, boxCell('BILL TO (CHECK ONE)', [
      { key: 'bill_insurance', text: 'Insurance', role: 'insurance.kind', value: 'insurance' },
      { key: 'bill_patient', text: 'Patient', role: 'insurance.kind', value: 'patient' },
      { key: 'bill_client', text: 'Client', role: 'insurance.kind', value: 'client' },
    ], { key: 'bill_to', rule: 'at_most_one' })],
    [52, cell(t('insurance_payer', 'INSURANCE COMPANY', 'insurance.payer', 'free'))],
    [42, cell(t('insurance_member_id', 'MEMBER ID', 'insurance.member_id', 'identifier'))],
    [W - 160, cell(t('insurance_group', 'GROUP NUMBER', 'insurance.group_number', 'identifier'))],
  ]);

  y += 1.6;
  band('ORDERING PROVIDER');
  row([
    // The printed order is the format: the server splits the name by it (one comma), never by guess.
    [72, cell(t('provider_name', 'ORDERING PROVIDER (LAST, FIRST)', 'provider.name', 'name', 'LAST, FIRST'))],
    [44, cell(t('provider_npi', 'NPI', 'provider.npi', 'npi'))],
    [42, cell(t('provider_phone', 'PROVIDER PHONE', 'provider.phone', 'phone'))],
    [W - 158, cell(t('provider_fax', 'PROVIDER FAX', 'other', 'phone'))],
  ]);
  row([
    [80, cell(t('provider_practice', 'PRACTICE NAME', 'provider.clinic_name', 'free'))],
    [W - 80, cell(t('provider_address', 'PRACTICE ADDRESS', 'provider.address', 'address'))],
  ]);

  y += 1.6;
  band('DIAGNOSIS AND SPECIMEN');
  row([
    [86, cell(t('icd10_codes', 'ICD-10 DIAGNOSIS CODE(S), SEPARATE WITH COMMAS', 'order.icd10', 'icd10_list'))],
    [38, cell(t('collection_date', 'COLLECTION DATE (MM/DD/YYYY)', 'specimen.collection_date', 'date', 'MM/DD/YYYY'))],
    [28, cell(t('collection_time', 'TIME (HH:MM 24H)', 'specimen.collection_time', 'time', 'HH:mm'))],
    [W - 152, (x, cy, w) => {
      b.rect(x, cy, w, CELL_H, { stroke: 0.6 });
      const size = 5;
      const by = cy + (CELL_H - size) / 2;
      b.box({ key: 'stat', label: 'STAT', role: 'order.stat' }, x + 3, by, size, 0.45);
      b.text(x + 3 + size + 2, by + size - 0.6, 'STAT', 'Helvetica-Bold', 13);
    }],
  ]);
  row([
    [86, cell(t('specimen_source', 'SPECIMEN SOURCE (REQUIRED FOR * TESTS)', 'specimen.source', 'free'))],
    [38, boxCell('FASTING', [
      { key: 'fasting_y', text: 'Y', role: 'other', value: 'fasting_Y' },
      { key: 'fasting_n', text: 'N', role: 'other', value: 'fasting_N' },
    ], { key: 'fasting', rule: 'at_most_one' })],
    [W - 124, cell(t('order_comment', 'COMMENTS', 'order.comment', 'free'))],
  ]);

  y += 1.6;
  band('TESTS ORDERED  (CHECK ALL THAT APPLY)');
  const colW = W / 3;
  const rowH = 5.3;
  const top = y;
  let colBottom = y;
  TEST_COLUMNS.forEach((col, ci) => {
    const cx = L + ci * colW;
    let ry = top + 1.2;
    b.text(cx + 2, ry + 3, col.heading, 'Helvetica-Bold', 7);
    ry += 4.4;
    for (const row of col.tests) {
      const size = 3.6;
      b.box({ key: row.key, label: `${row.test.code} ${row.test.name}`, role: 'order.test', test: row.test }, cx + 2, ry + (rowH - size) / 2, size);
      b.text(cx + 2 + size + 1.6, ry + rowH / 2 + 1.05, row.test.code, 'Helvetica-Bold', 7.2);
      b.text(cx + 2 + size + 11.2, ry + rowH / 2 + 1.05, row.footnote ? `${row.test.name} ${row.footnote}` : row.test.name, 'Helvetica', 7.2);
      ry += rowH;
    }
    colBottom = Math.max(colBottom, ry + 1);
  });
  // Column rules and the panel's outline.
  b.rect(L, top, W, colBottom - top, { stroke: 0.35 });
  b.line(L + colW, top, L + colW, colBottom, 0.25);
  b.line(L + 2 * colW, top, L + 2 * colW, colBottom, 0.25);
  y = colBottom;
  b.text(L + 1, y + 3.4, '* Specimen source required.', 'Helvetica-Oblique', 6.2);
  y += 4.6;
  row([[W, cell(t('test_other', 'OTHER TESTS (NAME AND CODE)', 'order.test_other', 'free'))]]);

  y += 1.6;
  band('GYNECOLOGIC CYTOLOGY  (REQUIRED WITH PAP TEST)');
  const yn = (key: string, label: string, role: TextFieldSpec['role']) =>
    boxCell(label, [
      { key: `${key}_y`, text: 'Yes', role, value: 'Y' },
      { key: `${key}_n`, text: 'No', role, value: 'N' },
    ], { key, rule: 'at_most_one' });
  row([
    [40, cell(t('pap_lmp', 'LMP (MM/DD/YYYY)', 'pap.lmp', 'date', 'MM/DD/YYYY'))],
    [50, yn('pap_prev_abnormal', 'PREVIOUS ABNORMAL PAP', 'pap.previous_abnormal')],
    [50, yn('pap_prev_treatment', 'PREVIOUS TREATMENT', 'pap.previous_treatment')],
    [W - 140, yn('pap_prev_biopsy', 'PREVIOUS BIOPSY', 'pap.previous_biopsy')],
  ]);

  y += 1.6;
  band('AUTHORIZATION');
  y += 1;
  b.text(L + 1, y + 3, 'I certify that the tests ordered are medically necessary for the diagnosis and treatment of this patient.', 'Helvetica', 6.5);
  y += 4;
  b.line(L + 1, y + 8, L + 120, y + 8, 0.25);
  b.text(L + 1, y + 10.6, 'ORDERING PROVIDER SIGNATURE', LABEL.font, LABEL.sizePt);
  b.underlineText({ key: 'signature_date', label: 'DATE', role: 'signature.date', textType: 'date', format: 'MM/DD/YYYY' }, L + 128, y + 8, W - 128, 6, { font: 'Helvetica', sizePt: 7 });
  y += 14;

  // Laboratory use only: shaded, no fields.
  b.rect(L, y, W, Math.min(24, 256 - y), { stroke: 0.35, fill: 0.92 });
  b.text(L + 1.5, y + 3.5, 'LABORATORY USE ONLY', 'Helvetica-Bold', 7);
  b.text(L + 1.5, y + 8, 'Received by: ____________   Date/Time: ______________   Accession #: ______________________', 'Helvetica', 7);

  b.text(L, 262, 'Label every specimen with two patient identifiers. Incomplete requisitions delay testing.', 'Helvetica', 6.5);
  b.text(R, 262, 'NRL-100 (03/2024)  Synthetic demonstration form', 'Helvetica', 6.5, { align: 'right' });

  // Version 2: test names without the footnote mark, the provider name's declared order.
  const { labForm, drawing } = b.build({ id: 'demo-outreach', version: 2, name: 'Northfield Regional Laboratory: outreach requisition (demo)' });
  return builtInForm(labForm, drawing);
}

export const demoOutreach: BuiltInForm = build();
