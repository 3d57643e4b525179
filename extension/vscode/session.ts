// The connection and where commands act: the client (one per connection), the current organization and
// environment, the search text, and everything that shows them — context keys, status bar, the view's
// description. Secret commands (secret-commands.ts) ask it for a client, a target and permission.
import * as vscode from 'vscode';
import type { Org, SecretMeta } from '../../core/api-types.ts';
import { SecretsClient } from '../../core/client.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import { ClipboardGuard } from '../logic/clipboard.ts';
import { chooseEnvironment, chooseOrganization, connect, type ConnectArgs } from '../logic/connect.ts';
import type { Target } from '../logic/ports.ts';
import type { Redactor } from '../../core/redactor.ts';
import { assertTokenFor, originOf, type OriginToken } from '../logic/token-origin.ts';
import { systemClock } from '../model/clock.ts';
import { can, canAdminister, type SecretAction } from '../model/permissions.ts';
import type { TreeNode } from '../model/nodes.ts';
import type { SecretsTreeModel } from '../model/tree-model.ts';
import { isEnvNode, isObject, isOrgNode } from './args.ts';
import type { OutputLog } from './output-log.ts';
import { readSettings, writeSetting } from './settings.ts';
import type { EnvironmentStatus } from './status-bar.ts';
import type { TokenStore } from './token-store.ts';
import { VIEW_ID } from './tree-provider.ts';
import { LiveRefresh } from '../logic/live-refresh.ts';
import { vscodeClipboard, vscodeUi } from './ui-port.ts';

export const USER_AGENT = 'secrets-vscode/0.1.0';

export interface SessionDeps {
  model: SecretsTreeModel;
  tokens: TokenStore;
  log: OutputLog;
  status: EnvironmentStatus;
  redactor: Redactor;
}

export class Session implements vscode.Disposable {
  readonly model: SecretsTreeModel;
  readonly redactor: Redactor;
  /** Values copied by Copy Value; cleared on sign-out if the clipboard still holds them. */
  readonly clipboard = new ClipboardGuard(vscodeClipboard, systemClock);
  readonly #tokens: TokenStore;
  readonly #log: OutputLog;
  readonly #status: EnvironmentStatus;
  #client: SecretsClient | undefined;
  #serverUrl: string | undefined;
  #view: vscode.TreeView<TreeNode> | undefined;
  /** The selected environment's live events keep its list current while connected. */
  readonly #live: LiveRefresh;
  readonly #secretListeners = new Set<(t: Target, key: string, deleted: boolean) => void>();
  readonly #scopeListeners = new Set<() => void>();
  /** Setting changes are handled one after the other, each on the state the previous one left. */
  #urlChanges: Promise<void> = Promise.resolve();

  constructor(deps: SessionDeps) {
    this.model = deps.model;
    this.redactor = deps.redactor;
    this.#tokens = deps.tokens;
    this.#log = deps.log;
    this.#status = deps.status;
    this.#live = new LiveRefresh({
      reload: (org, env) => this.model.loadSecrets(org, env),
      log: (line) => this.#log.info(line),
    });
  }

  attachView(view: vscode.TreeView<TreeNode>): vscode.Disposable {
    this.#view = view;
    // Opened after connecting: show where commands act.
    return view.onDidChangeVisibility((e) => {
      if (e.visible) void this.#expandCurrent();
    });
  }

  get client(): SecretsClient | undefined {
    return this.#client;
  }

  get serverUrl(): string | undefined {
    return this.#serverUrl;
  }

  /**
   * On activation: reconnect silently when the user's server URL has a token stored for its origin.
   * A token saved by an earlier version (one token, server unknown) is deleted and asked for again.
   */
  async restore(report: (title: string, err: unknown) => void): Promise<void> {
    await this.#setContext('secrets.connected', false);
    if (await this.#tokens.dropLegacy()) {
      this.#log.info('removed the token saved by an earlier version: it was not tied to a server');
      void vscode.window.showInformationMessage('Secrets now keeps a token per server: run "Secrets: Connect" to sign in again.');
    }
    await this.#reconnect(readSettings().serverUrl, report);
  }

  /**
   * `secrets.serverUrl` changed (in the user's settings: other scopes are ignored). Unless already on
   * that server: disconnect, then connect with the token stored for the new server's origin, if any.
   */
  serverUrlChanged(report: (title: string, err: unknown) => void): Promise<void> {
    this.#urlChanges = this.#urlChanges.then(() => this.#serverUrlChanged(report));
    return this.#urlChanges;
  }

  async #serverUrlChanged(report: (title: string, err: unknown) => void): Promise<void> {
    const url = readSettings().serverUrl;
    const wasConnected = this.#client !== undefined;
    if (wasConnected && sameServer(url, this.#serverUrl)) return;
    if (wasConnected) {
      this.#log.info(`secrets.serverUrl changed: disconnected from ${this.#serverUrl}`);
      await this.#disconnect();
    }
    const reconnected = await this.#reconnect(url, report);
    if (wasConnected && !reconnected && url) void vscode.window.showInformationMessage(`Secrets: disconnected. Run "Secrets: Connect" to sign in to ${url}.`);
  }

  /** Connects quietly to `url` with the token stored for its origin; false when there is none. */
  async #reconnect(url: string, report: (title: string, err: unknown) => void): Promise<boolean> {
    if (!url) return false;
    try {
      const stored = await this.#tokens.get(originOf(url));
      if (!stored) return false;
      await this.connect({ url }, { quiet: true, stored });
      return true;
    } catch (err) {
      report('Connect', err);
      return false;
    }
  }

  /**
   * `stored` is a token from SecretStorage, used only if `url` has its origin; otherwise the token is
   * the one given with the URL (command arguments or the prompts), for that URL.
   */
  async connect(args?: unknown, options: { quiet?: boolean; stored?: OriginToken } = {}): Promise<{ org: string; env: string; user: string | null }> {
    const settings = readSettings();
    const stored = options.stored;
    const connectArgs = stored ? { ...(isObject(args) ? (args as ConnectArgs) : {}), token: stored.token } : isObject(args) ? (args as ConnectArgs) : undefined;
    this.redactor.add(connectArgs?.token);
    let created: SecretsClient | undefined;
    const conn = await connect((url, token) => (created = this.#createClient(url, stored ?? { origin: originOf(url), token })), vscodeUi, {
      ...(connectArgs ? { args: connectArgs } : {}),
      defaultUrl: settings.serverUrl,
    }).catch(async (err: unknown) => {
      // A rejected token or unreachable server: the client made for the attempt holds sockets.
      await created?.close().catch(() => undefined);
      throw err;
    });
    this.redactor.add(conn.token);
    try {
      await this.#tokens.set({ origin: originOf(conn.url), token: conn.token });
      // The client first: the setting's change event then finds the session already on this server.
      await this.#useClient(conn.api, conn.url);
      if (conn.url !== settings.serverUrl) await writeSetting('serverUrl', conn.url);
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
    const url = this.#serverUrl ?? readSettings().serverUrl;
    const origin = url ? tryOriginOf(url) : undefined;
    if (origin) await this.#tokens.clear(origin);
    await this.#disconnect();
    this.redactor.clear();
    void vscode.window.showInformationMessage('Signed out of Secrets; the token was removed from secret storage.');
  }

  // ---- scope --------------------------------------------------------------------------------------

  async switchOrganization(arg?: unknown): Promise<{ org: string; env: string }> {
    this.requireClient();
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
    this.requireClient();
    const org = this.requireOrg();
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
    const client = this.requireClient();
    const org = this.model.currentOrg;
    const env = this.model.currentEnv;
    await this.progress('Refreshing secrets', async () => {
      this.model.setApi(client);
      await this.model.loadOrgs();
      if (org && this.model.orgs?.some((o) => o.org === org)) {
        await this.model.loadEnvironments(org);
        this.model.setCurrent(org, env);
        if (env) await this.model.loadSecrets(org, env);
      }
    });
    await this.#updateRoleContext();
    this.#scopeChanged();
  }

  async search(arg?: unknown): Promise<{ search: string }> {
    this.requireClient();
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

  // ---- internals ----------------------------------------------------------------------------------

  /** The only place a client is made: a token goes only to the origin it was given for. */
  #createClient(url: string, token: OriginToken): SecretsClient {
    assertTokenFor(url, token);
    return new SecretsClient({
      baseUrl: url,
      token: token.token,
      userAgent: USER_AGENT,
      onResponse: (info) => this.#log.response(info),
      onRetry: (info) => this.#log.retry(info),
    });
  }

  async #useClient(client: SecretsClient, url: string): Promise<void> {
    const old = this.#client;
    this.#client = client;
    this.#serverUrl = url;
    if (old !== client) this.#live.stop();
    this.model.setApi(client);
    if (old && old !== client) await old.close().catch(() => undefined);
  }

  async #disconnect(): Promise<void> {
    const old = this.#client;
    this.#client = undefined;
    this.#serverUrl = undefined;
    this.#live.stop();
    this.model.setApi(undefined);
    this.model.setCurrent(undefined, undefined);
    this.model.setSearch('');
    await this.clipboard.clearIfUnchanged();
    this.#status.show(undefined, undefined);
    this.#updateView();
    this.#scopeChanged();
    await Promise.all([
      this.#setContext('secrets.connected', false),
      this.#setContext('secrets.searching', false),
      this.#updateRoleContext(),
    ]);
    if (old) await old.close().catch(() => undefined);
  }

  /** Makes `org` current, with its preferred (or first) environment; loads that environment. */
  async #select(org: Org, preferredEnv: string | undefined): Promise<string> {
    const envs = await this.progress(`Loading ${org.slug}`, () => this.model.loadEnvironments(org.slug));
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
    // Following starts before the list loads, so a change made meanwhile reloads it once more.
    this.#live.follow(this.#client, org, env);
    if (env !== readSettings().environment) await writeSetting('environment', env);
    this.#status.show(org, env);
    this.#updateView();
    await this.#updateRoleContext();
    this.#scopeChanged();
    await this.progress(`Loading ${env}`, () => this.model.loadSecrets(org, env));
    await this.#expandCurrent();
  }

  /**
   * Expands the current organization and environment. A tree item's collapsible state counts only the
   * first time VS Code sees its id, and the organization is first drawn before it becomes current.
   * Only while the view is visible: revealing would otherwise open the sidebar, e.g. when opening a
   * YAML file activated the extension.
   */
  async #expandCurrent(): Promise<void> {
    const org = this.model.currentOrg;
    const env = this.model.currentEnv;
    const node = org && env ? this.model.envNode(org, env) : undefined;
    if (!node || !this.#view?.visible) return;
    await Promise.resolve(this.#view.reveal(node, { expand: true, select: false, focus: false })).catch((err: unknown) => {
      this.#log.error(`could not expand ${org}/${env}: ${(err as Error).message}`);
    });
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
      this.#setContext('secrets.canAdmin', canAdminister(role)),
    ]);
  }

  async #setContext(key: string, value: unknown): Promise<void> {
    await vscode.commands.executeCommand('setContext', key, value);
  }

  progress<T>(title: string, task: () => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: { viewId: VIEW_ID }, title }, () =>
        vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `$(sync~spin) ${title}` }, task),
      ),
    );
  }

  requireClient(): SecretsClient {
    if (!this.#client) throw new ExtensionError('EXT_NOT_CONNECTED');
    return this.#client;
  }

  requireOrg(): string {
    const org = this.model.currentOrg;
    if (!org) throw new ExtensionError('EXT_NOT_CONNECTED');
    return org;
  }

  requireTarget(): Target {
    const org = this.requireOrg();
    const env = this.model.currentEnv;
    if (!env) throw new ExtensionError('EXT_NO_ENVIRONMENT');
    return { org, env };
  }

  /** A secret was changed by a command: the tree and whoever listens (the History view) follow. */
  secretChanged(t: Target, meta: SecretMeta): void {
    this.model.upsertSecret(t.org, t.env, meta);
    for (const l of this.#secretListeners) l(t, meta.key, false);
  }

  secretDeleted(t: Target, key: string): void {
    for (const l of this.#secretListeners) l(t, key, true);
  }

  onDidChangeSecret(listener: (t: Target, key: string, deleted: boolean) => void): vscode.Disposable {
    this.#secretListeners.add(listener);
    return new vscode.Disposable(() => this.#secretListeners.delete(listener));
  }

  /** Fired after connecting, disconnecting and every change of organization or environment. */
  onDidChangeScope(listener: () => void): vscode.Disposable {
    this.#scopeListeners.add(listener);
    return new vscode.Disposable(() => this.#scopeListeners.delete(listener));
  }

  #scopeChanged(): void {
    for (const l of this.#scopeListeners) l();
  }

  requirePermission(org: string, action: SecretAction): void {
    if (!can(this.model.roleIn(org), action)) {
      const role = this.model.roleIn(org) ?? 'unknown';
      throw new ExtensionError('EXT_NOT_ALLOWED', `Your role in ${org} (${role}) does not allow this action`);
    }
  }

  dispose(): void {
    this.#live.dispose();
    void this.clipboard.clearIfUnchanged();
    this.model.hideAll();
    void this.#client?.close().catch(() => undefined);
    this.#client = undefined;
  }
}

/**
 * Whether a setting's value is the URL the session connected to (which Connect wrote there). A value
 * written differently for the same server only costs a reconnect with the same origin's token.
 */
function sameServer(settingUrl: string, current: string | undefined): boolean {
  return current !== undefined && settingUrl.trim().replace(/\/+$/, '') === current;
}

function tryOriginOf(url: string): string | undefined {
  try {
    return originOf(url);
  } catch {
    return undefined;
  }
}
