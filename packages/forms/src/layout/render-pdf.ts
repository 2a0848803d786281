import { LineCapStyle, PDFDocument, type PDFFont, StandardFonts, grayscale } from 'pdf-lib';
import type { PageDrawing, StandardFontName } from './ops.ts';

const PT_PER_MM = 72 / 25.4;

/**
 * Draws a form page as a vector PDF. Dates and ids are fixed so the same drawing always gives
 * the same bytes (the blank's hash identifies the template's reference image).
 */
export async function renderPdf(drawing: PageDrawing, meta: { title: string }): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(meta.title);
  doc.setCreator('Nexession forms');
  doc.setProducer('pdf-lib');
  const fixed = new Date('2024-03-01T00:00:00Z');
  doc.setCreationDate(fixed);
  doc.setModificationDate(fixed);
  const H = drawing.heightMm * PT_PER_MM;
  const page = doc.addPage([drawing.widthMm * PT_PER_MM, H]);
  const fonts = new Map<StandardFontName, PDFFont>();
  const font = async (name: StandardFontName): Promise<PDFFont> => {
    let f = fonts.get(name);
    if (!f) {
      f = await doc.embedFont(name as StandardFonts);
      fonts.set(name, f);
    }
    return f;
  };
  const X = (mm: number) => mm * PT_PER_MM;
  const Y = (mm: number) => H - mm * PT_PER_MM;

  for (const op of drawing.ops) {
    switch (op.op) {
      case 'rect': {
        page.drawRectangle({
          x: X(op.x),
          y: Y(op.y + op.h),
          width: X(op.w),
          height: X(op.h),
          ...(op.fill !== undefined ? { color: grayscale(op.fill) } : {}),
          ...(op.stroke !== undefined ? { borderColor: grayscale(0), borderWidth: X(op.stroke) } : { borderWidth: 0 }),
        });
        break;
      }
      case 'line': {
        page.drawLine({
          start: { x: X(op.x1), y: Y(op.y1) },
          end: { x: X(op.x2), y: Y(op.y2) },
          thickness: X(op.width),
          color: grayscale(0),
          lineCap: LineCapStyle.Projecting,
          ...(op.dash ? { dashArray: op.dash.map(X) } : {}),
        });
        break;
      }
      case 'text': {
        const f = await font(op.font);
        const w = f.widthOfTextAtSize(op.text, op.sizePt);
        const dx = op.align === 'right' ? -w : op.align === 'center' ? -w / 2 : 0;
        page.drawText(op.text, { x: X(op.x) + dx, y: Y(op.y), size: op.sizePt, font: f, color: grayscale(op.grey ?? 0) });
        break;
      }
    }
  }
  return doc.save({ useObjectStreams: false });
}
