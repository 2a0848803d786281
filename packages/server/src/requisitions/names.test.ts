import { describe, expect, it } from 'vitest';
import { splitNameByFormat } from './names.ts';

describe('a name split by its form’s declared order', () => {
  it('splits "LAST, FIRST" at its one comma', () => {
    expect(splitNameByFormat('HUANG, MARGARET', 'LAST, FIRST')).toEqual({ last: 'HUANG', first: 'MARGARET' });
    expect(splitNameByFormat(" O'Neil-Brûlé ,  Anne Marie ", 'last, first')).toEqual({ last: "O'Neil-Brûlé", first: 'Anne Marie' });
  });

  it('sends anything else whole, as written', () => {
    expect(splitNameByFormat('Dr. Margaret Huang', 'LAST, FIRST')).toBeNull();
    expect(splitNameByFormat('HUANG, M, MD', 'LAST, FIRST')).toBeNull();
    expect(splitNameByFormat('HUANG,', 'LAST, FIRST')).toBeNull();
    // No declared order: never split by guess.
    expect(splitNameByFormat('HUANG, MARGARET', undefined)).toBeNull();
    expect(splitNameByFormat('HUANG, MARGARET', 'FIRST LAST')).toBeNull();
  });
});
