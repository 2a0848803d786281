/**
 * Which way up a page of Latin text is, for pages no template recognises (a template decides by
 * matching for the others). Lower-case text has more ink above its x-height band (ascenders and
 * capitals: b d f h k l t) than below it (descenders: g j p q y): measured over every text line,
 * the side with more ink is the top. A page without enough text says "unknown".
 */
import type { InkMap } from '../image/inkMap.ts';

export type Upright = 'upright' | 'upside_down' | 'unknown';

export function textUpright(m: InkMap): { verdict: Upright; above: number; below: number; lines: number } {
  const { width: w, height: h, data } = m;
  const rows = new Float64Array(h);
  for (let y = 0; y < h; y++) {
    let s = 0;
    for (let x = 0; x < w; x++) if (data[y * w + x]! >= 0.5) s++;
    rows[y] = s;
  }
  let above = 0;
  let below = 0;
  let lines = 0;
  // Text lines: runs of rows with ink, 2 to 15 mm tall at the map's scale (100 dpi = 3.94 px/mm).
  const pxPerMm = 200 / m.factor / 25.4;
  const minH = Math.round(2 * pxPerMm);
  const maxH = Math.round(15 * pxPerMm);
  let y = 0;
  while (y < h) {
    while (y < h && rows[y]! < 2) y++;
    const start = y;
    while (y < h && rows[y]! >= 2) y++;
    const end = y; // exclusive
    const lh = end - start;
    if (lh < minH || lh > maxH) continue;
    let peak = 0;
    for (let k = start; k < end; k++) peak = Math.max(peak, rows[k]!);
    // A printed rule is one or two rows of ink across: not text.
    if (peak > 0.6 * w) continue;
    let top = -1;
    let bottom = -1;
    for (let k = start; k < end; k++) {
      if (rows[k]! >= 0.4 * peak) {
        if (top < 0) top = k;
        bottom = k;
      }
    }
    if (top < 0) continue;
    for (let k = start; k < top; k++) above += rows[k]!;
    for (let k = bottom + 1; k < end; k++) below += rows[k]!;
    lines++;
  }
  // Only a clear difference over many lines counts: charts, tables and other scripts do not.
  const verdict: Upright = lines < 10 ? 'unknown' : above > 1.6 * below ? 'upright' : below > 1.6 * above ? 'upside_down' : 'unknown';
  return { verdict, above, below, lines };
}
