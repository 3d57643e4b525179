// The commands that act on secrets: each resolves its target (a tree item, a key, or a quick pick of the
// current environment), checks the role, runs the command logic and updates the tree.
import * as vscode from 'vscode';
import type { SecretMeta } from '../../core/api-types.ts';
import { isSecretsError } from '../../core/errors.ts';
import { Cancelled } from '../errors.ts';
import { addSecret, type AddSecretArgs } from '../logic/add-secret.ts';
import { referenceFor } from '../logic/clipboard.ts';
import { compareEnvironments, comparisonMarkdown, type Comparison } from '../logic/compare.ts';
import { deleteSecret, type DeleteSecretArgs } from '../logic/delete-secret.ts';
import { editSecret, type EditSecretArgs } from '../logic/edit-secret.ts';
import { envRef, targetLabel, type Target } from '../logic/ports.ts';
import type { SecretNode } from '../model/nodes.ts';
import type { SecretAction } from '../model/permissions.ts';
import { isEnvNode, isObject, type SecretArg } from './args.ts';
import type { Session } from './session.ts';
import { readSettings } from './settings.ts';
import { vscodeUi } from './ui-port.ts';

interface SecretTarget extends Target {
  key: string;
  node?: SecretNode;
}

export class SecretCommands {
  readonly #session: Session;

  constructor(session: Session) {
    this.#session = session;
  }

  async addSecret(arg?: unknown): Promise<SecretMeta> {
    const client = this.#session.requireClient();
    const target: Target = isEnvNode(arg)
      ? { org: arg.org, env: arg.env, ...(arg.workspace !== undefined ? { workspace: arg.workspace } : {}) }
      : this.#session.requireTarget();
    this.#session.requireWrite(target, 'create');
    const args = isObject(arg) && 'key' in arg ? (arg as unknown as AddSecretArgs) : undefined;
    this.#session.redactor.add(args?.value);
    // In a workspace, a key that is only an organization secret there may be added: that overrides it.
    const listed = this.#session.model.secrets(target.org, target.env, target.workspace) ?? [];
    const existing = new Set(listed.filter((s) => target.workspace === undefined || s.scope !== 'organization').map((s) => s.key));
    const overridable = new Set(target.workspace === undefined ? [] : listed.filter((s) => s.scope === 'organization').map((s) => s.key));
    try {
      const meta = await addSecret(client, vscodeUi, target, { ...(args ? { args } : {}), existingKeys: existing, overridableKeys: overridable });
      this.#session.model.upsertSecret(target.org, target.env, meta, target.workspace);
      const where = target.workspace === undefined ? target.env : `${target.workspace}/${target.env}`;
      void vscode.window.showInformationMessage(
        meta.overrides ? `Secret ${meta.key} added to ${where}, overriding the organization secret` : `Secret ${meta.key} added to ${where}`,
      );
      return meta;
    } finally {
      this.#session.redactor.forget(args?.value);
    }
  }

  async revealSecret(arg?: unknown): Promise<{ key: string; revealed: true; seconds: number }> {
    const t = await this.#secretTarget(arg, 'reveal', 'Reveal');
    this.#session.requirePermission(t.org, 'reveal');
    if (!this.#session.model.secretNode(t.org, t.env, t.key, t.workspace)) await this.#session.model.loadSecrets(t.org, t.env, t.workspace);
    const node = await this.#session.model.reveal(t.org, t.env, t.key, t.workspace);
    this.#session.redactor.add(node.display);
    return { key: node.secretKey, revealed: true, seconds: readSettings().revealSeconds };
  }

  async hideSecret(arg?: unknown): Promise<{ key: string; revealed: false }> {
    const t = await this.#secretTarget(arg, 'view', 'Hide');
    this.#session.model.hide(t.org, t.env, t.key, t.workspace);
    return { key: t.key, revealed: false };
  }

  async copyValue(arg?: unknown): Promise<{ key: string; clearAfterSeconds: number }> {
    const client = this.#session.requireClient();
    const t = await this.#secretTarget(arg, 'reveal', 'Copy Value');
    this.#session.requirePermission(t.org, 'reveal');
    const revealed = await client.revealSecret(t.org, envRef(t), t.key);
    this.#session.redactor.add(revealed.value);
    const seconds = readSettings().clipboardSeconds;
    await this.#session.clipboard.copySecret(revealed.value, seconds);
    void vscode.window.showInformationMessage(
      seconds > 0 ? `Copied the value of ${revealed.key}; the clipboard is cleared in ${seconds} s` : `Copied the value of ${revealed.key}`,
    );
    return { key: revealed.key, clearAfterSeconds: seconds };
  }

  async copyReference(arg?: unknown): Promise<{ reference: string }> {
    const t = await this.#secretTarget(arg, 'view', 'Copy Reference');
    const reference = referenceFor(t.key);
    await vscode.env.clipboard.writeText(reference);
    void vscode.window.showInformationMessage(`Copied ${reference}`);
    return { reference };
  }

  async compareEnvironments(arg?: unknown): Promise<Comparison> {
    const client = this.#session.requireClient();
    const org = this.#session.requireOrg();
    const envs = this.#session.model.environments(org) ?? (await this.#session.model.loadEnvironments(org));
    let chosen = Array.isArray(arg) ? arg.map(String) : undefined;
    if (!chosen) {
      chosen = await vscodeUi.pickMany(
        envs.map((e) => ({ label: e.env, picked: true, value: e.env })),
        { title: `Compare Environments (${org})`, placeholder: 'Which environments to compare (keys only, never values)' },
      );
      if (!chosen || chosen.length === 0) throw new Cancelled();
    }
    const picked = chosen;
    const workspace = this.#session.model.currentWorkspace;
    const comparison = await this.#session.progress(`Comparing ${picked.join(', ')}`, () => compareEnvironments(client, org, picked, workspace));
    if (!Array.isArray(arg)) {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: comparisonMarkdown(comparison) });
      await vscode.window.showTextDocument(doc, { preview: true });
    }
    return comparison;
  }

  async editSecret(arg?: unknown, editArgs?: unknown): Promise<SecretMeta> {
    const client = this.#session.requireClient();
    const t = await this.#secretTarget(arg, 'edit', 'Edit');
    const seen = this.#session.model.secretNode(t.org, t.env, t.key, t.workspace)?.meta ?? (await client.getSecret(t.org, envRef(t), t.key));
    this.#session.requireWrite(t, 'edit', seen);
    const args = isObject(editArgs) ? (editArgs as EditSecretArgs) : undefined;
    this.#session.redactor.add(args?.value);
    try {
      // An organization secret's edit also offers which workspaces may use it.
      const workspaces = t.workspace === undefined ? (this.#session.model.workspaces(t.org) ?? []).map((w) => ({ slug: w.workspace, name: w.name })) : [];
      const meta = await editSecret(client, vscodeUi, t, seen, args, workspaces);
      this.#session.secretChanged(t, meta);
      const limited = args?.workspaces !== undefined || (seen.workspaces ?? []).join() !== (meta.workspaces ?? []).join();
      const scope = !limited || meta.workspaces === undefined ? '' : meta.workspaces.length === 0 ? '; every workspace may use it' : `; only workspaces ${meta.workspaces.join(', ')} may use it`;
      void vscode.window.showInformationMessage(`Saved ${meta.key} in ${t.env} (version ${meta.version})${scope}`);
      return meta;
    } catch (err) {
      // Show the version that won, so the next attempt starts from it.
      if (isSecretsError(err, 'SECRETS_STALE_VERSION') || isOrgSecretReadOnly(err)) await this.#session.model.loadSecrets(t.org, t.env, t.workspace).catch(() => undefined);
      throw err;
    } finally {
      this.#session.redactor.forget(args?.value);
    }
  }

  async deleteSecret(arg?: unknown, deleteArgs?: unknown): Promise<{ key: string; deleted: true }> {
    const client = this.#session.requireClient();
    const t = await this.#secretTarget(arg, 'delete', 'Delete');
    this.#session.requireWrite(t, 'delete', t.node?.meta ?? (t.workspace !== undefined ? await client.getSecret(t.org, envRef(t), t.key) : undefined));
    try {
      await deleteSecret(client, vscodeUi, t, t.key, isObject(deleteArgs) ? (deleteArgs as DeleteSecretArgs) : undefined);
    } catch (err) {
      // The tree showed a workspace secret that is gone since (the organization's is back): show that.
      if (isOrgSecretReadOnly(err)) await this.#session.model.loadSecrets(t.org, t.env, t.workspace).catch(() => undefined);
      throw err;
    }
    this.#session.model.hide(t.org, t.env, t.key, t.workspace);
    this.#session.secretDeleted(t, t.key);
    // A workspace secret that overrode an organization secret brings the organization's back: reload.
    if (t.workspace !== undefined) await this.#session.model.loadSecrets(t.org, t.env, t.workspace).catch(() => undefined);
    else this.#session.model.removeSecret(t.org, t.env, t.key);
    void vscode.window.showInformationMessage(`Deleted ${t.key} from ${t.workspace === undefined ? t.env : `${t.workspace}/${t.env}`}`);
    return { key: t.key, deleted: true };
  }

  /** The secret a command acts on: a tree item, `{ secretKey, org?, env? }`, a key, or a pick. */
  resolveSecret(arg: unknown, action: SecretAction, title: string): Promise<SecretTarget> {
    return this.#secretTarget(arg, action, title);
  }

  async #secretTarget(arg: unknown, action: SecretAction, title: string): Promise<SecretTarget> {
    this.#session.requireClient();
    const nodeOf = (scope: Target, key: string) => this.#session.model.secretNode(scope.org, scope.env, key, scope.workspace);
    if (isObject(arg) && typeof (arg as SecretArg).secretKey === 'string') {
      const a = arg as SecretArg;
      // A tree item (or `{ secretKey, org, env, workspace? }`) names its own place; `workspace` absent there is the organization.
      const scope: Target = a.org && a.env ? { org: a.org, env: a.env, ...(a.workspace !== undefined ? { workspace: a.workspace } : {}) } : this.#session.requireTarget();
      const key = a.secretKey.toUpperCase();
      const node = nodeOf(scope, key);
      return { ...scope, key, ...(node ? { node } : {}) };
    }
    const scope = this.#session.requireTarget();
    if (typeof arg === 'string' && arg.trim() !== '') {
      const key = arg.trim().toUpperCase();
      const node = nodeOf(scope, key);
      return { ...scope, key, ...(node ? { node } : {}) };
    }
    const all = this.#session.model.secrets(scope.org, scope.env, scope.workspace) ?? (await this.#session.model.loadSecrets(scope.org, scope.env, scope.workspace)).map((n) => n.meta);
    // Writing in a workspace: its organization secrets are read-only there, so they are not offered.
    const writes = action === 'edit' || action === 'delete';
    const secrets = scope.workspace !== undefined && writes ? all.filter((s) => s.scope !== 'organization') : all;
    const key = await vscodeUi.pick(
      secrets.map((s) => ({
        label: s.key,
        description: [s.scope !== undefined && scope.workspace !== undefined ? (s.overrides ? 'workspace · overrides' : s.scope) : undefined, s.description || undefined].filter(Boolean).join(' · ') || undefined,
        detail: `version ${s.version} · updated by ${s.updatedBy}`,
        value: s.key,
      })),
      { title: `${title} (${targetLabel(scope)})`, placeholder: action === 'view' ? 'Pick a secret' : `Pick the secret to ${title.toLowerCase()}` },
    );
    if (key === undefined) throw new Cancelled();
    const node = nodeOf(scope, key);
    return { ...scope, key, ...(node ? { node } : {}) };
  }
}

/** The server refused a write through a workspace to a key that is only an organization secret there. */
export function isOrgSecretReadOnly(err: unknown): boolean {
  return isSecretsError(err, 'SECRETS_CONFLICT') && err.problemCode === 'ORG_SECRET_READ_ONLY';
}
