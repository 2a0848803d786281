/**
 * Automatic logoff with a one-minute warning. Work is saved server-side as it happens, so the
 * logoff loses nothing; the warning does not take the focus (a keystroke meant for the form is
 * activity and simply keeps the session).
 */
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import { idlePhase, keepaliveDue, type IdlePhase } from './idle.ts';
import { useSession } from './session.tsx';

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;

export function IdleGuard() {
  const { me, signOut } = useSession();
  const timeout = me.idleTimeoutSeconds;
  const warning = Math.min(me.idleWarningSeconds, timeout);
  // Start from the server's own idle clock: a reload does not grant a fresh idle period.
  const lastActivity = useRef(Date.now() - Math.max(0, timeout - (me.idleRemainingSeconds ?? timeout)) * 1000);
  const lastKeepalive = useRef(Date.now());
  const [phase, setPhase] = useState<IdlePhase>({ phase: 'active' });
  const signingOut = useRef(false);

  useEffect(() => {
    const mark = () => {
      lastActivity.current = Date.now();
    };
    for (const e of ACTIVITY_EVENTS) window.addEventListener(e, mark, { capture: true, passive: true });
    return () => {
      for (const e of ACTIVITY_EVENTS) window.removeEventListener(e, mark, { capture: true });
    };
  }, []);

  useEffect(() => {
    const keepaliveEvery = Math.max(15, Math.min(60, Math.floor(timeout / 4)));
    const tick = () => {
      const now = Date.now();
      const p = idlePhase(now, lastActivity.current, timeout, warning);
      setPhase((old) => (old.phase === p.phase && (p.phase !== 'warning' || (old.phase === 'warning' && old.secondsLeft === p.secondsLeft)) ? old : p));
      if (p.phase === 'expired' && !signingOut.current) {
        signingOut.current = true;
        const minutes = Math.round(timeout / 60);
        void signOut(`Signed out after ${minutes} min without activity. Everything you confirmed was saved.`);
        return;
      }
      if (p.phase === 'active' && keepaliveDue(now, lastActivity.current, lastKeepalive.current, keepaliveEvery)) {
        lastKeepalive.current = now;
        api.keepalive().catch(() => undefined);
      }
    };
    const t = window.setInterval(tick, 1000);
    return () => window.clearInterval(t);
  }, [timeout, warning, signOut]);

  if (phase.phase !== 'warning') return null;
  return (
    <div className="idle-warning" role="alert" data-testid="idle-warning">
      <strong>You will be signed out soon for inactivity.</strong>{' '}
      <span aria-hidden="true" data-testid="idle-countdown">
        {phase.secondsLeft} s left.
      </span>{' '}
      Press any key or click to stay signed in. Your confirmed fields are saved.{' '}
      <button
        type="button"
        data-testid="idle-stay"
        onClick={() => {
          lastActivity.current = Date.now();
          lastKeepalive.current = Date.now();
          api.keepalive().catch(() => undefined);
        }}
      >
        Stay signed in
      </button>
    </div>
  );
}
