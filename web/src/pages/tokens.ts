// Service tokens (Admin+): read-only credentials for CI, one environment each. A new token is shown
// once, with a copy button and the workflow step that uses it; the list shows last use; revoke. A token
// may be bound to a workspace: it then reads that workspace's effective set and nothing else.
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ServiceToken, Workspace } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import type { PageContext } from '../context.ts';
import { CopyButton } from '../ui/copy.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { atLeast, when } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';

export function workflowStep(origin: string, org: string, environment: string, workspace?: string | null): string {
  const lines = [
    '- id: secrets',
    '  uses: org/secrets-action@v1',
    '  with:',
    `    url: ${origin}`,
    '    token: ${{ secrets.SECRETS_TOKEN }}',
    `    org: ${org}`,
    `    environment: ${environment}`,
  ];
  if (workspace) lines.push(`    workspace: ${workspace}`);
  return lines.join('\n');
}

export function TokensPage({ ctx }: { ctx: PageContext }) {
  const [tokens, setTokens] = useState<ServiceToken[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<(ServiceToken & { token: string }) | null>(null);
  const [revoking, setRevoking] = useState<ServiceToken | null>(null);
  const base = `/v1/orgs/${seg(ctx.org.slug)}/tokens`;
  const admin = atLeast(ctx.org.role, 'admin');

  const load = useCallback(async () => {
    if (!admin) return;
    try {
      setTokens((await api<{ tokens: ServiceToken[] }>('GET', base)).tokens);
    } catch (err) {
      setTokens((t) => t ?? []);
      setError(errorMessage(err));
    }
  }, [base, admin]);
  useEffect(() => void load(), [load]);

  if (!admin) {
    return html`<section><h1>Service tokens</h1>
      <div class="empty"><p>Service tokens are managed by the Admins and Owners of ${ctx.org.name}. Ask one of them for a token for your CI.</p></div></section>`;
  }
  return html`<section>
    <div class="page-head">
      <h1>Service tokens</h1>
      <button type="button" onClick=${() => setCreating(true)}>Create service token</button>
    </div>
    <p class="hint">A service token reads the secrets of one environment, for CI (the GitHub Action) and servers. It cannot change anything.</p>
    <${ErrorText} message=${error} />
    ${tokens === null
      ? html`<p aria-busy="true">Loading…</p>`
      : tokens.length === 0
        ? html`<div class="empty"><p>No service tokens yet. Create one for an environment and store it as the <code>SECRETS_TOKEN</code> secret of your CI.</p></div>`
        : html`<div class="table-wrap" tabindex="0"><table>
            <caption class="visually-hidden">Service tokens of ${ctx.org.name}</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Environment</th><th scope="col">Created</th><th scope="col">Created By</th>
              <th scope="col">Last Used</th><th scope="col">Expires</th><th scope="col">Workspace</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${tokens.map((t) => html`<tr key=${t.id}>
              <th scope="row">${t.name}</th><td>${t.environment}</td><td>${when(t.createdAt)}</td><td>${t.createdBy}</td>
              <td>${when(t.lastUsedAt)}</td><td>${when(t.expiresAt)}</td><td>${t.workspace ?? html`<span class="muted">—</span>`}</td>
              <td><button type="button" class="secondary danger" aria-label=${`Revoke ${t.name}`} onClick=${() => setRevoking(t)}>Revoke</button></td>
            </tr>`)}</tbody>
          </table></div>`}
    ${creating
      ? html`<${CreateToken} ctx=${ctx} base=${base} onClose=${() => setCreating(false)} onDone=${(t: ServiceToken & { token: string }) => {
          setCreating(false);
          setCreated(t);
          void load();
        }} />`
      : null}
    ${created
      ? html`<${Dialog} title="Service token created" wide=${true} onClose=${() => setCreated(null)}>
          <p><strong>Copy this token now. It is shown only once.</strong> Store it as a secret of your CI (e.g. <code>SECRETS_TOKEN</code>).</p>
          <input class="mono" readonly value=${created.token} aria-label="Service token" />
          <div class="buttons"><${CopyButton} text=${created.token} label="Copy token" clearAfterSeconds=${ctx.session.revealSeconds} /></div>
          <p>Example workflow step:</p>
          <pre class="code" tabindex="0" aria-label="Example workflow step"><code>${workflowStep(location.origin, ctx.org.slug, created.environment, created.workspace)}</code></pre>
          <div class="buttons"><button type="button" onClick=${() => setCreated(null)}>Done</button></div>
        <//>`
      : null}
    ${revoking
      ? html`<${Dialog} title="Revoke service token" onClose=${() => setRevoking(null)}>
          <p>Revoke ${revoking.name} (${revoking.environment})? Anything still using it stops working at once.</p>
          <div class="buttons"><button type="button" class="secondary" onClick=${() => setRevoking(null)}>Cancel</button>
            <button type="button" class="danger" onClick=${async () => {
              try {
                await api('DELETE', `${base}/${seg(revoking.id)}`);
                toast(`Revoked ${revoking.name}`);
              } catch (err) {
                setError(errorMessage(err));
              }
              setRevoking(null);
              void load();
            }}>Revoke</button></div>
        <//>`
      : null}
  </section>`;
}

function CreateToken(props: { ctx: PageContext; base: string; onClose: () => void; onDone: (t: ServiceToken & { token: string }) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  useEffect(() => {
    api<{ workspaces: Workspace[] }>('GET', `/v1/orgs/${seg(props.ctx.org.slug)}/workspaces`).then((r) => setWorkspaces(r.workspaces), () => setWorkspaces([]));
  }, [props.ctx.org.slug]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    const environment = (form.elements.namedItem('environment') as HTMLSelectElement).value;
    const workspace = (form.elements.namedItem('workspace') as HTMLSelectElement | null)?.value;
    try {
      props.onDone(await api<ServiceToken & { token: string }>('POST', props.base, { body: workspace ? { name, environment, workspace } : { name, environment } }));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return html`<${Dialog} title="Create service token" onClose=${props.onClose}>
    <form onSubmit=${submit} novalidate autocomplete="off">
      <label for="token-name">Name</label>
      <input id="token-name" name="name" placeholder="github-actions-deploy" />
      <label for="token-env">Environment</label>
      <select id="token-env" name="environment">${props.ctx.environments.map((e) => html`<option value=${e.slug}>${e.name}</option>`)}</select>
      ${workspaces.length > 0
        ? html`<label for="token-workspace">Workspace</label>
            <select id="token-workspace" name="workspace" aria-describedby="token-workspace-hint">
              <option value="">None: the organization's secrets</option>
              ${workspaces.map((w) => html`<option value=${w.slug}>${w.name}</option>`)}
            </select>
            <p class="hint" id="token-workspace-hint">A token bound to a workspace reads that workspace's secrets (its own and the organization's available to it) and nothing else.</p>`
        : null}
      <${ErrorText} message=${error} />
      <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Cancel</button>
        <button type="submit">Create token</button></div>
    </form>
  <//>`;
}
