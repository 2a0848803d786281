import { describe, expect, it } from 'vitest';
import { escapeText, STANDARD_DELIMITERS, type UnescapeProblem, unescapeText } from './escape.ts';

describe('escapeText', () => {
  it('escapes each delimiter with its own sequence', () => {
    expect(escapeText('a|b^c&d~e\\f')).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f');
  });

  it('writes a value that is only a backslash as \\E\\', () => {
    expect(escapeText('\\')).toBe('\\E\\');
    expect(unescapeText(escapeText('\\'))).toBe('\\');
  });

  it('writes line breaks as one hex escape per run, keeping CR versus CRLF', () => {
    expect(escapeText('line 1\r\nline 2\nline 3')).toBe('line 1\\X0D0A\\line 2\\X0A\\line 3');
  });

  it('escapes the MLLP framing bytes so a value can never end a frame', () => {
    const out = escapeText('a\x0bb\x1cc\x00');
    expect(out).not.toMatch(/[\x00-\x1f]/);
    expect(unescapeText(out)).toBe('a\x0bb\x1cc\x00');
  });

  it('keeps tab and non-ASCII text as they are', () => {
    expect(escapeText('Ã‰lodie\tZoë 李')).toBe('Ã‰lodie\tZoë 李');
  });

  it('does not let a value read as the HL7 null ""', () => {
    expect(escapeText('""')).toBe('\\X2222\\');
    expect(unescapeText('\\X2222\\')).toBe('""');
    expect(escapeText('"a"')).toBe('"a"');
  });

  it('round-trips awkward values exactly', () => {
    const values = ['\\', '\\\\', '\\E\\', '\\F\\', '|', '^^^', '&&', '~', ' leading and trailing ', 'O\'Brien-Smith', 'Renée Œuvre', '😀 emoji', 'a\r\nb\rc\nd', '\\X0D\\', '\\.br\\', 'end\\'];
    for (const v of values) expect(unescapeText(escapeText(v))).toBe(v);
  });
});

describe('unescapeText', () => {
  it('reads other senders\' escapes: \\.br\\ as a line break, hex as UTF-8', () => {
    expect(unescapeText('a\\.br\\b')).toBe('a\nb');
    expect(unescapeText('caf\\XC3A9\\')).toBe('café');
  });

  it('keeps unknown or broken escapes verbatim and reports them without the text', () => {
    const problems: UnescapeProblem[] = [];
    expect(unescapeText('\\H\\bold\\N\\', STANDARD_DELIMITERS, problems)).toBe('\\H\\bold\\N\\');
    expect(unescapeText('x\\X0\\y', STANDARD_DELIMITERS, problems)).toBe('x\\X0\\y');
    expect(unescapeText('trailing\\', STANDARD_DELIMITERS, problems)).toBe('trailing\\');
    expect(problems.map((p) => p.code)).toEqual(['unknown_escape', 'unknown_escape', 'bad_hex_escape', 'unterminated_escape']);
  });

  it('uses the message\'s own delimiters', () => {
    const d = { field: '!', component: '@', repetition: '*', escape: '$', subcomponent: '%' };
    expect(escapeText('a!b$c', d)).toBe('a$F$b$E$c');
    expect(unescapeText('a$F$b$E$c', d)).toBe('a!b$c');
  });
});
