import { useEffect, useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import type { LisSettings } from '../api/types.ts';
import { useLoad } from '../ui/useLoad.ts';

export function LisAdmin() {
  const loaded = useLoad(() => api.lis().then((connection) => ({ connection })));
  const [form, setForm] = useState<LisSettings | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    // No connection yet: an empty form with the usual MLLP port.
    if (loaded.data) setForm(loaded.data.connection ?? { host: '', port: 2575, profile: 'OML_O21', tls: false });
  }, [loaded.data]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    try {
      // Only what this form edits; the server keeps the rest of the connection as it was.
      const saved = await api.saveLis({ host: form.host.trim(), port: form.port, profile: form.profile, tls: form.tls });
      setForm(saved);
      setMessage({ ok: true, text: 'Saved. New orders go to this connection.' });
    } catch (err) {
      setMessage({ ok: false, text: `Not saved: ${errorText(err)}` });
    }
  };

  if (loaded.error) return <p className="error" role="alert">The LIS settings could not be loaded: {loaded.error}</p>;
  if (!form) return <p role="status">Loading…</p>;
  return (
    <form className="admin-panel card" onSubmit={save} data-testid="lis-form">
      <h2>LIS connection (HL7 over MLLP)</h2>
      <label>
        Host
        <input value={form.host} onChange={(e) => setForm({ ...form, host: e.target.value })} required data-testid="lis-host" />
      </label>
      <label>
        Port
        <input
          type="number"
          min={1}
          max={65535}
          value={form.port}
          onChange={(e) => setForm({ ...form, port: Number(e.target.value) })}
          required
          data-testid="lis-port"
        />
      </label>
      <label>
        Message profile
        <select value={form.profile} onChange={(e) => setForm({ ...form, profile: e.target.value === 'ORM_O01' ? 'ORM_O01' : 'OML_O21' })} data-testid="lis-profile">
          <option value="OML_O21">OML^O21 (HL7 v2.5.1, default)</option>
          <option value="ORM_O01">ORM^O01 (older LIS)</option>
        </select>
      </label>
      <label className="inline">
        <input type="checkbox" checked={form.tls} onChange={(e) => setForm({ ...form, tls: e.target.checked })} data-testid="lis-tls" /> Use TLS
      </label>
      {!form.tls && <p className="warn-text">⚠ Without TLS, orders cross the network unencrypted. Use it only on a trusted link.</p>}
      <button type="submit" className="primary" data-testid="lis-save">
        Save
      </button>
      {message && (
        <p className={message.ok ? 'ok-text' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
