/**
 * `gyn-cytology`: a gynecologic cytology (Pap) requisition of a fictional service, "Bayside
 * Cytopathology". It asks for everything 42 CFR 493.1241(c)(7) needs (LMP, previous abnormal
 * report, treatment, biopsy) next to the usual patient (sex included, (c)(3)), provider and
 * specimen elements. Labels
 * above write-in lines, comb boxes for dates and the NPI, grey section titles with a rule, the
 * specimen source as checkboxes, and L-shaped corner brackets. Everything is invented.
 */
import type { CheckboxField } from '@nexession/reader';
import { builtInForm, type BuiltInForm } from '../built-in.ts';
import { FormBuilder, type LabelStyle, type TextFieldSpec } from '../layout/builder.ts';
import { LETTER } from '../layout/ops.ts';
import type { FieldRole, LabTest } from '../types.ts';

const L = 13;
const R = LETTER.widthMm - 13;
const W = R - L;
const ABOVE: LabelStyle = { font: 'Helvetica', sizePt: 6.5 };
const BOX = 3.8;

function build(): BuiltInForm {
  const b = new FormBuilder(LETTER);
  const spec = (key: string, label: string, role: FieldRole, textType: TextFieldSpec['textType'], format?: string): TextFieldSpec =>
    format ? { key, label, role, textType, format } : { key, label, role, textType };
  /** A write-in line with its label printed above it. */
  const lineField = (s: TextFieldSpec, x: number, y: number, w: number) => {
    b.text(x, y, s.label, ABOVE.font, ABOVE.sizePt);
    return b.underlineText(s, x, y + 6.6, w, 5.4, null);
  };
  /** A comb with its label above: dates as MM DD YYYY cells, the NPI as ten cells. */
  const comb = (s: TextFieldSpec, x: number, y: number, cells: number, separatorsAfter: number[] = []) =>
    b.combText(s, x, y + 1.4, 4.2, 5.6, cells, ABOVE, { separatorsAfter, lineWidth: 0.22 });
  const checkbox = (key: string, label: string, role: FieldRole, x: number, y: number, extra: { value?: string; test?: LabTest } = {}): CheckboxField => {
    const f = b.box({ key, label, role, ...extra }, x, y, BOX, 0.3);
    b.text(x + BOX + 1.3, y + BOX - 0.6, label, 'Helvetica', 7.6);
    return f;
  };
  let y = 0;
  const section = (title: string) => {
    b.rect(L, y, W, 5, { fill: 0.82 });
    b.rect(L, y + 5, W, 0.5, { fill: 0 });
    b.text(L + 1.5, y + 3.7, title, 'Helvetica-Bold', 8.5);
    y += 8.5;
  };

  // Corner brackets.
  for (const [cx, cy, dx, dy] of [[7, 7, 1, 1], [LETTER.widthMm - 7, 7, -1, 1], [7, LETTER.heightMm - 7, 1, -1], [LETTER.widthMm - 7, LETTER.heightMm - 7, -1, -1]] as const) {
    b.line(cx, cy, cx + dx * 9, cy, 0.9);
    b.line(cx, cy, cx, cy + dy * 9, 0.9);
  }

  b.text(L, 19, 'BAYSIDE CYTOPATHOLOGY', 'Helvetica-Bold', 15);
  b.text(L, 24, 'Gynecologic Cytology Requisition  (Pap / HPV)', 'Helvetica', 9.5);
  b.text(R, 19, 'Cytology Accession Use Only', 'Helvetica-Oblique', 6.5, { align: 'right' });
  b.rect(R - 58, 20.5, 58, 8, { stroke: 0.3 });
  b.rect(L, 30.5, W, 1.1, { fill: 0 });

  y = 34;
  section('1  PATIENT');
  lineField(spec('pt_last', 'Last name', 'patient.last_name', 'name'), L, y, 62);
  lineField(spec('pt_first', 'First name', 'patient.first_name', 'name'), L + 66, y, 48);
  lineField(spec('pt_middle', 'Middle name', 'patient.middle_name', 'name'), L + 118, y, 30);
  comb(spec('pt_dob', 'Date of birth  MM DD YYYY', 'patient.dob', 'date', 'MMDDYYYY'), L + 152, y, 8, [2, 4]);
  y += 11;
  lineField(spec('pt_mrn', 'Patient ID / MRN', 'patient.mrn', 'identifier'), L, y, 40);
  lineField(spec('pt_phone', 'Phone', 'patient.phone', 'phone'), L + 44, y, 38);
  lineField(spec('pt_address', 'Address', 'patient.address_line', 'address'), L + 86, y, 62);
  {
    // 42 CFR 493.1241(c)(3) asks for the patient's sex on every requisition, Pap included (a trans
    // man or an intersex patient with a cervix is screened too). Under the date of birth, check
    // one. Each box stands for its HL7 table 0001 code, which is what the server accepts: "Other"
    // is O. No "X" box: X is not a code the server (or HL7 v2 table 0001) takes, so a marked X
    // could never be released.
    const x0 = L + 152;
    b.text(x0, y, 'Sex (check one)', ABOVE.font, ABOVE.sizePt);
    const options = [['pt_sex_f', 'F', 'F'], ['pt_sex_m', 'M', 'M'], ['pt_sex_o', 'Other', 'O']] as const;
    let x = x0;
    const members: CheckboxField[] = [];
    for (const [key, label, value] of options) {
      members.push(b.box({ key, label: `Sex ${label}`, role: 'patient.sex', value }, x, y + 2.2, BOX, 0.3));
      x += BOX + 1.3 + b.text(x + BOX + 1.3, y + 2.2 + BOX - 0.6, label, 'Helvetica', 7.6) + 2.6;
    }
    b.group('pt_sex', 'Sex', 'one', members);
  }
  y += 11;
  lineField(spec('pt_city', 'City', 'patient.city', 'address'), L, y, 60);
  lineField(spec('pt_state', 'State / Prov.', 'patient.state', 'free'), L + 64, y, 20);
  lineField(spec('pt_zip', 'ZIP / Postal code', 'patient.postal_code', 'postal_code'), L + 88, y, 28);
  lineField(spec('ins_payer', 'Insurance', 'insurance.payer', 'free'), L + 120, y, 38);
  lineField(spec('ins_member', 'Member ID', 'insurance.member_id', 'identifier'), L + 162, y, W - 162);
  y += 13;

  section('2  PROVIDER');
  lineField(spec('dr_name', 'Ordering clinician', 'provider.name', 'name'), L, y, 66);
  comb(spec('dr_npi', 'NPI', 'provider.npi', 'npi'), L + 70, y, 10);
  lineField(spec('dr_phone', 'Phone', 'provider.phone', 'phone'), L + 116, y, 32);
  lineField(spec('dr_clinic', 'Clinic', 'provider.clinic_name', 'free'), L + 152, y, W - 152);
  y += 13;

  section('3  SPECIMEN');
  {
    b.text(L, y + 2.4, 'Source:', 'Helvetica-Bold', 7.6);
    const sources = [['src_cervical', 'Cervical'], ['src_endocervical', 'Endocervical'], ['src_vaginal', 'Vaginal']] as const;
    let x = L + 12;
    const members: CheckboxField[] = [];
    for (const [key, label] of sources) {
      members.push(checkbox(key, label, 'specimen.source', x, y, { value: label }));
      x += 28;
    }
    b.group('specimen_source', 'Source', 'any', members);
    b.text(L + 100, y + 2.4, 'Device:', 'Helvetica-Bold', 7.6);
    const devices = [['dev_broom', 'Broom'], ['dev_brush', 'Brush/spatula']] as const;
    x = L + 113;
    for (const [key, label] of devices) {
      checkbox(key, label, 'other', x, y, { value: label });
      x += 26;
    }
  }
  y += 7;
  comb(spec('coll_date', 'Collection date  MM DD YYYY', 'specimen.collection_date', 'date', 'MMDDYYYY'), L, y, 8, [2, 4]);
  lineField(spec('dx_codes', 'ICD-10 code(s)', 'order.icd10', 'icd10_list'), L + 40, y, 90);
  {
    const s = checkbox('stat', 'STAT', 'order.stat', L + 140, y + 3.2);
    void s;
  }
  y += 13;

  section('4  TESTS REQUESTED');
  const tests: [string, LabTest][] = [
    ['t_pap_lb', { code: 'GYN-100', name: 'Pap, liquid-based (ThinPrep)', gynCytology: true }],
    ['t_pap_conv', { code: 'GYN-110', name: 'Pap, conventional smear', gynCytology: true }],
    ['t_pap_hpv_reflex', { code: 'GYN-120', name: 'Pap with HPV reflex if ASC-US', gynCytology: true }],
    ['t_pap_hpv_co', { code: 'GYN-130', name: 'Pap with HPV co-test', gynCytology: true }],
    ['t_hpv', { code: 'MOL-200', name: 'HPV high-risk only' }],
    ['t_hpv_geno', { code: 'MOL-210', name: 'HPV genotyping 16/18/45' }],
    ['t_ctng', { code: 'MOL-300', name: 'Chlamydia / Gonorrhea NAAT', requiresSource: true }],
    ['t_trich', { code: 'MOL-310', name: 'Trichomonas NAAT', requiresSource: true }],
  ];
  tests.forEach(([key, test], i) => {
    const col = i % 2;
    const rowY = y + Math.floor(i / 2) * 6.2;
    const x = L + col * (W / 2);
    b.box({ key, label: `${test.code} ${test.name}`, role: 'order.test', test }, x, rowY, BOX, 0.3);
    b.text(x + BOX + 1.6, rowY + BOX - 0.6, test.code, 'Helvetica-Bold', 7.6);
    b.text(x + BOX + 16.5, rowY + BOX - 0.6, test.name, 'Helvetica', 7.6);
  });
  y += Math.ceil(tests.length / 2) * 6.2 + 2;
  lineField(spec('other_tests', 'Other test(s)', 'order.test_other', 'free'), L, y, W);
  y += 13;

  section('5  CLINICAL HISTORY  (required for every Pap test)');
  comb(spec('lmp', 'LMP  MM DD YYYY', 'pap.lmp', 'date', 'MMDDYYYY'), L, y, 8, [2, 4]);
  comb(spec('last_pap', 'Date of last Pap  MM DD YYYY', 'other', 'date', 'MMDDYYYY'), L + 40, y, 8, [2, 4]);
  {
    const states = [['hx_postmeno', 'Postmenopausal'], ['hx_pregnant', 'Pregnant'], ['hx_postpartum', 'Postpartum'], ['hx_hormones', 'Hormone therapy'], ['hx_iud', 'IUD'], ['hx_hysterectomy', 'Hysterectomy']] as const;
    states.forEach(([key, label], i) => {
      checkbox(key, label, 'other', L + 82 + (i % 3) * 34, y + 0.6 + Math.floor(i / 3) * 5.6, { value: label });
    });
  }
  y += 13;
  const yesNo = (key: string, question: string, role: FieldRole) => {
    b.text(L, y + BOX - 0.6, question, 'Helvetica', 7.8);
    const yes = checkbox(`${key}_y`, 'Yes', role, L + 62, y, { value: 'Y' });
    const no = checkbox(`${key}_n`, 'No', role, L + 80, y, { value: 'N' });
    b.group(key, question, 'one', [yes, no]);
    y += 6.4;
  };
  yesNo('prev_abnormal', 'Previous abnormal Pap report?', 'pap.previous_abnormal');
  yesNo('prev_treatment', 'Previous treatment (LEEP, cone, cryo)?', 'pap.previous_treatment');
  yesNo('prev_biopsy', 'Previous cervical biopsy?', 'pap.previous_biopsy');
  y += 4;

  b.rect(L, y, W, 0.5, { fill: 0 });
  y += 14;
  b.line(L, y, L + 110, y, 0.25);
  b.text(L, y + 3.4, 'Clinician signature', ABOVE.font, ABOVE.sizePt);
  b.text(L + 120, y - 6.6, 'Date', ABOVE.font, ABOVE.sizePt);
  b.underlineText(spec('sign_date', 'Date', 'signature.date', 'date', 'MM/DD/YYYY'), L + 120, y, W - 120, 5.4, null);

  b.text(L, 262, 'BCP-GYN-1  04/2024', 'Helvetica', 6.5);
  b.text(R, 262, 'Synthetic demonstration form', 'Helvetica-Oblique', 6.5, { align: 'right' });

  // Version 2: the patient's sex (check one: F, M, Other) under the date of birth; MRN, phone and
  // address narrower to make room.
  const { labForm, drawing } = b.build({ id: 'gyn-cytology', version: 2, name: 'Bayside Cytopathology: gynecologic cytology requisition (demo)' });
  return builtInForm(labForm, drawing);
}

export const gynCytology: BuiltInForm = build();
