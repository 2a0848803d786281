/** Sign in: password, then the six-digit code from the authenticator app. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import { useTitle } from '../router.ts';

export function SignIn(props: { message: string | null; onSignedIn: () => Promise<void> }) {
  useTitle('Sign in');
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (step === 'totp') codeRef.current?.focus();
  }, [step]);

  const submitPassword = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(username, password);
      setPassword('');
      setStep('totp');
    } catch (err) {
      setError(`Not signed in: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.totp(code.replace(/\s/g, ''));
      await props.onSignedIn();
    } catch (err) {
      setError(`Code not accepted: ${errorText(err)}`);
      setCode('');
      codeRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth" id="main">
      <h1>Nexession</h1>
      {props.message && (
        <p className="notice" role="status" data-testid="signin-message">
          {props.message}
        </p>
      )}
      {step === 'password' ? (
        <form onSubmit={submitPassword} aria-labelledby="signin-title" data-testid="signin-form">
          <h2 id="signin-title">Sign in</h2>
          <label>
            User name
            <input
              name="username"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              required
              autoFocus
              data-testid="signin-username"
            />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              data-testid="signin-password"
            />
          </label>
          <button type="submit" className="primary" disabled={busy} data-testid="signin-submit">
            Continue
          </button>
        </form>
      ) : (
        <form onSubmit={submitCode} aria-labelledby="totp-title" data-testid="totp-form">
          <h2 id="totp-title">Authenticator code</h2>
          <p>Enter the six-digit code your authenticator app shows for Nexession.</p>
          <label>
            Code
            <input
              ref={codeRef}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]{6,8}"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
              data-testid="totp-code"
            />
          </label>
          <button type="submit" className="primary" disabled={busy} data-testid="totp-submit">
            Sign in
          </button>
          <button
            type="button"
            className="quiet"
            onClick={() => {
              setStep('password');
              setCode('');
              setError(null);
            }}
          >
            Start again
          </button>
        </form>
      )}
      <p className="error" role="alert" data-testid="signin-error">
        {error}
      </p>
    </main>
  );
}
