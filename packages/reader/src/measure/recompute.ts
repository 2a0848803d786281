/**
 * Recomputes a checkbox decision from the stored page image and the stored evidence: the same
 * counting functions on the same pixels, then the same decision rule.
 */
import type { CheckboxEvidence, CheckboxRecomputation, GreyImage, RectPx } from '../types.ts';

const EMPTY: RectPx = { x: 0, y: 0, w: 0, h: 0 };
import { decodePngGrey } from '../image/grey.ts';
import { decideCheckbox } from './checkboxDecision.ts';
import { countLightApart, countProfile, countRect, countRing } from './counts.ts';
import { largestPatch, reach } from './reach.ts';

export async function recomputeCheckbox(pageImagePng: Uint8Array, evidence: CheckboxEvidence): Promise<CheckboxRecomputation & { evidence: CheckboxEvidence }> {
  return recomputeOnImage(await decodePngGrey(pageImagePng), evidence);
}

export function recomputeOnImage(img: GreyImage, stored: CheckboxEvidence): CheckboxRecomputation & { evidence: CheckboxEvidence } {
  const t = stored.binarisation.threshold;
  const c = countRect(img, stored.interior, t, stored.binarisation.minDarkNeighbours ?? 0);
  const ratio = c.total > 0 ? c.dark / c.total : 0;
  const score = stored.blank ? ratio - stored.blank.ratio : ratio;
  const e: CheckboxEvidence = { ...stored, dark: c.dark, total: c.total, ratio, score };
  if (stored.surround) {
    const s = stored.surround;
    e.surround = {
      ...s,
      sides: s.sides.map((side) => {
        const c2 = countRing(img, side.rect, EMPTY, s.exclude, s.threshold);
        const r2 = c2.total > 0 ? c2.dark / c2.total : 0;
        return { ...side, dark: c2.dark, total: c2.total, ratio: r2, score: r2 - side.blankRatio };
      }),
    };
  }
  const minN = stored.binarisation.minDarkNeighbours ?? 0;
  if (stored.reach) {
    const r = stored.reach;
    e.reach = { ...r, ...reach(img, { threshold: t, minDarkNeighbours: minN, box: r.box, interior: stored.interior, radius: r.radius, print: r.print, printBudget: r.printBudget }) };
  }
  if (stored.dots) e.dots = { ...stored.dots, dark: countRect(img, stored.interior, t).dark };
  if (stored.profile) e.profile = countProfile(img, stored.interior, t, minN);
  if (stored.faint) e.faint = { ...stored.faint, dark: countLightApart(img, stored.interior, t, stored.faint.threshold, stored.faint.clearance, stored.faint.minNeighbours) };
  if (stored.patch) e.patch = { ...stored.patch, ...largestPatch(img, stored.interior, t, minN, stored.reach?.print ?? []) };
  const { state } = decideCheckbox(e);
  const same =
    e.dark === stored.dark &&
    (!stored.reach || (e.reach!.inside === stored.reach.inside && e.reach!.outside.length === stored.reach.outside.length && e.reach!.outside.every((v, i) => v === stored.reach!.outside[i]))) &&
    (!stored.dots || e.dots!.dark === stored.dots.dark) &&
    (!stored.faint || e.faint!.dark === stored.faint.dark) &&
    (!stored.profile || JSON.stringify(e.profile) === JSON.stringify(stored.profile)) &&
    (!stored.patch || (e.patch!.pixels === stored.patch.pixels && JSON.stringify(e.patch!.rect) === JSON.stringify(stored.patch.rect))) &&
    e.total === stored.total &&
    e.ratio === stored.ratio &&
    e.score === stored.score &&
    (!stored.surround || stored.surround.sides.every((side, i) => e.surround!.sides[i]!.dark === side.dark && e.surround!.sides[i]!.total === side.total && e.surround!.sides[i]!.score === side.score));
  return { dark: e.dark, total: e.total, ratio: e.ratio, score: e.score, state, matchesStored: same, evidence: e };
}
