// The sidebar's model: organization → environment → secret, loaded lazily from the API, filtered by the
// search text, with masked values and per-secret reveal timers. It owns no VS Code objects; the tree
// adapter renders its nodes and listens for changes. Node objects are cached and updated in place so
// a change event can name exactly the node that changed (VS Code matches elements by identity).
import { DEFAULT_ENVIRONMENTS, type Environment, type Org, type Role, type SecretMeta } from '../../core/api-types.ts';
import { ExtensionError } from '../errors.ts';
import type { SecretsApi } from '../logic/ports.ts';
import { systemClock, type Clock } from './clock.ts';
import { KeyFilter } from './filter.ts';
import { MASK, envId, orgId, secretId, type EnvNode, type MessageNode, type OrgNode, type SecretNode, type TreeNode } from './nodes.ts';
import { allowedActions, type SecretAction } from './permissions.ts';
import { RevealState } from './reveal-state.ts';

export interface ModelOptions {
  clock?: Clock;
  /** Read on every reveal, so a settings change applies to the next one. */
  revealSeconds?: () => number;
}

type Listener = (node: TreeNode | undefined) => void;

interface EnvSecrets {
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
  readonly #secrets = new Map<string, EnvSecrets>();
  #currentOrg: string | undefined;
  #currentEnv: string | undefined;
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
    this.#secrets.clear();
    this.#fire(undefined);
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

  get search(): string {
    return this.#search;
  }

  setCurrent(org: string | undefined, env: string | undefined): void {
    if (org !== this.#currentOrg) this.#reveals.clear();
    this.#currentOrg = org;
    this.#currentEnv = env;
    for (const o of this.#orgs ?? []) o.current = o.org === org;
    for (const [o, envs] of this.#envs) for (const e of envs) e.current = o === org && e.env === env;
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
        current: org === this.#currentOrg && e.slug === this.#currentEnv,
      })),
    );
    this.#fire(undefined);
  }

  environments(org: string): readonly EnvNode[] | undefined {
    return this.#envs.get(org);
  }

  async loadSecrets(org: string, env: string): Promise<SecretNode[]> {
    const metas = await this.#requireApi().listSecrets(org, env);
    this.setSecrets(org, env, metas);
    return this.#secrets.get(envId(org, env))!.nodes;
  }

  setSecrets(org: string, env: string, metas: readonly SecretMeta[]): void {
    const id = envId(org, env);
    // A value revealed at an older version is no longer the secret's value: mask it.
    for (const m of metas) {
      const sid = secretId(org, env, m.key);
      const shown = this.#reveals.version(sid);
      if (shown !== undefined && shown !== m.version) this.#reveals.hide(sid);
    }
    const nodes = [...metas].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((m) => this.#secretNode(org, env, m));
    const keep = new Set(nodes.map((n) => n.id));
    for (const old of this.#secrets.get(id)?.nodes ?? []) if (!keep.has(old.id)) this.#reveals.hide(old.id);
    this.#secrets.set(id, { nodes, byKey: new Map(nodes.map((n) => [n.secretKey, n])), filter: new KeyFilter((n) => n.secretKey, nodes) });
    this.#fire(undefined);
  }

  /** Metadata of the secrets loaded for an environment (unfiltered), or undefined before loading. */
  secrets(org: string, env: string): SecretMeta[] | undefined {
    return this.#secrets.get(envId(org, env))?.nodes.map((n) => n.meta);
  }

  /** After an add or edit: one secret's metadata changed without reloading the whole list. */
  upsertSecret(org: string, env: string, meta: SecretMeta): void {
    const current = this.secrets(org, env);
    if (!current) return;
    this.setSecrets(org, env, [...current.filter((m) => m.key !== meta.key), meta]);
  }

  removeSecret(org: string, env: string, key: string): void {
    const current = this.secrets(org, env);
    if (!current) return;
    this.setSecrets(org, env, current.filter((m) => m.key !== key));
  }

  /** Loads what `node`'s children need, then returns them. */
  async children(node?: TreeNode): Promise<TreeNode[]> {
    if (!this.#api) return [];
    if (node === undefined && !this.#orgs) await this.loadOrgs();
    else if (node?.kind === 'org' && !this.#envs.has(node.org)) await this.loadEnvironments(node.org);
    else if (node?.kind === 'env' && !this.#secrets.has(node.id)) await this.loadSecrets(node.org, node.env);
    return this.getChildren(node);
  }

  /** The children from what is loaded (nothing is fetched). */
  getChildren(node?: TreeNode): TreeNode[] {
    if (node === undefined) return this.#orgs ? [...this.#orgs] : [];
    if (node.kind === 'org') return [...(this.#envs.get(node.org) ?? [])];
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
    if (node.kind === 'env') return this.#orgs?.find((o) => o.org === node.org);
    if (node.kind === 'secret') return this.#envs.get(node.org)?.find((e) => e.env === node.env);
    const [org, env] = node.parentId.replace(/^env:/, '').split('/');
    return this.#envs.get(org!)?.find((e) => e.env === env);
  }

  secretNode(org: string, env: string, key: string): SecretNode | undefined {
    return this.#secrets.get(envId(org, env))?.byKey.get(key.toUpperCase());
  }

  envNode(org: string, env: string): EnvNode | undefined {
    return this.#envs.get(org)?.find((e) => e.env === env);
  }

  // ---- reveal -------------------------------------------------------------------------------------

  async reveal(org: string, env: string, key: string): Promise<SecretNode> {
    const revealed = await this.#requireApi().revealSecret(org, env, key);
    const node = this.secretNode(org, env, revealed.key);
    if (!node) throw new ExtensionError('EXT_SECRET_NOT_FOUND');
    this.#reveals.reveal(node.id, revealed.value, revealed.version, this.#revealSeconds());
    return node;
  }

  hide(org: string, env: string, key: string): void {
    this.#reveals.hide(secretId(org, env, key.toUpperCase()));
  }

  hideAll(): void {
    this.#reveals.clear();
  }

  get revealedCount(): number {
    return this.#reveals.size;
  }

  // ---- internals ----------------------------------------------------------------------------------

  #secretNode(org: string, env: string, meta: SecretMeta): SecretNode {
    const id = secretId(org, env, meta.key);
    const value = this.#reveals.value(id);
    return {
      kind: 'secret',
      id,
      org,
      env,
      secretKey: meta.key,
      meta,
      revealed: value !== undefined,
      display: value ?? MASK,
      actions: this.#actionsFor(org),
    };
  }

  // One shared array per organization: cheap nodes, and the tree adapter caches by it.
  readonly #actionsCache = new Map<string, SecretAction[]>();
  #actionsFor(org: string): SecretAction[] {
    const role = this.roleIn(org);
    const key = `${org}:${role ?? ''}`;
    let actions = this.#actionsCache.get(key);
    if (!actions) {
      actions = allowedActions(role);
      this.#actionsCache.set(key, actions);
    }
    return actions;
  }

  #message(parent: EnvNode, text: string): MessageNode {
    return { kind: 'message', id: `${parent.id}#message`, parentId: parent.id, text };
  }

  #onRevealChange(id: string): void {
    const [org, env, key] = id.replace(/^secret:/, '').split('/');
    const node = this.secretNode(org!, env!, key!);
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
