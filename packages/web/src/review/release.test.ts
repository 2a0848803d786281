import { describe, expect, it } from 'vitest';
import type { ReviewField, Validation } from '../api/types.ts';
import { releaseGate, type ReleaseInput } from './release.ts';

function field(key: string, state: ReviewField['review']['state'], value: string | null = 'v'): ReviewField {
  return {
    key, label: key, section: 'S', order: 1, kind: 'text', role: 'other', page: 0,
    region: { x: 0, y: 0, w: 1, h: 1 }, machineValue: value, value, confidence: 1, flags: [], review: { state },
  };
}

const ok: Validation = { passed: true, rules: [{ citation: '(c)(2)', title: 'Patient name', passed: true, message: 'present' }] };
const identity = { confirmedBy: 'rev1', confirmedAt: '2026-01-01T00:00:00Z', identifiers: ['name', 'dob'] };

function input(over: Partial<ReleaseInput> = {}): ReleaseInput {
  return {
    fields: [field('a', 'confirmed'), field('b', 'corrected'), field('c', 'absent_on_source', null)],
    drafts: {}, identity, validation: ok, serverBlockers: [], pendingSaves: 0, releasing: false, ...over,
  };
}

describe('release gate', () => {
  it('is enabled only when all is reviewed, identity confirmed, validation passed and the server agrees', () => {
    expect(releaseGate(input())).toEqual({ enabled: true, reasons: [], waitsForSaves: false });
  });

  it('a requisition without fields (page not recognised) cannot be released', () => {
    const g = releaseGate(input({ fields: [] }));
    expect(g.enabled).toBe(false);
    expect(g.reasons[0]).toMatch(/^no fields to review/);
  });

  it('counts unreviewed fields in words', () => {
    const g = releaseGate(input({ fields: [field('a', 'unreviewed'), field('b', 'unreviewed'), field('c', 'confirmed')] }));
    expect(g.enabled).toBe(false);
    expect(g.reasons).toEqual(['2 fields not reviewed']);
    expect(releaseGate(input({ fields: [field('a', 'unreviewed')] })).reasons).toEqual(['1 field not reviewed']);
  });

  it('says identity is not confirmed', () => {
    expect(releaseGate(input({ identity: null })).reasons).toEqual(['identity not confirmed']);
  });

  it('a stale identity confirmation blocks release and says why', () => {
    const g = releaseGate(input({ identity: { ...identity, current: false } }));
    expect(g.enabled).toBe(false);
    expect(g.reasons).toEqual(['identity must be confirmed again (a patient field changed)']);
  });

  it('names the failing CFR rule', () => {
    const failing: Validation = {
      passed: false,
      rules: [
        { citation: '(c)(2)', title: 'Patient name', passed: true, message: 'present' },
        { citation: '(c)(6)', title: 'Collection date', passed: false, message: 'collection date missing' },
      ],
    };
    const g = releaseGate(input({ validation: failing }));
    expect(g.enabled).toBe(false);
    expect(g.reasons).toEqual(['validation fails: (c)(6) collection date missing']);
  });

  it('lists every reason at once, in a fixed order', () => {
    const g = releaseGate(input({ fields: [field('a', 'unreviewed')], identity: null, validation: { passed: false, rules: [] } }));
    expect(g.reasons).toEqual(['1 field not reviewed', 'identity not confirmed', 'validation has not passed']);
  });

  it('a typed but unsaved value blocks release', () => {
    const g = releaseGate(input({ drafts: { a: { kind: 'text', text: 'other' } } }));
    expect(g.enabled).toBe(false);
    expect(g.reasons[0]).toMatch(/^1 typed value not saved/);
  });

  it('a draft equal to the value does not block', () => {
    expect(releaseGate(input({ drafts: { a: { kind: 'text', text: 'v' } } })).enabled).toBe(true);
  });

  it('with only saves in flight it is enabled and says a press waits for them', () => {
    const g = releaseGate(input({ pendingSaves: 2, serverBlockers: ['1 field not reviewed'] }));
    expect(g).toEqual({ enabled: true, reasons: ['saving 2 changes… release waits for them'], waitsForSaves: true });
  });

  it('saves in flight do not hide what else blocks', () => {
    const g = releaseGate(input({ pendingSaves: 1, identity: null }));
    expect(g).toEqual({ enabled: false, reasons: ['identity not confirmed', 'saving 1 change…'], waitsForSaves: false });
  });

  it('shows the server blockers when nothing local blocks, and stays disabled', () => {
    const g = releaseGate(input({ serverBlockers: ['ordering provider NPI not confirmed by lab policy'] }));
    expect(g).toEqual({ enabled: false, reasons: ['ordering provider NPI not confirmed by lab policy'], waitsForSaves: false });
  });

  it('is disabled while a release is on its way', () => {
    expect(releaseGate(input({ releasing: true })).enabled).toBe(false);
  });
});
