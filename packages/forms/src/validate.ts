import type { LabForm } from './types.ts';

/** A footnote reference printed after a test name ("Throat Culture *", "HbA1c †", "TSH ¹"). */
const FOOTNOTE_MARK = /\s*[*†‡§¹²³]+$/u;

/**
 * The order a name field asks for, as printed ("ORDERING PROVIDER (LAST, FIRST)"). The server
 * splits a name by it, and only when the value has exactly one comma; otherwise it goes whole.
 */
export const NAME_FORMATS: readonly string[] = ['LAST, FIRST'];

/**
 * What a sex checkbox may stand for: HL7 v2 table 0001 (female, male, other, unknown, ambiguous,
 * not applicable), the codes the server accepts for 42 CFR 493.1241(c)(3). A box standing for
 * anything else (an "X") could be marked but never released.
 */
export const SEX_CODES: readonly string[] = ['F', 'M', 'O', 'U', 'A', 'N'];

/**
 * Structural problems of a lab form, in words an administrator understands. An empty list means
 * the form is usable: every field has a meaning, every test box its code, every region lies on
 * its page, and groups name real checkboxes.
 */
export function labFormProblems(form: LabForm): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  form.template.pages.forEach((page, pi) => {
    const checkboxes = new Set(page.fields.filter((f) => f.kind === 'checkbox').map((f) => f.key));
    for (const f of page.fields) {
      if (keys.has(f.key)) problems.push(`field ${f.key} appears more than once`);
      keys.add(f.key);
      const r = f.region;
      if (!(r.w > 0 && r.h > 0)) problems.push(`field ${f.key} has an empty region`);
      if (r.x < 0 || r.y < 0 || r.x + r.w > page.widthMm || r.y + r.h > page.heightMm) {
        problems.push(`field ${f.key} lies outside page ${pi + 1}`);
      }
      const m = form.meanings[f.key];
      if (!m) {
        problems.push(`field ${f.key} has no meaning`);
        continue;
      }
      if (m.role === 'order.test') {
        if (f.kind !== 'checkbox') problems.push(`field ${f.key} orders a test but is not a checkbox`);
        if (!m.test || m.test.code.trim() === '') problems.push(`test box ${f.key} has no test code`);
        else if (m.test.name.trim() === '') problems.push(`test box ${f.key} has no test name`);
        else if (FOOTNOTE_MARK.test(m.test.name)) problems.push(`test box ${f.key}: the name "${m.test.name}" ends with a footnote mark; the mark is printed, not part of the test's name`);
      }
      if (f.kind === 'text' && f.textType === 'name' && f.format !== undefined && !NAME_FORMATS.includes(f.format)) {
        problems.push(`field ${f.key}: name format "${f.format}" is not one the server splits by (${NAME_FORMATS.join(', ')})`);
      }
      if (f.kind === 'checkbox' && (m.role === 'patient.sex' || m.role.startsWith('pap.previous_')) && !m.value) {
        problems.push(`checkbox ${f.key} (${m.role}) does not say which value it stands for`);
      } else if (f.kind === 'checkbox' && m.role === 'patient.sex' && !SEX_CODES.includes(m.value!)) {
        problems.push(`checkbox ${f.key} stands for sex "${m.value}", which is not one the server accepts (${SEX_CODES.join(', ')})`);
      }
    }
    for (const g of page.groups) {
      for (const member of g.members) {
        if (!checkboxes.has(member)) problems.push(`group ${g.key} names ${member}, which is not a checkbox on page ${pi + 1}`);
      }
    }
  });
  for (const key of Object.keys(form.meanings)) {
    if (!keys.has(key)) problems.push(`meaning ${key} has no field`);
  }
  for (const key of form.reviewOrder) {
    if (!keys.has(key)) problems.push(`review order names ${key}, which is not a field`);
  }
  if (new Set(form.reviewOrder).size !== keys.size || form.reviewOrder.length !== keys.size) {
    problems.push('review order does not list every field exactly once');
  }
  return problems;
}
