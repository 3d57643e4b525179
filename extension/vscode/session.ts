// The connection and where commands act: the client (one per connection), the current organization and
// environment, the search text, and everything that shows them — context keys, status bar, the view's
// description. Secret commands (secret-commands.ts) ask it for a client, a target and permission.
import * as vscode from 'vscode';
import type { Org, SecretMeta } from '../../core/api-types.ts';
import { SecretsClient } from '../../core/client.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import { ClipboardGuard } from '../logic/clipboard.ts';
import { chooseEnvironment, chooseOrganization, connect, type ConnectArgs } from '../logic/connect.ts';
import { targetLabel, type Target } from '../logic/ports.ts';
import type { Redactor } from '../../core/redactor.ts';
import { assertTokenFor, originOf, type OriginToken } from '../logic/token-origin.ts';
import { systemClock } from '../model/clock.ts';
import { can, canAdminister, type SecretAction } from '../model/permissions.ts';
import type { TreeNode } from '../model/nodes.ts';
import type { SecretsTreeModel } from '../model/tree-model.ts';
import { isEnvNode, isObject, isOrgNode, isWorkspaceNode } from './args.ts';
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
      reload: (org, env, workspace) => this.model.loadSecrets(org, env, workspace),
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
  async connect(args?: unknown, options: { quiet?: boolean; stored?: OriginToken } = {}): Promise<{ org: string; env: string; user: string | null; workspace?: string }> {
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
      this.model.setMe(conn.me.user?.id);
      const org = chooseOrganization(conn.orgs, settings.organization);
      const env = await this.#select(org, settings.environment);
      await this.#setContext('secrets.connected', true);
      const who = conn.me.user?.name ?? null;
      this.#log.info(`connected to ${conn.url} as ${who ?? conn.me.tokenKind}`);
      const where = targetLabel(this.requireTarget());
      if (!options.quiet) void vscode.window.showInformationMessage(`Connected to ${conn.url}${who ? ` as ${who}` : ''}: ${where}`);
      return { org: org.slug, env, user: who, ...(this.model.currentWorkspace !== undefined ? { workspace: this.model.currentWorkspace } : {}) };
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
    const workspace = isEnvNode(arg) ? arg.workspace : this.model.currentWorkspace;
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
    if (isEnvNode(arg) && arg.workspace !== this.model.currentWorkspace) await writeSetting('workspace', arg.workspace ?? '');
    await this.#setEnvironment(org, slug, workspace);
    void vscode.window.showInformationMessage(`Switched to ${slug}`);
    return { org, env: slug, ...(workspace !== undefined ? { workspace } : {}) };
  }

  /** `secrets.workspace` changed (a folder pinned, or the user's setting): follow it when connected. */
  async workspaceSettingChanged(): Promise<void> {
    const org = this.model.currentOrg;
    const env = this.model.currentEnv;
    if (!this.#client || !org || !env) return;
    const pinned = readSettings().workspace;
    const workspaces = this.model.workspaces(org) ?? (await this.model.loadWorkspaces(org));
    const workspace = pinned !== '' && workspaces.some((w) => w.workspace === pinned) ? pinned : undefined;
    if (workspace === this.model.currentWorkspace) return;
    await this.#setEnvironment(org, env, workspace);
  }

  /**
   * Makes a workspace current (its effective set is shown and commands act on it), or the
   * organization's own secrets with `''`. Keeps the environment.
   */
  async switchWorkspace(arg?: unknown): Promise<{ org: string; env: string; workspace: string | null }> {
    this.requireClient();
    const org = this.requireOrg();
    const workspaces = this.model.workspaces(org) ?? (await this.model.loadWorkspaces(org));
    let slug: string | undefined =
      typeof arg === 'string' ? arg.trim() : isWorkspaceNode(arg) ? arg.workspace : isObject(arg) && arg.kind === 'org-scope' ? '' : undefined;
    if (slug === undefined) {
      slug = await vscodeUi.pick(
        [
          { label: 'Organization secrets', description: this.model.currentWorkspace === undefined ? 'current' : 'no workspace', value: '' },
          ...workspaces.map((w) => ({ label: w.workspace, description: [w.name !== w.workspace ? w.name : undefined, `owner ${w.ownerName}`, w.current ? 'current' : undefined].filter(Boolean).join(' · '), value: w.workspace })),
        ],
        { title: `Switch Workspace (${org})`, placeholder: 'A workspace shows the organization secrets available to it plus its own' },
      );
      if (slug === undefined) throw new Cancelled();
    }
    const workspace = slug === '' ? undefined : slug;
    if (workspace !== undefined && !workspaces.some((w) => w.workspace === workspace)) {
      throw new ExtensionError('EXT_UNKNOWN_WORKSPACE', `Workspace ${workspace} does not exist in ${org}`);
    }
    const env = this.model.currentEnv ?? readSettings().environment;
    if ((workspace ?? '') !== readSettings().workspace) await writeSetting('workspace', workspace ?? '');
    await this.#setEnvironment(org, env, workspace);
    void vscode.window.showInformationMessage(`Switched to ${workspace === undefined ? `the organization secrets of ${org}` : `workspace ${workspace}`}`);
    return { org, env, workspace: workspace ?? null };
  }

  /**
   * A workspace of `org` was created, renamed, re-owned or deleted by a command: the tree, the status
   * bar and the menus follow. Deleting the current workspace goes back to the organization's own
   * secrets (and unpins a folder pinned to it).
   */
  async workspacesChanged(org: string, deleted?: string): Promise<void> {
    const workspaces = await this.model.loadWorkspaces(org);
    if (org !== this.model.currentOrg) return;
    const env = this.model.currentEnv ?? readSettings().environment;
    if (deleted !== undefined && this.model.currentWorkspace === deleted) {
      if (readSettings().workspace === deleted) await writeSetting('workspace', '');
      await this.#setEnvironment(org, env, undefined);
      return;
    }
    this.#status.show(org, env, this.model.currentWorkspace, workspaces.length > 0);
    this.#updateView();
    await this.#updateRoleContext();
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
    let workspace = this.model.currentWorkspace;
    await this.progress('Refreshing secrets', async () => {
      this.model.setApi(client);
      await this.model.loadOrgs();
      if (org && this.model.orgs?.some((o) => o.org === org)) {
        await this.model.loadEnvironments(org);
        const wss = await this.model.loadWorkspaces(org);
        // A workspace deleted meanwhile: back to the organization's own secrets.
        if (workspace !== undefined && !wss.some((w) => w.workspace === workspace)) workspace = undefined;
        this.model.setCurrent(org, env, workspace);
        this.#status.show(org, env, workspace, wss.length > 0);
        this.#updateView();
        if (env) await this.model.loadSecrets(org, env, workspace);
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
    this.#status.show(undefined, undefined, undefined, false);
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
  /**
   * Makes `org` current, with its preferred (or first) environment, and the workspace the folder is
   * pinned to (`secrets.workspace`) when the organization has it; loads that environment.
   */
  async #select(org: Org, preferredEnv: string | undefined): Promise<string> {
    const [envs, workspaces] = await this.progress(`Loading ${org.slug}`, () =>
      Promise.all([this.model.loadEnvironments(org.slug), this.model.loadWorkspaces(org.slug)]),
    );
    const env = chooseEnvironment(
      envs.map((e) => ({ slug: e.env, name: e.name, createdAt: '' })),
      preferredEnv,
    ).slug;
    if (org.slug !== readSettings().organization) await writeSetting('organization', org.slug);
    const pinned = readSettings().workspace;
    const workspace = pinned !== '' && workspaces.some((w) => w.workspace === pinned) ? pinned : undefined;
    if (pinned !== '' && workspace === undefined) {
      this.#log.info(`secrets.workspace names ${pinned}, which is not a workspace of ${org.slug}: showing the organization's secrets`);
    }
    await this.#setEnvironment(org.slug, env, workspace);
    return env;
  }

  async #setEnvironment(org: string, env: string, workspace?: string): Promise<void> {
    this.model.setCurrent(org, env, workspace);
    // Following starts before the list loads, so a change made meanwhile reloads it once more.
    this.#live.follow(this.#client, org, env, workspace);
    if (env !== readSettings().environment) await writeSetting('environment', env);
    this.#status.show(org, env, workspace, (this.model.workspaces(org)?.length ?? 0) > 0);
    this.#updateView();
    await this.#updateRoleContext();
    this.#scopeChanged();
    await this.progress(`Loading ${env}`, () => this.model.loadSecrets(org, env, workspace));
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
    const node = org && env ? this.model.envNode(org, env, this.model.currentWorkspace) : undefined;
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
    this.#view.description = org && env ? targetLabel({ org, env, ...(this.model.currentWorkspace !== undefined ? { workspace: this.model.currentWorkspace } : {}) }) : undefined;
    const q = this.model.search.trim();
    this.#view.message = q ? `Showing keys containing "${q}"` : undefined;
  }

  async #updateRoleContext(): Promise<void> {
    const role = this.model.currentRole;
    const org = this.model.currentOrg;
    const workspace = this.model.currentWorkspace;
    // In a workspace, writing is its owner's (or an Admin's), whatever the role says about organization secrets.
    const writer = org !== undefined && workspace !== undefined ? this.model.canWrite(org, workspace) : undefined;
    await Promise.all([
      this.#setContext('secrets.role', role ?? ''),
      this.#setContext('secrets.canReveal', can(role, 'reveal')),
      this.#setContext('secrets.canEdit', writer ?? can(role, 'edit')),
      this.#setContext('secrets.canDelete', writer ?? can(role, 'delete')),
      this.#setContext('secrets.inWorkspace', workspace !== undefined),
      this.#setContext('secrets.hasWorkspaces', org !== undefined && (this.model.workspaces(org)?.length ?? 0) > 0),
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
    const workspace = this.model.currentWorkspace;
    return { org, env, ...(workspace !== undefined ? { workspace } : {}) };
  }

  /**
   * Writing secrets where `t` points: at organization level the role decides (`action`); in a
   * workspace, its owner and the organization's Owners and Admins write, and an organization secret
   * (`scope: "organization"`) is read-only there — refused before any request, with the server's rule.
   */
  requireWrite(t: Target, action: SecretAction, meta?: Pick<SecretMeta, 'key' | 'scope'>): void {
    if (t.workspace === undefined) {
      this.requirePermission(t.org, action);
      return;
    }
    if (meta?.scope === 'organization') {
      throw new ExtensionError(
        'EXT_ORG_SECRET_READ_ONLY',
        `${meta.key} is an organization secret: it is read-only in workspace ${t.workspace}. Override it by adding a workspace secret with the same key, or ask an Admin to change it for the organization.`,
      );
    }
    if (!this.model.canWrite(t.org, t.workspace)) {
      const owner = this.model.workspaceNode(t.org, t.workspace)?.ownerName;
      throw new ExtensionError(
        'EXT_NOT_ALLOWED',
        `Only the owner of workspace ${t.workspace}${owner ? ` (${owner})` : ''} and the Owners and Admins of ${t.org} write its secrets`,
      );
    }
  }

  /** A secret was changed by a command: the tree and whoever listens (the History view) follow. */
  secretChanged(t: Target, meta: SecretMeta): void {
    this.model.upsertSecret(t.org, t.env, meta, t.workspace);
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
