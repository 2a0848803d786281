/**
 * Account set-up from a one-time link: the first administrator (printed by the first start) or an
 * invited user chooses a password, then enrols TOTP by scanning the QR code or typing the secret.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import type { SetupInfo, TotpEnrolment } from '../api/types.ts';
import { navigate, useTitle } from '../router.ts';

const MIN_PASSWORD = 12;

type Step =
  | { kind: 'loading' }
  | { kind: 'invalid'; why: string }
  | { kind: 'password'; info: SetupInfo }
  | { kind: 'totp'; enrolment: TotpEnrolment; replaced: boolean }
  | { kind: 'done' };

/** "JBSW Y3DP EHPK 3PXP": easier to type from the screen into an app. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

export function SetupScreen({ token }: { token: string }) {
  useTitle('Account set-up');
  const [step, setStep] = useState<Step>({ kind: 'loading' });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    api.setupInfo(token).then(
      (info) => {
        if (!live) return;
        setStep(info.valid ? { kind: 'password', info } : { kind: 'invalid', why: 'This set-up link was already used or has expired.' });
      },
      (e: unknown) => live && setStep({ kind: 'invalid', why: `This set-up link cannot be used: ${errorText(e)}` }),
    );
    return () => {
      live = false;
    };
  }, [token]);

  useEffect(() => {
    if (step.kind === 'totp') codeRef.current?.focus();
  }, [step.kind]);

  const submitPassword = async (e: FormEvent) => {
    e.preventDefault();
    if (step.kind !== 'password') return;
    setError(null);
    if (password.length < MIN_PASSWORD) return setError(`The password needs at least ${MIN_PASSWORD} characters.`);
    if (password !== repeat) return setError('The two passwords differ.');
    setBusy(true);
    try {
      const body = step.info.kind === 'first_admin' ? { username, password } : { password };
      const answer = await api.setupPassword(token, body);
      setPassword('');
      setRepeat('');
      setStep({ kind: 'totp', enrolment: answer.totp, replaced: answer.replacesEarlierSecret === true });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.setupTotp(token, code.replace(/\s/g, ''));
      setStep({ kind: 'done' });
      // The link is spent: keep it out of the history from here on.
      window.history.replaceState(null, '', '/setup/done');
    } catch (err) {
      setError(`Code not accepted: ${errorText(err)}. Check the time on your phone and try the next code.`);
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth setup" id="main">
      <h1>Nexession account set-up</h1>
      {step.kind === 'loading' && <p role="status">Checking the link…</p>}
      {step.kind === 'invalid' && (
        <p className="error" role="alert" data-testid="setup-invalid">
          {step.why} Ask an administrator for a new link.
        </p>
      )}
      {step.kind === 'password' && (
        <form onSubmit={submitPassword} data-testid="setup-password-form">
          <h2>1. Choose a password</h2>
          <p>
            {step.info.kind === 'first_admin'
              ? 'You are setting up the first administrator of this Nexession installation.'
              : 'An administrator invited you to Nexession.'}{' '}
            At least {MIN_PASSWORD} characters; a passphrase of several words is good.
          </p>
          {step.info.started && (
            <p className="notice" role="status" data-testid="setup-started">
              This link was already used to choose a password and get an authenticator secret. Going on sets the password again and gives{' '}
              <strong>a new secret: remove any earlier Nexession entry from your authenticator app</strong>, it will not work.
            </p>
          )}
          {step.info.kind === 'first_admin' && (
            <label>
              User name
              <input
                autoComplete="username"
                value={username}
                onChange={(e) => setUsername(e.target.value)}
                required
                autoFocus
                data-testid="setup-username"
              />
            </label>
          )}
          <label>
            Password
            <input
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              minLength={MIN_PASSWORD}
              autoFocus={step.info.kind === 'invite'}
              data-testid="setup-password"
            />
          </label>
          <label>
            Password again
            <input
              type="password"
              autoComplete="new-password"
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
              required
              data-testid="setup-password-repeat"
            />
          </label>
          <button type="submit" className="primary" disabled={busy} data-testid="setup-password-submit">
            Continue to two-factor set-up
          </button>
        </form>
      )}
      {step.kind === 'totp' && (
        <form onSubmit={submitCode} data-testid="setup-totp-form">
          <h2>2. Set up your authenticator app</h2>
          <p>Scan this code with an authenticator app (TOTP), or type the secret into it. Then enter the six-digit code it shows.</p>
          {step.replaced && (
            <p className="notice" role="status" data-testid="setup-new-secret">
              This is a new secret: remove any earlier Nexession entry from your app (its codes no longer work).
            </p>
          )}
          <div className="totp-enrol">
            <img
              className="qr"
              alt="QR code for your authenticator app"
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(step.enrolment.qrSvg)}`}
              data-testid="setup-qr"
            />
            <div>
              <p>Secret (if you cannot scan):</p>
              <code className="secret" data-testid="setup-secret" data-secret={step.enrolment.secret}>
                {groupSecret(step.enrolment.secret)}
              </code>
            </div>
          </div>
          <label>
            Code from the app
            <input
              ref={codeRef}
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
              data-testid="setup-totp-code"
            />
          </label>
          <button type="submit" className="primary" disabled={busy} data-testid="setup-totp-submit">
            Activate my account
          </button>
        </form>
      )}
      {step.kind === 'done' && (
        <div role="status" data-testid="setup-done">
          <h2>Your account is active</h2>
          <p>Sign in with your user name, password and a code from your authenticator app.</p>
          <button type="button" className="primary" onClick={() => navigate('/signin', { replace: true })} data-testid="setup-signin">
            Go to sign in
          </button>
        </div>
      )}
      <p className="error" role="alert" data-testid="setup-error">
        {error}
      </p>
    </main>
  );
}
