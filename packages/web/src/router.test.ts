import { describe, expect, it } from 'vitest';
import { matchRoute } from './router.ts';

describe('routes', () => {
  it('match ids only', () => {
    expect(matchRoute('/review/3f0c1e9a-0000-4000-8000-000000000001')).toEqual({ name: 'review', id: '3f0c1e9a-0000-4000-8000-000000000001' });
    expect(matchRoute('/setup/abc')).toEqual({ name: 'setup', token: 'abc' });
    expect(matchRoute('/')).toEqual({ name: 'home' });
    expect(matchRoute('/admin')).toEqual({ name: 'admin', tab: 'users' });
    expect(matchRoute('/admin/lis')).toEqual({ name: 'admin', tab: 'lis' });
    expect(matchRoute('/admin/other')).toEqual({ name: 'notfound' });
    expect(matchRoute('/review/a/b')).toEqual({ name: 'notfound' });
    expect(matchRoute('/break-glass')).toEqual({ name: 'breakglass' });
  });
});
