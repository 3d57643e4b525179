// The Trust Policies view's data (Admins only): two groups, the organization's policies and its last
// OIDC exchanges, loaded together for the current organization. No VS Code here.
import type { OidcPolicy } from '../../core/api-types.ts';
import { ExtensionError } from '../errors.ts';
import { loadTrust, repositoryBinding, type ExchangeRow, type TrustOverview } from '../logic/trust.ts';
import type { SecretsApi } from '../logic/ports.ts';

export interface TrustGroupNode {
  kind: 'trust-group';
  id: string;
  group: 'policies' | 'exchanges';
  label: string;
  count: number;
}

export interface PolicyNode {
  kind: 'policy';
  id: string;
  policy: OidcPolicy;
  /** `production · repository acme/app · 900 s` (`billing/production · …` when bound to a workspace) */
  summary: string;
}

export interface ExchangeNode {
  kind: 'exchange';
  id: string;
  row: ExchangeRow;
  /** `acme/app · deploy.yml · refs/heads/main · run 42` */
  summary: string;
}

export interface TrustMessageNode {
  kind: 'trust-message';
  id: string;
  text: string;
}

export type TrustNode = TrustGroupNode | PolicyNode | ExchangeNode | TrustMessageNode;

export class TrustModel {
  readonly #api: () => SecretsApi | undefined;
  readonly #listeners = new Set<() => void>();
  #overview: TrustOverview | undefined;

  constructor(api: () => SecretsApi | undefined) {
    this.#api = api;
  }

  get overview(): TrustOverview | undefined {
    return this.#overview;
  }

  async load(org: string): Promise<TrustOverview> {
    const api = this.#api();
    if (!api) throw new ExtensionError('EXT_NOT_CONNECTED');
    const overview = await loadTrust(api, org);
    this.#overview = overview;
    this.#fire();
    return overview;
  }

  clear(): void {
    this.#overview = undefined;
    this.#fire();
  }

  /** Loads the organization's overview when it is not the one shown, then returns the children. */
  async children(org: string | undefined, node?: TrustNode): Promise<TrustNode[]> {
    if (!org || !this.#api()) return [];
    if (this.#overview?.org !== org) await this.load(org);
    return this.getChildren(node);
  }

  getChildren(node?: TrustNode): TrustNode[] {
    const o = this.#overview;
    if (!o) return [];
    if (node === undefined) {
      return [
        { kind: 'trust-group', id: `trust:${o.org}#policies`, group: 'policies', label: 'Policies', count: o.policies.length },
        { kind: 'trust-group', id: `trust:${o.org}#exchanges`, group: 'exchanges', label: 'Last exchanges', count: o.exchanges.length },
      ];
    }
    if (node.kind !== 'trust-group') return [];
    if (node.group === 'policies') {
      if (o.policies.length === 0) return [message(node, 'No trust policies yet (create one in the dashboard or with `secrets oidc-policies create`)')];
      return o.policies.map((p) => ({
        kind: 'policy',
        id: `policy:${o.org}/${p.id}`,
        policy: p,
        summary: `${p.workspace ? `${p.workspace}/${p.environment}` : p.environment} · ${repositoryBinding(p.claims)} · ${p.ttlSeconds} s`,
      }));
    }
    if (o.exchanges.length === 0) return [message(node, 'No exchanges yet')];
    return o.exchanges.map((r) => ({
      kind: 'exchange',
      id: `exchange:${o.org}/${r.id}`,
      row: r,
      summary: [r.repository ?? '—', r.workflow ?? '—', r.ref ?? '—', r.runId !== undefined ? `run ${r.runId}` : '—'].join(' · '),
    }));
  }

  onDidChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #fire(): void {
    for (const l of this.#listeners) l();
  }
}

function message(parent: TrustGroupNode, text: string): TrustMessageNode {
  return { kind: 'trust-message', id: `${parent.id}#message`, text };
}
