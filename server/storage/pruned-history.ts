// Both backends find what a history pruning removes with the same query shapes; this groups their
// rows into one answer per environment and workspace (the organization's own secrets apart from each
// workspace's), keys sorted.
import type { PrunedEnvironment } from './types.ts';

export interface PrunedRow {
  environmentId: string;
  environment: string;
  /** '' for the organization's own secrets. */
  workspaceId: string;
  key: string;
  versions: number;
}

/** `slugs`: the organization's workspaces, id → slug. */
export function groupPruned(values: readonly PrunedRow[], deleted: readonly PrunedRow[], slugs: ReadonlyMap<string, string>): PrunedEnvironment[] {
  type Group = { environmentId: string; environment: string; workspace: string | null; versions: Map<string, number>; deleted: Map<string, number> };
  const byPlace = new Map<string, Group>();
  const add = (r: PrunedRow, which: 'versions' | 'deleted') => {
    if (r.versions <= 0) return;
    const place = `${r.environmentId}/${r.workspaceId}`;
    let e = byPlace.get(place);
    if (!e) {
      const workspace = r.workspaceId === '' ? null : (slugs.get(r.workspaceId) ?? r.workspaceId);
      byPlace.set(place, (e = { environmentId: r.environmentId, environment: r.environment, workspace, versions: new Map(), deleted: new Map() }));
    }
    e[which].set(r.key, (e[which].get(r.key) ?? 0) + Number(r.versions));
  };
  for (const r of values) add(r, 'versions');
  for (const r of deleted) add(r, 'deleted');
  const list = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, versions]) => ({ key, versions }));
  const order = (e: Group) => `${e.environment}\u0000${e.workspace ?? ''}`;
  return [...byPlace.values()]
    .sort((a, b) => (order(a) < order(b) ? -1 : 1))
    .map((e) => ({ environmentId: e.environmentId, environment: e.environment, workspace: e.workspace, versions: list(e.versions), deleted: list(e.deleted) }));
}

/** The keys a pruning of one environment names in its audit event, sorted. */
export function prunedKeys(p: PrunedEnvironment): string[] {
  return [...new Set([...p.versions, ...p.deleted].map((k) => k.key))].sort();
}
