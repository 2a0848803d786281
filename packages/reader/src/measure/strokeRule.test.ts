/**
 * The stroke rule on synthetic crops measured with the reader's own counting: a short patch of
 * ink does not mark a box alone (the two silent errors of the 200-page Ontario acceptance set:
 * fax specks run together in an empty box, one arm of an 'x' whose other arm was lost on the
 * line), while a stroke across the box still does, in a small box and in a big cell.
 */
import { describe, expect, it } from 'vitest';
import type { CheckboxEvidence, GreyImage, RectPx } from '../types.ts';
import { CHECKBOX_THRESHOLDS, MIN_DARK_NEIGHBOURS, decideCheckbox, lowThreshold, strokeRule } from './checkboxDecision.ts';
import { countRect } from './counts.ts';
import { largestPatch } from './reach.ts';

const DPI = 200;
const THRESHOLD = 200;

function page(interior: RectPx): GreyImage {
  const width = interior.x + interior.w + 20;
  const height = interior.y + interior.h + 20;
  return { width, height, data: new Uint8Array(width * height).fill(255) };
}

/** Dark pixels at the '#' of each row, from (x, y) of the interior. */
function draw(img: GreyImage, interior: RectPx, x: number, y: number, rows: string[], grey = 40): void {
  rows.forEach((row, dy) => {
    for (let dx = 0; dx < row.length; dx++) if (row[dx] === '#') img.data[(interior.y + y + dy) * img.width + interior.x + x + dx] = grey;
  });
}

/** A diagonal band `long` rows tall, drifting `wide` columns, `thick` pixels across. */
function diagonal(long: number, wide: number, thick: number): string[] {
  const rows: string[] = [];
  for (let t = 0; t < long; t++) {
    const x = Math.round((t * (wide - thick)) / (long - 1));
    rows.push(' '.repeat(wide - thick - x) + '#'.repeat(thick) + ' '.repeat(x));
  }
  return rows;
}

/** The evidence the reader records for an interior, from the same counting functions. */
function measure(img: GreyImage, interior: RectPx): CheckboxEvidence {
  const c = countRect(img, interior, THRESHOLD, MIN_DARK_NEIGHBOURS);
  const patch = largestPatch(img, interior, THRESHOLD, MIN_DARK_NEIGHBOURS, []);
  const box = { x: interior.x - 3, y: interior.y - 3, w: interior.w + 6, h: interior.h + 6 };
  return {
    expected: box,
    found: box,
    matchScore: 1,
    interior,
    binarisation: { rule: 'grey_below', threshold: THRESHOLD, minDarkNeighbours: MIN_DARK_NEIGHBOURS },
    dark: c.dark,
    total: c.total,
    ratio: c.dark / c.total,
    blank: { dark: 0, total: c.total, ratio: 0 },
    score: c.dark / c.total,
    thresholds: { ...CHECKBOX_THRESHOLDS, low: Math.round(lowThreshold(c.total) * 10000) / 10000 },
    patch: { ...patch, ...strokeRule(DPI, interior) },
  };
}

/** The same evidence judged by the old rule (1.2 mm whatever the box): what the fix changed. */
function underOldRule(e: CheckboxEvidence): CheckboxEvidence {
  return { ...e, patch: { ...e.patch!, strokeLength: Math.round((1.2 * DPI) / 25.4) } };
}

describe('strokeRule', () => {
  it('asks a stroke to cross two thirds of the box, and never less than 1.2 mm', () => {
    expect(strokeRule(DPI, { w: 30, h: 31 }).strokeLength).toBe(20);
    expect(strokeRule(DPI, { w: 34, h: 28 }).strokeLength).toBe(19);
    // A flat cell: 1.2 mm is the longer.
    expect(strokeRule(DPI, { w: 80, h: 9 }).strokeLength).toBe(9);
    expect(strokeRule(DPI, { w: 30, h: 31 }).traceLength).toBe(7);
  });

  it('does not mark an empty box where fax specks ran together into a 9 x 8 patch (ontario-accept-82, b_bilirubin)', () => {
    const interior = { x: 20, y: 20, w: 30, h: 31 };
    const img = page(interior);
    draw(img, interior, 19, 7, ['###....##', '###...###', '.###.###.', '..#####..', '...###...', '...###...', '...###...', '...###...']);
    for (const [x, y] of [[4, 10], [22, 20], [10, 25], [26, 3], [6, 18]] as const) draw(img, interior, x, y, ['##', '##']);
    const e = measure(img, interior);
    expect(e.patch).toMatchObject({ rect: { w: 9, h: 8 }, pixels: 34, strokeLength: 20 });
    expect(e.dark).toBe(54);
    expect(e.score).toBeGreaterThan(e.thresholds.low);
    expect(e.score).toBeLessThan(e.thresholds.high);
    expect(decideCheckbox(underOldRule(e)).state).toBe('marked');
    const d = decideCheckbox(e);
    expect(d.state).toBe('review');
    expect(d.flags.map((f) => f.code)).toEqual(['checkbox_review_band']);
    expect(d.flags[0]!.message).toBe('fill 5.8 % is between 4 % and 10 %; its longest stroke is 9 pixels, short of the 20 of a mark across the box: a small mark, or one partly lost on the line?');
  });

  it('does not decide alone an x with one arm lost on the line: a stroke 15 of 28 pixels across (ontario-accept-47, m_gc)', () => {
    const interior = { x: 20, y: 20, w: 34, h: 28 };
    const img = page(interior);
    draw(img, interior, 13, 4, diagonal(15, 12, 3).map((r, i) => (i < 10 ? r : r.replace('###', '##.'))));
    const e = measure(img, interior);
    expect(e.patch).toMatchObject({ rect: { w: 12, h: 15 }, pixels: 40, strokeLength: 19 });
    expect(e.score).toBeCloseTo(0.042, 3);
    expect(decideCheckbox(underOldRule(e)).state).toBe('marked');
    expect(decideCheckbox(e)).toMatchObject({ state: 'review', flags: [{ code: 'checkbox_review_band' }] });
  });

  it('still marks a box a stroke crosses, with a fill in the band or below it, small box or big cell', () => {
    const interior = { x: 20, y: 20, w: 34, h: 28 };
    const img = page(interior);
    draw(img, interior, 8, 4, diagonal(20, 16, 2));
    const e = measure(img, interior);
    expect(e.patch!.rect.h).toBe(20);
    expect(e.score).toBeLessThan(e.thresholds.high);
    expect(decideCheckbox(e)).toEqual({ state: 'marked', flags: [] });
    // A tick 14 pixels long in a cell 120 x 14: below the low threshold, marked by the stroke.
    const cell = { x: 20, y: 20, w: 120, h: 14 };
    const big = page(cell);
    draw(big, cell, 50, 0, diagonal(14, 6, 3));
    const b = measure(big, cell);
    expect(b.score).toBeLessThan(b.thresholds.low);
    expect(b.patch!.pixels).toBeGreaterThanOrEqual(30);
    expect(decideCheckbox(b)).toEqual({ state: 'marked', flags: [] });
  });
});
