// How times and roles read in the dashboard.
import type { Role } from '../../../core/api-types.ts';

export function when(iso: string | null | undefined, never = 'Never'): string {
  if (!iso) return never;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const ROLE_NAMES: Record<Role, string> = { owner: 'Owner', admin: 'Admin', editor: 'Editor', viewer: 'Viewer' };

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/** The caller's role allows at least `least` (the server decides; this only hides what it would refuse). */
export function atLeast(role: Role | undefined, least: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[least];
}

/** To the second: for history, where versions written within a minute must read apart. */
export function whenExact(iso: string | null | undefined, never = 'Never'): string {
  if (!iso) return never;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
