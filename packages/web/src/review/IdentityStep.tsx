/**
 * The identity step, after the fields: the reviewer compares two or more identifiers with the
 * page and confirms them. Warnings are there before the confirmation (every save brings them):
 * real wrong-patient risks in red, reminders to compare with the page plainly (red on a correct
 * patient teaches people to ignore red). The server records them with the confirmation.
 */
import type { KeyboardEvent, Ref } from 'react';
import type { Identity, IdentityWarning, ReviewField } from '../api/types.ts';
import { Crop } from './Crop.tsx';
import type { IdentifierPart } from './identity.ts';
import { clockTime } from '../ui/time.ts';

interface Props {
  requisitionId: string;
  parts: IdentifierPart[];
  fields: Record<string, ReviewField>;
  identity: Identity | null;
  warnings: IdentityWarning[];
  busy: boolean;
  error: string | null;
  buttonRef: Ref<HTMLButtonElement>;
  onConfirm: () => void;
  onFocus: () => void;
  onBack: () => void;
}

/** Why the identity cannot be confirmed yet, or null when it can. Every patient field is reviewed first. */
export function identityBlock(parts: IdentifierPart[], fields: Record<string, ReviewField>): string | null {
  if (parts.length < 2) return 'Fewer than two identifiers are filled in: correct the fields or escalate (Alt+E).';
  const open = Object.values(fields).filter((f) => f.role.startsWith('patient.') && f.review.state === 'unreviewed');
  if (open.length > 0) return `Review the patient fields first: ${open.map((f) => f.label).join(', ')}.`;
  return null;
}

export function IdentityStep(props: Props) {
  const block = identityBlock(props.parts, props.fields);
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === 'Tab' && e.shiftKey) {
      e.preventDefault();
      props.onBack();
    }
  };
  const label = props.parts.map((p) => `${p.label} ${p.text}`).join(' · ');
  const danger = props.warnings.filter((w) => w.severity !== 'caution');
  const caution = props.warnings.filter((w) => w.severity === 'caution');
  return (
    <section className="identity-step" aria-labelledby="identity-title" data-testid="identity-step">
      <h2 id="identity-title">Identity</h2>
      {danger.length > 0 && (
        <ul className="danger-list" role="alert" data-testid="identity-warnings">
          {danger.map((w) => (
            <li key={w.code} data-code={w.code}>
              <span aria-hidden="true">⚠ </span>
              <strong>Possible wrong patient:</strong> {w.message}
            </li>
          ))}
        </ul>
      )}
      {caution.length > 0 && (
        <ul className="caution-list" data-testid="identity-cautions">
          {caution.map((w) => (
            <li key={w.code} data-code={w.code}>
              <span aria-hidden="true">△ </span>
              <strong>Check:</strong> {w.message}
            </li>
          ))}
        </ul>
      )}
      <p className="muted">Compare each identifier with the page, then confirm. Two are required.</p>
      <dl className="identifiers">
        {props.parts.map((p) => (
          <div key={p.kind} className="identifier" data-testid={`identifier-${p.kind}`}>
            <dt>{p.label}</dt>
            <dd>
              <span className="identifier-text">{p.text}</span>
              <span className="identifier-crops">
                {p.keys.map((k) => {
                  const f = props.fields[k];
                  return f ? <Crop key={k} requisitionId={props.requisitionId} field={f} variant="thumb" /> : null;
                })}
              </span>
            </dd>
          </div>
        ))}
      </dl>
      {props.identity && props.identity.current !== false && (
        <p className="ok-text" data-testid="identity-status" data-current="true">
          ✓ Identity confirmed by {props.identity.confirmedBy}
          {props.identity.confirmedAt ? ` at ${clockTime(props.identity.confirmedAt)}` : ''} ({props.identity.identifiers.join(', ')})
        </p>
      )}
      {props.identity && props.identity.current === false && (
        <p className="reason" data-testid="identity-status" data-current="false">
          ⚠ A patient field changed after the identity was confirmed: compare and confirm again.
        </p>
      )}
      <button
        ref={props.buttonRef}
        type="button"
        className={props.identity?.current !== false && props.identity ? '' : 'primary'}
        aria-disabled={block !== null || props.busy}
        aria-describedby="identity-reason"
        onClick={() => {
          if (block === null && !props.busy) props.onConfirm();
        }}
        onKeyDown={onKeyDown}
        onFocus={props.onFocus}
        data-testid="identity-confirm"
      >
        {props.identity && props.identity.current !== false ? 'Confirm again: ' : 'Confirm patient: '}
        {label || 'no identifiers'}
      </button>
      <p id="identity-reason" className={block ? 'reason' : 'muted'} data-testid="identity-reason">
        {block ?? (props.identity && props.identity.current !== false ? 'Confirmed. Release is next.' : 'Enter confirms that these identifiers match the page.')}
      </p>
      {props.error && (
        <p className="error" role="alert">
          {props.error}
        </p>
      )}
    </section>
  );
}
