import { describe, expect, it } from 'vitest';
import { decodeHl7Bytes, header, parseHl7, parseHl7Bytes, repetitionCount, segmentsNamed, value } from './parse.ts';

const msg = (...segments: string[]) => segments.join('\r');

describe('parseHl7', () => {
  it('reads fields, components, repetitions and escapes by HL7 numbering', () => {
    const r = parseHl7(msg(
      'MSH|^~\\&|SEND|FAC|RECV|RFAC|20250101120000||ACK^O21^ACK|CTRL-1|P|2.5.1',
      'PID|1||A1^^^^MR~B2^^^^JHN||O\\S\\Brien&Jr^Ann\\E\\',
      'MSA|AA|NX1|ok',
    ));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const m = r.message;
    expect(header(m)).toMatchObject({ messageCode: 'ACK', triggerEvent: 'O21', controlId: 'CTRL-1', version: '2.5.1', sendingApplication: 'SEND' });
    const pid = segmentsNamed(m, 'PID')[0]!;
    expect(repetitionCount(m, pid, 3)).toBe(2);
    expect(value(m, pid, 3, { rep: 2 })).toBe('B2');
    expect(value(m, pid, 3, { rep: 2, comp: 5 })).toBe('JHN');
    expect(value(m, pid, 5, { comp: 1 })).toBe('O^Brien');
    expect(value(m, pid, 5, { comp: 1, sub: 2 })).toBe('Jr');
    expect(value(m, pid, 5, { comp: 2 })).toBe('Ann\\');
    expect(value(m, m.segments[0]!, 1)).toBe('|');
    expect(value(m, m.segments[0]!, 2)).toBe('^~\\&');
    expect(m.problems).toEqual([]);
  });

  it('uses the delimiters the message declares', () => {
    const r = parseHl7('MSH!@*$%!A!B!C!D!2025!!ORM@O01!X9!P!2.3\rPID!1!!ID1@@@@MR*ID2!!Last@First$F$');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const pid = r.message.segments[1]!;
    expect(value(r.message, pid, 3, { rep: 2 })).toBe('ID2');
    expect(value(r.message, pid, 5, { comp: 2 })).toBe('First!');
  });

  it('accepts LF and CRLF separators and says so', () => {
    for (const sep of ['\n', '\r\n']) {
      const r = parseHl7(`MSH|^~\\&|A|B|C|D|2025||ACK|1|P|2.5.1${sep}MSA|AA|1${sep}`);
      expect(r.ok && r.message.segments.map((s) => s.name)).toEqual(['MSH', 'MSA']);
      expect(r.ok && r.message.problems.map((p) => p.code)).toEqual(['lf_segment_separator']);
    }
  });

  it('rejoins a raw line break inside a field instead of inventing a segment', () => {
    const r = parseHl7('MSH|^~\\&|A|B|C|D|2025||ORM^O01|1|P|2.3\rNTE|1|P|first line\nsecond line\rOBX|1|ST|X');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message.segments.map((s) => s.name)).toEqual(['MSH', 'NTE', 'OBX']);
    expect(value(r.message, r.message.segments[1]!, 3)).toBe('first line\nsecond line');
    expect(r.message.problems.map((p) => p.code)).toContain('segment_continuation');
  });

  it('splits segments run together on one line, only at known segment ids', () => {
    const r = parseHl7('MSH|^~\\&|A|B|C|D|2025||ORM^O01|1|P|2.3\rIN1|1|X^AETNA PLAN PPO|Y OBX|1|ST|Z');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message.segments.map((s) => s.name)).toEqual(['MSH', 'IN1', 'OBX']);
    expect(value(r.message, r.message.segments[1]!, 2, { comp: 2 })).toBe('AETNA PLAN PPO');
    expect(value(r.message, r.message.segments[1]!, 3)).toBe('Y');
    expect(r.message.problems.map((p) => p.code)).toContain('run_together_segments');
  });

  it('tolerates NUL, whitespace and a BOM before MSH but nothing else', () => {
    expect(parseHl7('\0\0\uFEFF\r\nMSH|^~\\&|A|B|C|D|2025||ACK|1|P|2.5.1').ok).toBe(true);
    const bad = parseHl7('garbage MSH|^~\\&|A');
    expect(bad).toMatchObject({ ok: false, error: 'text before MSH is not whitespace' });
  });

  it('gives a stated error, never an exception, on hopeless input', () => {
    for (const input of ['', 'hello', 'MSH', 'MSHA^~\\&|', 'PID|1\rMSH|^~\\&|', '\x1c\x0d', 'MSH|^^\\&|A']) {
      const r = parseHl7(input);
      expect(r.ok, JSON.stringify(input)).toBe(false);
      if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
    }
  });

  it('assumes standard encoding characters when MSH-2 is short, and reports it', () => {
    for (const input of ['MSH|^~|A|B|C|D|2025||ACK|1|P|2.5.1\rMSA|AA|1', 'MSH|||||']) {
      const r = parseHl7(input);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.message.problems.map((p) => p.code)).toContain('missing_encoding_characters');
    }
  });

  it('reports a control character inside a segment', () => {
    const r = parseHl7('MSH|^~\\&|A|B|C|D|2025||ACK|1|P|2.5.1\rMSA|AA|1\x0b');
    expect(r.ok && r.message.problems.map((p) => p.code)).toContain('control_character');
  });
});

describe('decodeHl7Bytes', () => {
  const base = (msh18: string, body: Buffer) =>
    Buffer.concat([Buffer.from(`MSH|^~\\&|A|B|C|D|2025||ORM^O01|1|P|2.3||||||${msh18}\rNTE|1||`, 'latin1'), body]);

  it('decodes by MSH-18', () => {
    expect(decodeHl7Bytes(base('UNICODE UTF-8', Buffer.from('Zoë', 'utf8'))).text).toContain('Zoë');
    expect(decodeHl7Bytes(base('8859/1', Buffer.from([0x5a, 0x6f, 0xeb]))).text).toContain('Zoë');
  });

  it('reads undeclared non-UTF-8 bytes as Windows-1252 and reports it', () => {
    const d = decodeHl7Bytes(base('', Buffer.from([0x93, 0x5a, 0x6f, 0xeb, 0x94])));
    expect(d.text).toContain('\u201cZoë\u201d');
    expect(d.problems.map((p) => p.code)).toEqual(['undeclared_charset_not_utf8']);
  });

  it('decodes hex escapes in the message character set', () => {
    const r = parseHl7Bytes(base('8859/1', Buffer.from('Zo\\XEB\\', 'latin1')));
    expect(r.ok && value(r.message, r.message.segments[1]!, 3)).toBe('Zoë');
  });
});
