/**
 * 42 CFR 493.1241(c): what a test requisition must solicit, one rule per element, each with its
 * citation. An element is met by a value on the form; when a person attested the form left it
 * blank, lab policy decides whether that is a hard stop (the default for every element here).
 */
import { checkText } from '@nexession/reader';
import type { Element, Extract } from '../extract.ts';

export interface RuleResult {
  citation: string;
  title: string;
  passed: boolean;
  message: string;
}

export interface Validation {
  passed: boolean;
  rules: RuleResult[];
}

export type ElementId = 'c1' | 'c2' | 'c3' | 'c4' | 'c5' | 'c6' | 'c7' | 'c8';
/** `hard`: a blank element (even attested) fails; `soft`: an attested blank passes. */
export type ValidationPolicy = Record<ElementId, 'hard' | 'soft'>;

export const DEFAULT_POLICY: ValidationPolicy = { c1: 'hard', c2: 'hard', c3: 'hard', c4: 'hard', c5: 'hard', c6: 'hard', c7: 'hard', c8: 'hard' };

const CFR = '42 CFR 493.1241';

function missing(what: string, e: Element<unknown>): string {
  if (e.problem) return `${what}: ${e.problem}`;
  switch (e.presence) {
    case 'not_on_form':
      return `${what}: the form has no field for it`;
    case 'attested_blank':
      return `${what}: blank on the form (attested)`;
    default:
      return `${what}: missing`;
  }
}

const ok = (e: Element<unknown>) => e.value !== null && !e.problem;
const softOk = (e: Element<unknown>, policy: 'hard' | 'soft') => policy === 'soft' && e.presence === 'attested_blank';

type Rule = (x: Extract, policy: ValidationPolicy) => RuleResult;

const c1: Rule = (x, policy) => {
  const citation = `${CFR}(c)(1)`;
  const title = 'Authorized person requesting the test';
  const name = x.text('provider.name');
  const address = x.text('provider.address');
  const npi = x.text('provider.npi');
  const number = x.text('provider.practitioner_number');
  const clinic = x.text('provider.clinic_name');
  if (!ok(name) && !softOk(name, policy.c1)) return { citation, title, passed: false, message: missing('requester name', name) };
  const where = [address, npi, number].find(ok);
  if (!where && ![address, npi, number].some((e) => softOk(e, policy.c1))) {
    return { citation, title, passed: false, message: 'requester address or identifier (NPI, practitioner number): missing' };
  }
  return { citation, title, passed: true, message: ok(clinic) || where ? 'requester named and identified' : 'requester named' };
};

const c2: Rule = (x, policy) => {
  const citation = `${CFR}(c)(2)`;
  const title = "Patient's name or unique identifier";
  const candidates = [x.text('patient.last_name'), x.text('patient.full_name'), x.text('patient.mrn'), x.text('patient.health_number')];
  if (candidates.some(ok)) return { citation, title, passed: true, message: 'patient named or identified' };
  if (candidates.some((e) => softOk(e, policy.c2))) return { citation, title, passed: true, message: 'blank on the form (attested); lab policy allows it' };
  return { citation, title, passed: false, message: 'patient name or identifier: missing' };
};

const c3: Rule = (x, policy) => {
  const citation = `${CFR}(c)(3)`;
  const title = 'Sex, and age or date of birth';
  const sex = x.sex();
  const dob = x.dob();
  const problems: string[] = [];
  if (!ok(sex) && !softOk(sex, policy.c3)) problems.push(missing('sex', sex));
  if (!ok(dob) && !softOk(dob, policy.c3)) problems.push(missing('date of birth', dob));
  return problems.length ? { citation, title, passed: false, message: problems.join('; ') } : { citation, title, passed: true, message: 'sex and date of birth given' };
};

const c4: Rule = (x) => {
  const citation = `${CFR}(c)(4)`;
  const title = 'Test(s) to be performed';
  const n = x.tests().length;
  return n > 0 ? { citation, title, passed: true, message: `${n} test(s) ordered` } : { citation, title, passed: false, message: 'no test is marked or typed' };
};

const c5: Rule = (x, policy) => {
  const citation = `${CFR}(c)(5)`;
  const title = 'Source of the specimen, when appropriate';
  const needing = x.tests().filter((t) => t.test.requiresSource);
  if (needing.length === 0) return { citation, title, passed: true, message: 'no ordered test needs the source' };
  const source = x.text('specimen.source');
  if (ok(source) || softOk(source, policy.c5)) return { citation, title, passed: true, message: 'specimen source given' };
  return { citation, title, passed: false, message: `${missing('specimen source', source)} (needed for ${needing.map((t) => t.test.code).join(', ')})` };
};

const c6: Rule = (x, policy) => {
  const citation = `${CFR}(c)(6)`;
  const title = 'Date and, if appropriate, time of specimen collection';
  const date = x.date('specimen.collection_date');
  const problems: string[] = [];
  if (!ok(date) && !softOk(date, policy.c6)) problems.push(missing('collection date', date));
  const needTime = x.tests().filter((t) => t.test.requiresCollectionTime);
  if (needTime.length) {
    const time = x.time('specimen.collection_time');
    if (!ok(time) && !softOk(time, policy.c6)) problems.push(`${missing('collection time', time)} (needed for ${needTime.map((t) => t.test.code).join(', ')})`);
  } else {
    const time = x.time('specimen.collection_time');
    if (time.problem) problems.push(`collection time: ${time.problem}`);
  }
  return problems.length ? { citation, title, passed: false, message: problems.join('; ') } : { citation, title, passed: true, message: 'collection date given' };
};

const c7: Rule = (x, policy) => {
  const citation = `${CFR}(c)(7)`;
  const title = 'Pap smear: last menstrual period; previous abnormal report, treatment or biopsy';
  const gyn = x.tests().filter((t) => t.test.gynCytology);
  if (gyn.length === 0) return { citation, title, passed: true, message: 'no gynecologic cytology test ordered' };
  const problems: string[] = [];
  const lmp = x.text('pap.lmp');
  if (!ok(lmp) && !softOk(lmp, policy.c7)) problems.push(missing('last menstrual period', lmp));
  const history = [
    ['previous abnormal report', x.yesNo('pap.previous_abnormal')],
    ['previous treatment', x.yesNo('pap.previous_treatment')],
    ['previous biopsy', x.yesNo('pap.previous_biopsy')],
  ] as const;
  for (const [what, e] of history) {
    if (e.presence === 'not_on_form' && what !== 'previous abnormal report') continue;
    if (!ok(e) && !softOk(e, policy.c7)) problems.push(missing(what, e));
  }
  return problems.length ? { citation, title, passed: false, message: problems.join('; ') } : { citation, title, passed: true, message: 'Pap history answered' };
};

const c8: Rule = () => ({
  citation: `${CFR}(c)(8)`,
  title: 'Additional information relevant and necessary for a specific test',
  passed: true,
  message: 'no additional questions are configured for the ordered tests',
});

/**
 * (e): transcribed accurately. The order carries each diagnosis code as a piece of the confirmed
 * text (a list splits on commas, semicolons and spaces); a piece that is not shaped like an
 * ICD-10 code ("type", "2", "diabetes" out of "E11.65 type 2 diabetes") would go to the LIS as a
 * code nobody wrote. Such a field is a problem for the person, never trimmed by the machine.
 */
const e: Rule = (x) => {
  const citation = `${CFR}(e)`;
  const title = 'Diagnosis codes transcribed as written';
  const problems: string[] = [];
  for (const f of x.withRole('order.icd10')) {
    if (typeof f.value !== 'string' || !f.value.trim()) continue;
    for (const flag of checkText('icd10_list', f.value).flags) problems.push(`diagnosis codes: ${flag.message}; enter only the codes, as written`);
  }
  const n = x.icd10().length;
  return problems.length ? { citation, title, passed: false, message: problems.join('; ') } : { citation, title, passed: true, message: n ? `${n} diagnosis code(s), each shaped like an ICD-10 code` : 'no diagnosis code given' };
};

export const RULES: readonly Rule[] = [c1, c2, c3, c4, c5, c6, c7, c8, e];

export function validate(x: Extract, policy: ValidationPolicy = DEFAULT_POLICY): Validation {
  const rules = RULES.map((r) => r(x, policy));
  return { passed: rules.every((r) => r.passed), rules };
}
