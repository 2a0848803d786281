/**
 * Everything the reader derives once per template page from its blank form: the blank at the
 * working resolution, a coarse ink map to identify pages by, and the registration patches:
 * small, distinctive pieces of the printed form (rules, corners, printed words) away from where
 * people write, that are found again on each page to fit the page to the template.
 * Plain data (typed arrays), so it can be sent to worker threads.
 */
import type { GreyImage, TemplateDefinition, TemplateInput, TemplatePageDefinition } from '../types.ts';
import { WORKING_DPI } from '../decode/constants.ts';
import { type InkMap, type Patch, blurMap, inkMap, makePatch, nccSearch, poolMap } from '../image/inkMap.ts';
import { decodeBlank } from '../template/blankPages.ts';

/** Grey below this counts as ink when forms are compared. */
export const FORM_INK_THRESHOLD = 170;

/** Map scales, in working pixels per map pixel. */
export const COARSE_FACTOR = 16; // 12.5 dpi: identification
export const MID_FACTOR = 4; // 50 dpi: registration search
export const FINE_FACTOR = 2; // 100 dpi: registration refinement

export interface RegPatch {
  /** Centre in template pixels (working dpi). */
  cx: number;
  cy: number;
  mid: Patch;
  fine: Patch;
}

export interface PreparedPage {
  templateId: string;
  templateVersion: number;
  pageIndex: number;
  def: TemplatePageDefinition;
  dpi: number;
  blank: GreyImage;
  coarse: InkMap;
  patches: RegPatch[];
}

export interface PreparedTemplate {
  definition: TemplateDefinition;
  pages: PreparedPage[];
}

export const PATCH_MID = 24; // 12 mm
export const PATCH_FINE = 48;

export async function prepareTemplate(input: TemplateInput, dpi = WORKING_DPI): Promise<PreparedTemplate> {
  const blanks = await decodeBlank(input.blank, dpi);
  const pages: PreparedPage[] = input.definition.pages.map((def, i) => {
    const b = blanks[i];
    if (!b) throw new Error(`template ${input.definition.id} has page ${i + 1} but its blank form does not`);
    return preparePage(input.definition, i, def, b.image, dpi);
  });
  return { definition: input.definition, pages };
}

export function preparePage(t: TemplateDefinition, pageIndex: number, def: TemplatePageDefinition, blank: GreyImage, dpi: number): PreparedPage {
  const coarse = blurMap(poolMap(inkMap(blank, FORM_INK_THRESHOLD, FINE_FACTOR), COARSE_FACTOR / FINE_FACTOR), 1);
  return { templateId: t.id, templateVersion: t.version, pageIndex, def, dpi, blank, coarse, patches: choosePatches(blank, def, dpi) };
}

function choosePatches(blank: GreyImage, def: TemplatePageDefinition, dpi: number): RegPatch[] {
  // Built exactly as a page's maps are (see register/pageMaps), so both sides compare alike.
  const base = inkMap(blank, FORM_INK_THRESHOLD, FINE_FACTOR);
  const mid = blurMap(poolMap(base, MID_FACTOR / FINE_FACTOR), 1);
  const fine = base;
  const pxPerMm = dpi / 25.4;
  // Where people write or mark: patches there would see handwriting, not the form.
  const busy = new Uint8Array(mid.width * mid.height);
  for (const f of def.fields) {
    const m = 1; // mm around each field
    const x0 = Math.floor(((f.region.x - m) * pxPerMm) / MID_FACTOR);
    const y0 = Math.floor(((f.region.y - m) * pxPerMm) / MID_FACTOR);
    const x1 = Math.ceil(((f.region.x + f.region.w + m) * pxPerMm) / MID_FACTOR);
    const y1 = Math.ceil(((f.region.y + f.region.h + m) * pxPerMm) / MID_FACTOR);
    for (let y = Math.max(0, y0); y < Math.min(mid.height, y1); y++) for (let x = Math.max(0, x0); x < Math.min(mid.width, x1); x++) busy[y * mid.width + x] = 1;
  }
  const step = Math.round((9 * pxPerMm) / MID_FACTOR);
  const candidates: { x: number; y: number; score: number }[] = [];
  for (let y = 0; y + PATCH_MID <= mid.height; y += step) {
    for (let x = 0; x + PATCH_MID <= mid.width; x += step) {
      let busyN = 0;
      let gx = 0;
      let gy = 0;
      for (let py = 0; py < PATCH_MID; py++) {
        for (let px = 0; px < PATCH_MID; px++) {
          const i = (y + py) * mid.width + x + px;
          busyN += busy[i]!;
          if (px > 0) gx += Math.abs(mid.data[i]! - mid.data[i - 1]!);
          if (py > 0) gy += Math.abs(mid.data[i]! - mid.data[i - mid.width]!);
        }
      }
      if (busyN > 0.25 * PATCH_MID * PATCH_MID) continue;
      // Structure both across and down: a patch that only has a horizontal rule slides along it.
      const score = Math.min(gx, gy);
      if (score > 2) candidates.push({ x, y, score });
    }
  }
  candidates.sort((a, b) => b.score - a.score);
  const out: RegPatch[] = [];
  for (const c of candidates) {
    if (out.length >= 64) break;
    const pm = makePatch(mid, c.x, c.y, PATCH_MID, PATCH_MID);
    const fx = c.x * (MID_FACTOR / FINE_FACTOR);
    const fy = c.y * (MID_FACTOR / FINE_FACTOR);
    const pf = makePatch(fine, fx, fy, PATCH_FINE, PATCH_FINE);
    if (!pm || !pf) continue;
    // Distinctive: found on the blank itself only where it came from.
    const r = 8;
    const self = nccSearch(mid, pm, c.x - r, c.y - r, c.x + r, c.y + r, 3);
    if (!self || self.second > 0.8) continue;
    out.push({ cx: (c.x + PATCH_MID / 2) * MID_FACTOR, cy: (c.y + PATCH_MID / 2) * MID_FACTOR, mid: pm, fine: pf });
  }
  return out;
}
