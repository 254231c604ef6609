import { useState } from 'preact/hooks';
import { type Session, signIn } from '../api';
import { ErrorBanner } from '../components/error-banner';

/** Sign in with the platform admin token or an API key secret. */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(secret.trim()));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Strata console</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label for="secret">Admin token or API key</label>
        <input
          id="secret"
          type="password"
          autocomplete="current-password"
          required
          value={secret}
          onInput={(e) => setSecret((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <ErrorBanner error={error} />
      <p class="hint">
        The admin token of <code>npm start</code> is in <code>.strata/dev/admin-token</code>.
      </p>
    </main>
  );
}
