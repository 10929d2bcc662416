import type { FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ErrorNote } from '../components/status.js';
import { homeOf } from '../home.js';
import { useSending } from '../sending.js';
import { useSession } from '../session.js';

/**
 * The API key is exchanged for a session (an HttpOnly cookie the page cannot read) and then dropped: it is never
 * put in localStorage, sessionStorage or a cookie a script can read, and the field is cleared whatever the answer.
 */
export function LoginPage() {
  const { session, login } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const { busy, error, send } = useSending();
  const from = (location.state as { from?: string } | null)?.from;

  if (session) return <Navigate to={from ?? homeOf(session.key.role)} replace />;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const field = form.elements.namedItem('apiKey') as HTMLInputElement;
    const apiKey = field.value.trim();
    field.value = '';
    await send(async () => {
      const next = await login(apiKey);
      navigate(from ?? homeOf(next.key.role), { replace: true });
    });
  }

  return (
    <main id="main" className="login">
      <h1>Crosswalk console</h1>
      <p>Log in with an API key. The key is exchanged for a session and is not kept by this page.</p>
      <form onSubmit={submit} aria-describedby="login-help">
        <label htmlFor="apiKey">API key</label>
        <input id="apiKey" name="apiKey" type="password" autoComplete="off" spellCheck={false} required />
        <p id="login-help" className="hint">
          Keys look like <code>cwk_…</code>; an administrator makes them with{' '}
          <code>crosswalk keys create</code>.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <ErrorNote error={error} />
    </main>
  );
}
