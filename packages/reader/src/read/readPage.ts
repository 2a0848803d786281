/**
 * Reading one decoded page: orient and identify it, register it, gate it, then read every field
 * of its template on the final normalised image (the image that is stored and that every
 * region and count refers to).
 */
import type { BarcodeReading, CheckboxEvidence, CheckboxField, CheckboxReading, DecodedPage, FieldReading, Flag, Gate, GreyImage, PageReading, RectPx, Registration, TextField, TextReading } from '../types.ts';
import { encodePng } from '../image/grey.ts';
import { type ReceivedArea, receivedRect } from '../image/received.ts';
import { type Affine, mapRect, scaleAndRotation } from '../register/affine.ts';
import { decideCheckbox, measureCheckbox } from '../measure/checkbox.ts';
import { applyGroupRules } from '../measure/groups.ts';
import { blankRules } from '../measure/printedRules.ts';
import { type Streak, findStreaks } from '../measure/streaks.ts';
import { MIN_FEATURES, RECOGNITION_FLOOR, orientAndIdentify } from './orientPage.ts';
import type { PreparedPage } from './prepare.ts';

export interface TextService {
  readFields(page: GreyImage, blank: GreyImage, fields: { field: TextField; region: RectPx; blankRegion: RectPx }[], dpi: number): Promise<TextReading[]>;
  close(): Promise<void>;
}

export interface BarcodeService {
  scan(page: GreyImage, regions: RectPx[] | null): Promise<{ text: string; format: string; region: RectPx }[]>;
}

export interface PageServices {
  text: TextService | null;
  barcodes: BarcodeService | null;
  /**
   * `page`: scan every whole page; `fields`: the template's barcode fields, and the whole of a
   * page no template recognises (an attachment may be a label sheet); `off`.
   */
  barcodeMode: 'page' | 'fields' | 'off';
}

export const GATE_LIMITS = { skewDeg: 4, rotationDeg: 0.5, scalePct: 3, residualMm: 0.5 } as const;

export async function readPage(decoded: DecodedPage, preps: PreparedPage[], services: PageServices): Promise<PageReading> {
  const o = orientAndIdentify(decoded.image, preps);
  const img = o.image;
  const dpi = decoded.dpi;
  const gates: Gate[] = [];
  const pageFlags: Flag[] = [];
  const fields: FieldReading[] = [];
  let registration: Registration | null = null;
  gates.push(gate('skew', Math.abs(o.skewDeg), GATE_LIMITS.skewDeg, (v) => `the page was skewed ${fmt(v, 2)}° (limit ${GATE_LIMITS.skewDeg}°)`));

  if (o.classification.kind === 'unrecognised') {
    pageFlags.push({ code: 'unrecognised', message: `no template recognised: ${o.classification.reason}` });
  }
  if (o.prep && o.fit) {
    const prep = o.prep;
    const fit = o.fit;
    const sr = scaleAndRotation(fit.transform);
    const scale = sr.scale / (dpi / 25.4);
    registration = { transform: fit.transform, residualMm: round(fit.residualMm, 4), features: fit.inliers, scale: round(scale, 5), rotationDeg: round(sr.rotationDeg, 4) };
    const needFeatures = Math.max(MIN_FEATURES, Math.ceil(RECOGNITION_FLOOR * fit.attempted));
    gates.push(gate('rotation', Math.abs(sr.rotationDeg), GATE_LIMITS.rotationDeg, (v) => `the page is still turned ${fmt(v, 2)}° after deskewing (limit ${GATE_LIMITS.rotationDeg}°)`));
    gates.push(gate('scale', Math.abs(scale - 1) * 100, GATE_LIMITS.scalePct, () => `the page was printed or scanned at ${fmt(scale * 100, 1)} % (allowed ${100 - GATE_LIMITS.scalePct}–${100 + GATE_LIMITS.scalePct} %)`));
    gates.push(gate('residual', fit.residualMm, GATE_LIMITS.residualMm, (v) => `registration residual ${fmt(v, 2)} mm (limit ${GATE_LIMITS.residualMm} mm)`));
    gates.push({
      code: 'registration_features',
      passed: fit.inliers >= needFeatures,
      value: fit.inliers,
      limit: needFeatures,
      message: `${fit.inliers} of ${fit.attempted} printed features found (at least ${needFeatures} needed)`,
    });
    const boxes = prep.def.fields.filter((f): f is CheckboxField => f.kind === 'checkbox');
    const streaks = findStreaks(img, prep.blank, fit.transform, dpi);
    const checkboxes = readCheckboxes(img, prep, fit.transform, boxes, dpi, streaks, o.received);
    const crossed = checkboxes.filter((r) => r.flags.some((f) => f.code === 'vertical_streak')).length;
    gates.push({
      code: 'streaks',
      passed: crossed === 0,
      value: crossed,
      limit: 0,
      message: streaks.length ? `${streaks.length} vertical streak(s) on the page, crossing ${crossed} checkbox(es)` : 'no vertical streaks',
    });
    const labels = new Map(prep.def.fields.map((f) => [f.key, f.label]));
    applyGroupRules(prep.def.groups, new Map(checkboxes.map((r) => [r.key, r])), labels);
    const texts = prep.def.fields.filter((f): f is TextField => f.kind === 'text');
    const textRegions = new Map(texts.map((f) => [f.key, mapRect(fit.transform, f.region)]));
    const textReadingsRaw = services.text
      ? await services.text.readFields(
          img,
          prep.blank,
          texts.map((f) => ({ field: f, region: clampRect(mapRect(fit.transform, f.region), img), blankRegion: mmRect(f.region, dpi) })),
          dpi,
        )
      : texts.map((f) => notRead(f, clampRect(mapRect(fit.transform, f.region), img)));
    const textReadings = textReadingsRaw.map((r) => {
      const full = textRegions.get(r.key);
      if (full && !receivedRect(o.received, full)) r.flags.push({ code: 'field_off_page', message: 'part of this field lies outside the page as received (cut off or under the edge)' });
      return r;
    });
    const barcodeFields = prep.def.fields.filter((f) => f.kind === 'barcode');
    const barcodeReadings: BarcodeReading[] = [];
    const codeRegions = barcodeFields.map((f) => clampRect(mapRect(fit.transform, f.region), img));
    const found = services.barcodes && services.barcodeMode !== 'off' && barcodeFields.length ? await services.barcodes.scan(img, codeRegions) : [];
    barcodeFields.forEach((f, i) => {
      const region = codeRegions[i]!;
      const hit = found.find((b) => overlaps(b.region, region));
      barcodeReadings.push({ kind: 'barcode', key: f.key, region, flags: hit ? [] : [{ code: 'barcode_not_read', message: 'no barcode could be read in this region' }], text: hit?.text ?? null, format: hit?.format ?? null });
    });
    const order = new Map(prep.def.fields.map((f, i) => [f.key, i]));
    fields.push(...[...checkboxes, ...textReadings, ...barcodeReadings].sort((a, b) => order.get(a.key)! - order.get(b.key)!));
  }
  for (const g of gates) if (!g.passed) pageFlags.push({ code: `gate_${g.code}`, message: g.message });
  const failed = gates.filter((g) => !g.passed);
  if (failed.length) {
    const why = failed.map((g) => g.code).join(', ');
    for (const f of fields) f.flags.push({ code: 'page_gate_failed', message: `the page failed its quality gates (${why}): check this value against the image` });
  }
  const wholePage = services.barcodeMode === 'page' || (services.barcodeMode === 'fields' && o.classification.kind === 'unrecognised');
  const barcodes = services.barcodes && wholePage ? await services.barcodes.scan(img, null) : [];
  const png = await encodePng(img);
  return {
    index: decoded.index,
    source: decoded.source,
    image: { width: img.width, height: img.height, dpi, png },
    orientation: { rotation: o.rotation, skewDeg: o.skewDeg },
    classification: o.classification,
    registration,
    gates,
    flags: pageFlags,
    fields,
    barcodes,
  };
}

/** Binarisation for marks, from the page's paper level: grey below this is ink. Lower on a page whose paper is darker than white. */
export function markThreshold(paper: number): number {
  return Math.max(120, Math.min(200, paper - 45));
}

/** The page's paper: the grey level half of the page is at or above. */
export function paperLevel(img: GreyImage): number {
  const hist = new Uint32Array(256);
  // Every 7th pixel is plenty for a histogram.
  for (let i = 0; i < img.data.length; i += 7) hist[img.data[i]!]!++;
  let n = 0;
  const total = Math.ceil(img.data.length / 7);
  let paper = 255;
  for (let v = 255; v >= 0; v--) {
    n += hist[v]!;
    if (n >= total * 0.5) {
      paper = v;
      break;
    }
  }
  return paper;
}

function readCheckboxes(img: GreyImage, prep: PreparedPage, t: Affine, boxes: CheckboxField[], dpi: number, streaks: Streak[], received: ReceivedArea): CheckboxReading[] {
  const paper = paperLevel(img);
  const threshold = markThreshold(paper);
  const placed = boxes.map((f) => ({ f, page: mapRect(t, f.region), blank: mmRect(f.region, dpi) }));
  const near = Math.round((3 * dpi) / 25.4);
  const rules = blankRules(prep.blank, dpi);
  const measured = placed.map(({ f, page, blank }) => {
    const neighbours = placed.filter((o) => o.f !== f && Math.abs(o.page.x - page.x) < page.w + o.page.w + near && Math.abs(o.page.y - page.y) < page.h + o.page.h + near).map((o) => ({ page: o.page, blank: o.blank, style: o.f.style }));
    return { f, evidence: measureCheckbox({ page: img, blank: prep.blank, field: f, placement: { expected: page, blank }, neighbours, threshold, paper, dpi, rules }) };
  });
  return measured.map(({ f, evidence }) => {
    const decision = decideCheckbox(evidence);
    const flags = [...decision.flags];
    let state = decision.state;
    // Straightening brings white in where the page was not: a box there was never seen.
    if (!receivedRect(received, evidence.interior)) {
      state = 'review';
      flags.push({ code: 'field_off_page', message: 'part of this box lies outside the page as received (cut off or under the edge)' });
    }
    const through = streaks.find((s) => s.x1 >= evidence.interior.x && s.x0 < evidence.interior.x + evidence.interior.w);
    if (through) {
      state = 'review';
      flags.push({ code: 'vertical_streak', message: `a vertical streak (columns ${through.x0}–${through.x1}) runs through this box` });
    }
    return { kind: 'checkbox', key: f.key, region: evidence.found, flags, state, evidence } satisfies CheckboxReading;
  });
}

function notRead(f: TextField, region: RectPx): TextReading {
  return { kind: 'text', key: f.key, region, flags: [{ code: 'ocr_unavailable', message: 'text was not read (no OCR engine)' }], text: null, confidence: 0, evidence: { engine: 'none', words: [], inkRatio: 0, linesRemoved: false } };
}

export function mmRect(r: { x: number; y: number; w: number; h: number }, dpi: number): RectPx {
  const k = dpi / 25.4;
  const x = Math.round(r.x * k);
  const y = Math.round(r.y * k);
  return { x, y, w: Math.round((r.x + r.w) * k) - x, h: Math.round((r.y + r.h) * k) - y };
}

function clampRect(r: RectPx, img: GreyImage): RectPx {
  const x = Math.max(0, Math.min(img.width - 1, r.x));
  const y = Math.max(0, Math.min(img.height - 1, r.y));
  return { x, y, w: Math.max(1, Math.min(img.width - x, r.w - (x - r.x))), h: Math.max(1, Math.min(img.height - y, r.h - (y - r.y))) };
}

function overlaps(a: RectPx, b: RectPx): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function gate(code: Gate['code'], value: number, limit: number, message: (v: number) => string): Gate {
  return { code, passed: value <= limit, value: round(value, 4), limit, message: message(value) };
}

function fmt(v: number, d: number): string {
  return v.toFixed(d);
}

function round(v: number, d: number): number {
  const k = 10 ** d;
  return Math.round(v * k) / k;
}
