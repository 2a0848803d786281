/**
 * The queue: STAT first, then oldest; waiting time, pages, form, who holds it, flagged fields.
 * No patient names. Arrow keys move, Enter opens.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import type { QueueItem } from '../api/types.ts';
import { navigate, useTitle } from '../router.ts';
import { useFlash } from '../session/flash.ts';
import { useSession } from '../session/session.tsx';
import { clockTime } from '../ui/time.ts';
import { formatWaiting, queueKey, sortQueue } from './order.ts';

const REFRESH_MS = 20_000;

/** The reason in the row, whole in its tooltip (and on the requisition). */
function shorten(text: string, max = 80): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

export function QueueScreen() {
  useTitle('Queue');
  const { me } = useSession();
  const [items, setItems] = useState<QueueItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const flash = useFlash();
  const rowRefs = useRef(new Map<string, HTMLTableRowElement>());
  const focusedOnce = useRef(false);

  const load = useCallback(async () => {
    try {
      const answer = await api.queue();
      setItems(sortQueue(answer.items));
      setError(null);
    } catch (e) {
      setError(`The queue could not be loaded: ${errorText(e)}`);
    }
  }, []);

  useEffect(() => {
    void load();
    const t = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(t);
  }, [load]);

  // Keep the selection on the same requisition across refreshes; fall back to the first.
  const selectedIndex = items ? Math.max(0, items.findIndex((i) => i.id === selectedId)) : 0;

  useEffect(() => {
    if (!items || items.length === 0 || focusedOnce.current) return;
    focusedOnce.current = true;
    const first = items[0];
    if (first) {
      setSelectedId(first.id);
      rowRefs.current.get(first.id)?.focus();
    }
  }, [items]);

  const open = (item: QueueItem) => navigate(`/review/${encodeURIComponent(item.id)}`);
  // A lead reviewer sees why each escalated requisition came to them.
  const escalations = items?.some((i) => i.escalation) ?? false;
  const mine = (i: QueueItem) => i.assignee !== null && (i.assignee === me.user.username || i.assignee === me.user.displayName);
  // "Open next" skips what someone else is working on.
  const nextFree = items?.find((i) => i.assignee === null || mine(i)) ?? null;

  const onKeyDown = (e: KeyboardEvent<HTMLTableSectionElement>) => {
    if (!items || e.altKey || e.ctrlKey || e.metaKey) return;
    const move = queueKey(selectedIndex, e.key, items.length);
    if (move.kind === 'none') return;
    e.preventDefault();
    const target = items[move.index];
    if (!target) return;
    if (move.kind === 'open') return open(target);
    setSelectedId(target.id);
    rowRefs.current.get(target.id)?.focus();
  };


  return (
    <section className="page queue" aria-labelledby="queue-title">
      <div className="page-head">
        <h1 id="queue-title">Queue</h1>
        <p className="muted" id="queue-help">
          STAT first, then oldest. ↑ ↓ to choose, Enter to open.
        </p>
        <button
          type="button"
          className="primary"
          disabled={!nextFree}
          onClick={() => nextFree && open(nextFree)}
          data-testid="queue-open-next"
        >
          Open next
        </button>
      </div>
      {flash && (
        <p className="notice" role="status" data-testid="flash">
          {flash}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items === null && !error && <p role="status">Loading the queue…</p>}
      {items && items.length === 0 && (
        <p className="empty" data-testid="queue-empty">
          Nothing is waiting. New requisitions appear here as soon as they are read.
        </p>
      )}
      {items && items.length > 0 && (
        <table className="grid queue-table" role="grid" aria-readonly="true" aria-labelledby="queue-title" aria-describedby="queue-help" data-testid="queue">
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col">Received</th>
              <th scope="col">Waiting</th>
              <th scope="col">Pages</th>
              <th scope="col">Form</th>
              <th scope="col">Flagged</th>
              <th scope="col">Working on it</th>
              <th scope="col">State</th>
              {escalations && <th scope="col">Why escalated</th>}
            </tr>
          </thead>
          <tbody onKeyDown={onKeyDown}>
            {items.map((item, i) => {
              const selected = i === selectedIndex;
              return (
                <tr
                  key={item.id}
                  ref={(el) => {
                    if (el) rowRefs.current.set(item.id, el);
                    else rowRefs.current.delete(item.id);
                  }}
                  tabIndex={selected ? 0 : -1}
                  aria-selected={selected}
                  className={selected ? 'selected' : undefined}
                  onClick={() => setSelectedId(item.id)}
                  onDoubleClick={() => open(item)}
                  onFocus={() => setSelectedId(item.id)}
                  data-testid={`queue-row-${item.id}`}
                  data-priority={item.priority}
                >
                  <td>
                    {item.priority === 'stat' ? <span className="badge stat">STAT</span> : <span className="muted">routine</span>}
                    {item.priorityUnsure && <span className="warn-text"> ⚠ STAT box unclear</span>}
                  </td>
                  <td>{clockTime(item.receivedAt)}</td>
                  <td>{formatWaiting(item.waitingSeconds)}</td>
                  <td className="num">{item.pageCount}</td>
                  <td>{item.form ?? <span className="warn-text">⚠ not recognised: choose the form</span>}</td>
                  <td className="num">
                    {item.flaggedFields > 0 ? <span className="warn-text">⚠ {item.flaggedFields}</span> : <span className="muted">0</span>}
                  </td>
                  <td>{item.assignee ? (mine(item) ? 'you' : item.assignee) : <span className="muted">nobody</span>}</td>
                  <td>
                    {item.state.replace(/_/g, ' ')}{' '}
                    <a
                      href={`/review/${encodeURIComponent(item.id)}`}
                      tabIndex={-1}
                      className="row-open"
                      onClick={(e) => {
                        e.preventDefault();
                        open(item);
                      }}
                    >
                      open
                    </a>
                  </td>
                  {escalations && (
                    <td className="escalation" data-testid={`queue-escalation-${item.id}`}>
                      {item.escalation ? (
                        <span title={item.escalation.reason ?? undefined}>
                          <span className="warn-text">⚠</span> {item.escalation.by}: {item.escalation.reason ? shorten(item.escalation.reason) : <span className="muted">(reason no longer readable)</span>}
                        </span>
                      ) : null}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
