// Both backends find what a history pruning removes with the same query shapes; this groups their
// rows into one answer per environment (keys sorted, counts summed over workspaces).
import type { PrunedEnvironment } from './types.ts';

export interface PrunedRow {
  environmentId: string;
  environment: string;
  key: string;
  versions: number;
}

export function groupPruned(values: readonly PrunedRow[], deleted: readonly PrunedRow[]): PrunedEnvironment[] {
  const byEnv = new Map<string, { environment: string; versions: Map<string, number>; deleted: Map<string, number> }>();
  const add = (r: PrunedRow, which: 'versions' | 'deleted') => {
    if (r.versions <= 0) return;
    let e = byEnv.get(r.environmentId);
    if (!e) byEnv.set(r.environmentId, (e = { environment: r.environment, versions: new Map(), deleted: new Map() }));
    e[which].set(r.key, (e[which].get(r.key) ?? 0) + Number(r.versions));
  };
  for (const r of values) add(r, 'versions');
  for (const r of deleted) add(r, 'deleted');
  const list = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, versions]) => ({ key, versions }));
  return [...byEnv]
    .sort(([, a], [, b]) => (a.environment < b.environment ? -1 : 1))
    .map(([environmentId, e]) => ({ environmentId, environment: e.environment, versions: list(e.versions), deleted: list(e.deleted) }));
}

/** The keys a pruning of one environment names in its audit event, sorted. */
export function prunedKeys(p: PrunedEnvironment): string[] {
  return [...new Set([...p.versions, ...p.deleted].map((k) => k.key))].sort();
}
