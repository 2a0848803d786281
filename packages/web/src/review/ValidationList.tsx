/** Validation against 42 CFR 493.1241, rule by rule, with the citation and what is missing. */
import type { Validation } from '../api/types.ts';

export function ValidationList({ validation }: { validation: Validation }) {
  return (
    <section className="validation" aria-labelledby="validation-title" data-testid="validation" data-passed={validation.passed}>
      <h2 id="validation-title">
        Validation <span className="muted">42 CFR 493.1241</span>{' '}
        <span className={validation.passed ? 'ok-text' : 'bad-text'}>{validation.passed ? '✓ passes' : '✗ fails'}</span>
      </h2>
      <ul className="rules">
        {validation.rules.map((r) => (
          <li key={r.citation + r.title} className={r.passed ? 'rule ok' : 'rule bad'} data-testid={`rule-${r.citation}`} data-passed={r.passed}>
            <span className="rule-mark" aria-hidden="true">
              {r.passed ? '✓' : '✗'}
            </span>
            <span className="sr-only">{r.passed ? 'passes' : 'fails'}: </span>
            <span className="citation">{r.citation}</span> <span className="rule-title">{r.title}</span>
            {r.message && <span className="rule-message">: {r.message}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
