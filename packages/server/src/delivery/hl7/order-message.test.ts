import { describe, expect, it } from 'vitest';
import type { ConfirmedOrder } from '../order.ts';
import { syntheticConnection, syntheticOrder } from '../testing/fixtures.ts';
import { buildOrderMessage, OrderMessageError, parseImagePointer } from './order-message.ts';
import { firstSegment, header, type Hl7Message, type Hl7Segment, parseHl7, parseHl7Bytes, repetitionCount, segmentsNamed, value } from './parse.ts';

function parse(text: string): Hl7Message {
  const r = parseHl7Bytes(Buffer.from(text, 'utf8'));
  if (!r.ok) throw new Error(r.error);
  expect(r.message.problems).toEqual([]);
  return r.message;
}

/** Splits a message into order groups (ORC ... up to the next ORC). */
function orderGroups(m: Hl7Message): Hl7Segment[][] {
  const groups: Hl7Segment[][] = [];
  for (const s of m.segments) {
    if (s.name === 'ORC') groups.push([s]);
    else groups.at(-1)?.push(s);
  }
  return groups;
}

describe('buildOrderMessage, OML^O21 v2.5.1', () => {
  it('writes the golden message for the synthetic order', () => {
    const text = buildOrderMessage(syntheticOrder({ tests: [{ code: '1234', name: 'CBC w/ Diff' }], pap: null }), syntheticConnection());
    expect(text.split('\r')).toEqual([
      'MSH|^~\\&|NEXESSION|OUTREACH-LAB|LIS|CORE-LAB|20250304150607+0000||OML^O21^OML_O21|NX000000000123|P|2.5.1||||||UNICODE UTF-8',
      'PID|1||MRN-55501^^^^MR||Testperson^Alexandra^Q^^^^L||19840229|F|||12 Synthetic Way^^Springfield^IL^62701^USA||(555) 010-2233^PRN^PH',
      'PV1|1|O',
      'IN1|1|||Example Health Plan||||GRP-42|||||||commercial|||||||||||||||||||||XZ123456789',
      'ORC|NW|REQ000123-1^NEXESSION||REQ000123^NEXESSION|||||20250304150607+0000|||1234567893^Fictional^Morgan^^^^^^NPI&2.16.840.1.113883.4.6&ISO^L^^^NPI||555-010-9999^PRN^PH||||||||||1 Clinic Plaza, Springfield',
      'TQ1|1||||||||S',
      'OBR|1|REQ000123-1^NEXESSION||1234^CBC w/ Diff^L|||202503040915|||||||||1234567893^Fictional^Morgan^^^^^^NPI&2.16.840.1.113883.4.6&ISO^L^^^NPI|555-010-9999^PRN^PH',
      'NTE|1|P|Patient fasting since 22:00',
      'DG1|1||Z01.419^^I10|||W',
      'DG1|2||N89.8^^I10|||W',
      'OBX|1|RP|NXREQIMG^Requisition image^L|1|urn:nexession:document:0b7c3f0e-9d51-4c1a-8f1e-2a3b4c5d6e7f#sha256=a3f1c2d4e5b6978812345678901234567890abcdefabcdefabcdefabcdef0123^NEXESSION^IM||||||O',
      'SPM|1|||^Cervix|||||||||||||202503040915',
      '',
    ]);
  });

  it('carries PID, OBR, DG1 and OBX values equal to the confirmed order', () => {
    const order = syntheticOrder();
    const m = parse(buildOrderMessage(order, syntheticConnection()));
    expect(header(m)).toMatchObject({ messageCode: 'OML', triggerEvent: 'O21', structure: 'OML_O21', version: '2.5.1', controlId: order.controlId, charset: 'UNICODE UTF-8', processingId: 'P' });
    const pid = firstSegment(m, 'PID')!;
    expect(value(m, pid, 3, { rep: 1 })).toBe(order.patient.mrn);
    expect(value(m, pid, 3, { rep: 1, comp: 5 })).toBe('MR');
    expect(value(m, pid, 5, { comp: 1 })).toBe(order.patient.lastName);
    expect(value(m, pid, 5, { comp: 2 })).toBe(order.patient.firstName);
    expect(value(m, pid, 5, { comp: 3 })).toBe(order.patient.middleName);
    expect(value(m, pid, 7)).toBe('19840229');
    expect(value(m, pid, 8)).toBe(order.patient.sex);
    expect(value(m, pid, 11, { comp: 3 })).toBe(order.patient.address!.city);
    expect(value(m, pid, 13)).toBe(order.patient.phone);

    const groups = orderGroups(m);
    expect(groups).toHaveLength(order.tests.length);
    groups.forEach((g, i) => {
      const names = g.map((s) => s.name);
      expect(names[0]).toBe('ORC');
      expect(names[1]).toBe('TQ1');
      expect(names[2]).toBe('OBR');
      expect(names.at(-1)).toBe('SPM');
      const [orc, tq1, obr] = g as [Hl7Segment, Hl7Segment, Hl7Segment];
      expect(value(m, orc, 1)).toBe('NW');
      expect(value(m, orc, 2)).toBe(`${order.placerOrderNumber}-${i + 1}`);
      expect(value(m, orc, 4)).toBe(order.placerOrderNumber);
      expect(value(m, tq1, 9)).toBe('S');
      expect(value(m, obr, 4, { comp: 1 })).toBe(order.tests[i]!.code);
      expect(value(m, obr, 4, { comp: 2 })).toBe(order.tests[i]!.name);
      expect(value(m, obr, 4, { comp: 3 })).toBe('L');
      expect(value(m, obr, 7)).toBe('202503040915');
      expect(value(m, obr, 16, { comp: 1 })).toBe(order.provider.npi);
      expect(value(m, obr, 16, { comp: 2 })).toBe(order.provider.lastName);
      expect(value(m, obr, 16, { comp: 3 })).toBe(order.provider.firstName);
      expect(value(m, obr, 16, { comp: 9, sub: 2 })).toBe('2.16.840.1.113883.4.6');
      expect(value(m, obr, 16, { comp: 13 })).toBe('NPI');
      const dg1 = g.filter((s) => s.name === 'DG1');
      expect(dg1.map((s) => value(m, s, 3, { comp: 1 }))).toEqual(order.icd10);
      expect(dg1.map((s) => value(m, s, 3, { comp: 3 }))).toEqual(order.icd10.map(() => 'I10'));
      expect(g.filter((s) => s.name === 'NTE').map((s) => value(m, s, 3))).toEqual(order.comments);
      const obx = g.filter((s) => s.name === 'OBX');
      const image = obx.filter((s) => value(m, s, 2) === 'RP');
      expect(image).toHaveLength(1);
      expect(value(m, image[0]!, 11)).toBe('O');
      expect(parseImagePointer(value(m, image[0]!, 5))).toEqual({ documentId: order.document.id, sha256: order.document.sha256 });
      const spm = g.at(-1)!;
      expect(value(m, spm, 4, { comp: 2 })).toBe(order.specimen.source);
      expect(value(m, spm, 17)).toBe('202503040915');
    });
  });

  it('puts the Pap answers under the gynecologic cytology test only', () => {
    const order = syntheticOrder();
    const m = parse(buildOrderMessage(order, syntheticConnection()));
    const [cbc, pap] = orderGroups(m) as [Hl7Segment[], Hl7Segment[]];
    const aoe = (g: Hl7Segment[]) => g.filter((s) => s.name === 'OBX' && value(m, s, 2) !== 'RP').map((s) => [value(m, s, 2), value(m, s, 3), value(m, s, 5), value(m, s, 11)]);
    expect(aoe(cbc)).toEqual([]);
    expect(aoe(pap)).toEqual([
      ['DT', 'NXPAPLMP', '20250214', 'O'],
      ['ID', 'NXPAPPRVABN', 'N', 'O'],
      ['ID', 'NXPAPPRVTX', 'N', 'O'],
      ['ID', 'NXPAPPRVBX', 'Y', 'O'],
    ]);
    expect(pap.filter((s) => s.name === 'OBX').map((s) => value(m, s, 1))).toEqual(['1', '2', '3', '4', '5']);
  });

  it('sends an LMP that is not a date as text, exactly as confirmed', () => {
    const order = syntheticOrder({ pap: { lmp: 'post-menopausal ^ 2019', previousAbnormal: 'N', previousTreatment: null, previousBiopsy: null } });
    const m = parse(buildOrderMessage(order, syntheticConnection()));
    const lmp = segmentsNamed(m, 'OBX').find((s) => value(m, s, 3) === 'NXPAPLMP')!;
    expect([value(m, lmp, 2), value(m, lmp, 5)]).toEqual(['ST', 'post-menopausal ^ 2019']);
    const partial = parse(buildOrderMessage(syntheticOrder({ pap: { lmp: '2025-02', previousAbnormal: null, previousTreatment: null, previousBiopsy: null } }), syntheticConnection()));
    const dt = segmentsNamed(partial, 'OBX').find((s) => value(partial, s, 3) === 'NXPAPLMP')!;
    expect([value(partial, dt, 2), value(partial, dt, 5)]).toEqual(['DT', '202502']);
  });

  it('escapes every delimiter, line breaks and accents, and reads them back unchanged', () => {
    const order = syntheticOrder({
      patient: {
        ...syntheticOrder().patient,
        lastName: '\\',
        firstName: 'Zoë|Ann^Marie',
        middleName: 'A&B~C',
        mrn: 'MR\\N|1',
        address: { line: 'Rue de l\'Église 3 ^ 2e étage', city: 'Montréal', state: 'QC', postalCode: 'H2X 1Y4', country: null },
      },
      provider: { ...syntheticOrder().provider, lastName: 'Ñúñez-O\'Brien', firstName: '&' },
      tests: [{ code: 'A^B', name: 'Test | with ~ all \\ & kinds', gynCytology: false }],
      icd10: ['R10.9', 'E11.9 ', '"'],
      comments: ['line one\r\nline two\nline three\rend', '""', '  spaced  '],
      specimen: { source: 'Swab ^ throat', collectionDate: '2025-03-04', collectionTime: null },
      pap: null,
    });
    const text = buildOrderMessage(order, syntheticConnection());
    // Only CR separates segments; no other control character is left raw.
    expect(text).not.toMatch(/[\x00-\x08\x0a-\x0c\x0e-\x1f]/);
    const m = parse(text);
    const pid = firstSegment(m, 'PID')!;
    expect(value(m, pid, 5, { comp: 1 })).toBe('\\');
    expect(value(m, pid, 5, { comp: 2 })).toBe('Zoë|Ann^Marie');
    expect(value(m, pid, 5, { comp: 3 })).toBe('A&B~C');
    expect(value(m, pid, 3)).toBe('MR\\N|1');
    expect(value(m, pid, 11, { comp: 1 })).toBe('Rue de l\'Église 3 ^ 2e étage');
    expect(value(m, pid, 11, { comp: 3 })).toBe('Montréal');
    const obr = firstSegment(m, 'OBR')!;
    expect(value(m, obr, 4, { comp: 1 })).toBe('A^B');
    expect(value(m, obr, 4, { comp: 2 })).toBe('Test | with ~ all \\ & kinds');
    expect(value(m, obr, 16, { comp: 2 })).toBe('Ñúñez-O\'Brien');
    expect(value(m, obr, 16, { comp: 3 })).toBe('&');
    expect(value(m, obr, 7)).toBe('20250304');
    expect(segmentsNamed(m, 'DG1').map((s) => value(m, s, 3))).toEqual(['R10.9', 'E11.9 ', '"']);
    expect(segmentsNamed(m, 'NTE').map((s) => value(m, s, 3))).toEqual(order.comments);
    expect(value(m, firstSegment(m, 'SPM')!, 4, { comp: 2 })).toBe('Swab ^ throat');
    // The wire form of the tricky ones, as HL7 spells them.
    expect(text).toContain('PID|1||MR\\E\\N\\F\\1^^^^MR||\\E\\^Zoë\\F\\Ann\\S\\Marie^A\\T\\B\\R\\C^^^^L');
    expect(text).toContain('NTE|1|P|line one\\X0D0A\\line two\\X0A\\line three\\X0D\\end');
    expect(text).toContain('NTE|2|P|\\X2222\\');
  });

  it('writes UTF-8 bytes that decode back to the same text', () => {
    const order = syntheticOrder({ patient: { ...syntheticOrder().patient, lastName: 'Łukasz-Ærø 李' } });
    const bytes = Buffer.from(buildOrderMessage(order, syntheticConnection()), 'utf8');
    const r = parseHl7Bytes(bytes);
    expect(r.ok && value(r.message, firstSegment(r.message, 'PID')!, 5)).toBe('Łukasz-Ærø 李');
  });

  it('leaves out what the person left blank, never writing HL7 nulls', () => {
    const base = syntheticOrder();
    const order = syntheticOrder({
      patient: { ...base.patient, middleName: null, mrn: null, phone: null, address: null, healthNumber: '1234567890', healthNumberVersion: 'AB' },
      provider: { name: 'Dr. R. Someone', lastName: null, firstName: null, npi: null, practitionerNumber: '012345', phone: null, address: null },
      insurance: null,
      tests: [{ code: 'TSH', name: 'TSH' }],
      icd10: [],
      comments: [],
      specimen: { source: null, collectionDate: null, collectionTime: null },
      pap: null,
      priority: 'routine',
    });
    const text = buildOrderMessage(order, syntheticConnection());
    expect(text).not.toContain('""');
    const m = parse(text);
    expect(segmentsNamed(m, 'IN1')).toHaveLength(0);
    expect(segmentsNamed(m, 'DG1')).toHaveLength(0);
    expect(segmentsNamed(m, 'NTE')).toHaveLength(0);
    expect(segmentsNamed(m, 'SPM')).toHaveLength(0);
    const pid = firstSegment(m, 'PID')!;
    expect(repetitionCount(m, pid, 3)).toBe(1);
    expect([value(m, pid, 3), value(m, pid, 3, { comp: 2 }), value(m, pid, 3, { comp: 5 })]).toEqual(['1234567890', 'AB', 'JHN']);
    const obr = firstSegment(m, 'OBR')!;
    expect([value(m, obr, 16), value(m, obr, 16, { comp: 2 }), value(m, obr, 16, { comp: 13 })]).toEqual(['012345', 'Dr. R. Someone', 'PRN']);
    expect(value(m, firstSegment(m, 'TQ1')!, 9)).toBe('R');
    expect(value(m, obr, 7)).toBe('');
  });

  it('points the image OBX at the reference URL when there is one', () => {
    const base = syntheticOrder();
    const order = syntheticOrder({ document: { ...base.document, referenceUrl: 'https://nexession.example/api/documents/x?a=1&b=2' } });
    const m = parse(buildOrderMessage(order, syntheticConnection()));
    const obx = segmentsNamed(m, 'OBX').find((s) => value(m, s, 2) === 'RP')!;
    expect(value(m, obx, 5, { comp: 2, sub: 1 })).toBe('NEXESSION');
    expect(value(m, obx, 5, { comp: 2, sub: 2 })).toBe('https://nexession.example/api/documents/x?a=1&b=2');
    expect(value(m, obx, 5, { comp: 2, sub: 3 })).toBe('URI');
    expect(value(m, obx, 5, { comp: 3 })).toBe('IM');
  });
});

describe('buildOrderMessage, ORM^O01 v2.3 profile', () => {
  it('writes priority in ORC-7/OBR-27, source in OBR-15, and no v2.5.1-only segments', () => {
    const order = syntheticOrder();
    const m = parse(buildOrderMessage(order, syntheticConnection({ profile: 'ORM_O01' })));
    expect(header(m)).toMatchObject({ messageCode: 'ORM', triggerEvent: 'O01', structure: '', version: '2.3', controlId: order.controlId });
    expect(segmentsNamed(m, 'TQ1')).toHaveLength(0);
    expect(segmentsNamed(m, 'SPM')).toHaveLength(0);
    const groups = orderGroups(m);
    expect(groups).toHaveLength(2);
    for (const [i, g] of groups.entries()) {
      const orc = g[0]!;
      const obr = g.find((s) => s.name === 'OBR')!;
      expect(value(m, orc, 7, { comp: 6 })).toBe('S');
      expect(value(m, orc, 24)).toBe('');
      expect(value(m, obr, 27, { comp: 6 })).toBe('S');
      expect(value(m, obr, 15, { sub: 2 })).toBe('Cervix');
      expect(value(m, obr, 4, { comp: 1 })).toBe(order.tests[i]!.code);
      expect(g.filter((s) => s.name === 'DG1').map((s) => [value(m, s, 2), value(m, s, 3)])).toEqual(order.icd10.map((c) => ['I10', c]));
      expect(g.filter((s) => s.name === 'OBX' && value(m, s, 2) === 'RP' && value(m, s, 11) === 'O')).toHaveLength(1);
    }
    expect(value(m, firstSegment(m, 'PID')!, 5)).toBe(order.patient.lastName);
  });
});

describe('buildOrderMessage refuses what it cannot write faithfully', () => {
  const cases: [string, Partial<ConfirmedOrder>, string][] = [
    ['an impossible date of birth', { patient: { ...syntheticOrder().patient, dob: '1985-02-29' } }, 'patient.dob'],
    ['a US-style date', { patient: { ...syntheticOrder().patient, dob: '02/03/1985' } }, 'patient.dob'],
    ['a lone surrogate', { patient: { ...syntheticOrder().patient, firstName: 'Ann\uD800' } }, 'patient.firstName'],
    ['a control id receivers cannot match', { controlId: 'has space' }, 'controlId'],
    ['a control id over 20 characters', { controlId: 'X'.repeat(21) }, 'controlId'],
    ['no test', { tests: [] }, 'tests'],
    ['Pap answers without a gyn test', { tests: [{ code: '1', name: 'CBC' }] }, 'pap'],
    ['a time without a date', { specimen: { source: null, collectionDate: null, collectionTime: '09:00' } }, 'specimen.collectionTime'],
  ];
  it.each(cases)('%s', (_, overrides, path) => {
    let error: unknown;
    try {
      buildOrderMessage(syntheticOrder(overrides), syntheticConnection());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OrderMessageError);
    expect((error as OrderMessageError).path).toBe(path);
    // The error names where, never what: no PHI in messages that end up in logs.
    expect((error as Error).message).not.toMatch(/1985|Ann|14\/02/);
  });

  it('is pure: the same order gives the same bytes', () => {
    const a = buildOrderMessage(syntheticOrder(), syntheticConnection());
    const b = buildOrderMessage(syntheticOrder(), syntheticConnection());
    expect(a).toBe(b);
    expect(parseHl7(a).ok).toBe(true);
  });
});
