/**
 * Decides what a person (or an EMR) writes on a form for one synthetic patient: which text goes in
 * which field, which boxes are meant to be marked, and which fields are left blank. Only the
 * intent: how it is drawn is `paint.ts`'s job.
 */
import type { SyntheticDate, SyntheticPatient } from '../patients/patient.ts';
import * as V from '../patients/vocabulary.ts';
import type { Rng } from '../random.ts';
import type { BoxTarget, FormSource, TextTarget } from '../forms/sources.ts';

/** `typed`: an EMR printout; `hand`: all handwriting; `mixed`: typed demographics, handwritten order. */
export type PageStyle = 'typed' | 'hand' | 'mixed';

export interface TextIntent {
  value: string | null;
  hand: boolean;
}

export interface FillPlan {
  style: PageStyle;
  /** Hand-printed in capitals. */
  upper: boolean;
  texts: Map<string, TextIntent>;
  /** Checkbox key → meant to be marked. */
  boxes: Map<string, boolean>;
  stat: boolean;
  testKeys: string[];
  /** Every mark meant to be seen is drawn plainly (no faint, filled, circled or crossed-out marks). */
  clearMarks: boolean;
}

export interface PlanOptions {
  style?: PageStyle;
  /** Blank optional fields more or less often (0 = never blank, 1 = default). */
  blankness?: number;
  stat?: boolean;
  /** Exactly these test keys (when given). */
  tests?: string[];
  /**
   * A requisition a lab can release when it is read correctly (the demo's): everything 42 CFR
   * 493.1241(c) asks of the ordered tests is written (patient, requester, collection date, the
   * time when a test needs it, the source when a test needs it, the Pap history) and marks are
   * plain. Optional fields stay as varied as usual. The random draws are the same as without it,
   * so the general test set is unchanged.
   */
  complete?: boolean;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatDate(d: SyntheticDate, format: string): string {
  const f = format.toUpperCase();
  return f
    .replace('YYYY', String(d.year))
    .replace('MM', pad(d.month))
    .replace('DD', pad(d.day));
}

function collectionDate(rng: Rng): SyntheticDate {
  const year = rng.pick([2024, 2025, 2026]);
  const month = rng.int(1, 12);
  return { year, month, day: rng.int(1, new Date(Date.UTC(year, month, 0)).getUTCDate()) };
}

export function planFill(source: FormSource, patient: SyntheticPatient, rng: Rng, opts: PlanOptions = {}): FillPlan {
  const style: PageStyle = opts.style ?? rng.weighted([['typed', 40], ['hand', 35], ['mixed', 25]] as const);
  const upper = rng.chance(0.5);
  const blankness = opts.blankness ?? 1;
  const complete = opts.complete === true;
  const blank = (p: number) => rng.chance(Math.min(1, p * blankness));
  /** Blank as usual, unless a complete requisition needs the field (the draw is made either way). */
  const blankUnless = (p: number, needed: boolean) => blank(p) && !(complete && needed);
  const boxes = new Map<string, boolean>();
  const texts = new Map<string, TextIntent>();
  const checkboxTargets = source.targets.filter((t): t is BoxTarget => t.kind === 'checkbox');
  const textTargets = source.targets.filter((t): t is TextTarget => t.kind === 'text');

  // ---- tests
  const allTestTargets = checkboxTargets.filter((t) => t.role === 'order.test');
  // A complete requisition orders only what its form can carry: a Pap test on a form with no LMP
  // or Pap history fields could never be released, however well it is read.
  const roles = new Set(source.targets.map((t) => t.role));
  const formCarries = (t: BoxTarget) =>
    (!t.test?.requiresSource || roles.has('specimen.source')) &&
    (!t.test?.requiresCollectionTime || roles.has('specimen.collection_time')) &&
    (!t.test?.gynCytology || (roles.has('pap.lmp') && roles.has('pap.previous_abnormal')));
  const testTargets = complete ? allTestTargets.filter(formCarries) : allTestTargets;
  let testKeys: string[];
  if (opts.tests) testKeys = opts.tests.filter((k) => testTargets.some((t) => t.key === k));
  else {
    const n = rng.weighted([[1, 3], [2, 4], [3, 4], [4, 3], [5, 2], [7, 1], [10, 1]] as const);
    testKeys = rng.sample(testTargets, n).map((t) => t.key);
    // A gynecologic cytology form orders a Pap test most of the time.
    if (source.id === 'gyn-cytology' && !testKeys.some((k) => testTargets.find((t) => t.key === k)?.test?.gynCytology) && rng.chance(0.85)) {
      testKeys.push(rng.pick(testTargets.filter((t) => t.test?.gynCytology)).key);
    }
  }
  // "Check one only" groups among test boxes keep at most one.
  for (const g of source.groups) {
    if (g.rule === 'any') continue;
    const chosen = testKeys.filter((k) => g.members.includes(k));
    for (const extra of chosen.slice(1)) testKeys = testKeys.filter((k) => k !== extra);
  }
  for (const t of allTestTargets) boxes.set(t.key, testKeys.includes(t.key));
  const ordered = testTargets.filter((t) => testKeys.includes(t.key));
  const needsSource = ordered.some((t) => t.test?.requiresSource);
  const needsTime = ordered.some((t) => t.test?.requiresCollectionTime);
  const pap = ordered.some((t) => t.test?.gynCytology);
  const stat = opts.stat ?? rng.chance(0.12);

  // ---- other checkboxes, by role and group
  const byGroup = new Map<string, BoxTarget[]>();
  for (const t of checkboxTargets) {
    if (t.role === 'order.test') continue;
    if (t.group) byGroup.set(t.group, [...(byGroup.get(t.group) ?? []), t]);
    else boxes.set(t.key, decideLoneBox(t, { stat, rng, pap }));
  }
  for (const [gkey, members] of byGroup) {
    const rule = source.groups.find((g) => g.key === gkey)?.rule ?? 'any';
    const first = members[0]!;
    let pickKey: string | null = null;
    if (first.role === 'patient.sex') pickKey = rng.chance(0.97) || complete ? (members.find((m) => m.value === patient.sex) ?? first).key : null;
    else if (first.role.startsWith('pap.')) {
      if (pap || rng.chance(0.1)) pickKey = rng.chance(0.9) || (complete && pap) ? rng.pick(members).key : null;
    }
    else if (first.role === 'order.stat' || members.some((m) => m.role === 'order.stat')) {
      pickKey = stat ? members.find((m) => m.role === 'order.stat')!.key : rng.chance(0.5) ? (members.find((m) => m.role !== 'order.stat')?.key ?? null) : null;
    } else if (rule === 'one') pickKey = rng.chance(0.95) ? rng.pick(members).key : null;
    else if (rule === 'at_most_one') pickKey = rng.chance(0.45) ? rng.pick(members).key : null;
    if (rule === 'any') for (const m of members) boxes.set(m.key, m.role === 'specimen.source' ? needsSource && rng.chance(0.4) : rng.chance(0.2));
    else for (const m of members) boxes.set(m.key, m.key === pickKey);
    // A source the ordered tests need, given as boxes: at least one is marked.
    const sources = members.filter((m) => m.role === 'specimen.source');
    if (complete && needsSource && sources.length > 0 && !sources.some((m) => boxes.get(m.key))) boxes.set(rng.pick(sources).key, true);
  }
  // Ontario: PSA billing only with a PSA test.
  if (source.id === 'ontario-2010') {
    const psa = testKeys.some((k) => k.startsWith('psa_'));
    if (!psa) {
      boxes.set('psa_insured', false);
      boxes.set('psa_uninsured', false);
    }
  }

  // ---- text
  const hand = (role: string) => style === 'hand' || (style === 'mixed' && !isDemographic(role));
  const collected = collectionDate(rng);
  const hh = rng.int(6, 18);
  const mm = rng.pick([0, 5, 10, 15, 20, 30, 40, 45, 50, 55]);
  const name = (s: string) => (upper && style !== 'typed' ? s.toLocaleUpperCase('en') : s);
  const p = patient;
  const prov = p.provider;
  for (const t of textTargets) {
    const v = valueFor(t);
    texts.set(t.key, { value: v === null ? null : v, hand: hand(t.role) });
  }

  function valueFor(t: TextTarget): string | null {
    const dateFmt = t.format ?? (source.id === 'ontario-2010' ? 'YYYY/MM/DD' : 'MM/DD/YYYY');
    switch (t.role) {
      case 'patient.last_name':
        return blankUnless(0.01, true) ? null : name(p.lastName);
      case 'patient.first_name':
        if (source.id === 'ontario-2010') return name(p.middleName && p.middleName.length > 1 ? `${p.firstName} ${p.middleName}` : p.firstName);
        return blankUnless(0.01, true) ? null : name(p.firstName);
      case 'patient.middle_name':
        return p.middleName ? name(p.middleName) : null;
      case 'patient.full_name':
        return name(`${p.lastName}, ${p.firstName}${p.middleName ? ` ${p.middleName[0]}` : ''}`);
      case 'patient.dob':
        return blankUnless(0.01, true) ? null : formatDate(p.dob, dateFmt);
      case 'patient.dob_year':
        return String(p.dob.year);
      case 'patient.dob_month':
        return pad(p.dob.month);
      case 'patient.dob_day':
        return pad(p.dob.day);
      case 'patient.mrn':
        return blank(source.id === 'ontario-2010' ? 0.6 : 0.15) ? null : p.mrn;
      case 'patient.health_number':
        return rng.chance(0.5) ? `${p.healthNumber.slice(0, 4)} ${p.healthNumber.slice(4, 7)} ${p.healthNumber.slice(7)}` : p.healthNumber;
      case 'patient.health_number_version':
        return blank(0.3) ? null : p.healthNumberVersion;
      case 'patient.address_line':
        return blank(0.1) ? null : name(p.address.line);
      case 'patient.city':
        if (blank(0.1)) return null;
        return source.id === 'ontario-2010' ? name(`${p.address.city}, ${p.address.region}`) : name(p.address.city);
      case 'patient.state':
        return blank(0.1) ? null : p.address.region;
      case 'patient.postal_code':
        return blank(0.1) ? null : p.address.postalCode;
      case 'patient.phone':
        return blank(0.25) ? null : p.phone;
      case 'insurance.payer':
        return blank(0.25) ? null : p.insurance.payer;
      case 'insurance.member_id':
        return blank(0.25) ? null : p.insurance.memberId;
      case 'insurance.group_number':
        return blank(0.4) ? null : p.insurance.groupNumber;
      case 'provider.name':
        return blankUnless(0.02, true) ? null : name(t.key === 'dr_name' || source.id === 'ontario-2010' ? `Dr. ${prov.firstName} ${prov.lastName}` : `${prov.lastName}, ${prov.firstName}`);
      case 'provider.npi':
        return blankUnless(0.05, true) ? null : prov.npi;
      case 'provider.practitioner_number':
        return prov.practitionerNumber;
      case 'provider.phone':
      case 'provider.critical_contact_phone':
        return blank(0.2) ? null : prov.phone;
      case 'provider.clinic_name':
        return blank(0.2) ? null : prov.clinic;
      case 'provider.address':
        if (blankUnless(0.25, true)) return null;
        if (t.key === 'clinicCity') return `${prov.address.city}, ${prov.address.region}`;
        if (t.key === 'clinicPC') return prov.address.postalCode;
        return prov.address.line;
      case 'order.icd10':
        return blank(0.05) ? null : p.icd10.join(', ');
      case 'order.comment':
        if (t.key === 'aci') return blank(0.4) ? null : `Dx ${p.icd10.join(' ')}`;
        if (t.key.startsWith('b_nameDrug')) return testKeys.includes('b_therapeuticDrugMonitoring') && rng.chance(0.8) ? rng.pick(['Digoxin', 'Lithium', 'Phenytoin', 'Vancomycin', 'Valproic acid']) : null;
        return blank(0.7) ? null : rng.pick(V.COMMENTS);
      case 'order.test_other':
        return blank(t.key.startsWith('o_otherTests') ? 0.93 : 0.8) ? null : rng.pick(V.OTHER_TESTS);
      case 'specimen.source':
        return needsSource ? (blankUnless(0.1, true) ? null : rng.pick(V.SOURCES)) : blank(0.92) ? null : rng.pick(V.SOURCES);
      case 'specimen.collection_date':
        return blankUnless(0.05, true) ? null : formatDate(collected, dateFmt);
      case 'specimen.collection_time':
        return blankUnless(0.2, needsTime) ? null : `${pad(hh)}:${pad(mm)}`;
      case 'pap.lmp':
        return pap && !blankUnless(0.1, true) ? formatDate(collectionDate(rng), dateFmt) : null;
      case 'signature.date':
        return blank(0.3) ? null : formatDate(collected, dateFmt);
      case 'other':
        return otherValue(t);
      default:
        return null;
    }
  }

  function otherValue(t: TextTarget): string | null {
    if (blank(0.6)) return null;
    switch (t.textType) {
      case 'phone':
        return prov.fax;
      case 'date':
        return formatDate(collectionDate(rng), t.format ?? 'MM/DD/YYYY');
      case 'digits':
        return rng.digits(t.key === 'cpsoNo' ? 5 : 2);
      case 'time':
        return `${pad(rng.int(6, 20))}:${pad(rng.int(0, 59))}`;
      case 'name':
        return name(`${rng.pick(V.SURNAMES)}`);
      default:
        if (t.key === 'hcType') return 'ON';
        if (t.key === 'patient_location') return `Rm ${rng.int(100, 499)}`;
        return rng.pick(['Follow-up', 'See attached', `Ref ${rng.digits(6)}`]);
    }
  }

  return { style, upper, texts, boxes, stat, testKeys, clearMarks: complete };
}

function decideLoneBox(t: BoxTarget, ctx: { stat: boolean; rng: Rng; pap: boolean }): boolean {
  if (t.role === 'order.stat') return ctx.stat;
  return ctx.rng.chance(0.12);
}

function isDemographic(role: string): boolean {
  return role.startsWith('patient.') || role.startsWith('provider.') || role.startsWith('insurance.');
}
