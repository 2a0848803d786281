import { describe, expect, it } from 'vitest';
import type { AdminUser } from '../api/types.ts';
import { disableBlock } from './users.ts';

const u = (id: string, roles: AdminUser['roles'], status: AdminUser['status'] = 'active'): AdminUser => ({ id, username: id, displayName: id, roles, status });

describe('disabling an account', () => {
  it('is not offered for your own account, nor for the last active administrator', () => {
    const me = u('ada', ['admin']);
    const rev = u('rex', ['reviewer']);
    expect(disableBlock(me, 'ada', [me, rev])).toBe('your own account');
    expect(disableBlock(rev, 'ada', [me, rev])).toBeNull();
    // Another administrator, once the only active one (this one is disabled).
    const other = u('bob', ['admin']);
    expect(disableBlock(other, 'ada', [{ ...me, status: 'disabled' }, other])).toBe('the last active administrator');
    expect(disableBlock(other, 'ada', [me, other])).toBeNull();
  });
});
