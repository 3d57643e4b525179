// My account: who is signed in, passkeys (account-passkeys.ts), and personal tokens (for the CLI and VS Code): create, shown once, and revoke.
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { PersonalToken } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import type { PageContext } from '../context.ts';
import { CopyButton } from '../ui/copy.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { when } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';
import { PasskeysSection } from './account-passkeys.ts';

export function AccountPage({ ctx }: { ctx: PageContext }) {
  const [tokens, setTokens] = useState<PersonalToken[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const user = ctx.session.user;
  const load = useCallback(async () => {
    try {
      setTokens((await api<{ tokens: PersonalToken[] }>('GET', '/v1/me/tokens')).tokens);
    } catch (err) {
      setTokens((t) => t ?? []);
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    try {
      const t = await api<PersonalToken & { token: string }>('POST', '/v1/me/tokens', { body: { name } });
      form.reset();
      setError(null);
      setCreated(t.token);
      void load();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const revoke = async (t: PersonalToken) => {
    try {
      await api('DELETE', `/v1/me/tokens/${seg(t.id)}`);
      toast(`Revoked ${t.name}`);
    } catch (err) {
      setError(errorMessage(err));
    }
    void load();
  };

  return html`<section>
    <h1>My account</h1>
    <dl class="facts"><dt>Name</dt><dd>${user.name}</dd><dt>E-mail</dt><dd>${user.email}</dd></dl>
    <${PasskeysSection} />
    <h2>Personal tokens</h2>
    <p class="hint">For the <code>secrets</code> command and the VS Code extension. A token acts as you, with your roles.</p>
    <${ErrorText} message=${error} />
    ${tokens === null
      ? html`<p aria-busy="true">Loading…</p>`
      : tokens.length === 0
        ? html`<div class="empty"><p>No personal tokens. Create one below to use the CLI or VS Code.</p></div>`
        : html`<div class="table-wrap" tabindex="0"><table>
            <caption class="visually-hidden">Your personal tokens</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last Used</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${tokens.map((t) => html`<tr key=${t.id}><th scope="row">${t.name}</th><td>${when(t.createdAt)}</td><td>${when(t.lastUsedAt)}</td><td>${when(t.expiresAt)}</td>
              <td><button type="button" class="secondary danger" aria-label=${`Revoke ${t.name}`} onClick=${() => revoke(t)}>Revoke</button></td></tr>`)}</tbody>
          </table></div>`}
    <form class="inline-form" onSubmit=${create} novalidate autocomplete="off">
      <label for="pat-name">Token name</label>
      <input id="pat-name" name="name" placeholder="laptop-cli" />
      <button type="submit">Create personal token</button>
    </form>
    ${created
      ? html`<${Dialog} title="Personal token created" onClose=${() => setCreated(null)}>
          <p><strong>Copy this token now. It is shown only once.</strong></p>
          <input class="mono" readonly value=${created} aria-label="Personal token" />
          <div class="buttons"><${CopyButton} text=${created} label="Copy token" clearAfterSeconds=${ctx.session.revealSeconds} />
            <button type="button" onClick=${() => setCreated(null)}>Done</button></div>
        <//>`
      : null}
  </section>`;
}
