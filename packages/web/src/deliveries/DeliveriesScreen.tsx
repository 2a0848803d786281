/**
 * Deliveries a person must decide about: sent but not acknowledged (ambiguous), refused by the LIS,
 * or failing. Nothing is resent on its own: a lead reviewer or administrator checks the LIS, then
 * either marks the order received or resends it. Auditors look only.
 */
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import type { DeliveryEvent, DeliverySummary } from '../api/types.ts';
import { useTitle } from '../router.ts';
import { hasRole, useSession } from '../session/session.tsx';
import { Link } from '../ui/Link.tsx';
import { clockTime } from '../ui/time.ts';
import { useLoad } from '../ui/useLoad.ts';

const STATE_WORDS: Record<string, string> = {
  ambiguous: 'sent, no answer: did the LIS get it?',
  error: 'could not be sent',
  rejected: 'refused by the LIS',
};

export function DeliveriesScreen() {
  useTitle('Deliveries');
  const { me } = useSession();
  const canDecide = hasRole(me, 'lead_reviewer', 'admin');
  const list = useLoad(() => api.deliveriesNeedingAttention());
  const [selected, setSelected] = useState<string | null>(null);

  return (
    <section className="page deliveries" aria-labelledby="deliveries-title">
      <h1 id="deliveries-title">Deliveries that need a person</h1>
      <p className="muted">
        Nexession never resends an order by itself when it cannot tell whether the LIS received it. Check the LIS, then decide.
      </p>
      {list.error && (
        <p className="error" role="alert">
          The deliveries could not be loaded: {list.error}
        </p>
      )}
      {list.data && list.data.items.length === 0 && <p data-testid="deliveries-empty">✓ Nothing needs a decision.</p>}
      {list.data && list.data.items.length > 0 && (
        <table className="grid" data-testid="deliveries-table">
          <thead>
            <tr>
              <th scope="col">Since</th>
              <th scope="col">State</th>
              <th scope="col">Why</th>
              <th scope="col">Requisition</th>
              <th scope="col">Attempts</th>
              <th scope="col">Control id</th>
              <th scope="col">
                <span className="sr-only">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((d) => (
              <tr key={d.id} aria-selected={d.id === selected} data-testid={`delivery-${d.id}`} data-state={d.state}>
                <td>{clockTime(d.updatedAt)}</td>
                <td className="warn-text">⚠ {STATE_WORDS[d.state] ?? d.state}</td>
                <td>{d.stateReason ?? ''}</td>
                <td>
                  <code>{d.requisitionId.slice(0, 8)}</code>
                </td>
                <td className="num">{d.attempts}</td>
                <td>
                  <code>{d.controlId}</code>
                </td>
                <td>
                  <button type="button" onClick={() => setSelected(d.id)} data-testid={`delivery-open-${d.id}`}>
                    Look and decide
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && (
        <DeliveryDetail
          key={selected}
          id={selected}
          canDecide={canDecide}
          canSeeAck={hasRole(me, 'lead_reviewer', 'auditor')}
          canAudit={hasRole(me, 'auditor', 'admin')}
          onDecided={() => {
            setSelected(null);
            list.reload();
          }}
        />
      )}
    </section>
  );
}

function DeliveryDetail(props: { id: string; canDecide: boolean; canSeeAck: boolean; canAudit: boolean; onDecided: () => void }) {
  const detail = useLoad(() => api.delivery(props.id));
  const [ack, setAck] = useState<string | null | undefined>(undefined);
  const [decision, setDecision] = useState<'received' | 'resend' | null>(null);
  const [orderNumber, setOrderNumber] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const showAck = async () => {
    try {
      setAck((await api.deliveryAck(props.id)).text);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const decide = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (decision === 'received') await api.markDeliveryReceived(props.id, orderNumber.trim() || null, note.trim());
      else if (decision === 'resend') await api.resendDelivery(props.id, note.trim());
      props.onDecided();
    } catch (err) {
      setError(`Not recorded: ${errorText(err)}`);
      setBusy(false);
    }
  };

  if (detail.error) return <p className="error" role="alert">{detail.error}</p>;
  if (!detail.data) return <p role="status">Loading…</p>;
  const d: DeliverySummary = detail.data.delivery;
  const events: DeliveryEvent[] = detail.data.events;
  return (
    <section className="card delivery-detail" aria-labelledby="delivery-title" data-testid="delivery-detail">
      <h2 id="delivery-title">
        Delivery <code>{d.controlId}</code> ({d.profile.replace('_', '^')})
      </h2>
      <p>
        <strong>{STATE_WORDS[d.state] ?? d.state}</strong>
        {d.stateReason ? ` Why: ${d.stateReason}.` : ''} Requisition <code>{d.requisitionId.slice(0, 8)}</code>
        {d.ackCode ? `, ACK ${d.ackCode}` : ''}, {d.attempts} attempt(s), resent {d.resendCount} time(s). Message SHA-256{' '}
        <code title={d.payloadSha256}>{d.payloadSha256.slice(0, 16)}…</code>
      </p>
      <ol className="events" data-testid="delivery-events">
        {events.map((ev, i) => (
          <li key={i}>
            {clockTime(ev.at)} · {ev.kind.replace(/_/g, ' ')}
            {ev.attempt !== null ? ` (attempt ${ev.attempt})` : ''}
            {ev.ackCode ? ` · ACK ${ev.ackCode}` : ''}
            {ev.reason ? ` · ${ev.reason}` : ''} · {ev.actor}
          </li>
        ))}
      </ol>
      {!props.canSeeAck ? null : ack === undefined ? (
        <button type="button" onClick={() => void showAck()} data-testid="delivery-show-ack">
          Show the LIS's answer (may name the patient; recorded)
        </button>
      ) : (
        <pre className="ack-text" data-testid="delivery-ack">{ack ?? '(the LIS sent no answer)'}</pre>
      )}
      {props.canDecide && (
        <form onSubmit={(e) => void decide(e)} className="decision" data-testid="delivery-decision">
          <fieldset>
            <legend>After checking the LIS</legend>
            <label className="inline">
              <input type="radio" name="decision" checked={decision === 'received'} onChange={() => setDecision('received')} data-testid="delivery-choose-received" />
              The order is in the LIS: mark it received
            </label>
            <label className="inline">
              <input type="radio" name="decision" checked={decision === 'resend'} onChange={() => setDecision('resend')} data-testid="delivery-choose-resend" />
              The order is not in the LIS: send it again (same control id, so the LIS can spot a duplicate)
            </label>
          </fieldset>
          {decision === 'received' && (
            <label>
              LIS order number (if the LIS shows one)
              <input value={orderNumber} onChange={(e) => setOrderNumber(e.target.value)} data-testid="delivery-order-number" />
            </label>
          )}
          <label>
            Note (what you checked)
            <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} data-testid="delivery-note" />
          </label>
          <button type="submit" className="primary" disabled={busy || decision === null} data-testid="delivery-decide">
            Record the decision
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {props.canAudit && (
        <p>
          <Link to={`/audit?requisitionId=${encodeURIComponent(d.requisitionId)}`} className="muted">
            The requisition's audit trail
          </Link>
        </p>
      )}
    </section>
  );
}
