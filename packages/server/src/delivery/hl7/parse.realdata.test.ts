/**
 * Robustness over real HL7 order messages from the field (CDC trusted-intermediary examples,
 * LF-separated, some deliberately malformed): every file parses without an exception, and what
 * can be read is read correctly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HL7_ORDERS_DIR } from '../testing/fixtures.ts';
import { parseHl7DateTime } from './dates.ts';
import { firstSegment, header, parseHl7Bytes, segmentsNamed, value } from './parse.ts';

const files = fs.readdirSync(HL7_ORDERS_DIR).filter((f) => f.endsWith('.hl7')).sort();
const read = (f: string) => fs.readFileSync(path.join(HL7_ORDERS_DIR, f));
const parse = (f: string) => {
  const r = parseHl7Bytes(read(f));
  if (!r.ok) throw new Error(`${f}: ${r.error}`);
  return r.message;
};

describe('real HL7 order messages', () => {
  it('finds the 22 files', () => {
    expect(files.length).toBe(22);
  });

  it.each(files)('%s parses, with MSH read as a naive split reads it', (f) => {
    const bytes = read(f);
    const m = parse(f);
    const firstLine = bytes.toString('latin1').split('\n')[0]!.split('|');
    const h = header(m);
    expect(h.controlId).toBe(firstLine[9]);
    expect([h.messageCode, h.triggerEvent, h.structure].filter(Boolean).join('^')).toBe(firstLine[8]);
    expect(h.version).toBe(firstLine[11]);
    expect(m.problems.map((p) => p.code)).toContain('lf_segment_separator');
    for (const s of m.segments) expect(s.name).toMatch(/^[A-Z][A-Z0-9]{2}$/);
    expect(segmentsNamed(m, 'MSH')).toHaveLength(1);
    expect(segmentsNamed(m, 'PID')).toHaveLength(1);
    // No segment is lost: every line that starts a segment is one.
    const lineStarts = bytes.toString('latin1').split('\n').filter((l) => /^[A-Z][A-Z0-9]{2}\|/.test(l)).length;
    expect(m.segments.length).toBeGreaterThanOrEqual(lineStarts);
  });

  it('splits the run-together segments of 001_CA into all 13 OBX, in order', () => {
    const m = parse('001_CA_OML_O21.hl7');
    const obx = segmentsNamed(m, 'OBX');
    expect(obx.map((s) => value(m, s, 1))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13']);
    expect(m.problems.filter((p) => p.code === 'run_together_segments').map((p) => p.line)).toEqual([6, 14]);
    const obr = firstSegment(m, 'OBR')!;
    expect(value(m, obr, 10, { comp: 3 })).toBe('TESTFIRSTNAME');
    expect(value(m, obx[1]!, 5, { comp: 2 })).toBe('Initial Screen');
  });

  it('does not split a value that merely ends in three capitals (PPO|, NEW|)', () => {
    const epic = parse('001_Epic_ORM_O01.hl7');
    expect(segmentsNamed(epic, 'IN1')).toHaveLength(1);
    expect(value(epic, firstSegment(epic, 'IN1')!, 2, { comp: 2 })).toBe('AETNA MEDICARE PLAN PPO');
    const oracle = parse('005_Oracle_ORM_O01_2_3_non_NBS.hl7');
    expect(value(oracle, firstSegment(oracle, 'PID')!, 2, { comp: 6 })).toBe('HBOC STAR NEW');
  });

  it('keeps the raw line break inside OBR-4 of 001_TX as part of the test name', () => {
    const m = parse('001_TX_OML_O21.hl7');
    const obr = firstSegment(m, 'OBR')!;
    expect(value(m, obr, 4, { comp: 2 })).toBe('Newborn screening\npanel AHIC');
    expect(m.problems.map((p) => p.code)).toContain('segment_continuation');
  });

  it('reads DG1 codes as written (Epic ORM^O01)', () => {
    const m = parse('001_Epic_ORM_O01.hl7');
    expect(segmentsNamed(m, 'DG1').map((s) => value(m, s, 3))).toEqual(['Z00.00', 'E11.51']);
  });

  it('reports the malformed DTM of Test_011 as a stated error, and reads the rest', () => {
    const m = parse('Test_011_AL_ORM_O01_malformed_DTM_datatype_0_initial_message.hl7');
    const obx = firstSegment(m, 'OBX')!;
    expect(value(m, obx, 2)).toBe('DTM');
    const dtm = parseHl7DateTime(value(m, obx, 5));
    expect(dtm.ok).toBe(false);
    const ok = parseHl7DateTime(value(m, obx, 14));
    expect(ok.ok && ok.value.offsetMinutes).toBe(-300);
    expect(value(m, firstSegment(m, 'NTE')!, 3)).toBe('note 1');
  });

  it('reads the malformed XAD of Test_012 as one unsplit component', () => {
    const m = parse('Test_012_AL_ORM_O01_malformed_XAD_datatype_0_initial_message.hl7');
    const obx = firstSegment(m, 'OBX')!;
    expect(value(m, obx, 5, { comp: 1 })).toBe('1234 GPCS WAY MONTGOMERY Alabama 36117');
    expect(value(m, obx, 5, { comp: 3 })).toBe('');
  });

  it('decodes messages that declare 8859/1', () => {
    const m = parse('005_Oracle_ORM_O01_2_3_non_NBS.hl7');
    expect(header(m).charset).toBe('8859/1');
  });

  it('survives every file cut at every 97th byte (truncated transmissions)', () => {
    let parsed = 0;
    let refused = 0;
    for (const f of files) {
      const bytes = read(f);
      for (let cut = 0; cut < bytes.length; cut += 97) {
        const r = parseHl7Bytes(bytes.subarray(0, cut));
        if (r.ok) parsed += 1;
        else refused += 1;
      }
    }
    expect(parsed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
