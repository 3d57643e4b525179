// What each command does in VS Code: resolves its target (tree item, key or a quick pick), runs the
// command logic, updates the model, context keys and status bar, and says what happened.
import * as vscode from 'vscode';
import type { Org, SecretMeta } from '../../core/api-types.ts';
import { SecretsClient } from '../../core/client.ts';
import { isSecretsError } from '../../core/errors.ts';
import { Cancelled, ExtensionError, describeError } from '../errors.ts';
import { addSecret, type AddSecretArgs } from '../logic/add-secret.ts';
import { ClipboardGuard, referenceFor } from '../logic/clipboard.ts';
import { compareEnvironments, comparisonMarkdown, type Comparison } from '../logic/compare.ts';
import { chooseEnvironment, chooseOrganization, connect, type ConnectArgs } from '../logic/connect.ts';
import { deleteSecret, type DeleteSecretArgs } from '../logic/delete-secret.ts';
import { editSecret, type EditSecretArgs } from '../logic/edit-secret.ts';
import type { Target } from '../logic/ports.ts';
import type { Redactor } from '../logic/redactor.ts';
import { systemClock } from '../model/clock.ts';
import type { EnvNode, SecretNode } from '../model/nodes.ts';
import { can, type SecretAction } from '../model/permissions.ts';
import type { SecretsTreeModel } from '../model/tree-model.ts';
import type { OutputLog } from './output-log.ts';
import { readSettings, writeSetting } from './settings.ts';
import type { EnvironmentStatus } from './status-bar.ts';
import type { TokenStore } from './token-store.ts';
import { vscodeClipboard, vscodeUi } from './ui-port.ts';
import { VIEW_ID } from './tree-provider.ts';

export const USER_AGENT = 'secrets-vscode/0.1.0';

/** A secret as commands accept it: a tree item, `{ secretKey }`, or a key in the current environment. */
export type SecretArg = Pick<SecretNode, 'secretKey'> & Partial<Pick<SecretNode, 'org' | 'env'>>;

interface SecretTarget extends Target {
  key: string;
  node?: SecretNode;
}

export interface CommandFailure {
  error: { code: string; message: string };
}

// Shown as information rather than as an error: the user did nothing wrong.
const INFORMATIONAL = new Set(['EXT_NO_CHANGES']);

export class Controller implements vscode.Disposable {
  readonly model: SecretsTreeModel;
  readonly redactor: Redactor;
  readonly #tokens: TokenStore;
  readonly #log: OutputLog;
  readonly #status: EnvironmentStatus;
  readonly #clipboard = new ClipboardGuard(vscodeClipboard, systemClock);
  #client: SecretsClient | undefined;
  #serverUrl: string | undefined;
  #view: vscode.TreeView<unknown> | undefined;
  lastError: { code: string; message: string } | undefined;

  constructor(deps: { model: SecretsTreeModel; tokens: TokenStore; log: OutputLog; status: EnvironmentStatus; redactor: Redactor }) {
    this.model = deps.model;
    this.redactor = deps.redactor;
    this.#tokens = deps.tokens;
    this.#log = deps.log;
    this.#status = deps.status;
  }

  attachView(view: vscode.TreeView<unknown>): void {
    this.#view = view;
  }

  get client(): SecretsClient | undefined {
    return this.#client;
  }

  get serverUrl(): string | undefined {
    return this.#serverUrl;
  }

  // ---- the edge -----------------------------------------------------------------------------------

  fail(title: string, err: unknown): CommandFailure | { cancelled: true } {
    if (err instanceof Cancelled) return { cancelled: true };
    const e = describeError(title, err, (t) => this.redactor.redact(t));
    this.lastError = e;
    this.#log.error(`${e.code}: ${e.message}`);
    if (INFORMATIONAL.has(e.code)) void vscode.window.showInformationMessage(e.message);
    else void vscode.window.showErrorMessage(e.message);
    return { error: e };
  }

  // ---- connection ---------------------------------------------------------------------------------

  /** On activation: reconnect silently when a URL and a stored token exist. */
  async restore(): Promise<void> {
    await this.#setContext('secrets.connected', false);
    const url = readSettings().serverUrl;
    const token = await this.#tokens.get();
    if (!url || !token) return;
    try {
      await this.connect({ url, token }, { quiet: true });
    } catch (err) {
      this.fail('Connect', err);
    }
  }

  async connect(args?: unknown, options: { quiet?: boolean } = {}): Promise<{ org: string; env: string; user: string | null }> {
    const settings = readSettings();
    const connectArgs = isObject(args) ? (args as ConnectArgs) : undefined;
    this.redactor.add(connectArgs?.token);
    const conn = await connect((url, token) => this.#createClient(url, token), vscodeUi, {
      ...(connectArgs ? { args: connectArgs } : {}),
      defaultUrl: settings.serverUrl,
    });
    this.redactor.add(conn.token);
    try {
      await this.#tokens.set(conn.token);
      if (conn.url !== settings.serverUrl) await writeSetting('serverUrl', conn.url);
      await this.#useClient(conn.api, conn.url);
      this.model.setOrgs(conn.orgs);
      const org = chooseOrganization(conn.orgs, settings.organization);
      const env = await this.#select(org, settings.environment);
      await this.#setContext('secrets.connected', true);
      const who = conn.me.user?.name ?? null;
      this.#log.info(`connected to ${conn.url} as ${who ?? conn.me.tokenKind}`);
      if (!options.quiet) void vscode.window.showInformationMessage(`Connected to ${conn.url}${who ? ` as ${who}` : ''}: ${org.slug}/${env}`);
      return { org: org.slug, env, user: who };
    } catch (err) {
      await this.#disconnect();
      throw err;
    }
  }

  async signOut(): Promise<void> {
    await this.#tokens.clear();
    await this.#disconnect();
    this.redactor.clear();
    void vscode.window.showInformationMessage('Signed out of Secrets; the token was removed from secret storage.');
  }

  // ---- scope --------------------------------------------------------------------------------------

  async switchOrganization(arg?: unknown): Promise<{ org: string; env: string }> {
    this.#requireClient();
    const orgs = this.model.orgs ? [...this.model.orgs] : await this.model.loadOrgs();
    let slug = typeof arg === 'string' ? arg : isOrgNode(arg) ? arg.org : undefined;
    if (slug === undefined) {
      slug = await vscodeUi.pick(
        orgs.map((o) => ({ label: o.org, description: `${o.name} · ${o.role}${o.current ? ' · current' : ''}`, value: o.org })),
        { title: 'Switch Organization' },
      );
      if (slug === undefined) throw new Cancelled();
    }
    const org = orgs.find((o) => o.org === slug);
    if (!org) throw new ExtensionError('EXT_UNKNOWN_ORGANIZATION', `You are not a member of an organization "${slug}"`);
    const env = await this.#select({ slug: org.org, name: org.name, role: org.role, createdAt: '' }, readSettings().environment);
    void vscode.window.showInformationMessage(`Switched to ${org.org}/${env}`);
    return { org: org.org, env };
  }

  async switchEnvironment(arg?: unknown): Promise<{ org: string; env: string }> {
    this.#requireClient();
    const org = this.#requireOrg();
    const envs = this.model.environments(org) ?? (await this.model.loadEnvironments(org));
    let slug = typeof arg === 'string' ? arg : isEnvNode(arg) ? arg.env : undefined;
    if (isEnvNode(arg) && arg.org !== org) return this.#switchOrganizationAndEnv(arg.org, arg.env);
    if (slug === undefined) {
      slug = await vscodeUi.pick(
        envs.map((e) => ({ label: e.env, description: e.current ? 'current' : e.name !== e.env ? e.name : undefined, value: e.env })),
        { title: `Switch Environment (${org})`, placeholder: 'Secrets commands act on the environment you pick' },
      );
      if (slug === undefined) throw new Cancelled();
    }
    if (!envs.some((e) => e.env === slug)) {
      throw new ExtensionError('EXT_UNKNOWN_ENVIRONMENT', `Environment ${slug} does not exist in ${org}`);
    }
    await this.#setEnvironment(org, slug);
    void vscode.window.showInformationMessage(`Switched to ${slug}`);
    return { org, env: slug };
  }

  async #switchOrganizationAndEnv(org: string, env: string): Promise<{ org: string; env: string }> {
    const found = this.model.orgs?.find((o) => o.org === org);
    if (!found) throw new ExtensionError('EXT_UNKNOWN_ORGANIZATION');
    await this.#select({ slug: found.org, name: found.name, role: found.role, createdAt: '' }, env);
    void vscode.window.showInformationMessage(`Switched to ${org}/${env}`);
    return { org, env };
  }

  async refresh(): Promise<void> {
    const client = this.#requireClient();
    const org = this.model.currentOrg;
    const env = this.model.currentEnv;
    await this.#progress('Refreshing secrets', async () => {
      this.model.setApi(client);
      await this.model.loadOrgs();
      if (org && this.model.orgs?.some((o) => o.org === org)) {
        await this.model.loadEnvironments(org);
        this.model.setCurrent(org, env);
        if (env) await this.model.loadSecrets(org, env);
      }
    });
    await this.#updateRoleContext();
  }

  async search(arg?: unknown): Promise<{ search: string }> {
    this.#requireClient();
    let text = typeof arg === 'string' ? arg : undefined;
    if (text === undefined) {
      const before = this.model.search;
      text = await vscodeUi.input({
        title: 'Search secrets',
        prompt: 'Filter by part of the key (case-insensitive)',
        value: before,
        onChange: (v) => this.#applySearch(v),
      });
      if (text === undefined) {
        this.#applySearch(before);
        throw new Cancelled();
      }
    }
    this.#applySearch(text);
    return { search: this.model.search };
  }

  async clearSearch(): Promise<{ search: string }> {
    this.#applySearch('');
    return { search: '' };
  }

  // ---- secrets ------------------------------------------------------------------------------------

  async addSecret(arg?: unknown): Promise<SecretMeta> {
    const client = this.#requireClient();
    const target = isEnvNode(arg) ? { org: arg.org, env: arg.env } : this.#requireTarget();
    this.#requirePermission(target.org, 'create');
    const args = isObject(arg) && 'key' in arg ? (arg as unknown as AddSecretArgs) : undefined;
    this.redactor.add(args?.value);
    const existing = new Set((this.model.secrets(target.org, target.env) ?? []).map((s) => s.key));
    try {
      const meta = await addSecret(client, vscodeUi, target, { ...(args ? { args } : {}), existingKeys: existing });
      this.model.upsertSecret(target.org, target.env, meta);
      void vscode.window.showInformationMessage(`Secret ${meta.key} added to ${target.env}`);
      return meta;
    } finally {
      this.redactor.forget(args?.value);
    }
  }

  async revealSecret(arg?: unknown): Promise<{ key: string; revealed: true; seconds: number }> {
    const t = await this.#secretTarget(arg, 'reveal', 'Reveal');
    this.#requirePermission(t.org, 'reveal');
    if (!this.model.secretNode(t.org, t.env, t.key)) await this.model.loadSecrets(t.org, t.env);
    const node = await this.model.reveal(t.org, t.env, t.key);
    this.redactor.add(node.display);
    return { key: node.secretKey, revealed: true, seconds: readSettings().revealSeconds };
  }

  async hideSecret(arg?: unknown): Promise<{ key: string; revealed: false }> {
    const t = await this.#secretTarget(arg, 'view', 'Hide');
    this.model.hide(t.org, t.env, t.key);
    return { key: t.key, revealed: false };
  }

  async copyValue(arg?: unknown): Promise<{ key: string; clearAfterSeconds: number }> {
    const client = this.#requireClient();
    const t = await this.#secretTarget(arg, 'reveal', 'Copy Value');
    this.#requirePermission(t.org, 'reveal');
    const revealed = await client.revealSecret(t.org, t.env, t.key);
    this.redactor.add(revealed.value);
    const seconds = readSettings().clipboardSeconds;
    await this.#clipboard.copySecret(revealed.value, seconds);
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
    const client = this.#requireClient();
    const org = this.#requireOrg();
    const envs = this.model.environments(org) ?? (await this.model.loadEnvironments(org));
    let chosen = Array.isArray(arg) ? arg.map(String) : undefined;
    if (!chosen) {
      chosen = await vscodeUi.pickMany(
        envs.map((e) => ({ label: e.env, picked: true, value: e.env })),
        { title: `Compare Environments (${org})`, placeholder: 'Which environments to compare (keys only, never values)' },
      );
      if (!chosen || chosen.length === 0) throw new Cancelled();
    }
    const picked = chosen;
    const comparison = await this.#progress(`Comparing ${picked.join(', ')}`, () => compareEnvironments(client, org, picked));
    if (!Array.isArray(arg)) {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: comparisonMarkdown(comparison) });
      await vscode.window.showTextDocument(doc, { preview: true });
    }
    return comparison;
  }

  async editSecret(arg?: unknown, editArgs?: unknown): Promise<SecretMeta> {
    const client = this.#requireClient();
    const t = await this.#secretTarget(arg, 'edit', 'Edit');
    this.#requirePermission(t.org, 'edit');
    const seen = this.model.secretNode(t.org, t.env, t.key)?.meta ?? (await client.getSecret(t.org, t.env, t.key));
    const args = isObject(editArgs) ? (editArgs as EditSecretArgs) : undefined;
    this.redactor.add(args?.value);
    try {
      const meta = await editSecret(client, vscodeUi, t, seen, args);
      this.model.upsertSecret(t.org, t.env, meta);
      void vscode.window.showInformationMessage(`Saved ${meta.key} in ${t.env} (version ${meta.version})`);
      return meta;
    } catch (err) {
      // Show the version that won, so the next attempt starts from it.
      if (isSecretsError(err, 'SECRETS_STALE_VERSION')) await this.model.loadSecrets(t.org, t.env).catch(() => undefined);
      throw err;
    } finally {
      this.redactor.forget(args?.value);
    }
  }

  async deleteSecret(arg?: unknown, deleteArgs?: unknown): Promise<{ key: string; deleted: true }> {
    const client = this.#requireClient();
    const t = await this.#secretTarget(arg, 'delete', 'Delete');
    this.#requirePermission(t.org, 'delete');
    await deleteSecret(client, vscodeUi, t, t.key, isObject(deleteArgs) ? (deleteArgs as DeleteSecretArgs) : undefined);
    this.model.hide(t.org, t.env, t.key);
    this.model.removeSecret(t.org, t.env, t.key);
    void vscode.window.showInformationMessage(`Deleted ${t.key} from ${t.env}`);
    return { key: t.key, deleted: true };
  }

  // ---- internals ----------------------------------------------------------------------------------

  #createClient(url: string, token: string): SecretsClient {
    return new SecretsClient({
      baseUrl: url,
      token,
      userAgent: USER_AGENT,
      onResponse: (info) => this.#log.response(info),
      onRetry: (info) => this.#log.retry(info),
    });
  }

  async #useClient(client: SecretsClient, url: string): Promise<void> {
    const old = this.#client;
    this.#client = client;
    this.#serverUrl = url;
    this.model.setApi(client);
    if (old && old !== client) await old.close().catch(() => undefined);
  }

  async #disconnect(): Promise<void> {
    const old = this.#client;
    this.#client = undefined;
    this.#serverUrl = undefined;
    this.model.setApi(undefined);
    this.model.setCurrent(undefined, undefined);
    this.model.setSearch('');
    await this.#clipboard.clearIfUnchanged();
    this.#status.show(undefined, undefined);
    this.#updateView();
    await Promise.all([
      this.#setContext('secrets.connected', false),
      this.#setContext('secrets.searching', false),
      this.#updateRoleContext(),
    ]);
    if (old) await old.close().catch(() => undefined);
  }

  /** Makes `org` current, with its preferred (or first) environment; loads that environment. */
  async #select(org: Org, preferredEnv: string | undefined): Promise<string> {
    const envs = await this.#progress(`Loading ${org.slug}`, () => this.model.loadEnvironments(org.slug));
    const env = chooseEnvironment(
      envs.map((e) => ({ slug: e.env, name: e.name, createdAt: '' })),
      preferredEnv,
    ).slug;
    if (org.slug !== readSettings().organization) await writeSetting('organization', org.slug);
    await this.#setEnvironment(org.slug, env);
    return env;
  }

  async #setEnvironment(org: string, env: string): Promise<void> {
    this.model.setCurrent(org, env);
    if (env !== readSettings().environment) await writeSetting('environment', env);
    this.#status.show(org, env);
    this.#updateView();
    await this.#updateRoleContext();
    await this.#progress(`Loading ${env}`, () => this.model.loadSecrets(org, env));
  }

  #applySearch(text: string): void {
    this.model.setSearch(text);
    void this.#setContext('secrets.searching', text.trim() !== '');
    this.#updateView();
  }

  #updateView(): void {
    if (!this.#view) return;
    const org = this.model.currentOrg;
    const env = this.model.currentEnv;
    this.#view.description = org && env ? `${org}/${env}` : undefined;
    const q = this.model.search.trim();
    this.#view.message = q ? `Showing keys containing "${q}"` : undefined;
  }

  async #updateRoleContext(): Promise<void> {
    const role = this.model.currentRole;
    await Promise.all([
      this.#setContext('secrets.role', role ?? ''),
      this.#setContext('secrets.canReveal', can(role, 'reveal')),
      this.#setContext('secrets.canEdit', can(role, 'edit')),
      this.#setContext('secrets.canDelete', can(role, 'delete')),
    ]);
  }

  async #setContext(key: string, value: unknown): Promise<void> {
    await vscode.commands.executeCommand('setContext', key, value);
  }

  #progress<T>(title: string, task: () => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: { viewId: VIEW_ID }, title }, () =>
        vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `$(sync~spin) ${title}` }, task),
      ),
    );
  }

  #requireClient(): SecretsClient {
    if (!this.#client) throw new ExtensionError('EXT_NOT_CONNECTED');
    return this.#client;
  }

  #requireOrg(): string {
    const org = this.model.currentOrg;
    if (!org) throw new ExtensionError('EXT_NOT_CONNECTED');
    return org;
  }

  #requireTarget(): Target {
    const org = this.#requireOrg();
    const env = this.model.currentEnv;
    if (!env) throw new ExtensionError('EXT_NO_ENVIRONMENT');
    return { org, env };
  }

  #requirePermission(org: string, action: SecretAction): void {
    if (!can(this.model.roleIn(org), action)) {
      const role = this.model.roleIn(org) ?? 'unknown';
      throw new ExtensionError('EXT_NOT_ALLOWED', `Your role in ${org} (${role}) does not allow this action`);
    }
  }

  async #secretTarget(arg: unknown, action: SecretAction, title: string): Promise<SecretTarget> {
    this.#requireClient();
    if (isObject(arg) && typeof (arg as SecretArg).secretKey === 'string') {
      const a = arg as SecretArg;
      const scope = a.org && a.env ? { org: a.org, env: a.env } : this.#requireTarget();
      const key = a.secretKey.toUpperCase();
      const node = this.model.secretNode(scope.org, scope.env, key);
      return { ...scope, key, ...(node ? { node } : {}) };
    }
    const scope = this.#requireTarget();
    if (typeof arg === 'string' && arg.trim() !== '') {
      const key = arg.trim().toUpperCase();
      const node = this.model.secretNode(scope.org, scope.env, key);
      return { ...scope, key, ...(node ? { node } : {}) };
    }
    const secrets = this.model.secrets(scope.org, scope.env) ?? (await this.model.loadSecrets(scope.org, scope.env)).map((n) => n.meta);
    const key = await vscodeUi.pick(
      secrets.map((s) => ({ label: s.key, description: s.description || undefined, detail: `version ${s.version} · updated by ${s.updatedBy}`, value: s.key })),
      { title: `${title} (${scope.org}/${scope.env})`, placeholder: action === 'view' ? 'Pick a secret' : `Pick the secret to ${title.toLowerCase()}` },
    );
    if (key === undefined) throw new Cancelled();
    const node = this.model.secretNode(scope.org, scope.env, key);
    return { ...scope, key, ...(node ? { node } : {}) };
  }

  dispose(): void {
    void this.#clipboard.clearIfUnchanged();
    this.model.hideAll();
    void this.#client?.close().catch(() => undefined);
    this.#client = undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isEnvNode(v: unknown): v is EnvNode {
  return isObject(v) && v.kind === 'env' && typeof v.org === 'string' && typeof v.env === 'string';
}

function isOrgNode(v: unknown): v is { kind: 'org'; org: string } {
  return isObject(v) && v.kind === 'org' && typeof v.org === 'string';
}
