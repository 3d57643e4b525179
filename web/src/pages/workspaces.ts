// Workspaces of the organization (seed 003): the list; create, rename, change owner and delete (Admin+);
// and a workspace's details with its Secrets section (workspace-secrets.ts). Which workspace is open
// lives in the page's state, never in the URL (only page names go there).
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Member, Workspace } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import type { PageContext } from '../context.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { atLeast, when } from '../ui/format.ts';
import { PencilIcon, TrashIcon } from '../ui/icons.ts';
import { toast } from '../ui/toast.ts';
import { WorkspaceSecrets } from './workspace-secrets.ts';

type Modal = { kind: 'create' } | { kind: 'edit'; ws: Workspace } | { kind: 'delete'; ws: Workspace } | null;

export function WorkspacesPage({ ctx }: { ctx: PageContext }) {
  const [workspaces, setWorkspaces] = useState<Workspace[] | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [modal, setModal] = useState<Modal>(null);
  const admin = atLeast(ctx.org.role, 'admin');
  const base = `/v1/orgs/${seg(ctx.org.slug)}/workspaces`;

  const load = useCallback(async () => {
    try {
      setWorkspaces((await api<{ workspaces: Workspace[] }>('GET', base)).workspaces);
      setError(null);
    } catch (err) {
      setWorkspaces((w) => w ?? []);
      setError(errorMessage(err));
    }
  }, [base]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (!admin) return;
    api<{ members: Member[] }>('GET', `/v1/orgs/${seg(ctx.org.slug)}/members`).then((r) => setMembers(r.members), (err) => setError(errorMessage(err)));
  }, [ctx.org.slug, admin]);

  const opened = workspaces?.find((w) => w.slug === open);
  if (opened) {
    return html`<section>
      <button type="button" class="secondary back" onClick=${() => setOpen(null)}>← All workspaces</button>
      <${WorkspaceSecrets} ctx=${ctx} workspace=${opened} />
    </section>`;
  }
  return html`<section>
    <div class="page-head">
      <h1>Workspaces</h1>
      ${admin ? html`<button type="button" onClick=${() => setModal({ kind: 'create' })}>Create workspace</button>` : null}
    </div>
    <p class="hint">A workspace (a service or a team) uses the organization secrets available to it, and adds its own workspace secrets, managed by its owner. A workspace secret overrides an organization secret of the same key.</p>
    <${ErrorText} message=${error} />
    ${workspaces === null
      ? html`<p aria-busy="true">Loading…</p>`
      : workspaces.length === 0
        ? html`<div class="empty"><p>No workspaces yet.${admin ? ' Click Create workspace to add one and choose its owner.' : ' Ask an Admin of this organization to create one.'}</p></div>`
        : html`<div class="table-wrap" tabindex="0"><table>
            <caption class="visually-hidden">Workspaces of ${ctx.org.name}</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Slug</th><th scope="col">Owner</th><th scope="col">Created</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${workspaces.map((w) => html`<tr key=${w.slug}>
              <th scope="row">${w.name}</th><td><code>${w.slug}</code></td><td>${w.ownerName}</td><td>${when(w.createdAt)}</td>
              <td class="actions">
                <button type="button" class="secondary" aria-label=${`Open ${w.name}`} onClick=${() => setOpen(w.slug)}>Open</button>
                ${admin
                  ? html`<button type="button" class="icon" aria-label=${`Edit workspace ${w.name}`} title="Rename or change owner" onClick=${() => setModal({ kind: 'edit', ws: w })}><${PencilIcon} /></button>
                      <button type="button" class="icon danger" aria-label=${`Delete workspace ${w.name}`} title="Delete" onClick=${() => setModal({ kind: 'delete', ws: w })}><${TrashIcon} /></button>`
                  : null}
              </td>
            </tr>`)}</tbody>
          </table></div>`}
    ${modal?.kind === 'create' || modal?.kind === 'edit'
      ? html`<${WorkspaceForm} base=${base} members=${members} me=${ctx.session.user.id} workspace=${modal.kind === 'edit' ? modal.ws : undefined}
          onClose=${() => setModal(null)} onDone=${(w: Workspace, created: boolean) => {
            setModal(null);
            toast(created ? `Created workspace ${w.name}` : `Saved workspace ${w.name}`);
            void load();
          }} />`
      : null}
    ${modal?.kind === 'delete'
      ? html`<${DeleteWorkspace} base=${base} workspace=${modal.ws} onClose=${() => setModal(null)} onDone=${() => {
          toast(`Deleted workspace ${modal.ws.name}`);
          setModal(null);
          void load();
        }} />`
      : null}
  </section>`;
}

/** Create (slug, name, owner) or edit (name, owner: the slug never changes; PATCH only what differs). */
function WorkspaceForm(props: { base: string; members: Member[]; me: string; workspace?: Workspace; onClose: () => void; onDone: (w: Workspace, created: boolean) => void }) {
  const old = props.workspace;
  const [slug, setSlug] = useState(old?.slug ?? '');
  const [name, setName] = useState(old?.name ?? '');
  const [owner, setOwner] = useState(old?.owner ?? props.me);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      if (old) {
        const body: Record<string, string> = {};
        if (name.trim() !== old.name) body.name = name.trim();
        if (owner !== old.owner) body.owner = owner;
        props.onDone(await api<Workspace>('PATCH', `${props.base}/${seg(old.slug)}`, { body }), false);
      } else {
        const body: Record<string, string> = { slug: slug.trim(), owner };
        if (name.trim()) body.name = name.trim();
        props.onDone(await api<Workspace>('POST', props.base, { body }), true);
      }
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  // The current owner stays choosable even if the member list has not arrived.
  const people = props.members.length > 0 ? props.members : old ? [{ userId: old.owner, name: old.ownerName }] : [];
  return html`<${Dialog} title=${old ? `Edit workspace ${old.name}` : 'Create workspace'} onClose=${props.onClose}>
    <form onSubmit=${submit} novalidate autocomplete="off">
      <label for="ws-slug">Slug</label>
      ${old
        ? html`<input id="ws-slug" class="mono" value=${old.slug} readonly />`
        : html`<input id="ws-slug" class="mono" value=${slug} placeholder="billing" aria-describedby="ws-slug-hint"
            onInput=${(e: Event) => setSlug((e.target as HTMLInputElement).value)} />
          <p class="hint" id="ws-slug-hint">Lowercase letters, digits and dashes. It never changes.</p>`}
      <label for="ws-name">Name${old ? null : html` <span class="muted">(optional)</span>`}</label>
      <input id="ws-name" value=${name} placeholder="Billing" onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} />
      <label for="ws-owner">Owner</label>
      <select id="ws-owner" value=${owner} aria-describedby="ws-owner-hint" onChange=${(e: Event) => setOwner((e.target as HTMLSelectElement).value)}>
        ${people.map((m) => html`<option value=${m.userId}>${m.name}</option>`)}
      </select>
      <p class="hint" id="ws-owner-hint">The owner creates, edits and deletes the workspace's secrets (as do the organization's Owners and Admins).</p>
      <${ErrorText} message=${error} />
      <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Cancel</button>
        <button type="submit" disabled=${busy}>${old ? 'Save workspace' : 'Create workspace'}</button></div>
    </form>
  <//>`;
}

function DeleteWorkspace(props: { base: string; workspace: Workspace; onClose: () => void; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const w = props.workspace;
  const submit = async () => {
    setBusy(true);
    try {
      await api('DELETE', `${props.base}/${seg(w.slug)}`);
      props.onDone();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return html`<${Dialog} title="Delete workspace" onClose=${props.onClose}>
    <p>Delete the workspace <strong>${w.name}</strong> (<code>${w.slug}</code>)?</p>
    <p class="warning">Its workspace secrets in every environment, their history and the service tokens bound to it are deleted for good. Organization secrets are not affected.</p>
    <${ErrorText} message=${error} />
    <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Cancel</button>
      <button type="button" class="danger" disabled=${busy} onClick=${submit}>Delete workspace</button></div>
  <//>`;
}
