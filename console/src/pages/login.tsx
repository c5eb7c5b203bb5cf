import { useState } from 'preact/hooks';
import { Api, ApiError } from '../lib/api';
import { errorText } from './page';

// An admin account: "admin" with the configured admin.password, or an account made through
// /admins. The console checks the credentials with one authenticated call.
export function LoginPage({ onLogin }: { onLogin: (api: Api) => void }) {
  const [loginName, setLoginName] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    const api = new Api(loginName.trim(), password);
    try {
      await api.get('/users/online-infos/count');
      onLogin(api);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'Wrong account or password.' : errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Parley console</h1>
        <label for="login-name">Account</label>
        <input
          id="login-name"
          autocomplete="username"
          required
          value={loginName}
          onInput={(e) => setLoginName((e.target as HTMLInputElement).value)}
        />
        <label for="password">Password</label>
        <input
          id="password"
          type="password"
          autocomplete="current-password"
          required
          autoFocus
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
