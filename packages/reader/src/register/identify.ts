/**
 * Which template page, and which way up: the page's coarse ink map (12.5 dpi), in each quarter
 * turn, is correlated with every template page's map over shifts of up to 10 mm. This only
 * ranks candidates; the decision is made by registration (how many of the template's own
 * printed features are found where the fit puts them).
 */
import { type InkMap, blurMap, makePatch, nccSearch, poolMap } from '../image/inkMap.ts';
import { type Quarter, rotateRaster } from '../image/quarter.ts';
import { COARSE_FACTOR, FINE_FACTOR, type PreparedPage } from '../read/prepare.ts';

export interface Candidate {
  prep: PreparedPage;
  rotation: Quarter;
  coarseScore: number;
  /** Page pixels = template pixels + offset (working dpi), after the rotation. */
  offset: { dx: number; dy: number };
}

const MARGIN = 5; // coarse map pixels (10 mm)
const SHIFT = 6;

/** `fineMap`: the page's unblurred ink map at FINE_FACTOR. */
export function rankCandidates(fineMap: InkMap, preps: PreparedPage[]): Candidate[] {
  const base = blurMap(poolMap(fineMap, COARSE_FACTOR / FINE_FACTOR), 1);
  const out: Candidate[] = [];
  for (const rotation of [0, 90, 180, 270] as Quarter[]) {
    const r = rotateRaster(base.data, base.width, base.height, rotation);
    const map: InkMap = { width: r.width, height: r.height, factor: COARSE_FACTOR, data: r.data };
    for (const prep of preps) {
      const t = prep.coarse;
      // A page much longer or wider than the template in this turn cannot be it.
      if (Math.abs(map.width / t.width - 1) > 0.2 || Math.abs(map.height / t.height - 1) > 0.2) continue;
      // A page cut short (the fax stopped early) or longer than the form is compared over the
      // part of the form it can hold: the top of the form when the page lost its bottom, the
      // bottom when it lost its top (a short page fed upside down). The better of the two stands.
      const ph = Math.min(t.height, map.height) - 2 * MARGIN;
      const pw = Math.min(t.width, map.width) - 2 * MARGIN;
      const tops = map.height < t.height ? [MARGIN, t.height - MARGIN - ph] : [MARGIN];
      let best: { score: number; dx: number; dy: number } | null = null;
      for (const ty of tops) {
        const patch = makePatch(t, MARGIN, ty, pw, ph);
        if (!patch) continue;
        // Where the patch should sit on the page: the same place, or as far up as the page is short.
        const py = ty === MARGIN ? MARGIN : ty - (t.height - map.height);
        const peak = nccSearch(map, patch, MARGIN - SHIFT, py - SHIFT, MARGIN + SHIFT, py + SHIFT, 2);
        if (!peak) continue;
        if (!best || peak.score > best.score) best = { score: peak.score, dx: (peak.x - MARGIN) * COARSE_FACTOR, dy: (peak.y - ty) * COARSE_FACTOR };
      }
      if (!best) continue;
      out.push({ prep, rotation, coarseScore: best.score, offset: { dx: best.dx, dy: best.dy } });
    }
  }
  return out.sort((a, b) => b.coarseScore - a.coarseScore);
}
