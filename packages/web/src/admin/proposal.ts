/** The proposal of an uploaded template as the administrator reviews it: page by page, field by field. Pure. */
import type { ProposalForm, Rect } from '../api/types.ts';

export interface ProposalFieldView {
  key: string;
  label: string;
  kind: 'checkbox' | 'text' | 'barcode';
  page: number;
  region: Rect;
  role: string | null;
  /** The meaning's value for a checkbox standing for a value ("F", "OHIP", "Y"). */
  value: string | null;
  test: { code: string; name: string } | null;
  /** Why this field needs the administrator's eye, or null. */
  missing: string | null;
}

export interface ProposalView {
  name: string;
  pages: { index: number; widthMm: number; heightMm: number }[];
  fields: ProposalFieldView[];
  unmapped: number;
}

export function proposalView(form: ProposalForm): ProposalView {
  const fields: ProposalFieldView[] = [];
  form.template.pages.forEach((page, index) => {
    for (const f of page.fields) {
      const m = form.meanings[f.key];
      const role = m?.role ?? null;
      const test = m?.test ?? null;
      let missing: string | null = null;
      if (!role) missing = 'no meaning';
      else if (role === 'order.test' && !test) missing = 'test box without a test code';
      else if (role === 'other') missing = 'meaning "other": not sent to the LIS';
      fields.push({ key: f.key, label: f.label, kind: f.kind, page: index, region: f.region, role, value: m?.value ?? null, test, missing });
    }
  });
  return {
    name: form.template.name,
    pages: form.template.pages.map((p, index) => ({ index, widthMm: p.widthMm, heightMm: p.heightMm })),
    fields,
    unmapped: fields.filter((f) => f.missing !== null && f.missing !== 'meaning "other": not sent to the LIS').length,
  };
}
