// My account → Passkeys: add one (this device or a security key), rename, remove. The server refuses
// to remove the last way to sign in (LAST_SIGN_IN_METHOD); its message is shown.
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Passkey } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import { addPasskey, passkeysSupported } from '../passkeys.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { when } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';

export function PasskeysSection() {
  const [list, setList] = useState<Passkey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const load = useCallback(async () => {
    try {
      setList((await api<{ passkeys: Passkey[] }>('GET', '/v1/me/passkeys')).passkeys);
    } catch (err) {
      setList((l) => l ?? []);
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const add = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = (form.elements.namedItem('passkey-name') as HTMLInputElement).value.trim();
    try {
      const p = await addPasskey(name);
      form.reset();
      setError(null);
      toast(`Added passkey ${p.name}`);
    } catch (err) {
      setError(errorMessage(err));
    }
    void load();
  };
  const remove = async (p: Passkey) => {
    try {
      await api('DELETE', `/v1/me/passkeys/${seg(p.id)}`);
      setError(null);
      toast(`Removed passkey ${p.name}`);
    } catch (err) {
      setError(errorMessage(err));
    }
    void load();
  };

  return html`<h2>Passkeys</h2>
    <p class="hint">Sign in to the dashboard with your device's screen lock or a security key instead of pasting a token.</p>
    <${ErrorText} message=${error} />
    ${list === null
      ? html`<p aria-busy="true">Loading…</p>`
      : list.length === 0
        ? html`<div class="empty"><p>No passkeys yet. Add one below to sign in without a token.</p></div>`
        : html`<div class="table-wrap" tabindex="0"><table>
            <caption class="visually-hidden">Your passkeys</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Added</th><th scope="col">Last Used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${list.map((p) => html`<tr key=${p.id}><th scope="row">${p.name}</th><td>${when(p.createdAt)}</td><td>${when(p.lastUsedAt)}</td>
              <td class="actions"><button type="button" class="secondary" aria-label=${`Rename ${p.name}`} onClick=${() => setRenaming(p)}>Rename</button>
                <button type="button" class="secondary danger" aria-label=${`Remove ${p.name}`} onClick=${() => remove(p)}>Remove</button></td></tr>`)}</tbody>
          </table></div>`}
    ${passkeysSupported()
      ? html`<form class="inline-form" onSubmit=${add} novalidate autocomplete="off">
          <label for="passkey-name">Passkey name</label>
          <input id="passkey-name" name="passkey-name" placeholder="Work laptop" />
          <button type="submit">Add passkey</button>
        </form>`
      : html`<p class="hint">This browser cannot create passkeys.</p>`}
    ${renaming ? html`<${RenamePasskey} passkey=${renaming} onClose=${() => setRenaming(null)} onDone=${() => { setRenaming(null); void load(); }} />` : null}`;
}

function RenamePasskey(props: { passkey: Passkey; onClose: () => void; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const name = ((e.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement).value.trim();
    try {
      await api('PATCH', `/v1/me/passkeys/${seg(props.passkey.id)}`, { body: { name } });
      toast(`Renamed passkey to ${name}`);
      props.onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return html`<${Dialog} title="Rename passkey" onClose=${props.onClose}>
    <form onSubmit=${submit} novalidate autocomplete="off">
      <label for="rename-passkey">Name</label>
      <input id="rename-passkey" name="name" value=${props.passkey.name} />
      <${ErrorText} message=${error} />
      <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Cancel</button><button type="submit">Save</button></div>
    </form>
  <//>`;
}
