/** Who is signed in, and the one way to sign out (which also forgets every image in memory). */
import { createContext, useContext } from 'react';
import type { Me, Role } from '../api/types.ts';

export interface SessionApi {
  me: Me;
  signOut: (message?: string) => Promise<void>;
  /** Asks the server again who is signed in (after opening or ending break-glass). */
  reload: () => Promise<void>;
}

export const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in screen');
  return s;
}

export function hasRole(me: Me, ...roles: Role[]): boolean {
  return me.user.roles.some((r) => roles.includes(r));
}

/** Where a person lands after sign-in: their main job. */
export function homePath(me: Me): string {
  if (hasRole(me, 'reviewer', 'lead_reviewer')) return '/queue';
  if (hasRole(me, 'admin')) return '/admin/users';
  if (hasRole(me, 'auditor')) return '/audit';
  return '/queue';
}
