/**
 * Break-glass in the shell: the button that opens emergency access (reason in words, time box),
 * and the red banner shown on every screen while it is open, with the time left and an end button.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import { ReasonDialog } from '../review/ReasonDialog.tsx';
import { useSession } from '../session/session.tsx';
import { clock, minuteChoices, reasonProblem, secondsLeft } from './glass.ts';

export function BreakGlassButton() {
  const { me, reload } = useSession();
  const defaults = me.breakGlassMinutes ?? { default: 30, max: 240 };
  const [open, setOpen] = useState(false);
  const [minutes, setMinutes] = useState(defaults.default);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (me.breakGlass) return null;
  return (
    <>
      <button type="button" className="quiet break-glass-open" data-testid="break-glass-open" onClick={() => (setError(null), setOpen(true))}>
        Emergency access…
      </button>
      <ReasonDialog
        id="break-glass"
        title="Emergency access (break-glass)"
        submitLabel="Open emergency access"
        open={open}
        busy={busy}
        error={error}
        onClose={() => setOpen(false)}
        onSubmit={async (reason) => {
          const problem = reasonProblem(reason);
          if (problem) return setError(problem);
          setBusy(true);
          setError(null);
          try {
            await api.openBreakGlass(reason, minutes);
            setOpen(false);
            await reload();
          } catch (e) {
            setError(errorText(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        <p>
          Emergency access lets you read requisitions your role does not show you, for a limited time. It never lets you release
          anything. Everything you open is recorded under it, and a second person reviews it afterwards.
        </p>
        <p className="muted">Say why in words (for example: the LIS is down and a STAT order must be read). Avoid patient names.</p>
        <label>
          For
          <select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} data-testid="break-glass-minutes">
            {minuteChoices(defaults).map((m) => (
              <option key={m} value={m}>
                {m} minutes
              </option>
            ))}
          </select>
        </label>
      </ReasonDialog>
    </>
  );
}

export function BreakGlassBanner() {
  const { me, reload } = useSession();
  const bg = me.breakGlass ?? null;
  // The countdown runs from the server's figure and the moment it arrived (not the local clock).
  const answeredAt = useMemo(() => Date.now(), [bg?.id, bg?.remainingSeconds]);
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState<string | null>(null);
  const reloading = useRef(false);
  useEffect(() => {
    if (!bg) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [bg]);
  if (!bg) return null;
  const left = secondsLeft(bg.remainingSeconds, answeredAt, now);
  if (left === 0 && !reloading.current) {
    reloading.current = true;
    void reload().finally(() => {
      reloading.current = false;
    });
  }
  return (
    <div className="break-glass-banner" role="status" data-testid="break-glass-banner" data-seconds-left={left}>
      <strong>⚠ EMERGENCY ACCESS (break-glass) is open.</strong> Everything you open is recorded under it.{' '}
      <span data-testid="break-glass-left">{clock(left)} left.</span>{' '}
      <button
        type="button"
        data-testid="break-glass-end"
        onClick={async () => {
          try {
            await api.endBreakGlass();
          } catch (e) {
            setError(errorText(e));
          }
          await reload();
        }}
      >
        End emergency access
      </button>
      {error && <span className="error"> {error}</span>}
    </div>
  );
}
