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
      const patch = makePatch(t, MARGIN, MARGIN, t.width - 2 * MARGIN, t.height - 2 * MARGIN);
      if (!patch) continue;
      const peak = nccSearch(map, patch, MARGIN - SHIFT, MARGIN - SHIFT, MARGIN + SHIFT, MARGIN + SHIFT, 2);
      if (!peak) continue;
      out.push({ prep, rotation, coarseScore: peak.score, offset: { dx: (peak.x - MARGIN) * COARSE_FACTOR, dy: (peak.y - MARGIN) * COARSE_FACTOR } });
    }
  }
  return out.sort((a, b) => b.coarseScore - a.coarseScore);
}
