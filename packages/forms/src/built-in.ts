import type { LabForm } from './types.ts';
import type { PageDrawing } from './layout/ops.ts';
import { renderPdf } from './layout/render-pdf.ts';

/** A form Nexession draws itself: the lab form (template + meanings) and its blank PDF. */
export interface BuiltInForm {
  id: string;
  labForm: LabForm;
  /** The vector drawing the blank is made from (the testkit reads it to know the form's geometry). */
  drawing: PageDrawing;
  /** The blank form as a one-page vector PDF: the template's reference image. */
  drawBlank(): Promise<Uint8Array>;
}

export function builtInForm(labForm: LabForm, drawing: PageDrawing): BuiltInForm {
  let blank: Promise<Uint8Array> | undefined;
  return {
    id: labForm.template.id,
    labForm,
    drawing,
    drawBlank: () => {
      blank ??= renderPdf(drawing, { title: labForm.template.name });
      // A copy each time, so one caller cannot change another's bytes.
      return blank.then((b) => b.slice());
    },
  };
}
