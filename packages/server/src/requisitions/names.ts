/**
 * A name written in one field, split into family and given names only the way the form itself
 * asks for it ("ORDERING PROVIDER (LAST, FIRST)": format `LAST, FIRST`), like dates are read
 * only in the form's own format. Split when the value has exactly one comma and text on both
 * sides; anything else ("Dr. Margaret Huang", "HUANG MARGARET", "HUANG, M, MD") goes whole, as
 * written: never split by guess (rule 2).
 */
export interface SplitName {
  last: string;
  first: string;
}

export function splitNameByFormat(value: string, format: string | undefined): SplitName | null {
  if (!format || format.replace(/\s+/g, ' ').trim().toUpperCase() !== 'LAST, FIRST') return null;
  const parts = value.split(',');
  if (parts.length !== 2) return null;
  const last = parts[0]!.trim();
  const first = parts[1]!.trim();
  return last && first ? { last, first } : null;
}
