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
import type { Target } from '../logic/ports.ts';
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
    const target = isEnvNode(arg) ? { org: arg.org, env: arg.env } : this.#session.requireTarget();
    this.#session.requirePermission(target.org, 'create');
    const args = isObject(arg) && 'key' in arg ? (arg as unknown as AddSecretArgs) : undefined;
    this.#session.redactor.add(args?.value);
    const existing = new Set((this.#session.model.secrets(target.org, target.env) ?? []).map((s) => s.key));
    try {
      const meta = await addSecret(client, vscodeUi, target, { ...(args ? { args } : {}), existingKeys: existing });
      this.#session.model.upsertSecret(target.org, target.env, meta);
      void vscode.window.showInformationMessage(`Secret ${meta.key} added to ${target.env}`);
      return meta;
    } finally {
      this.#session.redactor.forget(args?.value);
    }
  }

  async revealSecret(arg?: unknown): Promise<{ key: string; revealed: true; seconds: number }> {
    const t = await this.#secretTarget(arg, 'reveal', 'Reveal');
    this.#session.requirePermission(t.org, 'reveal');
    if (!this.#session.model.secretNode(t.org, t.env, t.key)) await this.#session.model.loadSecrets(t.org, t.env);
    const node = await this.#session.model.reveal(t.org, t.env, t.key);
    this.#session.redactor.add(node.display);
    return { key: node.secretKey, revealed: true, seconds: readSettings().revealSeconds };
  }

  async hideSecret(arg?: unknown): Promise<{ key: string; revealed: false }> {
    const t = await this.#secretTarget(arg, 'view', 'Hide');
    this.#session.model.hide(t.org, t.env, t.key);
    return { key: t.key, revealed: false };
  }

  async copyValue(arg?: unknown): Promise<{ key: string; clearAfterSeconds: number }> {
    const client = this.#session.requireClient();
    const t = await this.#secretTarget(arg, 'reveal', 'Copy Value');
    this.#session.requirePermission(t.org, 'reveal');
    const revealed = await client.revealSecret(t.org, t.env, t.key);
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
    const comparison = await this.#session.progress(`Comparing ${picked.join(', ')}`, () => compareEnvironments(client, org, picked));
    if (!Array.isArray(arg)) {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: comparisonMarkdown(comparison) });
      await vscode.window.showTextDocument(doc, { preview: true });
    }
    return comparison;
  }

  async editSecret(arg?: unknown, editArgs?: unknown): Promise<SecretMeta> {
    const client = this.#session.requireClient();
    const t = await this.#secretTarget(arg, 'edit', 'Edit');
    this.#session.requirePermission(t.org, 'edit');
    const seen = this.#session.model.secretNode(t.org, t.env, t.key)?.meta ?? (await client.getSecret(t.org, t.env, t.key));
    const args = isObject(editArgs) ? (editArgs as EditSecretArgs) : undefined;
    this.#session.redactor.add(args?.value);
    try {
      const meta = await editSecret(client, vscodeUi, t, seen, args);
      this.#session.secretChanged(t, meta);
      void vscode.window.showInformationMessage(`Saved ${meta.key} in ${t.env} (version ${meta.version})`);
      return meta;
    } catch (err) {
      // Show the version that won, so the next attempt starts from it.
      if (isSecretsError(err, 'SECRETS_STALE_VERSION')) await this.#session.model.loadSecrets(t.org, t.env).catch(() => undefined);
      throw err;
    } finally {
      this.#session.redactor.forget(args?.value);
    }
  }

  async deleteSecret(arg?: unknown, deleteArgs?: unknown): Promise<{ key: string; deleted: true }> {
    const client = this.#session.requireClient();
    const t = await this.#secretTarget(arg, 'delete', 'Delete');
    this.#session.requirePermission(t.org, 'delete');
    await deleteSecret(client, vscodeUi, t, t.key, isObject(deleteArgs) ? (deleteArgs as DeleteSecretArgs) : undefined);
    this.#session.model.hide(t.org, t.env, t.key);
    this.#session.model.removeSecret(t.org, t.env, t.key);
    this.#session.secretDeleted(t, t.key);
    void vscode.window.showInformationMessage(`Deleted ${t.key} from ${t.env}`);
    return { key: t.key, deleted: true };
  }

  /** The secret a command acts on: a tree item, `{ secretKey, org?, env? }`, a key, or a pick. */
  resolveSecret(arg: unknown, action: SecretAction, title: string): Promise<SecretTarget> {
    return this.#secretTarget(arg, action, title);
  }

  async #secretTarget(arg: unknown, action: SecretAction, title: string): Promise<SecretTarget> {
    this.#session.requireClient();
    if (isObject(arg) && typeof (arg as SecretArg).secretKey === 'string') {
      const a = arg as SecretArg;
      const scope = a.org && a.env ? { org: a.org, env: a.env } : this.#session.requireTarget();
      const key = a.secretKey.toUpperCase();
      const node = this.#session.model.secretNode(scope.org, scope.env, key);
      return { ...scope, key, ...(node ? { node } : {}) };
    }
    const scope = this.#session.requireTarget();
    if (typeof arg === 'string' && arg.trim() !== '') {
      const key = arg.trim().toUpperCase();
      const node = this.#session.model.secretNode(scope.org, scope.env, key);
      return { ...scope, key, ...(node ? { node } : {}) };
    }
    const secrets = this.#session.model.secrets(scope.org, scope.env) ?? (await this.#session.model.loadSecrets(scope.org, scope.env)).map((n) => n.meta);
    const key = await vscodeUi.pick(
      secrets.map((s) => ({ label: s.key, description: s.description || undefined, detail: `version ${s.version} · updated by ${s.updatedBy}`, value: s.key })),
      { title: `${title} (${scope.org}/${scope.env})`, placeholder: action === 'view' ? 'Pick a secret' : `Pick the secret to ${title.toLowerCase()}` },
    );
    if (key === undefined) throw new Cancelled();
    const node = this.#session.model.secretNode(scope.org, scope.env, key);
    return { ...scope, key, ...(node ? { node } : {}) };
  }
}
