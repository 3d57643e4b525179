// The History view's data: the kept versions of one secret, newest first, with who wrote each and when.
// An old version's value is revealed the way the tree reveals a current one: in memory only, masked
// again after `secrets.revealSeconds` (the same RevealState and timers). No VS Code here.
import type { SecretScope, SecretVersion } from '../../core/api-types.ts';
import { ExtensionError } from '../errors.ts';
import { envRef, targetLabel, type SecretsApi, type Target } from '../logic/ports.ts';
import { systemClock, type Clock } from './clock.ts';
import { MASK } from './nodes.ts';
import { RevealState } from './reveal-state.ts';

export interface HistoryTarget extends Target {
  key: string;
  /** In a workspace: whose history it is (an organization secret's is read-only there). */
  scope?: SecretScope;
}

export interface VersionNode {
  kind: 'version';
  id: string;
  org: string;
  env: string;
  workspace?: string;
  secretKey: string;
  version: number;
  description: string;
  createdAt: string;
  createdBy: string;
  /** The newest kept version: the secret's value now. */
  current: boolean;
  revealed: boolean;
  display: string;
}

type Listener = (node: VersionNode | undefined) => void;

export class HistoryModel {
  readonly #api: () => SecretsApi | undefined;
  readonly #revealSeconds: () => number;
  readonly #reveals: RevealState;
  readonly #listeners = new Set<Listener>();
  #target: HistoryTarget | undefined;
  #nodes: VersionNode[] = [];

  constructor(options: { api: () => SecretsApi | undefined; revealSeconds?: () => number; clock?: Clock }) {
    this.#api = options.api;
    this.#revealSeconds = options.revealSeconds ?? (() => 30);
    this.#reveals = new RevealState(options.clock ?? systemClock, (id) => this.#onRevealChange(id));
  }

  get target(): HistoryTarget | undefined {
    return this.#target;
  }

  /** `acme/production · DATABASE_URL`, for the view's description. */
  get label(): string | undefined {
    return this.#target ? `${this.#target.key} · ${targetLabel(this.#target)}` : undefined;
  }

  get versions(): readonly VersionNode[] {
    return this.#nodes;
  }

  /** The version the view shows as current (the If-Match of a rollback). */
  get shownCurrent(): number | undefined {
    return this.#nodes[0]?.version;
  }

  /** Shows the history of `target` (loading it), replacing whatever was shown. */
  async show(target: HistoryTarget): Promise<readonly VersionNode[]> {
    if (!this.#sameTarget(target)) {
      this.#reveals.clear();
      this.#target = { ...target, key: target.key.toUpperCase() };
      this.#nodes = [];
    }
    return this.reload();
  }

  async reload(): Promise<readonly VersionNode[]> {
    const t = this.#target;
    if (!t) return [];
    const list = await this.#requireApi().listSecretVersions(t.org, envRef(t), t.key);
    if (this.#target !== t) return this.#nodes;
    this.#setVersions(t, list.versions);
    return this.#nodes;
  }

  async reveal(version: number): Promise<VersionNode> {
    const t = this.#requireTarget();
    const revealed = await this.#requireApi().revealSecretVersion(t.org, envRef(t), t.key, version);
    const node = this.#nodes.find((n) => n.version === version);
    if (!node || this.#target !== t) throw new ExtensionError('EXT_VERSION_NOT_SHOWN', `Version ${version} of ${t.key} is not in the History view: refresh it`);
    this.#reveals.reveal(node.id, revealed.value, version, this.#revealSeconds());
    return node;
  }

  hide(version: number): void {
    const node = this.#nodes.find((n) => n.version === version);
    if (node) this.#reveals.hide(node.id);
  }

  /** Empties the view (sign-out, another organization, the secret deleted). */
  clear(): void {
    this.#reveals.clear();
    this.#target = undefined;
    this.#nodes = [];
    this.#fire(undefined);
  }

  /** Whether the view shows the history of this secret (so a change of it should reload the view). */
  shows(t: Target, key: string): boolean {
    return this.#target !== undefined && this.#sameTarget({ ...t, key });
  }

  get revealedCount(): number {
    return this.#reveals.size;
  }

  onDidChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #setVersions(t: HistoryTarget, versions: readonly SecretVersion[]): void {
    const sorted = [...versions].sort((a, b) => b.version - a.version);
    const keep = new Set<string>();
    this.#nodes = sorted.map((v, i) => {
      const id = versionId(t, v.version);
      keep.add(id);
      const value = this.#reveals.value(id);
      return {
        kind: 'version',
        id,
        org: t.org,
        env: t.env,
        ...(t.workspace !== undefined ? { workspace: t.workspace } : {}),
        secretKey: t.key,
        version: v.version,
        description: v.description,
        createdAt: v.createdAt,
        createdBy: v.createdBy,
        current: i === 0,
        revealed: value !== undefined,
        display: value ?? MASK,
      };
    });
    // A version no longer kept (pruned) is masked; its value is not kept in memory.
    for (const id of this.#reveals.ids()) if (!keep.has(id)) this.#reveals.hide(id);
    this.#fire(undefined);
  }

  #sameTarget(t: HistoryTarget): boolean {
    const c = this.#target;
    return c !== undefined && c.org === t.org && c.env === t.env && c.workspace === t.workspace && c.key === t.key.toUpperCase();
  }

  #onRevealChange(id: string): void {
    const node = this.#nodes.find((n) => n.id === id);
    if (!node) return;
    const value = this.#reveals.value(id);
    node.revealed = value !== undefined;
    node.display = value ?? MASK;
    this.#fire(node);
  }

  #requireTarget(): HistoryTarget {
    if (!this.#target) throw new ExtensionError('EXT_NO_HISTORY');
    return this.#target;
  }

  #requireApi(): SecretsApi {
    const api = this.#api();
    if (!api) throw new ExtensionError('EXT_NOT_CONNECTED');
    return api;
  }

  #fire(node: VersionNode | undefined): void {
    for (const l of this.#listeners) l(node);
  }
}

export function versionId(t: HistoryTarget, version: number): string {
  return `version:${targetLabel(t)}/${t.key}@${version}`;
}
