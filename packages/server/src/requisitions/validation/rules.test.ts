import { describe, expect, it } from 'vitest';
import { parseDate, parseTime, dateFromParts } from '../dates.ts';
import { Extract, type FieldView } from '../extract.ts';
import { DEFAULT_POLICY, validate } from './rules.ts';

const f = (key: string, role: string, value: FieldView['value'], extra: Partial<FieldView> = {}): FieldView => ({
  key,
  role,
  kind: typeof value === 'boolean' ? 'checkbox' : 'text',
  meaning: { role: role as never },
  value,
  state: 'confirmed',
  ...extra,
});

function complete(): FieldView[] {
  return [
    f('prov', 'provider.name', 'Dr Ada Lovelace'),
    f('npi', 'provider.npi', '1234567893'),
    f('last', 'patient.last_name', 'QUILLFEATHER'),
    f('first', 'patient.first_name', 'Wren'),
    f('dob', 'patient.dob', '03/22/1984', { format: 'MM/DD/YYYY' }),
    f('sex_m', 'patient.sex', false, { meaning: { role: 'patient.sex', value: 'M' } }),
    f('sex_f', 'patient.sex', true, { meaning: { role: 'patient.sex', value: 'F' } }),
    f('t_tsh', 'order.test', true, { meaning: { role: 'order.test', test: { code: '30100', name: 'TSH' } } }),
    f('t_pap', 'order.test', false, { meaning: { role: 'order.test', test: { code: '80100', name: 'Pap', gynCytology: true } } }),
    f('t_uc', 'order.test', false, { meaning: { role: 'order.test', test: { code: '60010', name: 'Urine Culture', requiresSource: true } } }),
    f('src', 'specimen.source', null),
    f('cdate', 'specimen.collection_date', '2026-11-30', { format: 'YYYY-MM-DD' }),
    f('ctime', 'specimen.collection_time', null),
    f('lmp', 'pap.lmp', null),
    f('pab_y', 'pap.previous_abnormal', false, { meaning: { role: 'pap.previous_abnormal', value: 'Y' } }),
    f('pab_n', 'pap.previous_abnormal', false, { meaning: { role: 'pap.previous_abnormal', value: 'N' } }),
  ];
}

const set = (fields: FieldView[], key: string, patch: Partial<FieldView>) => fields.map((x) => (x.key === key ? { ...x, ...patch } : x));
const rule = (fields: FieldView[], c: string) => validate(new Extract(fields)).rules.find((r) => r.citation.endsWith(c))!;

describe('dates and times as written', () => {
  it('reads only what the format allows', () => {
    expect(parseDate('03/22/1984', 'MM/DD/YYYY')).toEqual({ ok: true, value: '1984-03-22' });
    expect(parseDate('22/03/1984', 'DD/MM/YYYY')).toEqual({ ok: true, value: '1984-03-22' });
    expect(parseDate('22/03/1984', 'MM/DD/YYYY').ok).toBe(false);
    expect(parseDate('03/22/84', 'MM/DD/YYYY').ok).toBe(false);
    expect(parseDate('02/30/2020', 'MM/DD/YYYY').ok).toBe(false);
    expect(parseDate('2020-02-29').ok).toBe(true);
    expect(parseDate('04032006', 'MMDDYYYY')).toEqual({ ok: true, value: '2006-04-03' });
    expect(parseDate('04 03 2006', 'MMDDYYYY')).toEqual({ ok: true, value: '2006-04-03' });
    expect(parseDate('0403206', 'MMDDYYYY').ok).toBe(false);
    expect(dateFromParts('2014', '3', '22')).toEqual({ ok: true, value: '2014-03-22' });
    expect(parseTime('7:05 pm')).toEqual({ ok: true, value: '19:05' });
    expect(parseTime('0930')).toEqual({ ok: true, value: '09:30' });
    expect(parseTime('25:00').ok).toBe(false);
  });
});

describe('42 CFR 493.1241(c) validation', () => {
  it('passes a complete requisition and cites every element', () => {
    const v = validate(new Extract(complete()));
    expect(v.passed).toBe(true);
    expect(v.rules.map((r) => r.citation)).toEqual(['(c)(1)', '(c)(2)', '(c)(3)', '(c)(4)', '(c)(5)', '(c)(6)', '(c)(7)', '(c)(8)', '(e)'].map((c) => `42 CFR 493.1241${c}`));
  });

  // Found by the security review (rule 2): a diagnosis field confirmed as written on the page,
  // "E11.65 type 2 diabetes", went to the LIS as four DG1 codes: E11.65, type, 2, diabetes.
  it('(e) refuses diagnosis text that would split into pieces nobody wrote as codes', () => {
    const withIcd = (value: string) => [...complete(), f('dx', 'order.icd10', value)];
    const bad = rule(withIcd('E11.65 type 2 diabetes'), '(e)');
    expect(bad.passed).toBe(false);
    expect(bad.message).toMatch(/3 of 4 code\(s\) do not have the shape of an ICD-10 code/);
    expect(bad.message).not.toMatch(/diabetes/);
    expect(validate(new Extract(withIcd('E11.65 type 2 diabetes'))).passed).toBe(false);
    expect(rule(withIcd('e11.65'), '(e)').passed).toBe(false); // as typed; never upper-cased by the machine
    expect(rule(withIcd('E11.65, I10; Z00.00'), '(e)')).toMatchObject({ passed: true, message: '3 diagnosis code(s), each shaped like an ICD-10 code' });
    expect(rule(complete(), '(e)')).toMatchObject({ passed: true, message: 'no diagnosis code given' });
  });

  it('(c)(1) needs the requester and an address or identifier', () => {
    expect(rule(set(complete(), 'prov', { value: null }), '(c)(1)').passed).toBe(false);
    expect(rule(set(complete(), 'npi', { value: '' }), '(c)(1)').message).toMatch(/address or identifier/);
  });

  it('(c)(3) needs sex and a real date of birth; two sexes marked is a problem', () => {
    expect(rule(set(complete(), 'dob', { value: '13/45/1984' }), '(c)(3)').passed).toBe(false);
    expect(rule(set(complete(), 'sex_m', { value: true }), '(c)(3)').message).toMatch(/more than one/);
    expect(rule(set(complete(), 'sex_f', { value: false }), '(c)(3)').passed).toBe(false);
  });

  it('(c)(4) needs a test', () => {
    expect(rule(set(complete(), 't_tsh', { value: false }), '(c)(4)').passed).toBe(false);
    const typed = [...set(complete(), 't_tsh', { value: false }), f('other', 'order.test_other', 'XYZ1')];
    expect(rule(typed, '(c)(4)').passed).toBe(true);
  });

  it('(c)(5) asks for the source only when a test needs it', () => {
    const culture = set(complete(), 't_uc', { value: true });
    expect(rule(culture, '(c)(5)').passed).toBe(false);
    expect(rule(set(culture, 'src', { value: 'Urine, clean catch' }), '(c)(5)').passed).toBe(true);
    // A source given by a marked box that stands for it.
    const boxes = [...culture.filter((x) => x.key !== 'src'), f('src_cervical', 'specimen.source', true, { meaning: { role: 'specimen.source', value: 'Cervical' } })];
    expect(rule(boxes, '(c)(5)').passed).toBe(true);
    expect(rule(set(boxes, 'src_cervical', { value: false }), '(c)(5)').passed).toBe(false);
  });

  it('(c)(6) needs the collection date', () => {
    expect(rule(set(complete(), 'cdate', { value: null }), '(c)(6)').passed).toBe(false);
  });

  it('(c)(7) asks for the Pap elements only when a gynecologic cytology test is ordered', () => {
    const pap = set(complete(), 't_pap', { value: true });
    const r = rule(pap, '(c)(7)');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/last menstrual period/);
    expect(r.message).toMatch(/previous abnormal report/);
    const answered = set(set(pap, 'lmp', { value: '2026-11-01' }), 'pab_n', { value: true });
    expect(rule(answered, '(c)(7)').passed).toBe(true);
  });

  it('an attested blank fails a hard element and passes a soft one', () => {
    const blank = set(complete(), 'cdate', { value: null, state: 'absent_on_source' });
    expect(rule(blank, '(c)(6)').message).toMatch(/attested/);
    expect(validate(new Extract(blank), DEFAULT_POLICY).passed).toBe(false);
    expect(validate(new Extract(blank), { ...DEFAULT_POLICY, c6: 'soft' }).passed).toBe(true);
  });
});
