// Opening an invitation link (/invite#scrt_inv_…): the secret is in the fragment, which the browser
// never sends to a server; the page takes it into memory and removes it from the address bar and
// history at once. A new person gives their name and registers a passkey; someone signed in as the
// invited e-mail accepts with one click.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { AcceptedInvitation, InvitationPreview } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import { acceptWithNewPasskey } from '../passkeys.ts';
import type { SessionInfo } from '../session.ts';
import { ErrorText } from '../ui/dialog.ts';
import { ROLE_NAMES, when } from '../ui/format.ts';

let linkToken: string | null = null;

/** Called once at start-up: takes the invitation secret out of the URL before anything else runs. */
export function takeInvitationFromUrl(): void {
  if (location.pathname !== '/invite') return;
  const fragment = location.hash.slice(1);
  if (fragment) linkToken = fragment;
  history.replaceState(null, '', '/invite');
}

export function InvitePage(props: { session: SessionInfo | null; onAccepted: (answer: AcceptedInvitation) => void }) {
  const [preview, setPreview] = useState<InvitationPreview | null>(null);
  const [error, setError] = useState<string | null>(linkToken ? null : 'This page needs the invitation link exactly as you received it.');
  const [busy, setBusy] = useState(false);
  const token = linkToken;
  useEffect(() => {
    if (!token) return;
    api<InvitationPreview>('GET', `/v1/invitations/${seg(token)}`, { signingIn: true }).then(setPreview, (err) => setError(errorMessage(err)));
  }, [token]);

  const acceptSignedIn = async () => {
    if (!token) return;
    setBusy(true);
    try {
      props.onAccepted(await api<AcceptedInvitation>('POST', `/v1/invitations/${seg(token)}/accept`, { body: {} }));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  const acceptNew = async (e: Event) => {
    e.preventDefault();
    if (!token) return;
    const name = ((e.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement).value.trim();
    if (!name) {
      setError('Your name is required');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      props.onAccepted(await acceptWithNewPasskey(token, name));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return html`<main class="sign-in" id="main">
    <h1>Join an organization</h1>
    ${preview
      ? html`<p>You are invited to join <strong>${preview.organization.name}</strong> as <strong>${ROLE_NAMES[preview.role]}</strong>
          (${preview.email}). The invitation is valid until ${when(preview.expiresAt)}.</p>
          ${props.session
            ? html`<p>You are signed in as ${props.session.user.email}.</p>
                <button type="button" disabled=${busy} onClick=${acceptSignedIn}>Accept invitation</button>`
            : html`<form onSubmit=${acceptNew} novalidate autocomplete="off">
                <label for="invite-name">Your name</label>
                <input id="invite-name" name="name" autocomplete="name" />
                <p class="hint">You sign in with a passkey (your device's screen lock or a security key); no password.
                  Already have an account? <a href="/">Sign in</a> first, then open the link again.</p>
                <${ErrorText} message=${error} />
                <button type="submit" disabled=${busy}>Create passkey and join</button>
              </form>`}`
      : null}
    ${!preview || props.session ? html`<${ErrorText} message=${error} />` : null}
  </main>`;
}
