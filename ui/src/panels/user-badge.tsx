/** The top bar's account corner: who is logged in, with which role, and a logout button. */
import type { Me } from '../api/types';
import { useStore } from '../store';
import { logout } from '../store/session';

export function UserBadge() {
  const me = useStore((s) => s.me);
  // A server without credentials has no one to name and nothing to log out of.
  if (!me || me.via === 'open') return null;
  return <UserBadgeView me={me} onLogout={() => void logout()} />;
}

export function UserBadgeView({ me, onLogout }: { me: Me; onLogout(): void }) {
  const name = me.via === 'server-token' ? 'token' : (me.username ?? '');
  return (
    <>
      <div className="divider" />
      <span
        className="muted"
        data-testid="current-user"
        data-role={me.role}
        title={`Logged in as ${name} (${me.role})`}
      >
        {name} · {me.role}
      </span>
      <button type="button" className="btn small" data-testid="logout" onClick={onLogout}>
        Log out
      </button>
    </>
  );
}
