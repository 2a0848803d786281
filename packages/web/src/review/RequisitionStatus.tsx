/**
 * Where a requisition stands, read-only and without PHI: its state, who released it and when,
 * our order number, the delivery to the LIS, the ACK code and the LIS's own order number (which
 * arrives with the acknowledgement: while the delivery is on its way, this asks again).
 */
import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { RequisitionSummary } from '../api/types.ts';
import { clockTime } from '../ui/time.ts';
import { deliveryInFlight, deliveryWords, followDelivery } from './delivery.ts';

const STATE_WORDS: Record<string, string> = {
  reading: 'being read',
  ready_for_review: 'waiting for review',
  in_review: 'being reviewed',
  escalated: 'escalated to a lead reviewer',
  released: 'released',
  delivered: 'released and delivered to the LIS',
  delivery_failed: 'released; the delivery to the LIS needs a person',
  rejected: 'rejected (nothing was sent to the LIS)',
};

export function RequisitionStatus({ initial }: { initial: RequisitionSummary }) {
  const [s, setS] = useState(initial);
  useEffect(() => {
    if (!initial.release || !deliveryInFlight(initial.delivery)) return;
    let live = true;
    void followDelivery(initial.id, api.summary, (next) => live && setS(next));
    return () => {
      live = false;
    };
  }, [initial]);
  const d = s.delivery;
  return (
    <dl className="status-list" data-testid="requisition-summary" data-state={s.state}>
      <div>
        <dt>State</dt>
        <dd>{STATE_WORDS[s.state] ?? s.state.replace(/_/g, ' ')}</dd>
      </div>
      {s.form && (
        <div>
          <dt>Form</dt>
          <dd>
            {s.form.name} v{s.form.version}
          </dd>
        </div>
      )}
      <div>
        <dt>Received</dt>
        <dd>{clockTime(s.receivedAt)}</dd>
      </div>
      {s.release && (
        <div data-testid="summary-released">
          <dt>Released</dt>
          <dd>
            by {s.release.by} at {clockTime(s.release.at)}
          </dd>
        </div>
      )}
      {s.release?.placerOrderNumber && (
        <div>
          <dt>Our order number</dt>
          <dd>
            <code data-testid="summary-placer-order">{s.release.placerOrderNumber}</code>
          </dd>
        </div>
      )}
      {s.release && (
        <div>
          <dt>Delivery</dt>
          <dd data-testid="summary-delivery" data-state={d?.state ?? 'none'}>
            {deliveryWords(d)}
            {d?.ackCode ? <span data-testid="summary-ack"> · ACK {d.ackCode}</span> : null}
          </dd>
        </div>
      )}
      {s.release && (
        <div>
          <dt>LIS order number</dt>
          <dd>
            {d?.lisOrderNumber ? (
              <code data-testid="summary-lis-order">{d.lisOrderNumber}</code>
            ) : (
              <span className="muted">{deliveryInFlight(d) ? 'not yet: it comes with the LIS’s acknowledgement' : 'none'}</span>
            )}
          </dd>
        </div>
      )}
      {s.assignee && !s.release && (
        <div>
          <dt>Working on it</dt>
          <dd>{s.assignee}</dd>
        </div>
      )}
    </dl>
  );
}
