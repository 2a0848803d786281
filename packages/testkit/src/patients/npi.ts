/**
 * NPI check digit: Luhn over the prefix 80840 followed by the first nine digits
 * (CMS, "Requirements for NPI check digit"). Used to make NPIs with valid and with deliberately
 * wrong check digits; the reader must flag the wrong ones, never correct them.
 */
export function npiCheckDigit(first9: string): number {
  if (!/^\d{9}$/.test(first9)) throw new Error('NPI body must be nine digits');
  const digits = `80840${first9}`;
  let sum = 0;
  // Double every second digit from the right of the full number (the check digit is rightmost).
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = Number(digits[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidNpi(npi: string): boolean {
  return /^\d{10}$/.test(npi) && npiCheckDigit(npi.slice(0, 9)) === Number(npi[9]);
}
