import { describe, expect, it } from 'vitest';
import type { ReviewField } from '../api/types.ts';
import { identityParts } from './identity.ts';

function f(key: string, role: string, value: string | null, kind: ReviewField['kind'] = 'text'): ReviewField {
  return {
    key, label: key, section: 'Patient', order: 1, kind, role, page: 0, region: { x: 0, y: 0, w: 1, h: 1 },
    machineValue: value, value, confidence: 1, flags: [], review: { state: 'confirmed' },
  };
}

describe('identity parts', () => {
  it('builds name, DOB and health number from the confirmed values', () => {
    const parts = identityParts([
      f('ln', 'patient.last_name', 'BÉLANGER'),
      f('fn', 'patient.first_name', 'Liam'),
      f('dob', 'patient.dob', '2014-03-22'),
      f('hn', 'patient.health_number', '4259 523 979'),
      f('hv', 'patient.health_number_version', 'AB'),
    ]);
    expect(parts.map((p) => [p.kind, p.text])).toEqual([
      ['name', 'BÉLANGER, Liam'],
      ['dob', '2014-03-22'],
      ['health_number', '4259 523 979 AB'],
    ]);
  });

  it('joins a DOB written in three boxes only when all three are there', () => {
    const three = identityParts([f('y', 'patient.dob_year', '2014'), f('m', 'patient.dob_month', '03'), f('d', 'patient.dob_day', '22')]);
    expect(three).toEqual([{ kind: 'dob', label: 'DOB', text: '2014-03-22', keys: ['y', 'm', 'd'] }]);
    expect(identityParts([f('y', 'patient.dob_year', '2014'), f('m', 'patient.dob_month', null)])).toEqual([]);
  });

  it('skips blank identifiers, so a form with one identifier yields fewer than two', () => {
    const parts = identityParts([f('ln', 'patient.last_name', 'SMITH'), f('dob', 'patient.dob', '  '), f('mrn', 'patient.mrn', null)]);
    expect(parts.map((p) => p.kind)).toEqual(['name']);
  });
});
