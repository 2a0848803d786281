import { describe, expect, it } from 'vitest';
import { checkText, npiCheckDigitValid } from './checkText.ts';

const codes = (type: Parameters<typeof checkText>[0], text: string, format?: string): string[] => checkText(type, text, format).flags.map((f) => f.code);

describe('checkText', () => {
  it('checks the NPI check digit with the 80840 prefix (Luhn)', () => {
    // 1234567893 is the example NPI of the CMS standard; changing its last digit breaks it.
    expect(npiCheckDigitValid('1234567893')).toBe(true);
    expect(npiCheckDigitValid('1245319599')).toBe(true);
    expect(npiCheckDigitValid('1234567890')).toBe(false);
    expect(codes('npi', '1234567893')).toEqual([]);
    expect(checkText('npi', '1234567890').flags[0]).toEqual({ code: 'npi_check_digit', message: 'NPI check digit fails' });
    expect(codes('npi', '123456789')).toEqual(['npi_length']);
    expect(codes('npi', '12345678O3')).toEqual(['npi_characters']);
  });

  it('checks ICD-10 shapes, never alters or completes a code', () => {
    expect(codes('icd10_list', 'E11.9, I10; Z00.00')).toEqual([]);
    expect(codes('icd10_list', 'E119 R73.03')).toEqual([]);
    const r = checkText('icd10_list', 'E11.9, 250.00, 1I0');
    expect(r.flags).toHaveLength(1);
    expect(r.flags[0]!.message).toBe('2 of 3 code(s) do not have the shape of an ICD-10 code (position 2, 3)');
    expect(r.parsed).toBeUndefined();
  });

  it('parses dates only by the form\'s order, and flags what does not fit', () => {
    expect(checkText('date', '2024/03/15', 'YYYY/MM/DD')).toEqual({ flags: [], parsed: '2024-03-15' });
    expect(checkText('date', '03/15/2024', 'MM/DD/YYYY')).toEqual({ flags: [], parsed: '2024-03-15' });
    expect(codes('date', '2024/02/30', 'YYYY/MM/DD')).toEqual(['date_invalid']);
    expect(codes('date', '24/03/15', 'YYYY/MM/DD')).toEqual(['date_format']);
    expect(codes('date', '03/04/2024')).toEqual(['date_ambiguous']);
    expect(checkText('date', '13/04/2024')).toEqual({ flags: [], parsed: '2024-04-13' });
    expect(checkText('date', '5 Mar 2024')).toEqual({ flags: [], parsed: '2024-03-05' });
    expect(checkText('date', '2023-02-29').flags.map((f) => f.code)).toEqual(['date_invalid']);
  });

  it('checks times, phones, postal codes, digits, names', () => {
    expect(checkText('time', '14:30')).toEqual({ flags: [], parsed: '14:30' });
    expect(checkText('time', '2.15 pm')).toEqual({ flags: [], parsed: '14:15' });
    expect(codes('time', '25:00')).toEqual(['time_invalid']);
    expect(codes('phone', '(416) 555-0123')).toEqual([]);
    expect(codes('phone', '416-555-012')).toEqual(['phone_digits']);
    expect(codes('phone', '1 416 555 0123 ext 22')).toEqual([]);
    expect(codes('postal_code', 'M5V 2T6')).toEqual([]);
    expect(codes('postal_code', 'MSV 2T6')).toEqual(['postal_code_shape']);
    expect(codes('postal_code', '90210-1234')).toEqual([]);
    expect(codes('digits', '1975', 'YYYY')).toEqual([]);
    expect(codes('digits', '13', 'MM')).toEqual(['month_range']);
    expect(codes('digits', '1O', 'DD')).toEqual(['digits_characters']);
    expect(codes('name', "O'Brien-Smith")).toEqual([]);
    expect(codes('name', 'José Nuñez')).toEqual([]);
    expect(codes('name', 'Sm1th')).toEqual(['name_digits']);
    expect(codes('identifier', '1234-567-890 AB')).toEqual([]);
    expect(codes('free', 'anything at all: 123 !?')).toEqual([]);
  });

  it('never repeats the value in a message', () => {
    for (const [type, text] of [['npi', '1234567890'], ['phone', '555-12'], ['postal_code', 'ZZZ ZZZ'], ['date', '31/31/2024']] as const) {
      for (const f of checkText(type, text).flags) expect(f.message).not.toContain(text);
    }
  });
});
