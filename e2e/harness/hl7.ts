/**
 * A deliberately independent reading of the HL7 the LIS received: split on CR, `|` and `^`
 * by hand, so the test does not trust the product's own parser to check the product's builder.
 */
export interface Segment {
  name: string;
  fields: string[];
}

export function segments(raw: string): Segment[] {
  return raw
    .split('\r')
    .filter((s) => s.length > 0)
    .map((s) => {
      const fields = s.split('|');
      // MSH-1 is the field separator itself; keep numbering HL7's way (MSH-2 = fields[1]).
      return { name: fields[0]!, fields: fields[0] === 'MSH' ? ['MSH', '|', ...fields.slice(1)] : fields };
    });
}

export function field(seg: Segment, n: number): string {
  return seg.fields[n] ?? '';
}

export function component(seg: Segment, n: number, c: number): string {
  return field(seg, n).split('^')[c - 1] ?? '';
}

/** HL7 v2 unescape for the standard delimiters; enough for the values the test compares. */
export function unescape(v: string): string {
  return v
    .replace(/\\F\\/g, '|')
    .replace(/\\S\\/g, '^')
    .replace(/\\T\\/g, '&')
    .replace(/\\R\\/g, '~')
    .replace(/\\E\\/g, '\\');
}
