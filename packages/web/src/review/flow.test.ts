import { describe, expect, it } from 'vitest';
import type { ReviewField, Validation } from '../api/types.ts';
import { initFlow, pendingCount, reduce, type Effect, type FlowEvent, type FlowState, type KeyInput } from './flow.ts';

const passed: Validation = { passed: true, rules: [] };

function text(key: string, order: number, value: string | null, extra: Partial<ReviewField> = {}): ReviewField {
  return {
    key,
    label: key.replace(/_/g, ' '),
    section: 'Patient',
    order,
    kind: 'text',
    role: 'other',
    page: 0,
    region: { x: 10, y: 10 * order, w: 100, h: 20 },
    machineValue: value,
    value,
    confidence: 0.97,
    flags: [],
    review: { state: 'unreviewed' },
    ...extra,
  };
}

function box(key: string, order: number, value: boolean | null, extra: Partial<ReviewField> = {}): ReviewField {
  return {
    ...text(key, order, null),
    kind: 'checkbox',
    section: 'Tests',
    machineValue: value,
    value,
    confidence: null,
    checkbox: { state: value === null ? 'review' : value ? 'marked' : 'empty', ratio: 0.41, score: 0.41, low: 0.08, high: 0.2, filled: 0.9, dark: 410, total: 1000 },
    ...extra,
  };
}

const flag = { code: 'ocr_low_confidence', message: 'OCR confidence 41 %' };

function key(k: string, mods: Partial<KeyInput> = {}): FlowEvent {
  const code = k.length === 1 ? `Key${k.toUpperCase()}` : k;
  return { type: 'key', input: { key: k, code, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, ...mods } };
}

function start(fields: ReviewField[]): FlowState {
  return initFlow({ fields, validation: passed, releaseBlockers: [], identity: null });
}

/** Runs events in order, collecting every effect. */
function run(state: FlowState, ...events: FlowEvent[]): { state: FlowState; effects: Effect[]; handled: boolean[] } {
  const effects: Effect[] = [];
  const handled: boolean[] = [];
  let s = state;
  for (const e of events) {
    const r = reduce(s, e);
    s = r.state;
    effects.push(...r.effects);
    handled.push(r.handled);
  }
  return { state: s, effects, handled };
}

const saves = (effects: Effect[]) => effects.filter((e) => e.type === 'save');
const stepKey = (s: FlowState) => (s.step.kind === 'field' ? s.step.key : 'identity');

describe('reading order and start', () => {
  it('walks fields by section in the order of their first field, not by array order', () => {
    const s = start([
      box('b_tsh', 3, true),
      text('last_name', 1, 'SMITH'),
      text('first_name', 2, 'Ann'),
      { ...text('dob', 4, '2014-03-22') },
    ]);
    expect(s.order).toEqual(['last_name', 'first_name', 'dob', 'b_tsh']);
    expect(stepKey(s)).toBe('last_name');
  });

  it('resumes at the first unreviewed field after a logoff', () => {
    const s = start([
      text('a', 1, 'x', { review: { state: 'confirmed' } }),
      text('b', 2, 'y'),
      text('c', 3, 'z'),
    ]);
    expect(stepKey(s)).toBe('b');
  });

  it('opens at the identity step when every field is reviewed and identity is not', () => {
    const s = start([text('a', 1, 'x', { review: { state: 'confirmed' } })]);
    expect(s.step.kind).toBe('identity');
  });
});

describe('Enter on an unflagged field', () => {
  it('confirms the machine value and moves to the next field', () => {
    const r = run(start([text('a', 1, 'SMITH'), text('b', 2, 'Ann')]), key('Enter'));
    expect(saves(r.effects)).toEqual([{ type: 'save', key: 'a', request: { action: 'confirm' } }]);
    expect(r.state.fields['a']?.review.state).toBe('confirmed');
    expect(stepKey(r.state)).toBe('b');
    expect(r.effects).toContainEqual({ type: 'focus', step: { kind: 'field', key: 'b' } });
    expect(r.handled).toEqual([true]);
  });

  it('after the last field moves to the identity step', () => {
    const r = run(start([text('a', 1, 'SMITH')]), key('Enter'));
    expect(r.state.step).toEqual({ kind: 'identity' });
    expect(r.effects).toContainEqual({ type: 'focus', step: { kind: 'identity' } });
  });

  it('on an already reviewed field moves on without saving again', () => {
    const s = start([text('a', 1, 'x'), text('b', 2, 'y', { review: { state: 'confirmed' } }), text('c', 3, 'z')]);
    const r = run(s, { type: 'focus', step: { kind: 'field', key: 'b' } }, key('Enter'));
    expect(saves(r.effects)).toEqual([]);
    expect(stepKey(r.state)).toBe('c');
  });
});

describe('a flagged field', () => {
  const fields = () => [text('a', 1, 'SMTIH', { flags: [flag] }), text('b', 2, 'Ann')];

  it('is not confirmed by a bare Enter, and the screen says why', () => {
    const r = run(start(fields()), key('Enter'));
    expect(saves(r.effects)).toEqual([]);
    expect(r.state.fields['a']?.review.state).toBe('unreviewed');
    expect(stepKey(r.state)).toBe('a');
    expect(r.state.notice?.kind).toBe('flag_needs_shift');
    expect(r.state.notice?.message).toContain('OCR confidence 41 %');
    expect(r.state.notice?.message).toContain('Shift+Enter');
    expect(r.handled).toEqual([true]); // the browser must not act on it either
  });

  it('is not confirmed by a bare Enter twice in a row', () => {
    const r = run(start(fields()), key('Enter'), key('Enter'));
    expect(saves(r.effects)).toEqual([]);
    expect(stepKey(r.state)).toBe('a');
  });

  it('is confirmed by Shift+Enter, acknowledging the flag', () => {
    const r = run(start(fields()), key('Enter', { shiftKey: true }));
    expect(saves(r.effects)).toEqual([{ type: 'save', key: 'a', request: { action: 'confirm', acknowledgeFlags: true } }]);
    expect(r.state.notice).toBeNull();
    expect(stepKey(r.state)).toBe('b');
  });

  it('Shift+Enter on an unflagged field is an ordinary confirm', () => {
    const r = run(start([text('a', 1, 'x')]), key('Enter', { shiftKey: true }));
    expect(saves(r.effects)).toEqual([{ type: 'save', key: 'a', request: { action: 'confirm' } }]);
  });

  it('can be corrected by typing the right value and Enter', () => {
    const r = run(start(fields()), { type: 'edit', key: 'a', text: 'SMITH' }, key('Enter'));
    expect(saves(r.effects)).toEqual([
      { type: 'save', key: 'a', request: { action: 'correct', value: 'SMITH', acknowledgeFlags: true } },
    ]);
    expect(r.state.fields['a']?.review).toEqual({ state: 'corrected', before: 'SMTIH', after: 'SMITH' });
    expect(r.state.fields['a']?.value).toBe('SMITH');
  });

  it('moving on with Tab leaves it unreviewed and clears the notice', () => {
    const r = run(start(fields()), key('Enter'), key('Tab'));
    expect(r.state.fields['a']?.review.state).toBe('unreviewed');
    expect(r.state.notice).toBeNull();
    expect(stepKey(r.state)).toBe('b');
  });
});

describe('typing replaces the value', () => {
  it('saves a correction keeping the machine value as before', () => {
    const r = run(start([text('a', 1, 'SMITH'), text('b', 2, 'Ann')]), { type: 'edit', key: 'a', text: 'SMYTHE ' }, key('Enter'));
    expect(saves(r.effects)).toEqual([{ type: 'save', key: 'a', request: { action: 'correct', value: 'SMYTHE', acknowledgeFlags: false } }]);
    expect(r.state.fields['a']?.review.before).toBe('SMITH');
    expect(r.state.fields['a']?.machineValue).toBe('SMITH');
    expect(r.state.drafts).toEqual({});
  });

  it('typing the same value back is a plain confirm', () => {
    const r = run(start([text('a', 1, 'SMITH')]), { type: 'edit', key: 'a', text: 'SMIT' }, { type: 'edit', key: 'a', text: 'SMITH' }, key('Enter'));
    expect(saves(r.effects)).toEqual([{ type: 'save', key: 'a', request: { action: 'confirm' } }]);
  });

  it('an emptied value is not saved: it asks for Alt+B', () => {
    const r = run(start([text('a', 1, 'SMITH')]), { type: 'edit', key: 'a', text: '  ' }, key('Enter'));
    expect(saves(r.effects)).toEqual([]);
    expect(r.state.notice?.kind).toBe('empty_value');
    expect(r.state.notice?.message).toContain('Alt+B');
  });

  it('a typed value survives Tab away and back, unsaved', () => {
    const r = run(start([text('a', 1, 'SMITH'), text('b', 2, 'Ann')]), { type: 'edit', key: 'a', text: 'SMYTHE' }, key('Tab'), key('Tab', { shiftKey: true }));
    expect(saves(r.effects)).toEqual([]);
    expect(r.state.drafts['a']).toEqual({ kind: 'text', text: 'SMYTHE' });
    expect(stepKey(r.state)).toBe('a');
  });

  it('Esc discards the typed value', () => {
    const r = run(start([text('a', 1, 'SMITH')]), { type: 'edit', key: 'a', text: 'X' }, key('Escape'));
    expect(r.state.drafts).toEqual({});
    expect(r.handled).toEqual([true, true]);
  });
});

describe('Tab and the arrows move without confirming', () => {
  const three = () => start([text('a', 1, 'x'), text('b', 2, 'y'), text('c', 3, 'z')]);

  it('Tab and Shift+Tab', () => {
    const r = run(three(), key('Tab'), key('Tab'), key('Tab', { shiftKey: true }));
    expect(saves(r.effects)).toEqual([]);
    expect(stepKey(r.state)).toBe('b');
    expect(Object.values(r.state.fields).every((f) => f.review.state === 'unreviewed')).toBe(true);
  });

  it('Shift+Tab on the first field is left to the browser (reaches the page controls)', () => {
    const r = run(three(), key('Tab', { shiftKey: true }));
    expect(r.handled).toEqual([false]);
    expect(stepKey(r.state)).toBe('a');
  });

  it('ArrowUp on the first field stays put and is swallowed', () => {
    const r = run(three(), key('ArrowUp'));
    expect(r.handled).toEqual([true]);
    expect(r.effects).toEqual([]);
  });

  it('Tab past the last field reaches the identity step', () => {
    const r = run(three(), key('Tab'), key('Tab'), key('Tab'));
    expect(r.state.step).toEqual({ kind: 'identity' });
  });
});

describe('Alt+B: blank on the form', () => {
  it('records absent_on_source with the old value as before, and moves on', () => {
    const r = run(start([text('a', 1, 'smudge'), text('b', 2, 'y')]), key('b', { altKey: true, key: '∫' } as Partial<KeyInput>));
    expect(saves(r.effects)).toEqual([{ type: 'save', key: 'a', request: { action: 'absent_on_source', value: null } }]);
    expect(r.state.fields['a']?.review).toEqual({ state: 'absent_on_source', before: 'smudge', after: null });
    expect(stepKey(r.state)).toBe('b');
  });

  it('works on a flagged field (a chord is deliberate) and drops a typed draft', () => {
    const r = run(start([text('a', 1, 'x', { flags: [flag] })]), { type: 'edit', key: 'a', text: 'typed' }, key('b', { altKey: true }));
    expect(saves(r.effects)).toHaveLength(1);
    expect(r.state.drafts).toEqual({});
  });
});

describe('Alt+E escalates', () => {
  it('asks the screen to open the escalation dialog and saves nothing', () => {
    const r = run(start([text('a', 1, 'x')]), key('e', { altKey: true }));
    expect(r.effects).toEqual([{ type: 'openEscalate' }]);
    expect(r.handled).toEqual([true]);
  });

  it('other Ctrl or Alt chords are not ours', () => {
    const r = run(start([text('a', 1, 'x')]), key('c', { ctrlKey: true }), key('Enter', { ctrlKey: true }), key('x', { altKey: true }));
    expect(r.handled).toEqual([false, false, false]);
    expect(r.effects).toEqual([]);
  });
});

describe('checkbox fields', () => {
  it('Space toggles a draft; Enter saves it as a correction', () => {
    const r = run(start([box('b_tsh', 1, false), box('b_cbc', 2, true)]), { type: 'toggle', key: 'b_tsh' }, key('Enter'));
    expect(saves(r.effects)).toEqual([{ type: 'save', key: 'b_tsh', request: { action: 'correct', value: true, acknowledgeFlags: false } }]);
  });

  it('toggling twice returns to the machine value: a plain confirm', () => {
    const r = run(start([box('b_tsh', 1, false)]), { type: 'toggle', key: 'b_tsh' }, { type: 'toggle', key: 'b_tsh' }, key('Enter'));
    expect(saves(r.effects)).toEqual([{ type: 'save', key: 'b_tsh', request: { action: 'confirm' } }]);
  });

  it('an undecided box cannot be confirmed at all: a person must set it', () => {
    const undecided = box('b_cbc', 1, null, { flags: [{ code: 'checkbox_review_band', message: 'fill 0.14 is between 0.08 and 0.20' }] });
    const r = run(start([undecided]), key('Enter'), key('Enter', { shiftKey: true }));
    expect(saves(r.effects)).toEqual([]);
    expect(r.state.notice?.kind).toBe('undecided_box');
    expect(r.state.notice?.message).toContain('fill 0.14 is between 0.08 and 0.20');
    const set = run(r.state, { type: 'toggle', key: 'b_cbc' }, key('Enter'));
    expect(saves(set.effects)).toEqual([{ type: 'save', key: 'b_cbc', request: { action: 'correct', value: true, acknowledgeFlags: true } }]);
  });

  it('a flagged marked box needs Shift+Enter like any flagged field', () => {
    const r = run(start([box('b_a', 1, true, { flags: [{ code: 'group_two_marked', message: 'two boxes marked in a check-one group' }] })]), key('Enter'));
    expect(r.state.notice?.kind).toBe('flag_needs_shift');
    expect(saves(r.effects)).toEqual([]);
  });

  it('typing into a checkbox does nothing', () => {
    const s = start([box('b', 1, true)]);
    expect(reduce(s, { type: 'edit', key: 'b', text: 'x' }).handled).toBe(false);
  });
});

describe('server answers', () => {
  const answer = (f: ReviewField, blockers: string[] = []) => ({ field: f, validation: passed, releaseBlockers: blockers });

  it('applies the server field once every save of it is answered', () => {
    let r = run(start([text('a', 1, 'x'), text('b', 2, 'y')]), key('Enter'));
    expect(pendingCount(r.state)).toBe(1);
    const server = { ...text('a', 1, 'x'), review: { state: 'confirmed' as const, by: 'rev1', at: '2026-01-01T00:00:00Z' } };
    r = run(r.state, { type: 'saved', key: 'a', answer: answer(server, ['1 field not reviewed']) });
    expect(pendingCount(r.state)).toBe(0);
    expect(r.state.fields['a']?.review.by).toBe('rev1');
    expect(r.state.serverBlockers).toEqual(['1 field not reviewed']);
  });

  it('a refused save restores the field and says so, without moving the focus', () => {
    let r = run(start([text('a', 1, 'x'), text('b', 2, 'y')]), key('Enter'));
    r = run(r.state, { type: 'saveFailed', key: 'a', code: 'http_500', message: 'database unavailable' });
    expect(r.state.fields['a']?.review.state).toBe('unreviewed');
    expect(r.state.notice?.kind).toBe('save_failed');
    expect(r.state.notice?.message).toContain('a was not saved');
    expect(stepKey(r.state)).toBe('b');
    expect(r.effects).toEqual([]);
  });

  it('flag_not_acknowledged from the server asks for Shift+Enter', () => {
    let r = run(start([text('a', 1, 'x')]), key('Enter'));
    r = run(r.state, { type: 'saveFailed', key: 'a', code: 'flag_not_acknowledged', message: '' });
    expect(r.state.notice?.message).toContain('Shift+Enter');
  });

  it('with two saves of one field in flight, the first answer does not undo the second', () => {
    const s0 = start([text('a', 1, 'x'), text('b', 2, 'y')]);
    let r = run(s0, key('Enter'), key('Tab', { shiftKey: true }), { type: 'edit', key: 'a', text: 'z' }, key('Enter'));
    expect(saves(r.effects)).toHaveLength(2);
    r = run(r.state, { type: 'saved', key: 'a', answer: answer({ ...text('a', 1, 'x'), review: { state: 'confirmed' } }) });
    expect(r.state.fields['a']?.value).toBe('z');
    expect(r.state.fields['a']?.review.state).toBe('corrected');
  });
});

describe('identity after the fields', () => {
  const identity = { confirmedBy: 'rev1', confirmedAt: '2026-01-01T00:00:00Z', identifiers: ['name', 'dob'], current: true };

  it('a later save of a patient field makes the identity confirmation stale', () => {
    const s = initFlow({
      fields: [text('ln', 1, 'SMITH', { role: 'patient.last_name', review: { state: 'confirmed' } }), text('src', 2, 'blood', { role: 'specimen.source' })],
      validation: passed,
      releaseBlockers: [],
      identity,
    });
    const other = run(s, { type: 'focus', step: { kind: 'field', key: 'src' } }, key('Enter'));
    expect(other.state.identity?.current).toBe(true);
    const patient = run(s, { type: 'focus', step: { kind: 'field', key: 'ln' } }, { type: 'edit', key: 'ln', text: 'SMYTH' }, key('Enter'));
    expect(patient.state.identity?.current).toBe(false);
  });

  it('a new confirmation takes the warnings recorded with it', () => {
    const s = start([text('a', 1, 'x')]);
    const future = { code: 'dob_future', severity: 'danger' as const, message: 'the date of birth is in the future' };
    const r = run(s, { type: 'identityConfirmed', identity: { ...identity, warnings: [future] }, releaseBlockers: [] });
    expect(r.state.identity?.current).toBe(true);
    expect(r.state.identityWarnings).toEqual([future]);
  });

  it('takes the warnings every save brings, so they are in front of the person before the identity step', () => {
    const s = start([text('ln', 1, 'SMTIH', { role: 'patient.last_name' }), text('src', 2, 'blood', { role: 'specimen.source' })]);
    const typed = run(s, { type: 'edit', key: 'ln', text: 'SMITH' }, key('Enter'));
    expect(typed.state.identityWarnings).toEqual([]);
    const corrected = { code: 'patient_corrected', severity: 'caution' as const, message: 'corrected by hand: Last name' };
    const saved = run(typed.state, {
      type: 'saved',
      key: 'ln',
      answer: { field: { ...typed.state.fields.ln!, value: 'SMITH', review: { state: 'corrected' } }, validation: passed, releaseBlockers: [], identityWarnings: [corrected] },
    });
    expect(saved.state.identity).toBeNull();
    expect(saved.state.identityWarnings).toEqual([corrected]);
  });
});
