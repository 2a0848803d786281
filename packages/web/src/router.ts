/**
 * A minimal history router. Paths carry ids only (never PHI), so history holds nothing sensitive.
 */
import { useEffect, useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  for (const l of listeners) l();
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname, () => '/');
}

export type Route =
  | { name: 'setup'; token: string }
  | { name: 'signin' }
  | { name: 'home' }
  | { name: 'queue' }
  | { name: 'review'; id: string }
  | { name: 'admin'; tab: 'users' | 'templates' | 'lis' | 'quarantine' }
  | { name: 'audit' }
  | { name: 'deliveries' }
  | { name: 'breakglass' }
  | { name: 'notfound' };

export function matchRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [a, b] = parts;
  if (parts.length === 0) return { name: 'home' };
  if (a === 'setup' && b && parts.length === 2) return { name: 'setup', token: b };
  if (a === 'signin' && parts.length === 1) return { name: 'signin' };
  if (a === 'queue' && parts.length === 1) return { name: 'queue' };
  if (a === 'review' && b && parts.length === 2) return { name: 'review', id: b };
  if (a === 'admin') {
    if (parts.length === 1) return { name: 'admin', tab: 'users' };
    if (b === 'users' || b === 'templates' || b === 'lis' || b === 'quarantine') return { name: 'admin', tab: b };
  }
  if (a === 'audit' && parts.length === 1) return { name: 'audit' };
  if (a === 'deliveries' && parts.length === 1) return { name: 'deliveries' };
  if (a === 'break-glass' && parts.length === 1) return { name: 'breakglass' };
  return { name: 'notfound' };
}

/** Titles name the screen only: a tab strip or window list never shows a patient. */
export function useTitle(screen: string): void {
  useEffect(() => {
    document.title = `${screen} · Nexession`;
  }, [screen]);
}
