import { describe, expect, it } from 'vitest';
import type { ProposalForm } from '../api/types.ts';
import { proposalView } from './proposal.ts';

const form: ProposalForm = {
  template: {
    id: 'ontario-2010',
    version: 2,
    name: 'Ontario 2010',
    pages: [
      {
        widthMm: 215.9,
        heightMm: 279.4,
        fields: [
          { key: 'pt_last', label: 'Last name', kind: 'text', region: { x: 10, y: 20, w: 80, h: 6 } },
          { key: 'b_tsh', label: 'TSH', kind: 'checkbox', region: { x: 12, y: 150, w: 3.5, h: 3.5 } },
          { key: 'b_mystery', label: '', kind: 'checkbox', region: { x: 12, y: 160, w: 3.5, h: 3.5 } },
        ],
      },
      { widthMm: 215.9, heightMm: 279.4, fields: [{ key: 'note', label: 'Note', kind: 'text', region: { x: 1, y: 1, w: 9, h: 9 } }] },
    ],
  },
  meanings: {
    pt_last: { role: 'patient.last_name' },
    b_tsh: { role: 'order.test', test: { code: 'TSH', name: 'TSH' } },
    b_mystery: { role: 'order.test' },
  },
  reviewOrder: ['pt_last', 'b_tsh', 'b_mystery', 'note'],
};

describe('template proposal', () => {
  it('lists every field with its page and says which lack a lab meaning', () => {
    const v = proposalView(form);
    expect(v.pages.map((p) => p.index)).toEqual([0, 1]);
    expect(v.fields.map((f) => [f.key, f.page, f.missing])).toEqual([
      ['pt_last', 0, null],
      ['b_tsh', 0, null],
      ['b_mystery', 0, 'test box without a test code'],
      ['note', 1, 'no meaning'],
    ]);
    expect(v.unmapped).toBe(2);
  });
});
