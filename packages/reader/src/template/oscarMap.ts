/**
 * The coordinate maps the OSCAR EMR uses to print onto paper forms: one line per field,
 * `name : align, x, y, rotation, font, size[, text][, _, x2, y2, lineHeight]`, x and y in PDF
 * points from the top-left corner, y near the text baseline. ZapfDingbats lines are checkboxes
 * (OSCAR prints a tick glyph at x, y).
 */

export interface OscarEntry {
  name: string;
  align: string;
  x: number;
  y: number;
  font: string;
  size: number;
  checkbox: boolean;
  /** Right and bottom of the text area, when the line gives them. */
  extent: { x2: number; y2: number } | null;
}

export function parseOscarMap(text: string): OscarEntry[] {
  const out: OscarEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][\w]*)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const parts = m[2]!.split(',').map((s) => s.trim());
    const x = Number(parts[1]);
    const y = Number(parts[2]);
    const size = Number(parts[5]);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const font = parts[4] ?? '';
    const u = parts.indexOf('_');
    const x2 = u >= 0 ? Number(parts[u + 1]) : NaN;
    const y2 = u >= 0 ? Number(parts[u + 2]) : NaN;
    out.push({
      name: m[1]!,
      align: parts[0] ?? 'left',
      x,
      y,
      font,
      size: Number.isFinite(size) && size > 0 ? size : 10,
      checkbox: /ZAPFDINGBATS/i.test(font),
      extent: Number.isFinite(x2) && Number.isFinite(y2) ? { x2, y2 } : null,
    });
  }
  return out;
}
