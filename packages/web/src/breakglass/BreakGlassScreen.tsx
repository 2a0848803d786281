/** The break-glass report: who, why, when, what was opened under it; a second person acknowledges each. */
import { useState } from 'react';
import { api, errorText } from '../api/client.ts';
import type { BreakGlassReport } from '../api/types.ts';
import { useTitle } from '../router.ts';
import { useSession } from '../session/session.tsx';
import { useLoad } from '../ui/useLoad.ts';
import { auditTime } from '../ui/time.ts';

const STATUS: Record<BreakGlassReport['status'], string> = {
  active: 'open now',
  ended: 'ended by the person',
  expired: 'ran out of time',
  session_ended: 'ended with the session',
};

export function BreakGlassScreen() {
  useTitle('Break-glass');
  const { me } = useSession();
  const [unreviewedOnly, setUnreviewedOnly] = useState(false);
  const report = useLoad(() => api.breakGlassReport(unreviewedOnly));
  return (
    <section className="page break-glass-report">
      <h1>Break-glass (emergency access)</h1>
      <p className="muted">
        Every emergency access with its reason and everything opened under it. Each one is acknowledged afterwards by a second person
        (lead reviewer, administrator or auditor); the acknowledgement is recorded in the audit log.
      </p>
      <label>
        <input
          type="checkbox"
          checked={unreviewedOnly}
          onChange={(e) => {
            setUnreviewedOnly(e.target.checked);
            report.reload();
          }}
          data-testid="break-glass-unreviewed"
        />{' '}
        Not yet acknowledged only
      </label>
      {report.error && <p className="error" role="alert">The report could not be loaded: {report.error}</p>}
      {report.data && report.data.items.length === 0 && <p>No break-glass access.</p>}
      {report.data?.items.map((b) => <Item key={b.id} b={b} mine={b.user.id === me.user.id} onDone={report.reload} />)}
    </section>
  );
}

function Item({ b, mine, onDone }: { b: BreakGlassReport; mine: boolean; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reads = b.accesses.filter((a) => !a.action.startsWith('break_glass.'));
  return (
    <article className={`card break-glass-item ${b.review ? '' : 'unreviewed'}`} data-testid={`break-glass-${b.id}`} data-status={b.status} data-reviewed={b.review !== null}>
      <h2>
        {b.user.displayName || b.user.username} <span className="muted">({b.user.roles.join(', ')})</span> · {auditTime(b.openedAt)}
      </h2>
      <p>
        <strong>Reason:</strong> {b.reason}
      </p>
      <p>
        {STATUS[b.status]} · until {auditTime(b.endedAt ?? b.expiresAt)} · {reads.length} event(s) under it ·{' '}
        {b.requisitions.length} requisition(s)
      </p>
      {reads.length > 0 && (
        <details>
          <summary>What was opened</summary>
          <ul>
            {reads.map((a) => (
              <li key={a.seq}>
                #{a.seq} {new Date(a.at).toLocaleTimeString()} {a.action} {a.objectType} <code>{a.objectId}</code>
                {a.field ? ` · ${a.field}` : ''}
              </li>
            ))}
          </ul>
        </details>
      )}
      {b.review ? (
        <p className="ok-text">
          ✓ Acknowledged by {b.review.by} on {auditTime(b.review.at)}
          {b.review.note ? `: ${b.review.note}` : ''}
        </p>
      ) : b.status === 'active' ? (
        <p className="muted">Can be acknowledged once it has ended.</p>
      ) : mine ? (
        <p className="bad-text">Waiting for a second person to acknowledge it (not you: you opened it).</p>
      ) : (
        <form
          className="filters"
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              await api.reviewBreakGlass(b.id, note.trim());
              onDone();
            } catch (err) {
              setError(errorText(err));
            }
          }}
        >
          <label>
            Note (optional)
            <input value={note} onChange={(e) => setNote(e.target.value)} data-testid={`break-glass-note-${b.id}`} />
          </label>
          <button type="submit" className="primary" data-testid={`break-glass-ack-${b.id}`}>
            Acknowledge
          </button>
          {error && <span className="error">{error}</span>}
        </form>
      )}
    </article>
  );
}
