export type * from './types.ts';
export type { BuiltInForm } from './built-in.ts';
export type { DrawOp, PageDrawing, StandardFontName } from './layout/ops.ts';
export { labFormProblems, NAME_FORMATS, SEX_CODES } from './validate.ts';
import { demoOutreach } from './forms/demo-outreach.ts';
import { secondLab } from './forms/second-lab.ts';
import { gynCytology } from './forms/gyn-cytology.ts';
import type { BuiltInForm } from './built-in.ts';
export { demoOutreach, secondLab, gynCytology };

/** Every form Nexession draws itself, in the order a demo shows them. */
export const builtInForms: readonly BuiltInForm[] = [demoOutreach, secondLab, gynCytology];

export function getBuiltInForm(id: string): BuiltInForm | undefined {
  return builtInForms.find((f) => f.id === id);
}
export { ONTARIO_2010_MEANINGS, ontarioLabForm, type OntarioLabFormResult } from './ontario/ontario-2010.ts';
