// The sidebar's model: organization → environment → secret, or, in an organization with workspaces,
// organization → (Organization secrets | workspace) → environment → secret, where a workspace's
// environment lists its effective set (organization secrets available to it plus its own, each with its
// scope). Loaded lazily from the API, filtered by the search text, with masked values and per-secret
// reveal timers. It owns no VS Code objects; the tree
// adapter renders its nodes and listens for changes. Node objects are cached and updated in place so
// a change event can name exactly the node that changed (VS Code matches elements by identity).
import { DEFAULT_ENVIRONMENTS, type Environment, type Org, type Role, type SecretMeta, type Workspace } from '../../core/api-types.ts';
import { isSecretsError } from '../../core/errors.ts';
import { ExtensionError } from '../errors.ts';
import type { SecretsApi } from '../logic/ports.ts';
import { systemClock, type Clock } from './clock.ts';
import { KeyFilter } from './filter.ts';
import {
  MASK, envId, orgId, orgScopeId, secretId, workspaceId,
  type EnvNode, type MessageNode, type OrgNode, type OrgScopeNode, type SecretNode, type TreeNode, type WorkspaceNode,
} from './nodes.ts';
import { allowedActions, can, canAdminister, type SecretAction } from './permissions.ts';
import { RevealState } from './reveal-state.ts';

export interface ModelOptions {
  clock?: Clock;
  /** Read on every reveal, so a settings change applies to the next one. */
  revealSeconds?: () => number;
}

type Listener = (node: TreeNode | undefined) => void;

interface EnvSecrets {
  org: string;
  env: string;
  workspace: string | undefined;
  nodes: SecretNode[];
  byKey: Map<string, SecretNode>;
  filter: KeyFilter<SecretNode>;
}

export class SecretsTreeModel {
  #api: SecretsApi | undefined;
  readonly #revealSeconds: () => number;
  readonly #reveals: RevealState;
  readonly #listeners = new Set<Listener>();
  #orgs: OrgNode[] | undefined;
  readonly #envs = new Map<string, EnvNode[]>();
  /** org → its workspaces (empty: none, or a server without workspaces). */
  readonly #workspaces = new Map<string, WorkspaceNode[]>();
  readonly #orgScopes = new Map<string, OrgScopeNode>();
  /** `org/ws` → that workspace's environment nodes. */
  readonly #wsEnvs = new Map<string, EnvNode[]>();
  readonly #secrets = new Map<string, EnvSecrets>();
  readonly #secretById = new Map<string, SecretNode>();
  #currentOrg: string | undefined;
  #currentEnv: string | undefined;
  #currentWorkspace: string | undefined;
  /** The signed-in user's id: the owner of a workspace writes its secrets. */
  #me: string | undefined;
  #search = '';

  constructor(options: ModelOptions = {}) {
    this.#revealSeconds = options.revealSeconds ?? (() => 30);
    this.#reveals = new RevealState(options.clock ?? systemClock, (id) => this.#onRevealChange(id));
  }

  // ---- connection and selection -------------------------------------------------------------------

  /** A new client (connect) or none (sign out): everything loaded with the old one is dropped. */
  setApi(api: SecretsApi | undefined): void {
    this.#api = api;
    this.#reveals.clear();
    this.#orgs = undefined;
    this.#envs.clear();
    this.#workspaces.clear();
    this.#orgScopes.clear();
    this.#wsEnvs.clear();
    this.#secrets.clear();
    this.#secretById.clear();
    this.#fire(undefined);
  }

  /** The signed-in user's id (from GET /v1/me), or undefined for a token of no user. */
  setMe(userId: string | undefined): void {
    this.#me = userId;
    this.#actionsCache.clear();
  }

  get connected(): boolean {
    return this.#api !== undefined;
  }

  get currentOrg(): string | undefined {
    return this.#currentOrg;
  }

  get currentEnv(): string | undefined {
    return this.#currentEnv;
  }

  /** The workspace commands act in, or undefined for the organization's own secrets. */
  get currentWorkspace(): string | undefined {
    return this.#currentWorkspace;
  }

  get search(): string {
    return this.#search;
  }

  setCurrent(org: string | undefined, env: string | undefined, workspace?: string): void {
    if (org !== this.#currentOrg) this.#reveals.clear();
    this.#currentOrg = org;
    this.#currentEnv = env;
    this.#currentWorkspace = workspace;
    for (const o of this.#orgs ?? []) o.current = o.org === org;
    for (const [o, envs] of this.#envs) for (const e of envs) e.current = o === org && e.env === env && workspace === undefined;
    for (const envs of this.#wsEnvs.values()) for (const e of envs) e.current = e.org === org && e.env === env && e.workspace === workspace;
    for (const [o, wss] of this.#workspaces) for (const w of wss) w.current = o === org && w.workspace === workspace;
    for (const [o, n] of this.#orgScopes) n.current = o === org && workspace === undefined;
    this.#fire(undefined);
  }

  setSearch(text: string): void {
    this.#search = text;
    this.#fire(undefined);
  }

  roleIn(org: string | undefined): Role | undefined {
    return this.#orgs?.find((o) => o.org === org)?.role;
  }

  get currentRole(): Role | undefined {
    return this.roleIn(this.#currentOrg);
  }

  onDidChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- loading ------------------------------------------------------------------------------------

  async loadOrgs(): Promise<OrgNode[]> {
    const orgs = await this.#requireApi().listOrgs();
    this.setOrgs(orgs);
    return this.#orgs!;
  }

  setOrgs(orgs: Org[]): void {
    this.#orgs = [...orgs]
      .sort((a, b) => a.slug.localeCompare(b.slug))
      .map((o) => ({ kind: 'org', id: orgId(o.slug), org: o.slug, name: o.name, role: o.role, current: o.slug === this.#currentOrg }));
    this.#fire(undefined);
  }

  get orgs(): readonly OrgNode[] | undefined {
    return this.#orgs;
  }

  async loadEnvironments(org: string): Promise<EnvNode[]> {
    const envs = await this.#requireApi().listEnvironments(org);
    this.setEnvironments(org, envs);
    return this.#envs.get(org)!;
  }

  setEnvironments(org: string, envs: Environment[]): void {
    this.#envs.set(
      org,
      [...envs].sort(environmentOrder).map((e) => ({
        kind: 'env',
        id: envId(org, e.slug),
        org,
        env: e.slug,
        name: e.name,
        current: org === this.#currentOrg && e.slug === this.#currentEnv && this.#currentWorkspace === undefined,
      })),
    );
    for (const key of [...this.#wsEnvs.keys()]) if (key.startsWith(`${org}/`)) this.#wsEnvs.delete(key);
    this.#fire(undefined);
  }

  environments(org: string): readonly EnvNode[] | undefined {
    return this.#envs.get(org);
  }

  /**
   * The organization's workspaces. A server that predates workspaces answers the route with 404
   * `NOT_FOUND` (no such route): that is an organization without workspaces, shown as before.
   */
  async loadWorkspaces(org: string): Promise<WorkspaceNode[]> {
    let list: Workspace[];
    try {
      list = await this.#requireApi().listWorkspaces(org);
    } catch (err) {
      if (!isSecretsError(err, 'SECRETS_NOT_FOUND') || err.problemCode !== 'NOT_FOUND') throw err;
      list = [];
    }
    this.setWorkspaces(org, list);
    return this.#workspaces.get(org)!;
  }

  setWorkspaces(org: string, list: readonly Workspace[]): void {
    this.#workspaces.set(
      org,
      [...list]
        .sort((a, b) => a.slug.localeCompare(b.slug))
        .map((w) => ({
          kind: 'workspace',
          id: workspaceId(org, w.slug),
          org,
          workspace: w.slug,
          name: w.name,
          owner: w.owner,
          ownerName: w.ownerName,
          mine: this.#me !== undefined && w.owner === this.#me,
          current: org === this.#currentOrg && w.slug === this.#currentWorkspace,
        })),
    );
    if (!this.#orgScopes.has(org)) this.#orgScopes.set(org, { kind: 'org-scope', id: orgScopeId(org), org, current: org === this.#currentOrg && this.#currentWorkspace === undefined });
    for (const key of [...this.#wsEnvs.keys()]) if (key.startsWith(`${org}/`)) this.#wsEnvs.delete(key);
    this.#actionsCache.clear();
    this.#fire(undefined);
  }

  workspaces(org: string): readonly WorkspaceNode[] | undefined {
    return this.#workspaces.get(org);
  }

  workspaceNode(org: string, workspace: string): WorkspaceNode | undefined {
    return this.#workspaces.get(org)?.find((w) => w.workspace === workspace);
  }

  /** The environments of a workspace: the organization's, each listing the workspace's effective set. */
  workspaceEnvironments(org: string, workspace: string): EnvNode[] {
    const key = `${org}/${workspace}`;
    let envs = this.#wsEnvs.get(key);
    if (!envs) {
      envs = (this.#envs.get(org) ?? []).map((e) => ({
        kind: 'env',
        id: envId(org, e.env, workspace),
        org,
        env: e.env,
        workspace,
        name: e.name,
        current: org === this.#currentOrg && e.env === this.#currentEnv && workspace === this.#currentWorkspace,
      }));
      if (this.#envs.has(org)) this.#wsEnvs.set(key, envs);
    }
    return envs;
  }

  /** Whether the signed-in user may create, edit and delete secrets there (a workspace's: its owner, or an Admin+). */
  canWrite(org: string, workspace?: string): boolean {
    const role = this.roleIn(org);
    if (workspace === undefined) return can(role, 'create');
    return canAdminister(role) || this.workspaceNode(org, workspace)?.mine === true;
  }

  async loadSecrets(org: string, env: string, workspace?: string): Promise<SecretNode[]> {
    const metas = await this.#requireApi().listSecrets(org, workspace === undefined ? env : { workspace, environment: env });
    this.setSecrets(org, env, metas, workspace);
    return this.#secrets.get(envId(org, env, workspace))!.nodes;
  }

  setSecrets(org: string, env: string, metas: readonly SecretMeta[], workspace?: string): void {
    const id = envId(org, env, workspace);
    // A value revealed at an older version (or of another scope) is no longer the secret's value: mask it.
    const before = this.#secrets.get(id)?.byKey;
    for (const m of metas) {
      const sid = secretId(org, env, m.key, workspace);
      const shown = this.#reveals.version(sid);
      if (shown !== undefined && (shown !== m.version || before?.get(m.key)?.meta.scope !== m.scope)) this.#reveals.hide(sid);
    }
    const nodes = [...metas].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((m) => this.#secretNode(org, env, m, workspace));
    const keep = new Set(nodes.map((n) => n.id));
    for (const old of this.#secrets.get(id)?.nodes ?? []) {
      this.#secretById.delete(old.id);
      if (!keep.has(old.id)) this.#reveals.hide(old.id);
    }
    for (const n of nodes) this.#secretById.set(n.id, n);
    this.#secrets.set(id, { org, env, workspace, nodes, byKey: new Map(nodes.map((n) => [n.secretKey, n])), filter: new KeyFilter((n) => n.secretKey, nodes) });
    this.#fire(undefined);
  }

  /** Metadata of the secrets loaded for an environment (unfiltered), or undefined before loading. */
  secrets(org: string, env: string, workspace?: string): SecretMeta[] | undefined {
    return this.#secrets.get(envId(org, env, workspace))?.nodes.map((n) => n.meta);
  }

  /** After an add or edit: one secret's metadata changed without reloading the whole list. */
  upsertSecret(org: string, env: string, meta: SecretMeta, workspace?: string): void {
    const current = this.secrets(org, env, workspace);
    if (!current) return;
    this.setSecrets(org, env, [...current.filter((m) => m.key !== meta.key), meta], workspace);
  }

  removeSecret(org: string, env: string, key: string, workspace?: string): void {
    const current = this.secrets(org, env, workspace);
    if (!current) return;
    this.setSecrets(org, env, current.filter((m) => m.key !== key), workspace);
  }

  /** Loads what `node`'s children need, then returns them. */
  async children(node?: TreeNode): Promise<TreeNode[]> {
    if (!this.#api) return [];
    if (node === undefined && !this.#orgs) await this.loadOrgs();
    else if (node?.kind === 'org') {
      await Promise.all([
        this.#envs.has(node.org) ? undefined : this.loadEnvironments(node.org),
        this.#workspaces.has(node.org) ? undefined : this.loadWorkspaces(node.org),
      ]);
    } else if ((node?.kind === 'workspace' || node?.kind === 'org-scope') && !this.#envs.has(node.org)) await this.loadEnvironments(node.org);
    else if (node?.kind === 'env' && !this.#secrets.has(node.id)) await this.loadSecrets(node.org, node.env, node.workspace);
    return this.getChildren(node);
  }

  /** The children from what is loaded (nothing is fetched). */
  getChildren(node?: TreeNode): TreeNode[] {
    if (node === undefined) return this.#orgs ? [...this.#orgs] : [];
    if (node.kind === 'org') {
      const wss = this.#workspaces.get(node.org);
      // Without workspaces the organization's environments are its children, as they always were.
      if (!wss || wss.length === 0) return [...(this.#envs.get(node.org) ?? [])];
      return [this.#orgScopes.get(node.org)!, ...wss];
    }
    if (node.kind === 'org-scope') return [...(this.#envs.get(node.org) ?? [])];
    if (node.kind === 'workspace') return [...this.workspaceEnvironments(node.org, node.workspace)];
    if (node.kind === 'env') {
      const loaded = this.#secrets.get(node.id);
      if (!loaded) return [];
      const shown = loaded.filter.apply(this.#search);
      node.count = shown.length;
      if (shown.length === 0) return [this.#message(node, loaded.nodes.length === 0 ? 'No secrets yet' : `No secrets match "${this.#search.trim()}"`)];
      return shown;
    }
    return [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (node.kind === 'org') return undefined;
    if (node.kind === 'org-scope' || node.kind === 'workspace') return this.#orgs?.find((o) => o.org === node.org);
    if (node.kind === 'env') {
      if (node.workspace !== undefined) return this.workspaceNode(node.org, node.workspace);
      if ((this.#workspaces.get(node.org)?.length ?? 0) > 0) return this.#orgScopes.get(node.org);
      return this.#orgs?.find((o) => o.org === node.org);
    }
    if (node.kind === 'secret') return this.envNode(node.org, node.env, node.workspace);
    const loaded = this.#secrets.get(node.parentId);
    return loaded ? this.envNode(loaded.org, loaded.env, loaded.workspace) : undefined;
  }

  secretNode(org: string, env: string, key: string, workspace?: string): SecretNode | undefined {
    return this.#secrets.get(envId(org, env, workspace))?.byKey.get(key.toUpperCase());
  }

  envNode(org: string, env: string, workspace?: string): EnvNode | undefined {
    if (workspace === undefined) return this.#envs.get(org)?.find((e) => e.env === env);
    return this.workspaceEnvironments(org, workspace).find((e) => e.env === env);
  }

  // ---- reveal -------------------------------------------------------------------------------------

  async reveal(org: string, env: string, key: string, workspace?: string): Promise<SecretNode> {
    const revealed = await this.#requireApi().revealSecret(org, workspace === undefined ? env : { workspace, environment: env }, key);
    const node = this.secretNode(org, env, revealed.key, workspace);
    if (!node) throw new ExtensionError('EXT_SECRET_NOT_FOUND');
    this.#reveals.reveal(node.id, revealed.value, revealed.version, this.#revealSeconds());
    return node;
  }

  hide(org: string, env: string, key: string, workspace?: string): void {
    this.#reveals.hide(secretId(org, env, key.toUpperCase(), workspace));
  }

  hideAll(): void {
    this.#reveals.clear();
  }

  get revealedCount(): number {
    return this.#reveals.size;
  }

  // ---- internals ----------------------------------------------------------------------------------

  #secretNode(org: string, env: string, meta: SecretMeta, workspace?: string): SecretNode {
    const id = secretId(org, env, meta.key, workspace);
    const value = this.#reveals.value(id);
    return {
      kind: 'secret',
      id,
      org,
      env,
      ...(workspace !== undefined ? { workspace } : {}),
      secretKey: meta.key,
      meta,
      revealed: value !== undefined,
      display: value ?? MASK,
      actions: this.#actionsFor(org, workspace, meta.scope),
    };
  }

  // One shared array per organization and scope: cheap nodes, and the tree adapter caches by it.
  readonly #actionsCache = new Map<string, SecretAction[]>();
  #actionsFor(org: string, workspace?: string, scope?: SecretMeta['scope']): SecretAction[] {
    const role = this.roleIn(org);
    const writer = workspace !== undefined && this.canWrite(org, workspace);
    const key = `${org}:${role ?? ''}:${workspace ?? ''}:${scope ?? ''}:${writer}`;
    let actions = this.#actionsCache.get(key);
    if (!actions) {
      if (workspace === undefined) actions = allowedActions(role);
      else {
        // In a workspace, reading follows the organization role; writing is the workspace's owner's (or an
        // Admin's), and an organization secret is read-only there (overriding it is an Add).
        const read = allowedActions(role).filter((a) => a === 'view' || a === 'reveal');
        actions = scope === 'workspace' && writer ? [...read, 'create', 'edit', 'delete'] : read;
      }
      this.#actionsCache.set(key, actions);
    }
    return actions;
  }

  #message(parent: EnvNode, text: string): MessageNode {
    return { kind: 'message', id: `${parent.id}#message`, parentId: parent.id, text };
  }

  #onRevealChange(id: string): void {
    const node = this.#secretById.get(id);
    if (!node) return;
    const value = this.#reveals.value(id);
    node.revealed = value !== undefined;
    node.display = value ?? MASK;
    this.#fire(node);
  }

  #requireApi(): SecretsApi {
    if (!this.#api) throw new ExtensionError('EXT_NOT_CONNECTED');
    return this.#api;
  }

  #fire(node: TreeNode | undefined): void {
    for (const l of this.#listeners) l(node);
  }
}

// Pipeline order (development → staging → production) like the dashboard's switcher, then the rest by slug.
function environmentOrder(a: Environment, b: Environment): number {
  const rank = (slug: string) => {
    const i = DEFAULT_ENVIRONMENTS.indexOf(slug);
    return i === -1 ? DEFAULT_ENVIRONMENTS.length : i;
  };
  return rank(a.slug) - rank(b.slug) || a.slug.localeCompare(b.slug);
}
