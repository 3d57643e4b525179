// Organization secrets of one environment: the Environment dropdown, search, the table (values masked,
// the workspaces each may be used by), the Add / Edit / Delete dialogs (with the Associated workspaces
// picker), the eye icon, each secret's history and the environment's changes. Buttons follow the caller's role: a Viewer sees
// metadata only; an Editor reveals, adds and edits; Admins and Owners also delete.
// A value is in the page only between its reveal and its re-mask: it is never fetched for the table,
// and the Add and Edit dialogs send what was typed and forget it.
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { CreatedSecret, RevealedSecret, SecretMeta, Workspace } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import type { PageContext } from '../context.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { atLeast, when } from '../ui/format.ts';
import { EyeIcon, EyeOffIcon, HistoryIcon, PencilIcon, TrashIcon } from '../ui/icons.ts';
import { AsOfDialog } from './environment-at.ts';
import { ChangesDialog } from './environment-changes.ts';
import { SecretHistory } from './secret-history.ts';
import { useReveals } from '../ui/reveal.ts';
import { EnvironmentSelect, ExecRiskWarning, ValueCell } from '../ui/secret-cells.ts';
import { useEnvironmentChoice } from '../ui/environment-choice.ts';
import { useSecretList } from '../ui/secret-list.ts';
import { toast } from '../ui/toast.ts';
import { associatedWorkspaces, WorkspacePicker } from '../ui/workspace-picker.ts';


/** Keys are ASCII: only ASCII letters are uppercased, as the server does (ſ is not S). */
export const upperAscii = (s: string): string => s.replace(/[a-z]+/g, (m) => m.toUpperCase());

/** The search of a list of secrets: any part of the key, ASCII case ignored (keys are uppercase ASCII). */
export const keyMatches = (search: string) => {
  const needle = upperAscii(search.trim());
  return (s: SecretMeta): boolean => s.key.includes(needle);
};

export function KeySearch(props: { value: string; onInput: (value: string) => void }) {
  return html`<label class="search">
    <span>Search</span>
    <input type="search" value=${props.value} placeholder="Filter by key" autocomplete="off"
      onInput=${(e: Event) => props.onInput((e.target as HTMLInputElement).value)} />
  </label>`;
}

/** Said when secrets exist but none matches the search; `where`: the environment (of a workspace). */
export function NoKeyMatches(props: { where: string; search: string }) {
  return html`<div class="empty"><p>No secret key in ${props.where} contains “${props.search.trim()}”.</p><p>Search matches any part of the key, ignoring case.</p></div>`;
}

type Modal = { kind: 'add' } | { kind: 'history'; key: string } | { kind: 'changes' } | { kind: 'as-of' } | { kind: 'edit'; secret: SecretMeta } | { kind: 'delete'; secret: SecretMeta } | null;

export function SecretsPage({ ctx }: { ctx: PageContext }) {
  const envs = ctx.environments;
  const [env, setEnv] = useEnvironmentChoice(envs);
  const [search, setSearch] = useState('');
  const [modal, setModal] = useState<Modal>(null);
  const { revealed, show, mask, maskAll } = useReveals(ctx.session.revealSeconds);
  // The organization's workspaces, for the "Associated workspaces" column and picker (null: unknown).
  const [workspaces, setWorkspaces] = useState<Workspace[] | null>(null);
  const role = ctx.org.role;
  const canEdit = atLeast(role, 'editor');
  const canDelete = atLeast(role, 'admin');


  const loadWorkspaces = useCallback(() => {
    api<{ workspaces: Workspace[] }>('GET', `/v1/orgs/${seg(ctx.org.slug)}/workspaces`).then((r) => setWorkspaces(r.workspaces), () => setWorkspaces(null));
  }, [ctx.org.slug]);
  useEffect(loadWorkspaces, [loadWorkspaces]);
  // A dialog that limits a secret to workspaces needs the list: ask again if it failed to arrive.
  const openModal = (m: NonNullable<typeof modal>) => {
    if (workspaces === null) loadWorkspaces();
    setModal(m);
  };

  const base = env ? `/v1/orgs/${seg(ctx.org.slug)}/environments/${seg(env)}/secrets` : null;
  const { secrets, error, setError, reload: load, isCurrent } = useSecretList(base);

  const switchEnv = (slug: string) => {
    maskAll();
    setEnv(slug);
    toast(`Showing secrets in ${envs.find((e) => e.slug === slug)?.name ?? slug}`);
  };

  const reveal = async (key: string) => {
    if (!base) return;
    try {
      const r = await api<RevealedSecret>('POST', `${base}/${seg(key)}/reveal`);
      // Switched to another environment meanwhile: this value belongs to a row no longer shown.
      if (isCurrent(base)) show(key, r.value);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const shown = (secrets ?? []).filter(keyMatches(search));
  const envName = envs.find((e) => e.slug === env)?.name ?? env ?? '';
  const production = env === 'production';

  return html`<section>
    <div class="page-head">
      <h1>Secrets</h1>
      <div class="buttons">
        ${env ? html`<button type="button" class="secondary" onClick=${() => setModal({ kind: 'changes' })}>Changes</button>
          <button type="button" class="secondary" onClick=${() => setModal({ kind: 'as-of' })}>As of…</button>` : null}
        ${canEdit && env ? html`<button type="button" onClick=${() => openModal({ kind: 'add' })}>+ Add Secret</button>` : null}
      </div>
    </div>
    <div class="toolbar">
      <${EnvironmentSelect} value=${env} environments=${envs} onChange=${switchEnv} />
      <${KeySearch} value=${search} onInput=${setSearch} />
    </div>
    <${ErrorText} message=${error} />
    ${secrets === null
      ? html`<p aria-busy="true">Loading…</p>`
      : secrets.length === 0
        ? html`<div class="empty"><p><strong>No secrets in ${envName} yet.</strong></p>
            <p>${canEdit ? 'Click + Add Secret to store the first API key, password or token of this environment.' : 'Ask an Editor or an Admin of this organization to add one.'}</p></div>`
        : shown.length === 0
          ? html`<${NoKeyMatches} where=${envName} search=${search} />`
          : html`<div class="table-wrap" tabindex="0"><table class="secrets">
              <caption class="visually-hidden">Secrets in ${envName}</caption>
              <thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col">Description</th><th scope="col">Associated workspaces</th><th scope="col">Version</th>
                <th scope="col">Last Updated</th><th scope="col">Created By</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                ${shown.map((s) => html`<tr key=${s.key}>
                  <th scope="row" class="key"><code>${s.key}</code>
                    <${ExecRiskWarning} execRisk=${s.execRisk} /></th>
                  <${ValueCell} revealedKey=${s.key} value=${revealed[s.key]} />
                  <td>${s.description || html`<span class="muted">—</span>`}</td>
                  <td data-label="Associated workspaces">${associatedWorkspaces(s.workspaces, workspaces)}</td>
                  <td data-label="Version">${s.version}</td>
                  <td data-label="Last Updated">${when(s.updatedAt)}</td>
                  <td data-label="Created By">${s.createdBy}</td>
                  <td class="actions">
                  ${canEdit
                    ? html`
                        ${s.key in revealed
                          ? html`<button type="button" class="icon" aria-label=${`Hide ${s.key}`} title="Hide" onClick=${() => mask(s.key)}><${EyeOffIcon} /></button>`
                          : html`<button type="button" class="icon" aria-label=${`Reveal ${s.key}`} title="Reveal" onClick=${() => reveal(s.key)}><${EyeIcon} /></button>`}
                        <button type="button" class="icon" aria-label=${`Edit ${s.key}`} title="Edit" onClick=${() => openModal({ kind: 'edit', secret: s })}><${PencilIcon} /></button>
                        ${canDelete ? html`<button type="button" class="icon danger" aria-label=${`Delete ${s.key}`} title="Delete" onClick=${() => setModal({ kind: 'delete', secret: s })}><${TrashIcon} /></button>` : null}`
                    : null}
                    <button type="button" class="icon" aria-label=${`History of ${s.key}`} title="History" onClick=${() => setModal({ kind: 'history', key: s.key })}><${HistoryIcon} /></button>
                  </td>
                </tr>`)}
              </tbody>
            </table></div>`}
    ${modal?.kind === 'history' && base
      ? html`<${SecretHistory} base=${base} secretKey=${modal.key} canReveal=${canEdit} canRollBack=${canEdit} revealSeconds=${ctx.session.revealSeconds}
          onClose=${() => setModal(null)} onRolledBack=${(meta: SecretMeta) => {
            mask(meta.key);
            void load();
          }} />`
      : null}
    ${modal?.kind === 'as-of' && env
      ? html`<${AsOfDialog} envPath=${`/v1/orgs/${seg(ctx.org.slug)}/environments/${seg(env)}`} envName=${envName} onClose=${() => setModal(null)} />`
      : null}
    ${modal?.kind === 'changes' && env
      ? html`<${ChangesDialog} envPath=${`/v1/orgs/${seg(ctx.org.slug)}/environments/${seg(env)}`} envName=${envName} canRollBack=${canDelete}
          onRolledBack=${() => { maskAll(); void load(); }} onClose=${() => setModal(null)} />`
      : null}
    ${modal?.kind === 'add' && base
      ? html`<${AddSecret} base=${base} title=${`Add Secret to ${envName}`} workspaces=${workspaces} onClose=${() => setModal(null)} onDone=${(created: CreatedSecret) => {
          setModal(null);
          toast(created.warnings.length ? `Created ${created.key}. ${created.warnings.join(' ')}` : `Created ${created.key}`);
          void load();
        }} />`
      : null}
    ${modal?.kind === 'edit' && base
      ? html`<${EditSecret} base=${base} secret=${modal.secret} workspaces=${workspaces} onClose=${() => setModal(null)} onDone=${(key: string) => {
          setModal(null);
          mask(key);
          toast(`Updated ${key}`);
          void load();
        }} />`
      : null}
    ${modal?.kind === 'delete' && base
      ? html`<${DeleteSecret} base=${base} secret=${modal.secret} envName=${envName} mustType=${production} onClose=${() => setModal(null)} onDone=${(key: string) => {
          setModal(null);
          mask(key);
          toast(`Deleted ${key}`);
          void load();
        }} />`
      : null}
  </section>`;
}

/** `workspaces`: the organization's, for the Associated workspaces picker (shown when there are any; absent for a workspace's own secrets). */
export function AddSecret(props: { base: string; title: string; initialKey?: string; workspaces?: Workspace[] | null; onClose: () => void; onDone: (s: CreatedSecret) => void }) {
  const [key, setKey] = useState(props.initialKey ?? '');
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const valueInput = form.elements.namedItem('value') as HTMLInputElement;
    const description = (form.elements.namedItem('description') as HTMLTextAreaElement).value;
    setBusy(true);
    try {
      const body: Record<string, unknown> = { key, value: valueInput.value };
      if (description.trim()) body.description = description;
      if (chosen.length > 0) body.workspaces = chosen;
      const created = await api<CreatedSecret>('POST', props.base, { body });
      valueInput.value = '';
      props.onDone(created);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return html`<${Dialog} title=${props.title} onClose=${props.onClose}>
    <form onSubmit=${submit} autocomplete="off" novalidate>
      <label for="add-key">Secret Key</label>
      <input id="add-key" name="key" class="mono" value=${key} spellcheck=${false} autocomplete="off" placeholder="STRIPE_SECRET_KEY"
        onInput=${(e: Event) => {
          const input = e.target as HTMLInputElement;
          const start = input.selectionStart;
          input.value = upperAscii(input.value);
          if (start !== null) input.setSelectionRange(start, start);
          setKey(input.value);
        }} />
      <label for="add-value">Secret Value</label>
      <input id="add-value" name="value" type="password" autocomplete="new-password" spellcheck=${false} />
      <label for="add-description">Description <span class="muted">(optional)</span></label>
      <textarea id="add-description" name="description" rows="2" maxlength="1000"></textarea>
      ${props.workspaces === null
        ? html`<p class="hint" aria-busy="true">Loading the organization's workspaces…</p>`
        : props.workspaces?.length ? html`<${WorkspacePicker} workspaces=${props.workspaces} selected=${chosen} onChange=${setChosen} idPrefix="add-workspaces" />` : null}
      <${ErrorText} message=${error} />
      <div class="buttons">
        <button type="button" class="secondary" onClick=${props.onClose}>Cancel</button>
        <button type="submit" disabled=${busy}>Create Secret</button>
      </div>
    </form>
  <//>`;
}

export function EditSecret(props: { base: string; secret: SecretMeta; workspaces?: Workspace[] | null; onClose: () => void; onDone: (key: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const s = props.secret;
  const [chosen, setChosen] = useState<string[]>(() => [...(s.workspaces ?? [])].sort());
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const valueInput = form.elements.namedItem('value') as HTMLInputElement;
    const description = (form.elements.namedItem('description') as HTMLTextAreaElement).value;
    const body: Record<string, unknown> = { description };
    // Empty keeps the current value.
    if (valueInput.value !== '') body.value = valueInput.value;
    // Sent only when changed: a change of workspaces alone keeps the version.
    if (props.workspaces && chosen.join(',') !== [...(s.workspaces ?? [])].sort().join(',')) body.workspaces = chosen;
    setBusy(true);
    try {
      await api('PATCH', `${props.base}/${seg(s.key)}`, { body, headers: { 'if-match': `"${s.version}"` } });
      valueInput.value = '';
      props.onDone(s.key);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return html`<${Dialog} title="Edit Secret" onClose=${props.onClose}>
    <form onSubmit=${submit} autocomplete="off" novalidate>
      <label for="edit-key">Secret Key</label>
      <input id="edit-key" class="mono" value=${s.key} readonly />
      <label for="edit-value">New Value (Optional)</label>
      <input id="edit-value" name="value" type="password" autocomplete="new-password" spellcheck=${false} aria-describedby="edit-value-hint" />
      <p class="hint" id="edit-value-hint">Leave empty to keep the current value.</p>
      <label for="edit-description">Description</label>
      <textarea id="edit-description" name="description" rows="2" maxlength="1000">${s.description}</textarea>
      ${props.workspaces === null
        ? html`<p class="hint" aria-busy="true">Loading the organization's workspaces…</p>`
        : props.workspaces?.length ? html`<${WorkspacePicker} workspaces=${props.workspaces} selected=${chosen} onChange=${setChosen} idPrefix="edit-workspaces" />` : null}
      <${ErrorText} message=${error} />
      <div class="buttons">
        <button type="button" class="secondary" onClick=${props.onClose}>Cancel</button>
        <button type="submit" disabled=${busy}>Update Secret</button>
      </div>
    </form>
  <//>`;
}

export function DeleteSecret(props: { base: string; secret: SecretMeta; envName: string; mustType: boolean; note?: string; onClose: () => void; onDone: (key: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const key = props.secret.key;
  const confirmed = !props.mustType || typed === key;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!confirmed) return;
    setBusy(true);
    try {
      await api('DELETE', `${props.base}/${seg(key)}`);
      props.onDone(key);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return html`<${Dialog} title="Delete Secret" onClose=${props.onClose}>
    <form onSubmit=${submit} autocomplete="off">
      <p>Delete <code class="key-confirm">${key}</code> from ${props.envName}?</p>
      <p class="warning">Deleted secrets cannot be recovered. Make sure nothing still depends on this secret.</p>
      ${props.note ? html`<p>${props.note}</p>` : null}
      ${props.mustType
        ? html`<label for="delete-confirm">Type <code>${key}</code> to confirm</label>
            <input id="delete-confirm" class="mono" value=${typed} autocomplete="off" spellcheck=${false}
              onInput=${(e: Event) => setTyped((e.target as HTMLInputElement).value)} />`
        : null}
      <${ErrorText} message=${error} />
      <div class="buttons">
        <button type="button" class="secondary" onClick=${props.onClose}>Cancel</button>
        <button type="submit" class="danger" disabled=${busy || !confirmed}>Delete</button>
      </div>
    </form>
  <//>`;
}
