// Sign in: paste a personal token (how the first admin gets in: the token in .secrets/admin-token), or
// use a passkey. The token is posted once to /v1/session and the form forgets it; from then on the
// HttpOnly cookie is the only credential.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { errorMessage } from '../api.ts';
import { passkeysSupported, signInWithPasskey } from '../passkeys.ts';
import { adoptSession, signInWithToken, type SessionInfo } from '../session.ts';
import { ErrorText } from '../ui/dialog.ts';

export function SignIn(props: { notice: string | null; onSignedIn: (s: SessionInfo) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const input = form.elements.namedItem('token') as HTMLInputElement;
    const token = input.value.trim();
    // Nothing of the token stays in the page, whatever the answer.
    input.value = '';
    if (!token) {
      setError('Paste a personal token to sign in');
      input.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(await signInWithToken(token));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
      input.focus();
    }
  };

  const passkey = async () => {
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(await adoptSession(await signInWithPasskey()));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return html`<main class="sign-in" id="main">
    <h1>Sign in to Secrets</h1>
    ${props.notice ? html`<p class="notice" role="status">${props.notice}</p>` : null}
    ${passkeysSupported()
      ? html`<button type="button" class="wide" disabled=${busy} onClick=${passkey}>Sign in with a passkey</button>
          <p class="or"><span>or paste a personal token</span></p>`
      : null}
    <form onSubmit=${submit} autocomplete="off">
      <label for="token">Personal token</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck=${false} placeholder="scrt_pat_…" />
      <p class="hint">The first admin's token is in <code>.secrets/admin-token</code> on the server.</p>
      <${ErrorText} message=${error} />
      <button type="submit" disabled=${busy}>Sign in</button>
    </form>
  </main>`;
}
