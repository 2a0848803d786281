/**
 * Whether an administrator may disable an account, and if not why, in words. The server refuses
 * the same (your own account; the last active administrator): the screen does not offer what
 * would be refused.
 */
import type { AdminUser } from '../api/types.ts';

export function disableBlock(user: AdminUser, myId: string, users: readonly AdminUser[]): string | null {
  if (user.status === 'disabled') return 'already disabled';
  if (user.id === myId) return 'your own account';
  const admins = users.filter((u) => u.status === 'active' && u.roles.includes('admin'));
  if (user.status === 'active' && user.roles.includes('admin') && admins.length <= 1) return 'the last active administrator';
  return null;
}
