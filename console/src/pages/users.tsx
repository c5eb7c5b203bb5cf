// One user by id (or found by name prefix): profile, online devices and the node holding each, and what an operator does
// about a user: close a session, deactivate or reactivate, set a new password.
import { useState } from 'preact/hooks';
import { LookupForm } from '../components/lookup_form';
import { query } from '../lib/api';
import { formatDate } from '../lib/format';
import { PageProps, useAction } from './page';

interface User {
  id: number;
  name: string;
  intro: string;
  registrationDate: number;
  lastUpdatedDate: number;
  deletionDate: number | null;
  isActive: boolean;
}

interface OnlineInfo {
  userId: number;
  userStatus: string;
  deviceTypeToSessionInfo: Record<string, { nodeId: string; loginDate: number }>;
}

export function UsersPage({ api, onError }: PageProps) {
  const [idText, setIdText] = useState('');
  const [user, setUser] = useState<User | null>(null);
  const [online, setOnline] = useState<OnlineInfo | null>(null);
  const [message, setMessage] = useState('');
  const { error, run } = useAction(onError);
  const [newPassword, setNewPassword] = useState('');
  const [matches, setMatches] = useState<User[]>([]);


  const load = (id: number) =>
    run(async () => {
      const [users, infos] = await Promise.all([
        api.get<User[]>(`/users${query({ ids: id })}`),
        api.get<OnlineInfo[]>(`/users/online-statuses${query({ ids: id })}`),
      ]);
      setUser(users[0] ?? null);
      setOnline(infos[0] ?? null);
      if (!users[0]) setMessage(`No user ${id}.`);
    });

  const lookUp = (event: Event) => {
    event.preventDefault();
    setMessage('');
    setMatches([]);
    const text = idText.trim();
    if (!text) return;
    if (/^\d+$/.test(text)) {
      void load(Number(text));
      return;
    }
    // Anything else is the start of a name.
    void run(async () => {
      const found = await api.get<User[]>(`/users${query({ name: text, size: 20 })}`);
      setUser(null);
      setOnline(null);
      if (found.length === 1) {
        await load(found[0].id);
      } else {
        setMatches(found);
        if (found.length === 0) setMessage(`No user's name starts with "${text}".`);
      }
    });
  };

  const kick = (deviceType: string) =>
    run(async () => {
      await api.put(`/users/online-infos/statuses${query({ ids: user!.id, deviceTypes: deviceType })}`, {
        onlineStatus: 'OFFLINE',
      });
      setMessage(`Closed the ${deviceType} session of user ${user!.id}.`);
      await load(user!.id);
    });

  const setActive = (active: boolean) =>
    run(async () => {
      await api.put(`/users${query({ ids: user!.id })}`, { isActive: active });
      setMessage(active ? 'Reactivated.' : 'Deactivated; their sessions were closed.');
      await load(user!.id);
    });

  const resetPassword = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await api.put(`/users${query({ ids: user!.id })}`, { password: newPassword });
      setNewPassword('');
      setMessage('Password changed.');
    });
  };

  const devices = online ? Object.entries(online.deviceTypeToSessionInfo) : [];
  return (
    <section aria-label="Users">
      <LookupForm
        id="user-id"
        label="User id or name"
        value={idText}
        onInput={setIdText}
        onSubmit={lookUp}
        error={error}
        message={message}
      />
      {matches.length > 0 && (
        <ul class="plain" aria-label="Users found">
          {matches.map((m) => (
            <li>
              <button type="button" class="quiet" onClick={() => { setMatches([]); void load(m.id); }}>
                {m.name || '(no name)'} #{m.id}
              </button>
            </li>
          ))}
        </ul>
      )}
      {user && (
        <>
          <h2>
            {user.name || '(no name)'} <small>#{user.id}</small>
          </h2>
          <dl class="facts" data-testid="user-profile">
            <dt>Status</dt>
            <dd data-testid="user-active">
              {user.deletionDate ? 'deleted' : user.isActive ? 'active' : 'deactivated'}
            </dd>
            <dt>Intro</dt>
            <dd>{user.intro || '–'}</dd>
            <dt>Registered</dt>
            <dd>{formatDate(user.registrationDate)}</dd>
            <dt>Last updated</dt>
            <dd>{formatDate(user.lastUpdatedDate)}</dd>
            <dt>Online status</dt>
            <dd data-testid="user-online-status">{online?.userStatus ?? '–'}</dd>
          </dl>
          <h3>Online devices</h3>
          {devices.length === 0 ? (
            <p data-testid="no-devices">No device is online.</p>
          ) : (
            <div class="table-scroll">
              <table data-testid="devices">
                <thead>
                  <tr>
                    <th scope="col">Device</th>
                    <th scope="col">Node</th>
                    <th scope="col">Logged in</th>
                    <th scope="col">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {devices.map(([device, session]) => (
                    <tr data-device={device}>
                      <td>{device}</td>
                      <td>{session.nodeId}</td>
                      <td>{formatDate(session.loginDate)}</td>
                      <td>
                        <button type="button" class="danger" onClick={() => kick(device)}>
                          Kick {device}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3>Account</h3>
          <div class="actions">
            <button type="button" onClick={() => load(user.id)}>
              Refresh
            </button>
            {user.isActive ? (
              <button type="button" class="danger" onClick={() => setActive(false)}>
                Deactivate
              </button>
            ) : (
              <button type="button" onClick={() => setActive(true)}>
                Reactivate
              </button>
            )}
          </div>
          <form class="inline" onSubmit={resetPassword}>
            <label for="new-password">New password</label>
            <input
              id="new-password"
              type="password"
              autocomplete="new-password"
              required
              value={newPassword}
              onInput={(e) => setNewPassword((e.target as HTMLInputElement).value)}
            />
            <button type="submit">Set password</button>
          </form>
        </>
      )}
    </section>
  );
}
