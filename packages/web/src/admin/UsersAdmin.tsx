import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import type { AdminUser, Role } from '../api/types.ts';
import { useLoad } from '../ui/useLoad.ts';
import { clockTime } from '../ui/time.ts';
import { useSession } from '../session/session.tsx';
import { disableBlock } from './users.ts';

/** Today: the time; earlier: the date and time. */
function lastSignIn(iso: string): string {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString() ? clockTime(iso) : `${d.toLocaleDateString()} ${clockTime(iso)}`;
}

const ROLES: { role: Role; words: string }[] = [
  { role: 'reviewer', words: 'Reviewer: confirms requisitions' },
  { role: 'lead_reviewer', words: 'Lead reviewer: also takes escalations' },
  { role: 'admin', words: 'Administrator: users, templates, settings' },
  { role: 'auditor', words: 'Auditor: reads the audit trail' },
];

export function UsersAdmin() {
  const { me } = useSession();
  const users = useLoad(() => api.users());
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  // No role by default: an administrator grants each one deliberately (least privilege).
  const [roles, setRoles] = useState<Role[]>([]);
  const [invite, setInvite] = useState<{ user: AdminUser; url: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (roles.length === 0) return setError('Choose at least one role.');
    setBusy(true);
    setError(null);
    try {
      const answer = await api.createUser({ username: username.trim(), displayName: displayName.trim(), roles });
      const url = new URL(answer.inviteUrl, window.location.origin).toString();
      setInvite({ user: answer.user, url });
      setUsername('');
      setDisplayName('');
      users.reload();
    } catch (err) {
      setError(`User not created: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const disable = async (u: AdminUser) => {
    if (!window.confirm(`Disable ${u.username}? They are signed out and cannot sign in again.`)) return;
    try {
      await api.disableUser(u.id);
      users.reload();
    } catch (err) {
      setError(`${u.username} not disabled: ${errorText(err)}`);
    }
  };

  return (
    <div className="admin-panel">
      <h2>Users</h2>
      {users.error && <p className="error" role="alert">The users could not be loaded: {users.error}</p>}
      {users.data && (
        <table className="grid" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">User name</th>
              <th scope="col">Name</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">Last sign-in</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {users.data.items.map((u) => (
              <tr key={u.id} data-testid={`user-${u.username}`}>
                <td>{u.username}</td>
                <td>{u.displayName}</td>
                <td>{u.roles.join(', ')}</td>
                <td>{u.status}</td>
                <td>{u.lastLoginAt ? lastSignIn(u.lastLoginAt) : <span className="muted">never</span>}</td>
                <td>
                  {(() => {
                    const block = disableBlock(u, me.user.id, users.data!.items);
                    if (block === null) {
                      return (
                        <button type="button" onClick={() => void disable(u)} data-testid={`user-disable-${u.username}`}>
                          Disable
                        </button>
                      );
                    }
                    return u.status === 'disabled' ? null : (
                      <span className="muted" data-testid={`user-keep-${u.username}`}>
                        cannot be disabled: {block}
                      </span>
                    );
                  })()}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={create} className="card" data-testid="user-create-form">
        <h3>Invite a user</h3>
        <label>
          User name
          <input value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="off" data-testid="user-username" />
        </label>
        <label>
          Display name
          <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} required autoComplete="off" data-testid="user-display-name" />
        </label>
        <fieldset>
          <legend>Roles</legend>
          {ROLES.map((r) => (
            <label key={r.role} className="inline">
              <input
                type="checkbox"
                checked={roles.includes(r.role)}
                onChange={(e) => setRoles((old) => (e.target.checked ? [...old, r.role] : old.filter((x) => x !== r.role)))}
                data-testid={`user-role-${r.role}`}
              />{' '}
              {r.words}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={busy} data-testid="user-create">
          Create and get the invitation link
        </button>
        {error && <p className="error" role="alert">{error}</p>}
      </form>
      {invite && (
        <div className="card notice" role="status" data-testid="user-invite">
          <p>
            Invitation for <strong>{invite.user.username}</strong>. Give this one-time link to them in person or over a trusted channel; it sets up
            their password and authenticator.
          </p>
          <p>
            <code className="invite-url" data-testid="user-invite-url">{invite.url}</code>{' '}
            <button type="button" onClick={() => void navigator.clipboard?.writeText(invite.url)}>
              Copy
            </button>
          </p>
        </div>
      )}
    </div>
  );
}
