/**
 * The login page, shown while the server answers 401: a user name and password when the server has users
 * (the session cookie it sets is HttpOnly: the page never sees it), else the access token (`--token`), kept for
 * this tab only.
 */
import { useEffect, useState } from 'react';
import { ApiError, api, getToken, setToken } from '../../api/client';
import type { LoginOptions } from '../../api/types';
import { useStore } from '../../store';
import { boot } from '../../store/session';
import { LoginView } from './login-view';

export function LoginPrompt() {
  const needed = useStore((s) => s.needsToken);
  return needed ? <LoginContainer /> : null;
}

function LoginContainer() {
  const [options, setOptions] = useState<LoginOptions | null>(null);
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(
    getToken() ? 'The server did not accept the token given; try again.' : null,
  );

  useEffect(() => {
    api
      .loginOptions()
      .then((o) => {
        setOptions(o);
        if (!o.password) setMode('token');
      })
      .catch(() => setOptions({ required: true, password: false, token: true }));
  }, []);

  const finish = () => {
    useStore.getState().setNeedsToken(false);
    void boot();
  };
  const onPassword = async (username: string, password: string) => {
    setBusy(true);
    setError(null);
    try {
      await api.login(username, password);
      setToken(''); // a token left from before would be sent instead of the cookie
      finish();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : `Logging in failed: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const onToken = (token: string) => {
    setToken(token);
    finish();
  };

  if (!options) return null;
  return (
    <LoginView
      mode={mode}
      canSwitch={options.password && options.token}
      busy={busy}
      error={error}
      onPassword={(u, p) => void onPassword(u, p)}
      onToken={onToken}
      onSwitch={() => {
        setError(null);
        setMode(mode === 'password' ? 'token' : 'password');
      }}
    />
  );
}
