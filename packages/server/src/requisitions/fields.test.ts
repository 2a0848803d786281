import type { PageReading } from '@nexession/reader';
import { demoOutreach } from '@nexession/forms';
import { describe, expect, it } from 'vitest';
import { FakeReader, demoValues } from '../test/fake-reader.ts';
import { greyPng } from '../test/files.ts';
import { fieldsFromReadings, groupPages, priorityOf } from './fields.ts';

const page = (index: number, c: PageReading['classification']): PageReading => ({ index, classification: c }) as PageReading;
const form = (templateId: string, p = 0): PageReading['classification'] => ({ kind: 'template', templateId, templateVersion: 1, page: p, score: 0.9 });
const none: PageReading['classification'] = { kind: 'unrecognised', reason: 'x', bestScore: 0 };

describe('grouping pages into requisitions', () => {
  const pagesOf = (id: string) => (id === 'two-page' ? 2 : 1);

  it('makes one requisition per form instance and one per run of unrecognised pages', () => {
    const groups = groupPages([page(0, none), page(1, form('a')), page(2, form('a')), page(3, none), page(4, none), page(5, form('two-page', 0)), page(6, form('two-page', 1))], pagesOf);
    expect(groups.map((g) => `${g.kind === 'form' ? g.templateId : '?'}:${g.pages.map((p) => p.index).join(',')}`)).toEqual(['?:0', 'a:1', 'a:2', '?:3,4', 'two-page:5,6']);
  });

  it('sends a page out of order to a person', () => {
    const groups = groupPages([page(0, form('two-page', 1)), page(1, form('two-page', 0))], pagesOf);
    expect(groups.map((g) => g.kind)).toEqual(['unrecognised', 'form']);
  });
});

describe('fields from readings', () => {
  it('gives every template field its meaning, section, order and machine value', async () => {
    const reader = new FakeReader();
    await reader.factory([{ definition: demoOutreach.labForm.template, blank: new Uint8Array() }]);
    const values = demoValues('QUILL');
    values.stat = { value: null, state: 'review' };
    const p = reader.page(greyPng(100, 100), 0, { template: { id: 'demo-outreach', version: 2 }, values, pageFlags: [{ code: 'skew', message: 'page skewed 4.1°, beyond the 3° gate' }] });
    const fields = fieldsFromReadings(demoOutreach.labForm, [p]);
    expect(fields).toHaveLength(demoOutreach.labForm.template.pages[0]!.fields.length);
    const tsh = fields.find((f) => f.key === 'test_tsh')!;
    expect(tsh).toMatchObject({ section: 'Tests', role: 'order.test', machineValue: true, method: 'checkbox', meaning: { test: { code: '30100' } } });
    expect(fields.find((f) => f.key === 'patient_last_name')).toMatchObject({ section: 'Patient', machineValue: 'QUILL', method: 'ocr' });
    // The page's doubt is on every field of the page.
    expect(fields.every((f) => f.flags.some((x) => x.code === 'skew'))).toBe(true);
    // An unclear STAT box: STAT until a person decides.
    expect(priorityOf(fields)).toEqual({ priority: 'stat', unsure: true });
    expect(fields.map((f) => f.key).slice(0, 3)).toEqual(demoOutreach.labForm.reviewOrder.slice(0, 3));
  });

  it('routine when the STAT box is clearly empty', async () => {
    const reader = new FakeReader();
    await reader.factory([{ definition: demoOutreach.labForm.template, blank: new Uint8Array() }]);
    const p = reader.page(greyPng(100, 100), 0, { template: { id: 'demo-outreach', version: 2 }, values: demoValues() });
    expect(priorityOf(fieldsFromReadings(demoOutreach.labForm, [p]))).toEqual({ priority: 'routine', unsure: false });
  });
});
