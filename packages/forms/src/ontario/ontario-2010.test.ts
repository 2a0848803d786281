import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TemplateDefinition, TemplateField } from '@nexession/reader';
import { labFormProblems } from '../validate.ts';
import { ONTARIO_2010_MEANINGS, ontarioLabForm } from './ontario-2010.ts';

// The real OSCAR map, read where it lives (never copied into the repository).
const MAP = fileURLToPath(new URL('../../../../../shared/realdata/ontario-labreq-2010/labReqPrintEncounterForm2010.txt', import.meta.url));

/** Just enough of the map for this test: key, x, y, and whether it is a checkbox (ZapfDingbats). */
function mapRows(): { key: string; checkbox: boolean; x: number; y: number }[] {
  return readFileSync(MAP, 'utf8')
    .split('\n')
    .map((l) => /^\s*(\w+)\s*:\s*(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const parts = m[2]!.split(',').map((s) => s.trim());
      return { key: m[1]!, checkbox: /ZAPFDINGBATS/i.test(parts[4] ?? ''), x: Number(parts[1]), y: Number(parts[2]) };
    });
}

/** A stand-in for the reader's template: one field per map row, in map order. */
function definitionFromMap(): TemplateDefinition {
  const pt = 25.4 / 72;
  const fields: TemplateField[] = mapRows().map((r) =>
    r.checkbox
      ? { kind: 'checkbox', key: r.key, label: r.key, style: 'square', region: { x: r.x * pt, y: (r.y - 7) * pt, w: 7 * pt, h: 7 * pt } }
      : { kind: 'text', key: r.key, label: r.key, textType: 'free', region: { x: r.x * pt, y: (r.y - 9) * pt, w: 40 * pt, h: 11 * pt } },
  );
  return { id: 'ontario-2010', version: 1, name: 'Ontario Laboratory Requisition 4422-84 (2010/09)', pages: [{ widthMm: 215.9, heightMm: 279.4, fields, groups: [] }] };
}

describe('Ontario 2010 lab meanings', () => {
  it('has a meaning for every key of the OSCAR map, and no meaning for a key the map lacks', () => {
    const keys = mapRows().map((r) => r.key);
    expect(keys.length).toBeGreaterThan(110);
    expect(keys.filter((k) => !ONTARIO_2010_MEANINGS[k])).toEqual([]);
    expect(Object.keys(ONTARIO_2010_MEANINGS).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('gives every test box a code and the name printed on the form, and only checkboxes order tests', () => {
    const rows = new Map(mapRows().map((r) => [r.key, r]));
    const tests = Object.entries(ONTARIO_2010_MEANINGS).filter(([, m]) => m.role === 'order.test');
    expect(tests.length).toBeGreaterThanOrEqual(50);
    for (const [key, m] of tests) {
      expect(rows.get(key)?.checkbox, `${key} is a checkbox`).toBe(true);
      expect(m.test?.code).toMatch(/^[A-Z0-9]+$/);
      expect(m.test?.name.length).toBeGreaterThan(1);
    }
    const codes = tests.map(([, m]) => m.test!.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(ONTARIO_2010_MEANINGS.male).toEqual({ role: 'patient.sex', value: 'M' });
    expect(ONTARIO_2010_MEANINGS.m_chlamydia!.test!.requiresSource).toBe(true);
  });

  it('combines with a template into a complete lab form, and lists fields it cannot place', () => {
    const def = definitionFromMap();
    const { labForm, unmapped } = ontarioLabForm(def);
    expect(unmapped).toEqual([]);
    expect(labFormProblems(labForm)).toEqual([]);
    expect(labForm.reviewOrder[0]).toBe('reqProvName');

    def.pages[0]!.fields.push({ kind: 'checkbox', key: 'x_new_box', label: 'New', style: 'cell', region: { x: 10, y: 10, w: 3, h: 3 } });
    const again = ontarioLabForm(def);
    expect(again.unmapped).toEqual(['x_new_box']);
    expect(again.labForm.meanings.x_new_box).toEqual({ role: 'other' });
  });
});
