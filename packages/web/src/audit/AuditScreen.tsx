/** The audit trail, read-only: filters, the events, and whether the hash chain is intact. */
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import type { AuditEvent, AuditVerify } from '../api/types.ts';
import { useTitle } from '../router.ts';
import { useLoad } from '../ui/useLoad.ts';
import { auditTime } from '../ui/time.ts';
import { RequisitionHistory } from './RequisitionHistory.tsx';

interface Filters {
  requisitionId: string;
  actor: string;
  from: string;
  to: string;
  limit: number;
}

function shown(v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return '(blank)';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'marked' : 'empty';
  return JSON.stringify(v);
}

/** datetime-local has no zone: send it as an instant with the browser's offset. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * An object id as the screens show it (its first 8 characters; the whole id on hover), with a
 * way to copy the whole id and, for a requisition, to filter the trail by it.
 */
function ObjectId({ id, requisition, onFilter }: { id: string; requisition: boolean; onFilter: (id: string) => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(id);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    } catch {
      window.prompt('Copy the id:', id);
    }
  };
  return (
    <>
      <code title={id} data-full-id={id}>
        {id.length > 12 ? id.slice(0, 8) : id}
      </code>
      <button type="button" className="quiet" onClick={() => void copy()} aria-label={`Copy the whole id ${id}`} title="Copy the whole id">
        {copied ? 'copied' : 'copy'}
      </button>
      {requisition && (
        <button type="button" className="quiet" onClick={() => onFilter(id)} aria-label={`Show only requisition ${id}`} title="Show only this requisition">
          filter
        </button>
      )}
    </>
  );
}

export function AuditScreen() {
  useTitle('Audit');
  // A link may name a requisition (an id, never PHI): /audit?requisitionId=<uuid>
  const [filters, setFilters] = useState<Filters>(() => ({
    requisitionId: new URLSearchParams(window.location.search).get('requisitionId') ?? '',
    actor: '',
    from: '',
    to: '',
    limit: 200,
  }));
  const [items, setItems] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [resolved, setResolved] = useState<string | null>(null);
  const verify = useLoad<AuditVerify>(() => api.auditVerify());

  const search = async (e?: FormEvent, override?: Partial<Filters>) => {
    e?.preventDefault();
    setError(null);
    const f = { ...filters, ...override };
    try {
      const q: Parameters<typeof api.audit>[0] = { limit: f.limit };
      if (f.requisitionId.trim()) q.requisitionId = f.requisitionId.trim();
      if (f.actor.trim()) q.actor = f.actor.trim();
      const from = toIso(f.from);
      const to = toIso(f.to);
      if (from) q.from = from;
      if (to) q.to = to;
      const answer = await api.audit(q);
      setItems(answer.items);
      // A short id typed (the first 8 characters the screens show) is answered with the whole one.
      setResolved(answer.requisitionId ?? null);
    } catch (err) {
      // Never leave the previous list under a filter that failed: it would look like its answer.
      setItems(null);
      setResolved(null);
      setError(`The audit trail could not be loaded: ${errorText(err)}`);
    }
  };

  const filterBy = (requisitionId: string) => {
    setFilters({ ...filters, requisitionId });
    void search(undefined, { requisitionId });
  };

  // The latest events on opening; filters narrow them down.
  useEffect(() => {
    void search();
    // Once, on opening.
  }, []);

  return (
    <section className="page audit">
      <h1>Audit trail</h1>
      <div className="card" data-testid="audit-verify" data-ok={verify.data?.ok}>
        {verify.error && <p className="error">Chain check failed to run: {verify.error}</p>}
        {verify.data &&
          (verify.data.ok ? (
            <p className="ok-text">✓ Hash chain intact: {verify.data.checked.toLocaleString()} events checked.</p>
          ) : (
            <p className="bad-text" role="alert">
              ✗ Hash chain broken at event {verify.data.firstBadSeq ?? '?'} ({verify.data.checked.toLocaleString()} events checked). The log was altered
              outside the application.
            </p>
          ))}
        {!verify.data && !verify.error && <p role="status">Checking the hash chain…</p>}
        <button type="button" onClick={verify.reload} data-testid="audit-verify-again">
          Check again
        </button>
      </div>
      <RequisitionHistory initialId={filters.requisitionId} />
      <form className="filters" onSubmit={(e) => void search(e)} data-testid="audit-filters">
        <label>
          Requisition id (the first 8 characters are enough)
          <input value={filters.requisitionId} onChange={(e) => setFilters({ ...filters, requisitionId: e.target.value })} spellCheck={false} data-testid="audit-requisition" />
        </label>
        <label>
          Person or service
          <input value={filters.actor} onChange={(e) => setFilters({ ...filters, actor: e.target.value })} data-testid="audit-actor" />
        </label>
        <label>
          From
          <input type="datetime-local" value={filters.from} onChange={(e) => setFilters({ ...filters, from: e.target.value })} data-testid="audit-from" />
        </label>
        <label>
          To
          <input type="datetime-local" value={filters.to} onChange={(e) => setFilters({ ...filters, to: e.target.value })} data-testid="audit-to" />
        </label>
        <label>
          At most
          <input
            type="number"
            min={1}
            max={5000}
            value={filters.limit}
            onChange={(e) => setFilters({ ...filters, limit: Number(e.target.value) || 200 })}
            data-testid="audit-limit"
          />
        </label>
        <button type="submit" className="primary" data-testid="audit-search">
          Show events
        </button>
      </form>
      {error && <p className="error" role="alert" data-testid="audit-error">{error}</p>}
      {resolved && resolved !== filters.requisitionId.trim().toLowerCase() && (
        <p className="muted" data-testid="audit-resolved">
          Requisition <code>{resolved}</code>
        </p>
      )}
      {items && items.length === 0 && <p>No events match.</p>}
      {items && items.length > 0 && (
        <table className="grid audit-table" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Object</th>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
              <th scope="col">Details</th>
              <th scope="col">Request / source</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {items.map((ev) => (
              <tr key={ev.seq} data-testid={`audit-${ev.seq}`} data-action={ev.action}>
                <td className="num">{ev.seq}</td>
                <td className="nowrap">{auditTime(ev.at)}</td>
                <td>
                  {ev.actor}
                  {ev.actorType === 'service' ? <span className="muted"> (service)</span> : null}
                  {ev.actorType === 'anonymous' ? <span className="muted"> (not signed in)</span> : null}
                </td>
                <td>
                  {ev.action}
                  {ev.breakGlassId ? (
                    <span className="bad-text" title={`under break-glass ${ev.breakGlassId}`}>
                      {' '}
                      (break-glass)
                    </span>
                  ) : null}
                </td>
                <td className="id-cell">
                  {ev.objectType} {ev.objectId ? <ObjectId id={ev.objectId} requisition={ev.objectType === 'requisition'} onFilter={filterBy} /> : null}
                </td>
                <td>{ev.field ?? ''}</td>
                <td>{shown(ev.before)}</td>
                <td>{shown(ev.after)}</td>
                <td className="details">{ev.details && Object.keys(ev.details).length > 0 ? JSON.stringify(ev.details) : ''}</td>
                <td>
                  <code>{ev.requestId ?? ''}</code> {ev.sourceIp ?? ''}
                </td>
                <td>
                  <code title={ev.hash}>{ev.hash.slice(0, 10)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
