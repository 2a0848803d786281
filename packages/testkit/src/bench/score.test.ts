import { describe, expect, it } from 'vitest';
import type { CheckboxReading, PageReading, TextReading } from '@nexession/reader';
import type { CheckboxTruth, PageTruth, TextTruth } from '../truth.ts';
import { normaliseText, rates, scorePage, tallyBy } from './score.ts';

const px = { x: 0, y: 0, w: 10, h: 10 };

function box(key: string, state: CheckboxReading['state'], flags: string[] = []): CheckboxReading {
  return {
    kind: 'checkbox',
    key,
    state,
    region: px,
    flags: flags.map((code) => ({ code, message: code })),
    evidence: { expected: px, found: px, matchScore: 1, interior: px, binarisation: { rule: 'grey_below', threshold: 128 }, dark: 0, total: 100, ratio: 0, score: 0, thresholds: { low: 0.08, high: 0.2, filled: 0.85 } },
  };
}

function text(key: string, value: string | null, flags: string[] = []): TextReading {
  return { kind: 'text', key, text: value, confidence: 0.9, region: px, flags: flags.map((code) => ({ code, message: code })), evidence: { engine: 'test', words: [], inkRatio: 0, linesRemoved: false } };
}

const boxTruth = (state: 'marked' | 'empty', ambiguous?: string): CheckboxTruth => ({ kind: 'checkbox', state, intended: state, mark: state === 'marked' ? 'tick' : 'none', visibleInk: null, regionPx: px, ...(ambiguous ? { ambiguous } : {}) });
const textTruth = (value: string | null, style: 'typed' | 'hand' | null = 'typed', compare: TextTruth['compare'] = 'exact'): TextTruth => ({ kind: 'text', value, compare, style, font: null, sizePt: null, textType: 'name', regionPx: px });

function truth(fields: PageTruth['fields']): PageTruth {
  return {
    schema: 'nexession-testkit-truth/1',
    form: 'demo-outreach',
    templateId: 'demo-outreach',
    templateVersion: 1,
    templatePage: 0,
    seed: 's',
    patientId: 'SYN-1',
    pageStyle: 'typed',
    stat: false,
    output: { format: 'png', compression: 'deflate', widthPx: 1, heightPx: 1, xDpi: 200, yDpi: 200, bilevel: false },
    degradations: ['channel:fax-fine', 'salt_pepper'],
    profile: {} as PageTruth['profile'],
    transform: [1, 0, 0, 0, 1, 0],
    fields,
  };
}

function reading(fields: PageReading['fields'], opts: { pageFlags?: string[]; templateId?: string; unrecognised?: boolean } = {}): PageReading {
  return {
    index: 0,
    source: { format: 'png', widthPx: 1, heightPx: 1, xDpi: 200, yDpi: 200, widthMm: 1, heightMm: 1 },
    image: { width: 1, height: 1, dpi: 200, png: new Uint8Array() },
    orientation: { rotation: 0, skewDeg: 0 },
    classification: opts.unrecognised ? { kind: 'unrecognised', reason: 'x', bestScore: 0 } : { kind: 'template', templateId: opts.templateId ?? 'demo-outreach', templateVersion: 1, page: 0, score: 1 },
    registration: null,
    gates: [],
    flags: (opts.pageFlags ?? []).map((code) => ({ code, message: code })),
    fields,
    barcodes: [],
  };
}

describe('scorePage', () => {
  it('counts a wrong unflagged value as a silent error, and the same wrong value flagged as not one', () => {
    const t = truth({ a: boxTruth('marked'), b: boxTruth('marked'), n: textTruth('Núñez'), m: textTruth('Núñez') });
    const s = scorePage(t, reading([box('a', 'empty'), box('b', 'empty', ['checkbox_faint']), text('n', 'Nunez'), text('m', 'Nunez', ['ocr_low_confidence'])]));
    const o = Object.fromEntries(s.fields.map((f) => [f.key, f.outcome]));
    expect(o).toEqual({ a: 'silent_error', b: 'flagged', n: 'silent_error', m: 'flagged' });
    const v = Object.fromEntries(s.fields.map((f) => [f.key, f.valueRight]));
    expect(v).toEqual({ a: false, b: false, n: false, m: false });
  });

  it('counts right unflagged values as correct; a box in the review band is flagged, not decided', () => {
    const s = scorePage(truth({ a: boxTruth('marked'), e: boxTruth('empty'), r: boxTruth('marked'), n: textTruth('Li'), blank: textTruth(null, null) }), reading([box('a', 'marked'), box('e', 'empty'), box('r', 'review'), text('n', ' Li '), text('blank', null)]));
    expect(Object.fromEntries(s.fields.map((f) => [f.key, f.outcome]))).toEqual({ a: 'correct', e: 'correct', r: 'flagged', n: 'correct', blank: 'correct' });
    expect(s.fields.find((f) => f.key === 'blank')!.kind).toBe('text-blank');
  });

  it('counts an ambiguous truth as right only when flagged, whatever state was read', () => {
    const t = truth({ x: boxTruth('empty', 'mark crossed out'), y: boxTruth('empty', 'mark crossed out'), z: boxTruth('marked', 'filled box on a tick form') });
    const s = scorePage(t, reading([box('x', 'marked', ['checkbox_crossed_out']), box('y', 'empty'), box('z', 'review')]));
    expect(Object.fromEntries(s.fields.map((f) => [f.key, f.outcome]))).toEqual({ x: 'flagged', y: 'silent_error', z: 'flagged' });
    const tally = tallyBy([s], () => ['all']).get('all')!;
    expect(tally).toMatchObject({ ambiguous: 3, ambiguousFlagged: 2, silentErrors: 1, flagged: 2, flaggedUnambiguous: 0 });
    // Flagging what must be flagged is no needless review burden.
    expect(rates(tally).flagRate).toBeCloseTo(2 / 3);
    expect(rates(tally).needlessFlagRate).toBeNull();
  });

  it('treats a flagged page as flagging its fields, and an unread field as flagged', () => {
    const t = truth({ a: boxTruth('marked'), b: boxTruth('empty') });
    const flaggedPage = scorePage(t, reading([box('a', 'empty')], { pageFlags: ['gate_skew'] }));
    expect(flaggedPage.fields.map((f) => f.outcome)).toEqual(['flagged', 'flagged']);
    const missing = scorePage(t, reading([box('a', 'marked')]));
    expect(missing.fields.map((f) => f.outcome)).toEqual(['correct', 'flagged']);
    const unrecognised = scorePage(t, reading([], { unrecognised: true }));
    expect(unrecognised.classification).toBe('unrecognised');
    expect(unrecognised.fields.map((f) => f.outcome)).toEqual(['flagged', 'flagged']);
  });

  it('counts every field of a page taken for another form, unflagged, as a silent error', () => {
    const t = truth({ a: boxTruth('marked'), n: textTruth('Li') });
    const s = scorePage(t, reading([box('a', 'marked'), text('n', 'Li')], { templateId: 'second-lab' }));
    expect(s.classification).toBe('wrong_template');
    expect(s.fields.map((f) => f.outcome)).toEqual(['silent_error', 'silent_error']);
  });

  it('compares comb fields without spaces and other text with whitespace runs as one', () => {
    expect(normaliseText('03 15 1962', 'no_spaces')).toBe(normaliseText('03151962', 'no_spaces'));
    expect(normaliseText('Mary  Ann', 'exact')).toBe('Mary Ann');
    expect(normaliseText('Mary Ann', 'exact')).not.toBe(normaliseText('MaryAnn', 'exact'));
  });

  it('gives rates per group: accuracy of decided values, silent errors and flags among all fields', () => {
    const t = truth({ a: boxTruth('marked'), b: boxTruth('marked'), c: boxTruth('empty'), d: boxTruth('empty') });
    const s = scorePage(t, reading([box('a', 'marked'), box('b', 'empty'), box('c', 'review'), box('d', 'empty')]));
    const byDeg = tallyBy([s], (p) => p.degradations);
    expect([...byDeg.keys()]).toEqual(['channel:fax-fine', 'salt_pepper']);
    const r = rates(byDeg.get('salt_pepper')!);
    expect(r.autoAccuracy).toBeCloseTo(2 / 3);
    expect(r.silentErrorRate).toBeCloseTo(1 / 4);
    expect(r.flagRate).toBeCloseTo(1 / 4);
    expect(r.needlessFlagRate).toBeCloseTo(1 / 4);
  });
});
