/**
 * One obvious Release button, enabled only when the gate says so, with the reason it is disabled
 * always written beside it. It stays focusable when disabled (aria-disabled), so a keyboard user
 * reaching it hears why.
 */
import type { Ref } from 'react';
import type { ReleaseGate } from './release.ts';

interface Props {
  gate: ReleaseGate;
  reviewed: number;
  total: number;
  identityConfirmed: boolean;
  validationPassed: boolean;
  error: string | null;
  buttonRef: Ref<HTMLButtonElement>;
  onRelease: () => void;
  /** Pressed while disabled: say why, out loud. */
  onRefused: () => void;
}

export function ReleaseBar(props: Props) {
  const { gate } = props;
  return (
    <footer className="release-bar" aria-label="Release">
      <ul className="summary" data-testid="review-summary">
        <li className={props.reviewed === props.total ? 'ok-text' : ''}>
          {props.reviewed === props.total ? '✓' : '○'} fields {props.reviewed}/{props.total}
        </li>
        <li className={props.identityConfirmed ? 'ok-text' : ''}>{props.identityConfirmed ? '✓ identity confirmed' : '○ identity not confirmed'}</li>
        <li className={props.validationPassed ? 'ok-text' : 'bad-text'}>{props.validationPassed ? '✓ validation passes' : '✗ validation fails'}</li>
      </ul>
      <p id="release-reasons" className={gate.enabled ? 'ok-text reasons' : 'reasons'} data-testid="release-reasons">
        {gate.enabled
          ? sentence(gate.reasons.length > 0 ? `Ready to release: ${gate.reasons.join('; ')}` : 'Ready to release')
          : sentence(`Release is disabled: ${gate.reasons.join('; ')}`)}
      </p>
      {props.error && (
        <p className="error" role="alert" data-testid="release-error">
          {props.error}
        </p>
      )}
      <button
        ref={props.buttonRef}
        type="button"
        className="primary release"
        aria-disabled={!gate.enabled}
        aria-describedby="release-reasons"
        onClick={() => {
          if (gate.enabled) props.onRelease();
          else props.onRefused();
        }}
        data-testid="release"
      >
        Release to LIS
      </button>
    </footer>
  );
}

function sentence(s: string): string {
  return /[.…]$/.test(s) ? s : `${s}.`;
}
