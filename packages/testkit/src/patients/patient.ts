import type { Rng } from '../random.ts';
import { npiCheckDigit } from './npi.ts';
import * as V from './vocabulary.ts';

export interface SyntheticDate {
  year: number;
  month: number;
  day: number;
}

export interface SyntheticAddress {
  line: string;
  city: string;
  /** State or province code. */
  region: string;
  postalCode: string;
  country: 'US' | 'CA';
}

export interface SyntheticProvider {
  lastName: string;
  firstName: string;
  npi: string;
  npiValid: boolean;
  /** Ontario billing number (6 digits) for the Ontario form. */
  practitionerNumber: string;
  phone: string;
  fax: string;
  clinic: string;
  address: SyntheticAddress;
}

/** A person who does not exist, with everything a requisition asks about them. */
export interface SyntheticPatient {
  id: string;
  lastName: string;
  firstName: string;
  middleName: string | null;
  dob: SyntheticDate;
  sex: 'M' | 'F';
  mrn: string;
  phone: string;
  address: SyntheticAddress;
  /** Ontario-style health number (10 digits) and version code. */
  healthNumber: string;
  healthNumberVersion: string;
  insurance: { payer: string; memberId: string; groupNumber: string };
  icd10: string[];
  provider: SyntheticProvider;
}

export type PatientOverrides = Partial<Omit<SyntheticPatient, 'provider'>> & { provider?: Partial<SyntheticProvider> };

function phone(rng: Rng): string {
  // 555-01XX is reserved for fiction; area codes vary.
  const area = rng.pick(['217', '309', '608', '616', '614', '505', '210', '416', '613', '514', '819', '905']);
  const line = `01${rng.digits(2)}`;
  return rng.chance(0.5) ? `(${area}) 555-${line}` : `${area}-555-${line}`;
}

function usAddress(rng: Rng): SyntheticAddress {
  const [city, region, zip3] = rng.pick(V.US_CITIES);
  let line = `${rng.int(1, 9899)} ${rng.pick(V.US_STREETS)} ${rng.pick(V.US_SUFFIX)}`;
  if (rng.chance(0.25)) line += ` Apt ${rng.int(1, 40)}${rng.pick(['', 'A', 'B'])}`;
  return { line, city, region, postalCode: `${zip3}${rng.digits(2)}`, country: 'US' };
}

function caAddress(rng: Rng): SyntheticAddress {
  const [city, region, fsa] = rng.pick(V.CA_CITIES);
  const letter = () => rng.letters(1, 'ABCEGHJKLMNPRSTVWXYZ');
  const postalCode = `${fsa}${rng.int(0, 9)}${letter()} ${rng.int(0, 9)}${letter()}${rng.int(0, 9)}`;
  const street = rng.pick(V.CA_STREETS);
  const line = street.startsWith('rue') || street.startsWith('boul') || street.startsWith('ch.') || street.startsWith('av.')
    ? `${rng.int(1, 4999)}, ${street}`
    : `${rng.int(1, 4999)} ${street}`;
  return { line: rng.chance(0.2) ? `${line} Unit ${rng.int(1, 30)}` : line, city, region, postalCode, country: 'CA' };
}

function date(rng: Rng, fromYear: number, toYear: number): SyntheticDate {
  const year = rng.int(fromYear, toYear);
  const month = rng.int(1, 12);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { year, month, day: rng.int(1, days) };
}

function npi(rng: Rng, valid: boolean): string {
  const body = `${rng.pick(['1', '2'])}${rng.digits(8)}`;
  const check = npiCheckDigit(body);
  return `${body}${valid ? check : (check + rng.int(1, 9)) % 10}`;
}

/** Share of women among the patients of a general requisition. */
export const FEMALE_SHARE = 0.55;

/**
 * A synthetic person; `country` decides the address style (the Ontario form gets Canadians);
 * `femaleShare` who the form is sent for (a Pap requisition nearly always for a woman). The draws
 * are the same whatever the share: only the outcome of the sex draw moves.
 */
export function makePatient(rng: Rng, opts: { country?: 'US' | 'CA'; overrides?: PatientOverrides; femaleShare?: number } = {}): SyntheticPatient {
  const sex: 'M' | 'F' = rng.chance(opts.femaleShare ?? FEMALE_SHARE) ? 'F' : 'M';
  const given = sex === 'F' ? V.GIVEN_F : V.GIVEN_M;
  const country = opts.country ?? (rng.chance(0.8) ? 'US' : 'CA');
  const npiValid = rng.chance(0.85);
  const providerAddress = country === 'US' ? usAddress(rng) : caAddress(rng);
  const provider: SyntheticProvider = {
    lastName: rng.pick(V.SURNAMES),
    firstName: rng.pick(rng.chance(0.5) ? V.GIVEN_F : V.GIVEN_M),
    npi: npi(rng, npiValid),
    npiValid,
    practitionerNumber: rng.digits(6),
    phone: phone(rng),
    fax: phone(rng),
    clinic: rng.pick(V.CLINICS),
    address: providerAddress,
  };
  const patient: SyntheticPatient = {
    id: `SYN-${rng.letters(3)}${rng.digits(5)}`,
    lastName: rng.chance(0.12) ? `${rng.pick(V.SURNAMES).split('-')[0]}-${rng.pick(V.SURNAMES).split('-')[0]}` : rng.pick(V.SURNAMES),
    firstName: rng.pick(given),
    middleName: rng.chance(0.35) ? null : rng.chance(0.3) ? rng.letters(1) : rng.pick(given),
    dob: date(rng, 1925, 2024),
    sex,
    mrn: rng.pick([() => `MRN${rng.digits(7)}`, () => `${rng.letters(1)}${rng.digits(8)}`, () => `${rng.digits(3)}-${rng.digits(4)}-${rng.digits(2)}`])(),
    phone: phone(rng),
    address: country === 'US' ? usAddress(rng) : caAddress(rng),
    healthNumber: rng.digits(10),
    healthNumberVersion: rng.letters(2, 'ABCDEFGHJKLMNPRSTVWXYZ'),
    insurance: {
      payer: rng.pick(V.PAYERS),
      memberId: rng.pick([() => `${rng.letters(3)}${rng.digits(9)}`, () => `${rng.digits(3)}-${rng.digits(2)}-${rng.digits(4)}A`, () => `M${rng.digits(10)}`])(),
      groupNumber: rng.pick([() => `GRP-${rng.digits(5)}`, () => rng.digits(6), () => `${rng.letters(2)}${rng.digits(4)}`])(),
    },
    icd10: rng.sample(V.ICD10, rng.weighted([[1, 4], [2, 4], [3, 2], [4, 1]] as const)),
    provider,
  };
  const o = opts.overrides;
  if (!o) return patient;
  const { provider: providerOverrides, ...rest } = o;
  return { ...patient, ...rest, provider: { ...provider, ...providerOverrides } };
}
