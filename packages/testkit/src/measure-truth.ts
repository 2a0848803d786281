/**
 * Works out the ground truth of a transmitted page from what was drawn and what arrived: for each
 * box, how much of its own mark's ink survived inside the box on the output image (and whether a
 * neighbour's ink strayed in); for each text field, whether it is still on the page.
 */
import type { RectPx } from '@nexession/reader';
import { apply, mapRectBounds } from './fax/affine.ts';
import type { Profile } from './fax/profile.ts';
import type { TransmittedPage } from './fax/simulate.ts';
import type { BoxTarget, FormSource, TextTarget } from './forms/sources.ts';
import type { FillPlan } from './fill/content.ts';
import { MARK_MEANING, type MarkKind } from './fill/marks.ts';
import type { MarkLayer, PaintedPage } from './fill/paint.ts';
import type { CheckboxTruth, FieldTruth, TextTruth } from './truth.ts';

/** Ink darker than this (0..255 darkness) counts as the mark's ink. */
const INK = 60;
/** Header line height on the output, mm. */
const HEADER_MM = 4.2;

export function measureTruth(source: FormSource, plan: FillPlan, painted: PaintedPage, sent: TransmittedPage, profile: Profile): Record<string, FieldTruth> {
  const fields: Record<string, FieldTruth> = {};
  const { image } = sent;
  const darkBelow = sent.bilevel ? 128 : profile.paper - 40;
  const headerRows = profile.headerLine ? Math.round((HEADER_MM * sent.yDpi) / 25.4) : 0;
  const layers = [...painted.marks.entries()].filter(([, l]) => l.ink.length > 0);

  const onPage = (r: RectPx) => {
    const x0 = Math.max(0, r.x);
    const y0 = Math.max(headerRows, r.y);
    const x1 = Math.min(image.width, r.x + r.w);
    const y1 = Math.min(image.height, r.y + r.h);
    const inside = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
    return r.w * r.h > 0 ? inside / (r.w * r.h) : 0;
  };

  for (const t of source.targets) {
    const bounds = mapRectBounds(sent.forward, t.kind === 'checkbox' ? t.interior : t.region);
    const regionPx: RectPx = { x: Math.round(bounds.x), y: Math.round(bounds.y), w: Math.round(bounds.w), h: Math.round(bounds.h) };
    if (t.kind === 'checkbox') fields[t.key] = boxTruth(t, regionPx);
    else fields[t.key] = textTruth(t, regionPx);
  }
  return fields;

  function textTruth(t: TextTarget, regionPx: RectPx): TextTruth {
    const drawn = painted.texts.get(t.key);
    const truth: TextTruth = {
      kind: 'text',
      value: drawn ? drawn.value : null,
      compare: t.comb ? 'no_spaces' : 'exact',
      style: drawn ? (drawn.hand ? 'hand' : 'typed') : null,
      font: drawn ? drawn.family : null,
      sizePt: drawn ? Math.round(drawn.sizePt * 10) / 10 : null,
      textType: t.textType,
      regionPx,
    };
    if (onPage(regionPx) < 0.9) truth.ambiguous = 'field cut off the page or under the header line';
    else if (drawn) {
      // Thin strokes can vanish on a coarse or harsh line: if most of the writing did not arrive,
      // nobody can read it from this image.
      const c = countLayer(t.region, drawn.layer, regionPx);
      if (c.inkPx > 0 && c.visible / c.inkPx < 0.55) truth.ambiguous = 'writing mostly lost in transmission';
    }
    return truth;
  }

  function boxTruth(t: BoxTarget, regionPx: RectPx): CheckboxTruth {
    const own = painted.marks.get(t.key);
    const kind: MarkKind = own?.kind ?? 'none';
    const meaning = MARK_MEANING[kind];
    const intended = plan.boxes.get(t.key) ? 'marked' : 'empty';
    const counts = countInk(t, regionPx, own);
    const truth: CheckboxTruth = {
      kind: 'checkbox',
      state: meaning.state,
      intended,
      mark: kind,
      visibleInk: counts.ownPx > 0 ? Math.round((counts.ownVisible / counts.ownPx) * 1000) / 1000 : null,
      regionPx,
    };
    if (meaning.ambiguous) truth.ambiguous = meaning.ambiguous;
    // A box mostly on the page can still be read; one largely missing cannot.
    if (onPage(regionPx) < 0.6) {
      truth.ambiguous = 'box cut off the page or under the header line';
      return truth;
    }
    if (meaning.state === 'marked' && !meaning.ambiguous) {
      const visible = counts.ownPx > 0 ? counts.ownVisible / counts.ownPx : 0;
      if (counts.ownPx < counts.total * 0.01) truth.ambiguous = 'mark barely inside the box';
      else if (visible < 0.15) truth.state = 'empty'; // nothing of it arrived: the page shows an empty box
      else if (visible < 0.5) truth.ambiguous = 'mark partly lost in transmission';
    }
    // A neighbour's stroke just poking in is recognisably the neighbour's; one across the box is not.
    if (!truth.ambiguous && counts.foreignPx > counts.total * 0.12) truth.ambiguous = 'ink from a neighbouring mark inside the box';
    return truth;
  }

  function darkNear(u: number, v: number): boolean {
    for (let dy = -1; dy <= 1; dy++) {
      const y = v + dy;
      if (y < 0 || y >= image.height) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const x = u + dx;
        if (x >= 0 && x < image.width && image.data[y * image.width + x]! < darkBelow) return true;
      }
    }
    return false;
  }

  /** Ink pixels of a layer inside a template rectangle, as seen on the output, and how many arrived dark. */
  function countLayer(rect: { x: number; y: number; w: number; h: number }, layer: MarkLayer, r: RectPx) {
    const k = painted.pxPerMm;
    let inkPx = 0;
    let visible = 0;
    for (let v = Math.max(0, r.y); v < Math.min(image.height, r.y + r.h + 1); v++) {
      for (let u = Math.max(0, r.x); u < Math.min(image.width, r.x + r.w + 1); u++) {
        const [mx, my] = apply(sent.inverse, u + 0.5, v + 0.5);
        if (mx < rect.x || mx > rect.x + rect.w || my < rect.y || my > rect.y + rect.h) continue;
        if (inkAt(layer, Math.floor(mx * k), Math.floor(my * k)) >= 128) {
          inkPx++;
          // A stroke counts as arrived when the output is dark there or right beside it: thin
          // strokes on a coarse line land between pixel centres without being lost.
          if (darkNear(u, v)) visible++;
        }
      }
    }
    return { inkPx, visible };
  }

  /** Counts, over the box interior on the output image, the own and foreign mark ink and how much of it shows dark. */
  function countInk(t: BoxTarget, r: RectPx, own: MarkLayer | undefined) {
    const k = painted.pxPerMm;
    const ix0 = t.interior.x;
    const iy0 = t.interior.y;
    const ix1 = ix0 + t.interior.w;
    const iy1 = iy0 + t.interior.h;
    const neighbours = layers.filter(([key, l]) => key !== t.key && l.bounds.x < ix1 * k && l.bounds.x + l.bounds.w > ix0 * k && l.bounds.y < iy1 * k && l.bounds.y + l.bounds.h > iy0 * k).map(([, l]) => l);
    // A pencil mark is light: its own ink is whatever is near its darkest, not a fixed darkness.
    const ownInk = own && own.ink.length > 0 ? Math.max(12, Math.min(INK, Math.round(maxOf(own.ink) * 0.5))) : INK;
    let total = 0;
    let ownPx = 0;
    let ownVisible = 0;
    let foreignPx = 0;
    for (let v = Math.max(0, r.y); v < Math.min(image.height, r.y + r.h + 1); v++) {
      for (let u = Math.max(0, r.x); u < Math.min(image.width, r.x + r.w + 1); u++) {
        const [mx, my] = apply(sent.inverse, u + 0.5, v + 0.5);
        if (mx < ix0 || mx > ix1 || my < iy0 || my > iy1) continue;
        total++;
        const sx = Math.floor(mx * k);
        const sy = Math.floor(my * k);
        if (own && own.ink.length > 0 && inkAt(own, sx, sy) >= ownInk) {
          ownPx++;
          if (darkNear(u, v)) ownVisible++;
        }
        if (neighbours.some((l) => inkAt(l, sx, sy) >= INK)) foreignPx++;
      }
    }
    return { total, ownPx, ownVisible, foreignPx };
  }
}

function maxOf(a: Uint8Array): number {
  let m = 0;
  for (const v of a) if (v > m) m = v;
  return m;
}

function inkAt(l: MarkLayer, x: number, y: number): number {
  const lx = x - l.bounds.x;
  const ly = y - l.bounds.y;
  if (lx < 0 || ly < 0 || lx >= l.bounds.w || ly >= l.bounds.h) return 0;
  return l.ink[ly * l.bounds.w + lx]!;
}

/** Where a template point lands on the output (px); exported for tests. */
export function toOutput(sent: TransmittedPage, xMm: number, yMm: number): [number, number] {
  return apply(sent.forward, xMm, yMm);
}
