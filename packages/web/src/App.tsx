import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, onUnauthorized, setCsrf } from './api/client.ts';
import type { Me } from './api/types.ts';
import { matchRoute, navigate, usePath, type Route } from './router.ts';
import { SessionContext, hasRole, homePath, useSession, type SessionApi } from './session/session.tsx';
import { IdleGuard } from './session/IdleGuard.tsx';
import { dropAll } from './review/imageCache.ts';
import { dropPrefetched } from './review/prefetch.ts';
import { SignIn } from './setup/SignIn.tsx';
import { SetupScreen } from './setup/SetupScreen.tsx';
import { QueueScreen } from './queue/QueueScreen.tsx';
import { ReviewScreen } from './review/ReviewScreen.tsx';
import { AdminScreen } from './admin/AdminScreen.tsx';
import { AuditScreen } from './audit/AuditScreen.tsx';
import { DeliveriesScreen } from './deliveries/DeliveriesScreen.tsx';
import { BreakGlassBanner, BreakGlassButton } from './breakglass/BreakGlass.tsx';
import { BreakGlassScreen } from './breakglass/BreakGlassScreen.tsx';
import { Link } from './ui/Link.tsx';

type Session = { status: 'loading' } | { status: 'signedOut'; message: string | null } | { status: 'signedIn'; me: Me };

export function App() {
  const path = usePath();
  const route = matchRoute(path);
  const [session, setSession] = useState<Session>({ status: 'loading' });

  const loadMe = useCallback(async (): Promise<Me | null> => {
    try {
      const me = await api.me();
      setCsrf(me.csrf);
      setSession({ status: 'signedIn', me });
      return me;
    } catch (e) {
      setCsrf(null);
      if (e instanceof ApiError && e.status === 401) setSession({ status: 'signedOut', message: null });
      else setSession({ status: 'signedOut', message: 'The server did not answer. Try again in a moment.' });
      return null;
    }
  }, []);

  useEffect(() => {
    void loadMe();
  }, [loadMe]);

  const signOut = useCallback(async (message?: string) => {
    try {
      await api.logout();
    } catch {
      // Signed out either way: the local state goes.
    }
    setCsrf(null);
    dropAll();
    dropPrefetched();
    setSession({ status: 'signedOut', message: message ?? null });
  }, []);

  useEffect(() => {
    onUnauthorized(() => {
      setCsrf(null);
      dropAll();
      dropPrefetched();
      setSession({ status: 'signedOut', message: 'Your session ended. Sign in again; confirmed fields were saved.' });
    });
    return () => onUnauthorized(null);
  }, []);

  const reload = useCallback(async () => {
    await loadMe();
  }, [loadMe]);

  const sessionApi = useMemo<SessionApi | null>(
    () => (session.status === 'signedIn' ? { me: session.me, signOut, reload } : null),
    [session, signOut, reload],
  );

  if (route.name === 'setup') return <SetupScreen token={route.token} />;
  if (session.status === 'loading') return <p className="loading" role="status">Loading…</p>;
  if (session.status === 'signedOut' || !sessionApi) {
    return (
      <SignIn
        message={session.status === 'signedOut' ? session.message : null}
        onSignedIn={async () => {
          const me = await loadMe();
          if (me && (route.name === 'signin' || route.name === 'home' || route.name === 'notfound')) navigate(homePath(me), { replace: true });
        }}
      />
    );
  }

  return (
    <SessionContext.Provider value={sessionApi}>
      <IdleGuard />
      <Shell route={route} />
    </SessionContext.Provider>
  );
}

function Shell({ route }: { route: Route }) {
  const { me, signOut } = useSession();
  useEffect(() => {
    if (route.name === 'home' || route.name === 'signin') navigate(homePath(me), { replace: true });
  }, [route.name, me]);

  const reviewer = hasRole(me, 'reviewer', 'lead_reviewer');
  const admin = hasRole(me, 'admin');
  const glass = !!me.breakGlass;
  const auditor = hasRole(me, 'auditor', 'admin') || glass;
  const deliveries = hasRole(me, 'lead_reviewer', 'admin', 'auditor');
  const glassReport = hasRole(me, 'lead_reviewer', 'admin', 'auditor');
  const current = (name: Route['name']) => (route.name === name ? 'page' : undefined);
  return (
    <div className={`shell ${route.name === 'review' ? 'shell-review' : ''} ${glass ? 'shell-break-glass' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <BreakGlassBanner />
      <header className="topbar">
        <span className="brand">Nexession</span>
        <nav aria-label="Main">
          {reviewer && (
            <Link to="/queue" aria-current={current('queue')} data-testid="nav-queue">
              Queue
            </Link>
          )}
          {admin && (
            <Link to="/admin/users" aria-current={current('admin')} data-testid="nav-admin">
              Administration
            </Link>
          )}
          {deliveries && (
            <Link to="/deliveries" aria-current={current('deliveries')} data-testid="nav-deliveries">
              Deliveries
            </Link>
          )}
          {auditor && (
            <Link to="/audit" aria-current={current('audit')} data-testid="nav-audit">
              Audit
            </Link>
          )}
          {glassReport && (
            <Link to="/break-glass" aria-current={current('breakglass')} data-testid="nav-break-glass">
              Break-glass
            </Link>
          )}
        </nav>
        <BreakGlassButton />
        <span className="who">
          {me.user.displayName || me.user.username} <span className="roles">({me.user.roles.join(', ')})</span>
        </span>
        <button type="button" className="quiet" data-testid="sign-out" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Screen route={route} />
      </main>
    </div>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'queue':
      return <QueueScreen />;
    case 'review':
      return <ReviewScreen key={route.id} id={route.id} />;
    case 'admin':
      return <AdminScreen tab={route.tab} />;
    case 'audit':
      return <AuditScreen />;
    case 'deliveries':
      return <DeliveriesScreen />;
    case 'breakglass':
      return <BreakGlassScreen />;
    case 'home':
    case 'signin':
      return null;
    case 'setup':
    case 'notfound':
      return (
        <section className="page">
          <h1>Not found</h1>
          <p>
            This address is not part of Nexession. <Link to="/">Go to your start screen</Link>.
          </p>
        </section>
      );
  }
}
