/**
 * Recomputes a checkbox decision from the stored page image and the stored evidence: the same
 * counting functions on the same pixels, then the same decision rule.
 */
import type { CheckboxEvidence, CheckboxRecomputation, GreyImage, RectPx } from '../types.ts';

const EMPTY: RectPx = { x: 0, y: 0, w: 0, h: 0 };
import { decodePngGrey } from '../image/grey.ts';
import { slackOf } from './checkbox.ts';
import { decideCheckbox } from './checkboxDecision.ts';
import { countRect, countRing, crossingLines } from './counts.ts';

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
  if (stored.exits) {
    const th = stored.surround?.threshold ?? t;
    e.exits = { ...stored.exits, sides: stored.exits.sides.map((s) => ({ ...s, lines: crossingLines(img, s.inside, s.outside, s.side === 'left' || s.side === 'right' ? 'rows' : 'columns', th, s.ignore, slackOf(s.inside, s.outside, s.side === 'left' || s.side === 'right' ? 'rows' : 'columns'), stored.interior) })) };
  }
  if (stored.crossings) e.crossings = stored.crossings.map((c) => ({ ...c, lines: crossingLines(img, c.band, c.otherBand, c.across, t, [], c.slack) }));
  const { state } = decideCheckbox(e);
  const same =
    e.dark === stored.dark &&
    (stored.exits?.sides ?? []).every((s, i) => e.exits!.sides[i]!.lines === s.lines) &&
    (stored.crossings ?? []).every((c, i) => e.crossings![i]!.lines === c.lines) &&
    e.total === stored.total &&
    e.ratio === stored.ratio &&
    e.score === stored.score &&
    (!stored.surround || stored.surround.sides.every((side, i) => e.surround!.sides[i]!.dark === side.dark && e.surround!.sides[i]!.total === side.total && e.surround!.sides[i]!.score === side.score));
  return { dark: e.dark, total: e.total, ratio: e.ratio, score: e.score, state, matchesStored: same, evidence: e };
}
