/**
 * Building blocks for writing segments. Text only becomes part of a segment through `text()`,
 * which escapes it; structure (components, subcomponents, repetitions) is added by the other
 * helpers. The `Encoded` brand makes "forgot to escape" a type error, not a corrupted order.
 */
import { escapeText, STANDARD_DELIMITERS } from './escape.ts';

declare const encodedBrand: unique symbol;
/** A piece of segment text that is already escaped and delimited. */
export type Encoded = string & { readonly [encodedBrand]: true };

const d = STANDARD_DELIMITERS;

export const EMPTY = '' as Encoded;

/** A confirmed value (or a constant), escaped. `null` is an empty value, never HL7's `""`. */
export function text(value: string | null | undefined): Encoded {
  return (value == null ? '' : escapeText(value, d)) as Encoded;
}

function joinTrimmed(parts: readonly Encoded[], sep: string): Encoded {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end -= 1;
  return parts.slice(0, end).join(sep) as Encoded;
}

/** Components of one field value, e.g. `code^name^L`. Trailing empty components are dropped. */
export function components(...parts: Encoded[]): Encoded {
  return joinTrimmed(parts, d.component);
}

/** Subcomponents inside one component, e.g. `NPI&2.16.840.1.113883.4.6&ISO`. */
export function subcomponents(...parts: Encoded[]): Encoded {
  return joinTrimmed(parts, d.subcomponent);
}

/** Repetitions of a field; empty repetitions are dropped (no trailing `~`). */
export function repetitions(...parts: Encoded[]): Encoded {
  return parts.filter((p) => p !== '').join(d.repetition) as Encoded;
}

/**
 * A segment from its fields by HL7 field number (`{ 3: ..., 5: ... }`), so no field lands in
 * the wrong place by a miscounted `|`. Trailing empty fields are dropped.
 */
export function segment(name: string, fields: Readonly<Record<number, Encoded | undefined>>): Encoded {
  if (!/^[A-Z][A-Z0-9]{2}$/.test(name) || name === 'MSH') throw new Error(`not a segment name for segment(): ${name}`);
  const numbers = Object.keys(fields).map(Number);
  const last = Math.max(0, ...numbers);
  const out: Encoded[] = [name as Encoded];
  for (let n = 1; n <= last; n += 1) out.push(fields[n] ?? EMPTY);
  return joinTrimmed(out, d.field);
}

/** MSH, whose first two fields are the delimiters themselves. Fields from MSH-3 on. */
export function mshSegment(fields: Readonly<Record<number, Encoded | undefined>>): Encoded {
  const numbers = Object.keys(fields).map(Number);
  if (numbers.some((n) => n < 3)) throw new Error('MSH-1 and MSH-2 are fixed');
  const last = Math.max(2, ...numbers);
  const out: string[] = ['MSH', `${d.component}${d.repetition}${d.escape}${d.subcomponent}`];
  for (let n = 3; n <= last; n += 1) out.push(fields[n] ?? EMPTY);
  return joinTrimmed(out as Encoded[], d.field);
}
