/**
 * A template from an OSCAR coordinate map and the blank form it prints onto. The map says where
 * the EMR prints; the blank says where the boxes really are: each tick anchor becomes the drawn
 * square or "x"-column cell found next to it on the blank, each text anchor the area the EMR
 * writes into. Labels are the words printed beside each field (from the PDF's text layer).
 */
import type { CheckboxField, CheckboxGroup, RectMm, RectPx, TemplateDefinition, TemplateField, TextField } from '../types.ts';
import { WORKING_DPI } from '../decode/constants.ts';
import { type BlankAnalysis, analyseBlank } from './blankAnalysis.ts';
import { decodeBlank } from './blankPages.ts';
import { findBoxNear } from './boxFinder.ts';
import { guessTextType, humaniseKey } from './fieldNames.ts';
import { parseOscarMap, type OscarEntry } from './oscarMap.ts';
import { labelForArea, labelRightOf, pdfPageText, type PrintedText } from './pageText.ts';

export interface TemplateMeta {
  id: string;
  version: number;
  name: string;
}

/**
 * Groups OSCAR's maps imply by key: pairs that exclude each other, and the "check one" sets of
 * the Ontario requisition. Keys missing from a map are dropped; groups left with one member are not kept.
 */
const OSCAR_GROUPS: CheckboxGroup[] = [
  { key: 'sex', label: 'Sex', rule: 'one', members: ['male', 'female'] },
  { key: 'payment', label: 'Check one: OHIP/Insured, Third Party / Uninsured, WSIB', rule: 'at_most_one', members: ['ohip', 'thirdParty', 'wcb'] },
  { key: 'viral_hepatitis', label: 'Viral Hepatitis (check one only)', rule: 'at_most_one', members: ['v_acuteHepatitis', 'v_chronicHepatitis', 'v_immuneStatus'] },
  { key: 'glucose_timing', label: 'Glucose: Random or Fasting', rule: 'at_most_one', members: ['b_glucose_random', 'b_glucose_fasting'] },
  { key: 'fobt', label: 'Fecal Occult Blood Test (check one)', rule: 'at_most_one', members: ['fobt_nonCCC', 'fobt_CCC'] },
];

export async function templateFromOscarMap(mapText: string, blank: Uint8Array, meta: TemplateMeta): Promise<TemplateDefinition> {
  const dpi = WORKING_DPI;
  const entries = parseOscarMap(mapText);
  if (entries.length === 0) throw new Error('the map has no field lines');
  const [page] = await decodeBlank(blank, dpi);
  const analysis = analyseBlank(page!.image, dpi);
  const words = (await pdfPageText(blank, 0, dpi)) ?? [];
  const pt = dpi / 72;
  const toMm = (r: RectPx): RectMm => ({ x: round2((r.x * 25.4) / dpi), y: round2((r.y * 25.4) / dpi), w: round2((r.w * 25.4) / dpi), h: round2((r.h * 25.4) / dpi) });

  const seen = new Set<string>();
  const fields: TemplateField[] = [];
  const boxRects: RectPx[] = [];
  for (const e of entries) {
    if (seen.has(e.name)) continue;
    seen.add(e.name);
    if (e.checkbox) {
      // The tick glyph's centre: OSCAR prints it with its baseline-left corner at (x, y).
      const cx = (e.x + 0.4 * e.size) * pt;
      const cy = (e.y - 0.3 * e.size) * pt;
      const found = findBoxNear(analysis, cx, cy);
      const side = Math.round(0.8 * e.size * pt);
      const rect = found?.rect ?? { x: Math.round(cx - side / 2), y: Math.round(cy - side / 2), w: side, h: side };
      boxRects.push(rect);
      const f: CheckboxField = { kind: 'checkbox', key: e.name, label: humaniseKey(e.name), region: toMm(rect), style: found?.style ?? 'cell' };
      fields.push(f);
    } else {
      fields.push(textField(e, pt, toMm, ruleRightOf(analysis, e.x * pt, (e.y - e.size / 2) * pt)));
    }
  }
  // Labels as printed, now that every box is known (a box ends the label of the box before it).
  for (const f of fields) {
    const r = mmToRect(f.region, dpi);
    const printed: PrintedText | null = f.kind === 'checkbox' ? labelRightOf(r, words, dpi, boxRects) : labelForArea(r, words, dpi);
    if (printed && printed.text.length > 0) f.label = printed.text;
  }
  const keys = new Set(fields.filter((f) => f.kind === 'checkbox').map((f) => f.key));
  const groups: CheckboxGroup[] = [...OSCAR_GROUPS, ...pairGroups([...keys])]
    .map((g) => ({ ...g, members: g.members.filter((m) => keys.has(m)) }))
    .filter((g) => g.members.length >= 2);
  const memberOf = new Map<string, string>();
  for (const g of groups) for (const m of g.members) if (!memberOf.has(m)) memberOf.set(m, g.key);
  for (const f of fields) if (f.kind === 'checkbox' && memberOf.has(f.key)) f.group = memberOf.get(f.key)!;
  return {
    id: meta.id,
    version: meta.version,
    name: meta.name,
    pages: [{ widthMm: round2(page!.source.widthMm), heightMm: round2(page!.source.heightMm), fields, groups: groups.filter((g) => g.members.every((m) => memberOf.get(m) === g.key)) }],
  };
}

function textField(e: OscarEntry, pt: number, toMm: (r: RectPx) => RectMm, ruleRightPx: number | null): TextField {
  // The EMR writes from the baseline up by about the font size; the map's extent gives the
  // right edge and the bottom of the writing area. Without an extent, the area runs to the
  // next printed rule on the right.
  const right = e.extent?.x2 ?? (ruleRightPx !== null ? ruleRightPx / pt - 1 : e.x + 40);
  const x0 = Math.min(e.x, right) - 1;
  const x1 = Math.max(e.x, right);
  const top = e.y - e.size - 1;
  const bottom = Math.max(e.extent?.y2 ?? e.y + 3, e.y + 3);
  const rect = { x: Math.round(x0 * pt), y: Math.round(top * pt), w: Math.round((x1 - x0) * pt), h: Math.round((bottom - top) * pt) };
  const t = guessTextType(e.name);
  return { kind: 'text', key: e.name, label: humaniseKey(e.name), region: toMm(rect), textType: t.textType, ...(t.format ? { format: t.format } : {}) };
}

/** The first vertical rule right of a point on the blank (within 120 mm), in pixels, or null. */
function ruleRightOf(a: BlankAnalysis, x: number, y: number): number | null {
  const { width, vertical } = a.lines;
  const yy = Math.round(y);
  const max = Math.round((120 * a.dpi) / 25.4);
  for (let k = Math.round(x) + 2; k < Math.min(width, Math.round(x) + max); k++) if (vertical[yy * width + k]) return k;
  return null;
}

/** "x_insured" / "x_uninsured": one excludes the other. */
function pairGroups(keys: string[]): CheckboxGroup[] {
  const out: CheckboxGroup[] = [];
  for (const k of keys) {
    const m = /^(.*)_insured$/i.exec(k);
    if (m && keys.includes(`${m[1]}_uninsured`)) out.push({ key: `${m[1]}_insurance`, label: `${humaniseKey(m[1]!)}: insured or uninsured`, rule: 'at_most_one', members: [k, `${m[1]}_uninsured`] });
  }
  return out;
}

function mmToRect(r: RectMm, dpi: number): RectPx {
  const k = dpi / 25.4;
  return { x: Math.round(r.x * k), y: Math.round(r.y * k), w: Math.round(r.w * k), h: Math.round(r.h * k) };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
