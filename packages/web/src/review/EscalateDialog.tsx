/** Escalation with a reason (Alt+E): a modal dialog; Esc cancels and the focus goes back. */
import { useEffect, useRef, useState, type FormEvent } from 'react';

interface Props {
  open: boolean;
  busy: boolean;
  error: string | null;
  onSubmit: (reason: string) => void;
  onClose: () => void;
}

export function EscalateDialog(props: Props) {
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
    if (reason.trim() !== '') props.onSubmit(reason.trim());
  };

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="escalate-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      data-testid="escalate-dialog"
    >
      <form onSubmit={submit}>
        <h2 id="escalate-title">Escalate this requisition</h2>
        <p>It leaves your queue and goes to a lead reviewer with your reason. Fields you confirmed stay confirmed.</p>
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
            data-testid="escalate-reason"
          />
        </label>
        <p className="muted">Enter sends; Shift+Enter starts a new line; Esc cancels.</p>
        {props.error && (
          <p className="error" role="alert">
            {props.error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={props.onClose} data-testid="escalate-cancel">
            Cancel
          </button>
          <button type="submit" className="primary" disabled={props.busy || reason.trim() === ''} data-testid="escalate-submit">
            Escalate
          </button>
        </div>
      </form>
    </dialog>
  );
}
