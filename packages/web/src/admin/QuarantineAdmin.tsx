import { api } from '../api/client.ts';
import { useLoad } from '../ui/useLoad.ts';
import { clockTime } from '../ui/time.ts';

export function QuarantineAdmin() {
  const q = useLoad(() => api.quarantine());
  return (
    <div className="admin-panel">
      <h2>Quarantine</h2>
      <p className="muted">
        Files refused before any reading (wrong type, too large, active content, encryption), kept encrypted and never read; and files
        accepted that could not be read, which no reviewer will see: ask the sender for them again.
      </p>
      {q.error && <p className="error" role="alert">The quarantine could not be loaded: {q.error}</p>}
      {q.data && q.data.items.length === 0 && <p data-testid="quarantine-empty">Nothing in quarantine.</p>}
      {q.data && q.data.items.length > 0 && (
        <table className="grid" data-testid="quarantine-table">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
              <th scope="col">Type and size</th>
              <th scope="col">From</th>
              <th scope="col">SHA-256</th>
              <th scope="col">Id</th>
            </tr>
          </thead>
          <tbody>
            {q.data.items.map((i) => (
              <tr key={i.id} data-testid={`quarantine-${i.id}`}>
                <td>{clockTime(i.receivedAt)}</td>
                <td>{i.status === 'read_failed' ? 'could not be read' : 'refused'}</td>
                <td>{i.reason}</td>
                <td>
                  {i.format ?? 'unknown'}
                  {typeof i.bytes === 'number' ? `, ${(i.bytes / 1024).toFixed(0)} KiB` : ''}
                </td>
                <td>{i.source ?? ''}</td>
                <td>
                  <code title={i.sha256}>{i.sha256.slice(0, 16)}…</code>
                </td>
                <td>
                  <code>{i.id}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" onClick={q.reload}>
        Refresh
      </button>
    </div>
  );
}
