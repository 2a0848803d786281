/**
 * The decision rules on hand-made evidence: each flag names the reason that made it, and the
 * group rule does not flag a "check one" group left blank.
 */
import { describe, expect, it } from 'vitest';
import type { CheckboxEvidence, CheckboxReading } from '../types.ts';
import { CHECKBOX_THRESHOLDS, DOTS_SHARE, FAINT_CLEARANCE, FAINT_DEPTH, FAINT_SHARE, decideCheckbox, reachRule } from './checkboxDecision.ts';
import { countLightApart } from './counts.ts';
import { applyGroupRules } from './groups.ts';

const box = { x: 100, y: 100, w: 24, h: 24 };
const interior = { x: 103, y: 103, w: 18, h: 18 };

/** An 18 x 18 interior at 200 dpi with `dark` pixels counted; options add the other measurements. */
function evidence(dark: number, more: { outsideBeyond?: number; dotsDark?: number; faintDark?: number } = {}): CheckboxEvidence {
  const total = interior.w * interior.h;
  const outside = new Array<number>(16).fill(0);
  if (more.outsideBeyond) outside[6] = more.outsideBeyond;
  return {
    expected: box,
    found: box,
    matchScore: 1,
    interior,
    binarisation: { rule: 'grey_below', threshold: 160, minDarkNeighbours: 2 },
    dark,
    total,
    ratio: dark / total,
    score: dark / total,
    thresholds: { ...CHECKBOX_THRESHOLDS, low: 0.04 },
    reach: { box, radius: 16, print: [], printBudget: 9, inside: dark, outside, ...reachRule(200) },
    ...(more.dotsDark !== undefined ? { dots: { dark: more.dotsDark, blankDark: 0, minShare: DOTS_SHARE } } : {}),
    ...(more.faintDark !== undefined ? { faint: { threshold: 230, paper: 250, depth: FAINT_DEPTH, clearance: FAINT_CLEARANCE, minNeighbours: 2, dark: more.faintDark, blankDark: 0, minShare: FAINT_SHARE } } : {}),
  };
}

describe('decideCheckbox', () => {
  it('says the ink runs outside the box when it does, whatever the fill (not "fill is between")', () => {
    for (const dark of [20, 160]) {
      const d = decideCheckbox(evidence(dark, { outsideBeyond: 40 }));
      expect(d.state).toBe('review');
      expect(d.flags.map((f) => f.code)).toEqual(['checkbox_ink_outside']);
      expect(d.flags[0]!.message).toMatch(/runs on outside it \(40 pixels more than 3 pixels beyond its edge/);
      expect(d.flags[0]!.message).not.toMatch(/between/);
    }
    // The same fill with the ink kept in the box: the band, and only then its message.
    const band = decideCheckbox(evidence(20));
    expect(band.flags.map((f) => f.code)).toEqual(['checkbox_review_band']);
    expect(band.flags[0]!.message).toBe('fill 6.2 % is between 4 % and 10 %');
    expect(decideCheckbox(evidence(160)).state).toBe('marked');
  });

  it('does not pass as empty a box whose dark pixels are mostly specks (a faint mark broken up)', () => {
    // 5 counted pixels (1.5 %): empty by the neighbour rule; 17 by grey alone (5.2 %).
    const d = decideCheckbox(evidence(5, { dotsDark: 17 }));
    expect(d.state).toBe('review');
    expect(d.flags.map((f) => f.code)).toEqual(['checkbox_dots']);
    expect(d.flags[0]!.message).toBe('5.2 % of the box is dark counting every dark pixel, specks too (at or above 4 %; 1.5 % counting only pixels with dark neighbours): a faint or broken-up mark?');
    // Fax specks below the share stay empty; the blank form's own pixels do not count.
    expect(decideCheckbox(evidence(5, { dotsDark: 12 })).state).toBe('empty');
    const printed = evidence(5, { dotsDark: 17 });
    printed.dots!.blankDark = 8;
    expect(decideCheckbox(printed).state).toBe('empty');
    // Without the measurement (readings stored before it existed) nothing changes.
    expect(decideCheckbox(evidence(5)).state).toBe('empty');
  });
});

describe('light ink (a faint pencil mark on a grey scan)', () => {
  it('does not pass as empty a box whose ink is mostly lighter than the binarisation, and says so', () => {
    // 2 pen-dark pixels (0.6 %), 3 by grey alone, 20 light ones: (20 + 3) / 324 = 7.1 %.
    const d = decideCheckbox(evidence(2, { dotsDark: 3, faintDark: 20 }));
    expect(d.state).toBe('review');
    expect(d.flags.map((f) => f.code)).toEqual(['checkbox_faint']);
    expect(d.flags[0]!.message).toBe('7.1 % of the box is ink counting light ink (grey below 230, the paper being 250; at or above 6 %), though only 0.6 % is pen-dark: a faint mark?');
    // Never marked by light ink alone, however much there is (below the filled share).
    expect(decideCheckbox(evidence(0, { dotsDark: 0, faintDark: 150 })).state).toBe('review');
    // Paper noise under the share stays empty; the blank's own light print does not count.
    expect(decideCheckbox(evidence(2, { dotsDark: 3, faintDark: 15 })).state).toBe('empty');
    const printed = evidence(2, { dotsDark: 3, faintDark: 20 });
    printed.faint!.blankDark = 10;
    expect(decideCheckbox(printed).state).toBe('empty');
    // Readings stored before the measurement existed decide as before.
    expect(decideCheckbox(evidence(2, { dotsDark: 3 })).state).toBe('empty');
  });

  it('counts a light stroke, but not the grey fringe round black specks on a resampled fax', () => {
    const w = 40;
    const h = 40;
    const paper = (): Uint8Array => new Uint8Array(w * h).fill(250);
    // A light stroke 3 px wide, grey 215: light (below 230), not pen-dark (below 200).
    const stroke = paper();
    for (let y = 5; y < 35; y++) for (let x = 18; x < 21; x++) stroke[y * w + x] = 215;
    const all = { x: 0, y: 0, w, h };
    expect(countLightApart({ width: w, height: h, data: stroke }, all, 200, 230, FAINT_CLEARANCE, 2)).toBe(90);
    // Black specks, each with a one-pixel grey fringe as a linear resize leaves it: nothing.
    const specks = paper();
    for (const [cx, cy] of [[8, 8], [25, 12], [14, 30], [32, 28]] as const) {
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) specks[(cy + dy) * w + cx + dx] = Math.abs(dx) === 2 || Math.abs(dy) === 2 ? 220 : 0;
    }
    expect(countLightApart({ width: w, height: h, data: specks }, all, 200, 230, FAINT_CLEARANCE, 2)).toBe(0);
  });
});

describe('the printed outline inside the measured area', () => {
  it('does not take a line along the edge of the interior for a mark, and says which edge', () => {
    // 18 x 18 interior: a broken line in the two bottom rows (32 of 36 pixels) and 2 specks.
    const e = evidence(34);
    e.profile = { rows: [...new Array<number>(16).fill(0).map((_, i) => (i === 5 || i === 9 ? 1 : 0)), 16, 16], cols: new Array<number>(18).fill(0).map((_, i) => (i < 2 ? 1 : 2)) };
    const d = decideCheckbox(e);
    expect(d.state).toBe('review');
    expect(d.flags.map((f) => f.code)).toEqual(['checkbox_edge_line']);
    expect(d.flags[0]!.message).toBe("most of the ink in the box lies in a line along its bottom edge (fill 10.5 %): the box's own printed outline, the box not found exactly?");
    // A tick whose foot touches the bottom: most of its ink is elsewhere, and it is marked.
    const tick = evidence(40);
    tick.profile = { rows: [0, 0, 0, 0, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 3, 2], cols: [0, 0, 2, 3, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 2, 1, 0, 0] };
    expect(decideCheckbox(tick)).toEqual({ state: 'marked', flags: [] });
  });
});

describe('applyGroupRules', () => {
  const reading = (key: string, state: CheckboxReading['state']): CheckboxReading => ({ kind: 'checkbox', key, region: box, flags: [], state, evidence: evidence(state === 'marked' ? 160 : 0) });
  const group = { key: 'sex', label: 'Sex', rule: 'one' as const, members: ['male', 'female'] };
  const labels = new Map([['male', 'Male'], ['female', 'Female']]);

  it('flags two marks where one is allowed', () => {
    const rs = new Map([['male', reading('male', 'marked')], ['female', reading('female', 'marked')]]);
    applyGroupRules([group], rs, labels);
    for (const r of rs.values()) {
      expect(r.state).toBe('review');
      expect(r.flags.map((f) => f.code)).toEqual(['group_multiple']);
    }
  });

  it('leaves a group with nothing marked unflagged (an unanswered question is for validation)', () => {
    const rs = new Map([['male', reading('male', 'empty')], ['female', reading('female', 'empty')]]);
    applyGroupRules([group], rs, labels);
    for (const r of rs.values()) expect(r).toMatchObject({ state: 'empty', flags: [] });
  });
});
