/**
 * Orientation, skew and identification of one page: deskew by projection profiles, rank the
 * template pages in each quarter turn by coarse correlation, and let registration decide.
 * A page is recognised only when enough of the template's printed features are found where
 * one affine map puts them; otherwise it is unrecognised, whatever template came closest.
 */
import type { GreyImage, PageClassification } from '../types.ts';
import { rotateQuarter, rotateSmall } from '../image/grey.ts';
import { type Quarter, rotateRaster } from '../image/quarter.ts';
import type { ReceivedArea } from '../image/received.ts';
import type { InkMap } from '../image/inkMap.ts';
import { textUpright } from '../orient/textUpright.ts';
import { estimateSkew } from '../orient/skew.ts';
import { type Candidate, rankCandidates } from '../register/identify.ts';
import { type RegistrationFit, fineInkMap, pageMaps, registerPage } from '../register/register.ts';
import type { PreparedPage } from './prepare.ts';

/** Share of registration features that must be found for a page to be recognised. */
export const RECOGNITION_FLOOR = 0.5;
export const MIN_FEATURES = 12;
/** Coarse correlation below which a candidate is not worth registering. */
const COARSE_FLOOR = 0.25;
const MIN_SKEW = 0.1;

export interface OrientedPage {
  image: GreyImage;
  rotation: Quarter;
  skewDeg: number;
  classification: PageClassification;
  prep: PreparedPage | null;
  fit: RegistrationFit | null;
  /** Which pixels of `image` were on the page as received. */
  received: ReceivedArea;
}

export function orientAndIdentify(input: GreyImage, preps: PreparedPage[]): OrientedPage {
  let img = input;
  let fm = fineInkMap(img);
  const skew = estimateSkew(fm);
  const skewDeg = Math.abs(skew.deg) >= MIN_SKEW ? skew.deg : 0;
  if (skewDeg !== 0) {
    img = rotateSmall(img, -skewDeg);
    fm = fineInkMap(img);
  }
  const received = (rotation: Quarter): ReceivedArea => ({ width: input.width, height: input.height, rotateDeg: -skewDeg, rotation });
  const ranked = rankCandidates(fm, preps);
  let best: { c: Candidate; fit: RegistrationFit; score: number } | null = null;
  for (const c of ranked.filter((r) => r.coarseScore >= COARSE_FLOOR).slice(0, 3)) {
    const fit = registerPage(pageMaps(fm, c.rotation), c.prep, c.offset);
    if (!fit) continue;
    const score = fit.inliers / Math.max(1, fit.attempted);
    if (!best || score > best.score) best = { c, fit, score };
  }
  const bestScore = best ? best.score : 0;
  if (!best || best.score < RECOGNITION_FLOOR || best.fit.inliers < MIN_FEATURES) {
    const top = ranked[0];
    const reason = !top || top.coarseScore < COARSE_FLOOR
      ? `the page does not resemble any active template (best coarse match ${fmt(top?.coarseScore ?? 0)})`
      : `only ${best ? `${best.fit.inliers} of ${best.fit.attempted}` : 'none'} of the printed features of the closest template (${top.prep.templateId} page ${top.prep.pageIndex + 1}) were found; at least ${Math.round(RECOGNITION_FLOOR * 100)} % are needed`;
    // No form to go by: turn the page by its text, when the text says clearly which way is up.
    const rotation = uprightByText(fm, skew.rowsOverColumns);
    return { image: rotation === 0 ? img : rotateQuarter(img, rotation), rotation, skewDeg, classification: { kind: 'unrecognised', reason, bestScore: round3(bestScore) }, prep: null, fit: null, received: received(rotation) };
  }
  const { c, fit } = best;
  return {
    image: c.rotation === 0 ? img : rotateQuarter(img, c.rotation),
    rotation: c.rotation,
    skewDeg,
    classification: { kind: 'template', templateId: c.prep.templateId, templateVersion: c.prep.templateVersion, page: c.prep.pageIndex, score: round3(best.score) },
    prep: c.prep,
    fit,
    received: received(c.rotation),
  };
}

function uprightByText(fm: InkMap, rowsOverColumns: number): Quarter {
  const sideways = rowsOverColumns < 0.6;
  const turns: Quarter[] = sideways ? [90, 270] : [0, 180];
  const base = sideways ? 90 : 0;
  const r = rotateRaster(fm.data, fm.width, fm.height, base as Quarter);
  const v = textUpright({ width: r.width, height: r.height, factor: fm.factor, data: r.data }).verdict;
  if (v === 'upright') return turns[0]!;
  if (v === 'upside_down') return turns[1]!;
  return 0;
}

function fmt(v: number): string {
  return (Math.round(v * 100) / 100).toFixed(2);
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
