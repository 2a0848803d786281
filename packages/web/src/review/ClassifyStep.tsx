/**
 * An unrecognised page: a person says which published form it is. Its fields are then created
 * empty and flagged "type the value as it is on the page"; nothing is read or guessed.
 */
import { useState } from 'react';
import { api, errorText } from '../api/client.ts';
import { useLoad } from '../ui/useLoad.ts';

export function ClassifyStep(props: { requisitionId: string; pageCount: number; onClassified: () => void }) {
  const templates = useLoad(() => api.templates());
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const published = templates.data?.items.filter((t) => t.active) ?? [];

  const classify = async () => {
    const t = published.find((x) => `${x.id}@${x.version}` === choice);
    if (!t) return setError('Choose a form first.');
    setBusy(true);
    setError(null);
    try {
      await api.classify(props.requisitionId, t.id, t.version);
      props.onClassified();
    } catch (e) {
      setError(`Not set: ${errorText(e)}`);
      setBusy(false);
    }
  };

  return (
    <section className="classify-step" aria-labelledby="classify-title" data-testid="classify-step">
      <h2 id="classify-title">Which form is this?</h2>
      <p>
        The page was not recognised as any published form, so nothing was read from it. Compare the page with the forms below. If it is one of
        them, choose it and type each value as it is written; otherwise escalate it (Alt+E).
      </p>
      {templates.error && <p className="error">The forms could not be loaded: {templates.error}</p>}
      <label>
        Form
        <select value={choice} onChange={(e) => setChoice(e.target.value)} data-testid="classify-template" autoFocus>
          <option value="">Choose…</option>
          {published.map((t) => (
            <option key={`${t.id}@${t.version}`} value={`${t.id}@${t.version}`}>
              {t.name} (v{t.version})
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="primary" disabled={busy || choice === ''} onClick={() => void classify()} data-testid="classify-submit">
        Use this form
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
