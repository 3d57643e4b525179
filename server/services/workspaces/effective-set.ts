// A workspace's effective set (docs/api.md, Workspaces): the organization secrets available to it plus
// its own, a workspace secret hiding an organization secret of the same key. One place decides it, so
// listing, reading, revealing, pins, history and caches cannot disagree about what a workspace sees.
import type { SecretScope } from '../../../core/api-types.ts';
import type { EnvironmentRow, SecretMetaRow, WorkspaceRow } from '../../storage/types.ts';

/** Where a secret call applies: an environment of the organization, or of one workspace. */
export interface SecretPlace {
  env: EnvironmentRow;
  workspace: WorkspaceRow | null;
}

/** A row as a place shows it: in a workspace, with its scope and whether it overrides. */
export type Placed<T> = T & { scope?: SecretScope; overrides?: boolean };

/** The storage's workspace id of the place's own secrets ('' for the organization). */
export function ownId(place: SecretPlace): string {
  return place.workspace?.id ?? '';
}

/** How messages name the place: `production`, or `production of workspace billing`. */
export function placeName(place: SecretPlace): string {
  return place.workspace ? `${place.env.slug} of workspace ${place.workspace.slug}` : place.env.slug;
}

/** The reveal cache's key: a workspace's effective set is cached apart from the organization's environment. */
export function cacheKey(place: SecretPlace): string {
  return place.workspace ? `${place.env.id}/${place.workspace.id}` : place.env.id;
}

/** Whether an organization secret may be used by the workspace ([] = by every workspace). */
export function availableTo(row: Pick<SecretMetaRow, 'workspaces'>, workspace: WorkspaceRow): boolean {
  return row.workspaces.length === 0 || row.workspaces.includes(workspace.slug);
}

/** The effective set of `workspace`, sorted by key: `orgRows` are the environment's organization secrets, `ownRows` the workspace's. */
export function effectiveSet<T extends Pick<SecretMetaRow, 'key' | 'workspaces'>>(orgRows: readonly T[], ownRows: readonly T[], workspace: WorkspaceRow): Placed<T>[] {
  const own = new Map(ownRows.map((r) => [r.key, r]));
  const out: Placed<T>[] = [];
  const hidden = new Set<string>();
  for (const r of orgRows) {
    if (!availableTo(r, workspace)) continue;
    if (own.has(r.key)) hidden.add(r.key);
    else out.push({ ...r, scope: 'organization' });
  }
  for (const r of ownRows) out.push({ ...r, scope: 'workspace', overrides: hidden.has(r.key) });
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
