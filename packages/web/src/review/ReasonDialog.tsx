/** A reason, asked in a modal dialog (escalate, reject): Enter sends, Esc cancels and the focus goes back. */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';

interface Props {
  /** Prefix of the test ids: `<id>-dialog`, `<id>-reason`, `<id>-submit`, `<id>-cancel`. */
  id: string;
  title: string;
  children: ReactNode;
  submitLabel: string;
  open: boolean;
  busy: boolean;
  error: string | null;
  onSubmit: (reason: string) => void;
  onClose: () => void;
}

export function ReasonDialog(props: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      setReason('');
      d.showModal();
    } else if (!props.open && d.open) d.close();
  }, [props.open]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim() !== '' && !props.busy) props.onSubmit(reason.trim());
  };

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${props.id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      data-testid={`${props.id}-dialog`}
    >
      <form onSubmit={submit}>
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        {props.children}
        <label>
          Reason
          <textarea
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) submit(e);
            }}
            rows={3}
            required
            autoFocus
            data-testid={`${props.id}-reason`}
          />
        </label>
        <p className="muted">Enter sends; Shift+Enter starts a new line; Esc cancels.</p>
        {props.error && (
          <p className="error" role="alert">
            {props.error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={props.onClose} data-testid={`${props.id}-cancel`}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={props.busy || reason.trim() === ''} data-testid={`${props.id}-submit`}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
