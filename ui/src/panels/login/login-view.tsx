/** The login page's markup: a name and password form, or the access-token form. */
import { type FormEvent, useState } from 'react';
import { Dialog, useFocus } from '../dialogs';

interface Props {
  mode: 'password' | 'token';
  /** Both ways are offered: a link switches. */
  canSwitch: boolean;
  busy: boolean;
  error: string | null;
  onPassword(username: string, password: string): void;
  onToken(token: string): void;
  onSwitch(): void;
}

export function LoginView(props: Props) {
  return props.mode === 'password' ? <PasswordForm {...props} /> : <TokenForm {...props} />;
}

function SwitchLink({ canSwitch, onSwitch, to }: { canSwitch: boolean; onSwitch(): void; to: string }) {
  if (!canSwitch) return null;
  return (
    <button type="button" className="btn ghost" data-testid="login-switch" onClick={onSwitch}>
      {to}
    </button>
  );
}

function PasswordForm({ busy, error, canSwitch, onPassword, onSwitch }: Props) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const input = useFocus<HTMLInputElement>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (username.trim() && password) onPassword(username.trim(), password);
  };
  return (
    <form onSubmit={submit}>
      <Dialog
        title="Log in to Sluice"
        testId="login-dialog"
        footer={
          <>
            <SwitchLink canSwitch={canSwitch} onSwitch={onSwitch} to="Use an access token" />
            <button
              type="submit"
              className="btn primary"
              data-testid="login-submit"
              disabled={busy || !username.trim() || !password}
            >
              {busy ? 'Logging in…' : 'Log in'}
            </button>
          </>
        }
      >
        {error && (
          <p className="error-text" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <div className="field">
          <label htmlFor="login-username">User name</label>
          <input
            ref={input}
            id="login-username"
            data-testid="login-username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
      </Dialog>
    </form>
  );
}

function TokenForm({ error, canSwitch, onToken, onSwitch }: Props) {
  const [token, set] = useState('');
  const input = useFocus<HTMLInputElement>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) onToken(token.trim());
  };
  return (
    <form onSubmit={submit}>
      <Dialog
        title="Access token required"
        testId="token-prompt"
        footer={
          <>
            <SwitchLink canSwitch={canSwitch} onSwitch={onSwitch} to="Log in with a password" />
            <button type="submit" className="btn primary" data-testid="token-submit" disabled={!token.trim()}>
              Continue
            </button>
          </>
        }
      >
        <p style={{ marginTop: 0 }}>
          This Sluice server asks for an access token (<code>--token</code> or <code>SLUICE_TOKEN</code> where it was
          started, or an API token from <code>sluice users token</code>). It is kept for this browser tab only.
        </p>
        {error && (
          <p className="error-text" data-testid="token-rejected">
            {error}
          </p>
        )}
        <div className="field">
          <label htmlFor="token-input">Token</label>
          <input
            ref={input}
            id="token-input"
            data-testid="token-input"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => set(e.target.value)}
          />
        </div>
      </Dialog>
    </form>
  );
}
