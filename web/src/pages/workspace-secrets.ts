// A workspace's details and its Secrets section: the effective set of one environment (the
// organization secrets available to the workspace plus its own, a workspace secret overriding an
// organization secret of the same key), each with its scope. Organization secrets are read-only here
// (they can be overridden); the workspace's owner and the organization's Owners and Admins add, edit and
// delete workspace secrets. Revealing follows the organization role (Editor+), and the search box matches
// keys, both as on the Secrets page.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { CreatedSecret, RevealedSecret, SecretMeta, Workspace } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import type { PageContext } from '../context.ts';
import { ErrorText } from '../ui/dialog.ts';
import { atLeast, when } from '../ui/format.ts';
import { EyeIcon, EyeOffIcon, HistoryIcon, PencilIcon, TrashIcon } from '../ui/icons.ts';
import { useReveals } from '../ui/reveal.ts';
import { EnvironmentSelect, ExecRiskWarning, ValueCell } from '../ui/secret-cells.ts';
import { useEnvironmentChoice } from '../ui/environment-choice.ts';
import { useSecretList } from '../ui/secret-list.ts';
import { toast } from '../ui/toast.ts';
import { AsOfDialog } from './environment-at.ts';
import { ChangesDialog } from './environment-changes.ts';
import { SecretHistory } from './secret-history.ts';
import { AddSecret, DeleteSecret, EditSecret, keyMatches, KeySearch, NoKeyMatches } from './secrets.ts';


const SCOPE_NAMES = { organization: 'Organization', workspace: 'Workspace' } as const;

type Modal =
  | { kind: 'add'; key?: string }
  | { kind: 'edit'; secret: SecretMeta }
  | { kind: 'delete'; secret: SecretMeta }
  | { kind: 'history'; secret: SecretMeta }
  | { kind: 'changes' }
  | { kind: 'as-of' }
  | null;

export function WorkspaceSecrets({ ctx, workspace }: { ctx: PageContext; workspace: Workspace }) {
  const envs = ctx.environments;
  const [env, setEnv] = useEnvironmentChoice(envs);
  const [search, setSearch] = useState('');
  const [modal, setModal] = useState<Modal>(null);
  const { revealed, show, mask, maskAll } = useReveals(ctx.session.revealSeconds);
  const canReveal = atLeast(ctx.org.role, 'editor');
  const canWrite = ctx.session.user.id === workspace.owner || atLeast(ctx.org.role, 'admin');


  const envPath = env ? `/v1/orgs/${seg(ctx.org.slug)}/workspaces/${seg(workspace.slug)}/environments/${seg(env)}` : null;
  const base = envPath ? `${envPath}/secrets` : null;
  const { secrets, error, setError, reload: load, isCurrent } = useSecretList(base);

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
  const envName = envs.find((e) => e.slug === env)?.name ?? env ?? '';
  const where = `${envName} of ${workspace.name}`;
  const shown = (secrets ?? []).filter(keyMatches(search));
  const done = (message: string, key?: string) => {
    setModal(null);
    if (key) mask(key);
    toast(message);
    void load();
  };

  return html`<div class="page-head">
      <h1>${workspace.name}</h1>
    </div>
    <dl class="facts">
      <dt>Slug</dt><dd><code>${workspace.slug}</code></dd>
      <dt>Owner</dt><dd>${workspace.ownerName}</dd>
      <dt>Created</dt><dd>${when(workspace.createdAt)}</dd>
    </dl>
    <section aria-labelledby="ws-secrets">
      <div class="page-head section-head">
        <h2 id="ws-secrets">Secrets</h2>
        <div class="buttons">
          ${env ? html`<button type="button" class="secondary" onClick=${() => setModal({ kind: 'changes' })}>Changes</button>
          <button type="button" class="secondary" onClick=${() => setModal({ kind: 'as-of' })}>As of…</button>` : null}
          ${canWrite && env ? html`<button type="button" onClick=${() => setModal({ kind: 'add' })}>+ Add Secret</button>` : null}
        </div>
      </div>
      <p class="hint">All secrets available to ${workspace.name}: organization secrets (read-only here) and its own workspace secrets${canWrite ? '' : `, which ${workspace.ownerName} and the organization's Admins manage`}. Values are hidden.</p>
      <div class="toolbar">
        <${EnvironmentSelect} value=${env} environments=${envs} onChange=${(slug: string) => { maskAll(); setEnv(slug); }} />
        <${KeySearch} value=${search} onInput=${setSearch} />
      </div>
      <${ErrorText} message=${error} />
      ${secrets === null
        ? html`<p aria-busy="true">Loading…</p>`
        : secrets.length === 0
          ? html`<div class="empty"><p><strong>No secrets in ${where} yet.</strong></p>
              <p>${canWrite ? 'Click + Add Secret to add a workspace secret.' : 'Organization secrets made available to this workspace also appear here.'}</p></div>`
          : shown.length === 0
            ? html`<${NoKeyMatches} where=${where} search=${search} />`
            : html`<div class="table-wrap" tabindex="0"><table class="secrets">
              <caption class="visually-hidden">Secrets of ${where}</caption>
              <thead><tr><th scope="col">Key</th><th scope="col">Scope</th><th scope="col">Value</th><th scope="col">Description</th>
                <th scope="col">Version</th><th scope="col">Last Updated</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>${shown.map((s) => {
                const own = s.scope === 'workspace';
                return html`<tr key=${s.key}>
                  <th scope="row" class="key"><code>${s.key}</code>
                    ${s.overrides ? html`<span class="override">Overrides organization secret</span>` : null}
                    <${ExecRiskWarning} execRisk=${s.execRisk} /></th>
                  <td data-label="Scope"><span class=${`scope ${s.scope ?? 'organization'}`}>${SCOPE_NAMES[s.scope ?? 'organization']}</span></td>
                  <${ValueCell} revealedKey=${s.key} value=${revealed[s.key]} />
                  <td>${s.description || html`<span class="muted">—</span>`}</td>
                  <td data-label="Version">${s.version}</td>
                  <td data-label="Last Updated">${when(s.updatedAt)}</td>
                  <td class="actions">
                    ${canReveal
                      ? s.key in revealed
                        ? html`<button type="button" class="icon" aria-label=${`Hide ${s.key}`} title="Hide" onClick=${() => mask(s.key)}><${EyeOffIcon} /></button>`
                        : html`<button type="button" class="icon" aria-label=${`Reveal ${s.key}`} title="Reveal" onClick=${() => reveal(s.key)}><${EyeIcon} /></button>`
                      : null}
                    ${canWrite && own
                      ? html`<button type="button" class="icon" aria-label=${`Edit ${s.key}`} title="Edit" onClick=${() => setModal({ kind: 'edit', secret: s })}><${PencilIcon} /></button>
                          <button type="button" class="icon danger" aria-label=${`Delete ${s.key}`} title="Delete" onClick=${() => setModal({ kind: 'delete', secret: s })}><${TrashIcon} /></button>`
                      : null}
                    ${canWrite && !own
                      ? html`<button type="button" class="secondary" aria-label=${`Override ${s.key}`} title="Add a workspace secret with this key" onClick=${() => setModal({ kind: 'add', key: s.key })}>Override</button>`
                      : null}
                    <button type="button" class="icon" aria-label=${`History of ${s.key}`} title="History" onClick=${() => setModal({ kind: 'history', secret: s })}><${HistoryIcon} /></button>
                  </td>
                </tr>`;
              })}</tbody>
            </table></div>`}
    </section>
    ${modal?.kind === 'add' && base
      ? html`<${AddSecret} base=${base} title=${modal.key ? `Override ${modal.key} in ${where}` : `Add Secret to ${where}`} initialKey=${modal.key}
          onClose=${() => setModal(null)} onDone=${(created: CreatedSecret) => done(created.warnings.length ? `Created ${created.key}. ${created.warnings.join(' ')}` : `Created ${created.key}`, created.key)} />`
      : null}
    ${modal?.kind === 'edit' && base
      ? html`<${EditSecret} base=${base} secret=${modal.secret} onClose=${() => setModal(null)} onDone=${(key: string) => done(`Updated ${key}`, key)} />`
      : null}
    ${modal?.kind === 'delete' && base
      ? html`<${DeleteSecret} base=${base} secret=${modal.secret} envName=${where} mustType=${env === 'production'}
          note=${modal.secret.overrides ? `The organization secret ${modal.secret.key} is used in ${workspace.name} again once this one is deleted.` : undefined}
          onClose=${() => setModal(null)} onDone=${(key: string) => done(`Deleted ${key}`, key)} />`
      : null}
    ${modal?.kind === 'history' && base
      ? html`<${SecretHistory} base=${base} secretKey=${modal.secret.key} canReveal=${canReveal} canRollBack=${canWrite && modal.secret.scope === 'workspace'}
          revealSeconds=${ctx.session.revealSeconds} onClose=${() => setModal(null)} onRolledBack=${(meta: SecretMeta) => { mask(meta.key); void load(); }} />`
      : null}
    ${modal?.kind === 'as-of' && envPath
      ? html`<${AsOfDialog} envPath=${envPath} envName=${where} onClose=${() => setModal(null)} />`
      : null}
    ${modal?.kind === 'changes' && envPath
      ? html`<${ChangesDialog} envPath=${envPath} envName=${where} canRollBack=${canWrite}
          onRolledBack=${() => { maskAll(); void load(); }} onClose=${() => setModal(null)} />`
      : null}`;
}
