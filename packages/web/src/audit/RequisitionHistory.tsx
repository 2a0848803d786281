/**
 * A requisition by id, for auditors (and anyone holding break-glass): its whole history as one
 * PDF, and a read-only look at its fields with their crops. Both are audited by the server.
 */
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import type { Requisition } from '../api/types.ts';
import { Crop } from '../review/Crop.tsx';
import { hasRole, useSession } from '../session/session.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The first 8 characters the screens show are enough: the server finds the whole id. */
const PREFIX = /^[0-9a-f]{8}[0-9a-f-]{0,28}$/i;

function shown(v: unknown): string {
  if (v === null || v === undefined) return '(blank)';
  if (typeof v === 'boolean') return v ? 'marked' : 'empty';
  return String(v);
}

/** Saves a blob under a name made of ids only (no PHI in the file name or history). */
function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function RequisitionHistory({ initialId }: { initialId: string }) {
  const { me } = useSession();
  const allowed = hasRole(me, 'auditor') || !!me.breakGlass;
  const [id, setId] = useState(initialId);
  const [busy, setBusy] = useState<'export' | 'look' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [req, setReq] = useState<Requisition | null>(null);
  const clean = id.trim().toLowerCase();
  const valid = UUID.test(clean) || PREFIX.test(clean);

  /** The whole id for what was typed (a unique prefix is looked up; the lookup is audited). */
  const wholeId = async (): Promise<string> => {
    if (UUID.test(clean)) return clean;
    const answer = await api.audit({ requisitionId: clean, limit: 1 });
    if (!answer.requisitionId) throw new Error(`no requisition id starts with ${clean}`);
    setId(answer.requisitionId);
    return answer.requisitionId;
  };

  const exportPdf = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!valid || !allowed) return;
    setBusy('export');
    setError(null);
    setDone(null);
    try {
      const whole = await wholeId();
      download(await api.exportHistory(whole), `requisition-${whole}.pdf`);
      setDone('The history was exported; the export is recorded in the audit log.');
    } catch (err) {
      setError(`The export failed: ${errorText(err)}`);
    } finally {
      setBusy(null);
    }
  };

  const look = async () => {
    if (!valid || !allowed) return;
    setBusy('look');
    setError(null);
    try {
      setReq(await api.requisition(await wholeId()));
    } catch (err) {
      setError(`The requisition could not be opened: ${errorText(err)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="card requisition-history" data-testid="requisition-history">
      <h2>A requisition's whole history</h2>
      <form className="filters" onSubmit={(e) => void exportPdf(e)}>
        <label>
          Requisition id
          <input value={id} onChange={(e) => setId(e.target.value)} spellCheck={false} data-testid="history-requisition" />
        </label>
        <button type="submit" className="primary" disabled={!valid || !allowed || busy !== null} data-testid="history-export">
          {busy === 'export' ? 'Exporting…' : 'Export history (PDF)'}
        </button>
        <button type="button" disabled={!valid || !allowed || busy !== null} onClick={() => void look()} data-testid="history-look">
          View fields (read-only)
        </button>
      </form>
      {!allowed && <p className="muted">Exports and requisition views are for auditors. Administrators need emergency access (break-glass) with a reason.</p>}
      {allowed && clean !== '' && !valid && <p className="muted">A requisition id looks like 3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60; its first 8 characters are enough.</p>}
      {error && <p className="error" role="alert">{error}</p>}
      {done && <p className="ok-text" role="status">{done}</p>}
      {req && (
        // A requisition has many fields and wide values: the table scrolls inside the card, it does
        // not spill out of it.
        <div className="table-scroll">
        <table className="grid" data-testid="history-fields">
          <caption>
            {req.form?.name ?? 'Unrecognised form'} · {req.state.replace(/_/g, ' ')} · document SHA-256 <code>{req.documentSha256}</code>
          </caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Crop</th>
              <th scope="col">Machine</th>
              <th scope="col">Value</th>
              <th scope="col">Review</th>
              <th scope="col">Flags</th>
            </tr>
          </thead>
          <tbody>
            {req.fields.map((f) => (
              <tr key={f.key}>
                <td>
                  {f.section} · {f.label}
                </td>
                <td>
                  <Crop requisitionId={req.id} field={f} variant="thumb" />
                </td>
                <td>{shown(f.machineValue)}</td>
                <td>{shown(f.value)}</td>
                <td>
                  {f.review.state.replace(/_/g, ' ')}
                  {f.review.by ? ` by ${f.review.by}` : ''}
                </td>
                <td>{f.flags.map((x) => x.message).join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </div>
  );
}
