/**
 * The demo's faxes are releasable when read correctly: what is on each page (the testkit's ground
 * truth, and its plan for many more seeds) passes these very rules. The demo's first fax once
 * ordered PT/INR (collection time required) with no time written: (c)(6) could never pass.
 */
import type { LabFieldMeaning, LabForm } from '@nexession/forms';
import { getBuiltInForm, ontarioLabForm } from '@nexession/forms';
import { templateFromOscarMap } from '@nexession/reader';
import { demoFaxOptions, loadFormSource, makeDemoFaxes, planRequisition, type FormId } from '@nexession/testkit';
import { describe, expect, it } from 'vitest';
import { Extract } from '../extract.ts';
import type { FieldValue } from '../fields.ts';
import { validate } from './rules.ts';

const forms = new Map<string, Promise<LabForm>>();

/** The form as the server holds it: built in, or (Ontario) made from its blank and map as the demo sets it up. */
function labFormFor(id: FormId): Promise<LabForm> {
  let f = forms.get(id);
  if (!f) {
    f = (async () => {
      if (id !== 'ontario-2010') return getBuiltInForm(id)!.labForm;
      const source = await loadFormSource(id);
      const definition = await templateFromOscarMap(source.oscarMap!, source.blankPdf, { id: 'ontario-2010', version: 1, name: 'Ontario 2010' });
      return ontarioLabForm(definition).labForm;
    })();
    forms.set(id, f);
  }
  return f;
}

/** Every field read correctly and confirmed by a person. */
function failedRules(form: LabForm, values: (key: string) => FieldValue): string[] {
  const views = form.template.pages.flatMap((p) =>
    p.fields.map((f) => {
      const meaning: LabFieldMeaning = form.meanings[f.key] ?? { role: 'other' };
      return { key: f.key, role: meaning.role, kind: f.kind, meaning, value: values(f.key), state: 'confirmed' as const };
    }),
  );
  return validate(Extract.fromForm(form, views)).rules.filter((r) => !r.passed).map((r) => `${r.citation}: ${r.message}`);
}

const missingRealdata = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

describe('demo faxes', () => {
  it('pass validation as written, for many seeds (the demo seed changes every day)', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (let day = 1; day <= 40; day++) {
      for (const opts of demoFaxOptions(6, `demo-2026-03-${day}`)) {
        let planned;
        try {
          planned = await planRequisition(opts);
        } catch (e) {
          if (opts.form === 'ontario-2010' && missingRealdata(e)) continue;
          throw e;
        }
        const form = await labFormFor(opts.form);
        const { texts, boxes } = planned.plan;
        const failed = failedRules(form, (key) => (texts.has(key) ? (texts.get(key)!.value ?? null) : boxes.has(key) ? boxes.get(key)! : null));
        checked++;
        if (failed.length) problems.push(`${opts.form} ${opts.seed}: ${failed.join('; ')}`);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(200);
    expect(problems).toEqual([]);
  });

  it('pass validation as they arrive (ground truth of the faxed pages)', async () => {
    const faxes = await makeDemoFaxes(6, 'demo-2026-03-14');
    expect(faxes.length).toBeGreaterThanOrEqual(5);
    for (const fax of faxes) {
      const form = await labFormFor(fax.truth.form as FormId);
      const failed = failedRules(form, (key) => {
        const t = fax.truth.fields[key];
        if (!t) return null;
        return 'state' in t ? t.state === 'marked' : t.value;
      });
      expect(failed, `${fax.truth.form} ${fax.truth.seed}`).toEqual([]);
    }
  });
});
