/**
 * Reads an OSCAR print coordinate map ("name : align, x, y, rotation, font, size[, text, x2, y2, n]"):
 * x and y in PDF points from the top-left corner; ZapfDingbats rows are checkboxes (y is about
 * the baseline of the printed tick), the others text fields, most with a box (x, y)-(x2, y2).
 *
 * The testkit reads the map itself, independently of the reader, so that filling the form and
 * reading it do not share a mistake.
 */
export interface OscarRow {
  key: string;
  kind: 'checkbox' | 'text';
  xPt: number;
  yPt: number;
  sizePt: number;
  align: 'left' | 'right' | 'center';
  /** The text box, when the map gives one. */
  boxPt?: { x1: number; y1: number; x2: number; y2: number };
}

export function parseOscarMap(text: string): OscarRow[] {
  const rows: OscarRow[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][\w]*)\s*:\s*(.+)$/.exec(raw);
    if (!m) continue;
    const parts = m[2]!.split(',').map((s) => s.trim());
    const xPt = Number(parts[1]);
    const yPt = Number(parts[2]);
    const sizePt = Number(parts[5]);
    if (![xPt, yPt, sizePt].every(Number.isFinite)) continue;
    const kind = /ZAPFDINGBATS/i.test(parts[4] ?? '') ? 'checkbox' : 'text';
    const align = parts[0] === 'right' ? 'right' : parts[0] === 'center' ? 'center' : 'left';
    const row: OscarRow = { key: m[1]!, kind, xPt, yPt, sizePt, align };
    const x2 = Number(parts[7]);
    const y2 = Number(parts[8]);
    if (kind === 'text' && parts.length >= 9 && Number.isFinite(x2) && Number.isFinite(y2) && x2 > xPt && y2 > yPt) {
      row.boxPt = { x1: xPt, y1: yPt, x2, y2 };
    }
    rows.push(row);
  }
  return rows;
}
