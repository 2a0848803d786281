import { describe, expect, it } from 'vitest';
import { Rng } from '../random.ts';
import { isValidNpi, npiCheckDigit } from './npi.ts';
import { makePatient } from './patient.ts';

describe('NPI check digit', () => {
  it('matches the CMS worked example and rejects a changed digit', () => {
    expect(npiCheckDigit('123456789')).toBe(3);
    expect(isValidNpi('1234567893')).toBe(true);
    expect(isValidNpi('1234567894')).toBe(false);
    expect(isValidNpi('123456789')).toBe(false);
  });
});

describe('synthetic patients', () => {
  const rng = new Rng('patients');
  const people = Array.from({ length: 400 }, () => makePatient(rng));

  it('span a century of birth dates, both sexes, US and Canadian addresses', () => {
    const years = people.map((p) => p.dob.year);
    expect(Math.min(...years)).toBeLessThan(1935);
    expect(Math.max(...years)).toBeGreaterThan(2015);
    expect(new Set(people.map((p) => p.sex))).toEqual(new Set(['M', 'F']));
    const ca = people.filter((p) => p.address.country === 'CA');
    expect(ca.length).toBeGreaterThan(20);
    for (const p of ca) expect(p.address.postalCode).toMatch(/^[A-Z]\d[A-Z] \d[A-Z]\d$/);
    for (const p of people.filter((q) => q.address.country === 'US')) expect(p.address.postalCode).toMatch(/^\d{5}$/);
  });

  it('have the hard names: hyphens, apostrophes, accents, no middle name, long names', () => {
    const names = people.map((p) => `${p.lastName} ${p.firstName}`);
    expect(names.some((n) => n.includes('-'))).toBe(true);
    expect(names.some((n) => n.includes("'"))).toBe(true);
    expect(names.some((n) => /[ÉéñüÜ]/.test(n))).toBe(true);
    expect(people.some((p) => p.middleName === null)).toBe(true);
    expect(people.some((p) => p.lastName.length >= 20)).toBe(true);
  });

  it('have several ICD-10 codes of the right shape and NPIs with valid and invalid check digits as recorded', () => {
    expect(people.some((p) => p.icd10.length >= 3)).toBe(true);
    for (const p of people) for (const c of p.icd10) expect(c).toMatch(/^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$/);
    for (const p of people) expect(isValidNpi(p.provider.npi)).toBe(p.provider.npiValid);
    const invalid = people.filter((p) => !p.provider.npiValid).length;
    expect(invalid).toBeGreaterThan(20);
    expect(invalid).toBeLessThan(120);
  });

  it('is reproducible from the seed and takes overrides', () => {
    const a = makePatient(new Rng(5));
    const b = makePatient(new Rng(5));
    expect(a).toEqual(b);
    const c = makePatient(new Rng(5), { overrides: { lastName: 'Testperson', provider: { npi: '1234567893' } } });
    expect(c.lastName).toBe('Testperson');
    expect(c.provider.npi).toBe('1234567893');
    expect(c.firstName).toBe(a.firstName);
  });

  it('of a Pap requisition are nearly all women; the share moves only the sex, every other draw stays', () => {
    const general = Array.from({ length: 400 }, (_, i) => makePatient(new Rng(`p${i}`)));
    const pap = Array.from({ length: 400 }, (_, i) => makePatient(new Rng(`p${i}`), { femaleShare: 0.95 }));
    const women = (ps: typeof pap) => ps.filter((p) => p.sex === 'F').length;
    expect(women(general)).toBeLessThan(280);
    expect(women(pap)).toBeGreaterThan(360);
    expect(women(pap)).toBeLessThan(400);
    pap.forEach((p, i) => {
      const g = general[i]!;
      expect({ ...p, sex: null, firstName: null, middleName: null }).toEqual({ ...g, sex: null, firstName: null, middleName: null });
      if (g.sex === 'F') expect(p).toEqual(g);
    });
  });
});
